import Testing
import RTPCore
@testable import NetDecode

/// Random and mutated frames for every link type: the decoder must never trap, and every frame
/// must land in exactly one outcome.
@Suite struct FuzzTests {
    /// SplitMix64: deterministic, so a failure reproduces.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: LinkType.allCases)
    func randomAndMutatedFramesNeverTrap(linkType: LinkType) {
        var random = SeededGenerator(state: UInt64(linkType.rawValue) + 1)
        var harness = DecodeHarness(linkType, tcpPorts: [5000, 6000])
        let seeds: [[UInt8]] = [
            TestFrames.ethernetIPv4UDP,
            TestFrames.sll2(protocol: 0x86DD, payload: TestFrames.ipv6(nextHeader: 0, payload: [17, 0, 1, 4, 0, 0, 0, 0] + TestFrames.udp(sourcePort: 1, destinationPort: 2, payload: [0x80]))),
            [2, 0, 0, 0] + TestFrames.ipv4(protocol: 6, payload: TestFrames.tcp(sourcePort: 1, destinationPort: 5000, sequence: 1, flags: TestFrames.ack, payload: [0, 16] + TestFrames.rtp(sequence: 1))),
        ]
        let rounds = 3_000
        for round in 0..<rounds {
            var frame = seeds[round % seeds.count]
            if round % 4 == 0 {
                frame = (0..<Int.random(in: 0...96, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                for _ in 0..<Int.random(in: 1...6, using: &random) where !frame.isEmpty {
                    frame[Int.random(in: 0..<frame.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                frame = Array(frame.prefix(Int.random(in: 0...frame.count, using: &random)))
            }
            harness.decode(frame, time: Nanoseconds(round))
        }
        #expect(harness.outcomes.count == rounds)
        #expect(harness.datagrams.allSatisfy { $0.payload.count <= $0.originalLength })
    }
}
