/// The codec ↔ network correlation of a live analysis, as a value: the probed calls seen so far and
/// the names of the probed functions. `StreamAnalyzer.codecCorrelator` hands out a copy, so a scrape
/// takes it under the owner's lock and computes the coefficients after releasing it.
public struct CodecCorrelator: Sendable {
    public var activity: CodecActivity
    /// Probed function index → the name reports and labels carry (`AnalyzerConfiguration`).
    public let functionNames: [Int: String]

    public init(activity: CodecActivity = CodecActivity(), functionNames: [Int: String] = [:]) {
        self.activity = activity
        self.functionNames = functionNames
    }

    /// Pearson's r per probed function (by name) for an outgoing stream of a probed process; nil
    /// for any other stream, or before enough seconds were seen.
    public func correlation(of snapshot: StreamSnapshot, now: Nanoseconds) -> [String: Double]? {
        correlation(pid: snapshot.key.pid, pacing: snapshot.pacing, now: now)
    }

    func correlation(pid: Int32?, pacing: SendPacing?, now: Nanoseconds) -> [String: Double]? {
        guard let pacing, let pid, activity.hasActivity(pid: pid) else { return nil }
        var byFunction: [String: Double] = [:]
        let floor = pacing.expectedInterval.map {
            Double($0) / 1e9 * CodecNetworkCorrelation.floorShareOfExpectedInterval
        } ?? 0
        for function in activity.functions(pid: pid) {
            guard let latency = activity.worstLatency(pid: pid, function: function),
                  let name = functionNames[function],
                  let r = CodecNetworkCorrelation.coefficient(
                      sendIntervals: pacing.worstInterval, codecLatency: latency, now: now,
                      latencyFloor: floor) else { continue }
            byFunction[name] = r
        }
        return byFunction.isEmpty ? nil : byFunction
    }
}

/// The live analyzer's codec side: calls come in from the codec probes, send stalls from the
/// outgoing streams; a stall gets its cause once the calls that may explain it are in.
extension StreamAnalyzer {
    /// One probed codec call that returned.
    public func recordCodecCall(_ call: CodecCallRecord) {
        codecActivity.record(call)
    }

    /// Classifies the send stalls seen since the last call whose end is at or before `codecHorizon`
    /// (every call that ended before it has been recorded; `.max` without codec probes) and counts
    /// them by cause on their stream; later ones wait for the next call (see `StallClassifier`).
    public func classifyPendingStalls(codecHorizon: Nanoseconds) {
        if !newStalls.isEmpty {
            stallClassifier.enqueue(newStalls)
            newStalls.removeAll(keepingCapacity: true)
        }
        guard stallClassifier.pendingCount > 0 else { return }
        for decided in stallClassifier.classify(activity: codecActivity, codecHorizon: codecHorizon) {
            guard let index = streams.index(of: decided.key) else { continue }  // the stream is gone
            streams[index].measurements.classifyStall(decided.cause)
        }
    }

    /// Processes with codec calls recorded.
    public var codecProcesses: [Int32] { codecActivity.processes }

    /// Drops the codec calls of processes not in `alive` (their probes were released).
    public func forgetCodecActivity(keeping alive: Set<Int32>) {
        for pid in codecActivity.processes where !alive.contains(pid) { codecActivity.forget(pid: pid) }
    }

    /// A copy of the codec side, for computing correlations without the analyzer.
    public var codecCorrelator: CodecCorrelator {
        CodecCorrelator(activity: codecActivity, functionNames: configuration.codecFunctionNames)
    }
}
