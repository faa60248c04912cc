import Foundation
import Testing

/// Everything here drives real processes against one kernel: the suites nested in this one run
/// one test at a time (two cores, and jitter measurements must not compete with a blast).
@Suite(.serialized) struct MonitorEndToEnd {}

// MARK: - Assertion helpers shared by the suites

/// The single series of `metric` matching `labels`; otherwise records an issue that lists what
/// the monitor did export for that metric, and returns nil.
func singleSeries(_ exposition: Exposition, _ metric: String, _ labels: [String: String],
                  sourceLocation: SourceLocation = #_sourceLocation) -> MetricSample? {
    let matches = exposition.samples(metric, where: labels)
    guard matches.count == 1 else {
        let exported = exposition.samples(metric).map(\.description).joined(separator: "\n")
        Issue.record("expected exactly one \(metric) series with \(labels), found \(matches.count). Exported:\n\(exported)",
                     sourceLocation: sourceLocation)
        return nil
    }
    return matches[0]
}

/// Compares endpoint labels by value (IPv6 may be printed with or without brackets).
func expectEndpoint(_ label: String?, equals expected: String, _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let actual = label.flatMap(EndpointText.init)
    #expect(actual != nil && actual == EndpointText(expected),
            "\(what) label is \(label ?? "missing"), expected \(expected)", sourceLocation: sourceLocation)
}

/// A JSON number from JSONSerialization (NSNumber on Linux) as an Int.
func jsonInt(_ value: Any?) -> Int? {
    switch value {
    case let number as NSNumber: return number.intValue
    case let text as String: return Int(text)
    default: return nil
    }
}

/// A random SSRC, so a test's stream cannot be confused with one left from another run.
func randomSSRC() -> UInt32 { UInt32.random(in: 0x1000_0000 ... 0xefff_ffff) }

// MARK: - Sender → receiver runs shared by the suites

/// One `rtptraffic recv` (bound first) and one `rtptraffic send` to it, both finished.
struct SenderReceiverRun {
    let sent: SendReport
    let received: ReceiveReport

    /// Label sets of the two sides of the stream: the sender's sent and the receiver's received.
    var sentSide: [String: String] { ["direction": "sent", "pid": "\(sent.pid)", "ssrc": ssrcLabel(sent.ssrc)] }
    var receivedSide: [String: String] { ["direction": "received", "pid": "\(received.pid)", "ssrc": ssrcLabel(sent.ssrc)] }

    /// Starts the receiver on `destination`, then the sender with `senderArguments` (--to and
    /// --comm added here), and waits (bounded) for both reports. Fails when the traffic itself is
    /// not what the test expects, before the monitor is judged.
    init(_ session: MonitorSession, destination: String, receiveSyscall: String, receiverComm: String,
         senderComm: String, expectedDatagrams: Int, senderArguments: [String]) throws {
        let receiver = try session.traffic.startReceiver(bind: destination, syscall: receiveSyscall,
                                                         count: expectedDatagrams, comm: receiverComm)
        let sender = try session.traffic.start("send", ["--to", destination, "--comm", senderComm] + senderArguments)
        sent = try TrafficTool.report(SendReport.self, from: sender)
        received = try TrafficTool.report(ReceiveReport.self, from: receiver)
        try #require(sent.packets == expectedDatagrams, "sender put \(sent.packets) datagrams on the wire")
        try #require(received.received == expectedDatagrams, "loopback delivered \(received.received): \(received)")
    }

    /// A scrape taken once both sides' packet counts have settled (bounded).
    func settledScrape(_ monitor: RunningMonitor) throws -> Exposition {
        _ = try monitor.settledScrape(MonitorMetric.packets, where: sentSide, expected: Double(sent.packets))
        return try monitor.settledScrape(MonitorMetric.packets, where: receivedSide, expected: Double(received.received))
    }
}
