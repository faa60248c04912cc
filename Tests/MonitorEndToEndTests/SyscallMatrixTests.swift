import Foundation
import Testing

/// One sender syscall and one receiver syscall over one loopback family.
struct SyscallCase: Sendable, CustomTestStringConvertible {
    let send: String
    let receive: String
    let family: LoopbackFamily

    var testDescription: String { "\(send) → \(receive) over \(family.rawValue)" }

    /// Every send path the monitor traces, each paired with a rotating receive path.
    static let all: [SyscallCase] = LoopbackFamily.allCases.flatMap { family in
        [("sendto", "recvfrom"), ("sendmsg", "recvmsg"), ("sendmsg-connected", "recvmmsg"),
         ("sendmmsg", "recvfrom"), ("send-connected", "recvmmsg")]
            .map { SyscallCase(send: $0.0, receive: $0.1, family: family) }
    }
}

extension MonitorEndToEnd {
    @Suite("Counts, loss and attribution for every send/receive syscall")
    struct SyscallMatrix {
        /// 150 packets, seq 1000…1149, of which 1010 and the burst 1050–1051 are never sent.
        static let count = 150
        static let drops = [1010, 1050, 1051]
        static var packetsOnWire: Int { count - drops.count }

        @Test(arguments: SyscallCase.all)
        func countsLossAndProcessLabels(_ path: SyscallCase) throws {
            let senderComm = uniqueComm("e2e-tx"), receiverComm = uniqueComm("e2e-rx")
            try withMonitor(comms: [senderComm, receiverComm]) { session in
                let destination = path.family.endpoint(port: try freePort(path.family, udp: true))
                // --from binds the loopback address, so the sender's local label is a concrete address.
                let run = try SenderReceiverRun(session, destination: destination, receiveSyscall: path.receive,
                                                receiverComm: receiverComm, senderComm: senderComm,
                                                expectedDatagrams: Self.packetsOnWire, senderArguments: [
                    "--from", path.family.endpoint(port: 0), "--syscall", path.send, "--batch", "4",
                    "--count", "\(Self.count)", "--ptime-ms", "5", "--seq-start", "1000", "--ssrc", "\(randomSSRC())",
                    "--drop", Self.drops.map(String.init).joined(separator: ","),
                ])
                try #require(run.sent.expectedLost == Self.drops.count)
                let (sent, received) = (run.sent, run.received)
                let (sentSide, receivedSide) = (run.sentSide, run.receivedSide)
                let metrics = try run.settledScrape(session.monitor)

                if let series = singleSeries(metrics, MonitorMetric.packets, sentSide) {
                    #expect(series.value == Double(sent.packets), "sent packets")
                    #expect(series.labels["comm"] == senderComm)
                    #expect(series.labels["payload_type"] == "0")
                    expectEndpoint(series.labels["local"], equals: sent.local, "sender local")
                    expectEndpoint(series.labels["remote"], equals: destination, "sender remote")
                }
                if let series = singleSeries(metrics, MonitorMetric.packets, receivedSide) {
                    #expect(series.value == Double(received.received), "received packets")
                    #expect(series.labels["comm"] == receiverComm)
                    expectEndpoint(series.labels["local"], equals: destination, "receiver local")
                    expectEndpoint(series.labels["remote"], equals: sent.local, "receiver remote")
                }
                if let lost = singleSeries(metrics, MonitorMetric.lost, receivedSide) {
                    #expect(lost.value == Double(Self.drops.count), "lost packets on the received side")
                }
            }
        }
    }
}
