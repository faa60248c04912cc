import Foundation
import Testing

extension MonitorEndToEnd {
    @Suite("RFC 3550 interarrival jitter")
    struct Jitter {
        /// Packets every 20 ms, sent 0 and 10 ms late alternately: inter-send gaps of 30 and 10 ms
        /// against a 20 ms timestamp step, so |D| = 10 ms every packet and J converges to 10 ms
        /// (rtptraffic computes the exact expectation of its planned times, convergence included).
        ///
        /// Tolerances, all from scheduling noise on a loaded 2-core machine:
        /// - sent side vs. the instants the sender read just before each send syscall: 1 ms
        ///   (only the syscall-entry skew differs; the 1/16 filter averages it further);
        /// - either side vs. the planned pattern: 2.5 ms (clock_nanosleep wake-up late by up to a
        ///   few ms under load, and the receiver's own wake-up from poll on the received side).
        static let expectationTolerance = 0.0025
        static let measuredTolerance = 0.001

        @Test("a 0/10 ms send-time pattern gives ≈10 ms jitter on both sides")
        func jitterFollowsTheSendTimePattern() throws {
            let senderComm = uniqueComm("e2e-jit-tx"), receiverComm = uniqueComm("e2e-jit-rx")
            try withMonitor(comms: [senderComm, receiverComm]) { session in
                let count = 250  // 5 s of 20 ms packets
                let destination = LoopbackFamily.ipv4.endpoint(port: try freePort(udp: true))
                let run = try SenderReceiverRun(session, destination: destination, receiveSyscall: "recvfrom",
                                                receiverComm: receiverComm, senderComm: senderComm,
                                                expectedDatagrams: count, senderArguments: [
                    "--from", "127.0.0.1:0", "--syscall", "sendto", "--count", "\(count)", "--ptime-ms", "20",
                    "--pt", "0", "--clock", "8000", "--ssrc", "\(randomSSRC())", "--jitter-pattern", "0,10",
                ])
                let sent = run.sent
                let expectedMs = try #require(sent.expectedJitterMs)
                // If the sender itself could not keep the pattern, the machine is too loaded to judge.
                try #require(abs(sent.measuredJitterMs - expectedMs) <= Self.expectationTolerance * 1000,
                             "sender missed its own pattern: measured \(sent.measuredJitterMs) ms, planned \(expectedMs) ms")
                let (sentSide, receivedSide) = (run.sentSide, run.receivedSide)
                let metrics = try run.settledScrape(session.monitor)

                let expected = expectedMs / 1000
                if let jitter = singleSeries(metrics, MonitorMetric.jitter, sentSide) {
                    #expect(abs(jitter.value - sent.measuredJitterMs / 1000) <= Self.measuredTolerance,
                            "sent-side jitter \(jitter.value) s vs. the sender's own \(sent.measuredJitterMs) ms")
                    #expect(abs(jitter.value - expected) <= Self.expectationTolerance,
                            "sent-side jitter \(jitter.value) s vs. planned \(expected) s")
                }
                if let jitter = singleSeries(metrics, MonitorMetric.jitter, receivedSide) {
                    #expect(abs(jitter.value - expected) <= Self.expectationTolerance,
                            "received-side jitter \(jitter.value) s vs. planned \(expected) s")
                }
                for side in [sentSide, receivedSide] {
                    if let clock = singleSeries(metrics, MonitorMetric.clockRate, side) {
                        #expect(clock.value == 8000, "PT 0 (PCMU) clock rate")
                    }
                }
            }
        }
    }
}
