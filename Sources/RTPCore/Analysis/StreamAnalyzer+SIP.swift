/// SIP on the engine's path: one parse per message feeds both the clock rates of dynamic payload
/// types (as tshark learns `a=rtpmap` from SDP it dissects) and the call tracker.
extension StreamAnalyzer {
    /// A datagram that starts like SIP (UDP on any port, or a message the TCP framer cut out).
    func ingestSIP(_ datagram: borrowing Datagram) {
        let message: SIPMessage
        do {
            message = try SIPParser.parse(datagram.payload, originalLength: datagram.originalLength)
        } catch {
            summary.malformed[error.kind.key, default: 0] &+= 1
            return
        }
        var session: SessionDescription?
        do {
            session = try message.sessionDescription()
        } catch {
            summary.malformed[SIPError.Kind.badSDP.key, default: 0] &+= 1
        }
        if let session { learnClockRates(from: session) }
        calls.ingest(message, session: session, time: datagram.time, source: datagram.source,
                     destination: datagram.destination, transport: datagram.transport, process: datagram.process)
    }

    /// Learnt rates are per payload type for the whole analysis (tshark scopes them to the SDP's
    /// conversation): good enough for captures of one call or of calls agreeing on their dynamic
    /// numbers; `--sdp` and `--clock-rate` override them.
    private func learnClockRates(from session: SessionDescription) {
        for map in session.media.flatMap(\.rtpMaps)
        where map.payloadType >= 96 && configuration.sdpClockRates[map.payloadType] == nil {
            learnClockRate(payloadType: map.payloadType, rate: map.clockRate, encodingName: map.encoding)
        }
    }

    /// The report's `calls` and `sip` sections, present once any SIP was seen.
    func addCalls(to report: inout AnalysisReport) {
        guard calls.statistics.messages > 0 else { return }
        report.calls = calls.reports(streams: report.streams, rtcp: report.rtcp)
        report.sip = calls.statistics
    }

    static func callConfiguration(_ configuration: AnalyzerConfiguration) -> CallTracker.Configuration {
        var calls = CallTracker.Configuration()
        calls.maxCalls = configuration.maxCalls
        // Live: an ended call stays visible as long as an idle stream would.
        calls.endedCallLinger = configuration.streamIdleTimeout
        return calls
    }
}

extension StreamAnalyzer {
    /// Live `/calls`: the calls with their streams placed (builds every stream's report, as `report()`
    /// does: call it per request, not per scrape).
    public func callsDocument() -> CallsDocument {
        let report = report()
        return CallsDocument(calls: report.calls ?? [], sip: calls.statistics)
    }
}
