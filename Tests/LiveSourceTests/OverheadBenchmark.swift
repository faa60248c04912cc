import Foundation
import Glibc
import Synchronization
import Testing
@testable import LiveSource
import RTPCore

/// How much slower a traced `sendto` is. Opt-in (RTPSCOPE_BENCH=1): it takes ~10 s and its
/// numbers are for reading, not for asserting beyond "nothing was lost".
///
/// Rounds of 10 000 sends alternate between: no programs attached; programs attached and this
/// process selected (every send becomes an event, consumed by a thread polling every 5 ms); and
/// programs attached but this process filtered out (the cost everyone else pays). Medians of the
/// per-round ns/send are reported.
@Suite(.serialized, .enabled(if: LiveBPF.shouldRun && getenv("RTPSCOPE_BENCH") != nil, "set RTPSCOPE_BENCH=1 to measure"))
struct OverheadBenchmark {
    enum Mode: String, CaseIterable { case detached, capturing, filteredOut = "filtered-out" }

    static let roundsPerMode = 10
    static let sendsPerRound = 10_000

    @Test func sendtoOverhead() throws {
        let sender = try TestSocket(.v4)
        let receiver = try TestSocket(.v4)  // never read: the kernel drops what overflows it
        let capturing = try LiveCapture(options: LiveCaptureOptions(pids: [getpid()], direction: .sent, capture: .syscalls))
        let filteredOut = try LiveCapture(options: LiveCaptureOptions(pids: [1], direction: .sent, capture: .syscalls))
        defer { capturing.close(); filteredOut.close() }
        try capturing.setAttached(false)
        try filteredOut.setAttached(false)

        let consumer = PollingThread(capture: capturing, port: receiver.localEndpoint.port)
        consumer.start()

        var nanosecondsPerSend: [Mode: [Double]] = [:]
        var address = TestSocket.socketAddress(receiver.localEndpoint)
        let packet = rtpPacket(sequence: 1)
        for round in 0..<(Self.roundsPerMode * Mode.allCases.count) {
            let mode = Mode.allCases[round % Mode.allCases.count]
            try capturing.setAttached(mode == .capturing)
            try filteredOut.setAttached(mode == .filteredOut)
            let start = SystemClock.now(CLOCK_MONOTONIC)
            packet.withUnsafeBytes { bytes in
                address.withSockaddr { name, length in
                    for _ in 0..<Self.sendsPerRound {
                        _ = Glibc.sendto(sender.fd, bytes.baseAddress, bytes.count, 0, name, length)
                    }
                }
            }
            let elapsed = SystemClock.now(CLOCK_MONOTONIC) - start
            nanosecondsPerSend[mode, default: []].append(Double(elapsed) / Double(Self.sendsPerRound))
        }
        try capturing.setAttached(false)
        try filteredOut.setAttached(false)
        usleep(50_000)  // let the consumer drain the last events
        let received = consumer.stop()
        let statistics = capturing.statistics()

        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let baseline = median(nanosecondsPerSend[.detached]!)
        let expected = UInt64(Self.roundsPerMode * Self.sendsPerRound)
        print("sendto overhead (\(Self.roundsPerMode) interleaved rounds × \(Self.sendsPerRound) sends per mode, median ns/send):")
        for mode in Mode.allCases {
            let value = median(nanosecondsPerSend[mode]!)
            print(String(format: "  %-13@ %8.0f ns  (+%.0f ns)", mode.rawValue as NSString, value, value - baseline))
        }
        for program in statistics.programs where program.runCount > 0 {
            print(String(format: "  kernel: %@ %.0f ns/run over %llu runs", program.name as NSString, program.averageNanoseconds, program.runCount))
        }
        print("  events: sent \(statistics.eventsByHook[.sendto] ?? 0) of \(expected), delivered \(received), ring-buffer drops \(statistics.ringBufferDrops)")

        #expect(statistics.eventsByHook[.sendto] == expected)
        #expect(received == expected)
        #expect(statistics.ringBufferDrops == 0)
    }
}

/// Polls a capture every 5 ms on its own thread, counting datagrams to one port.
final class PollingThread: @unchecked Sendable {
    private let capture: LiveCapture
    private let port: UInt16
    private let running = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var received: UInt64 = 0

    init(capture: LiveCapture, port: UInt16) {
        self.capture = capture
        self.port = port
    }

    func start() {
        running.store(true, ordering: .sequentiallyConsistent)
        Thread.detachNewThread { [self] in
            while running.load(ordering: .sequentiallyConsistent) {
                capture.poll(timeoutMilliseconds: 5) { datagram in
                    if datagram.destination.port == port { received += 1 }
                }
            }
            capture.poll(timeoutMilliseconds: 0) { datagram in
                if datagram.destination.port == port { received += 1 }
            }
            finished.signal()
        }
    }

    /// Stops the thread; returns how many datagrams it saw.
    func stop() -> UInt64 {
        running.store(false, ordering: .sequentiallyConsistent)
        finished.wait()
        return received
    }
}
