import Testing
@testable import RTPCore

/// Streams captured on a network interface (`monitor --interface`): keyed by interface, labelled by
/// its name, seen as a receiver at the capture point sees them.
@Suite("Streams from network interfaces")
struct InterfaceStreamTests {
    typealias F = StatsFixture

    @Test func theSameFiveTupleOnTwoInterfacesIsTwoStreams() throws {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        let mirror = NetworkInterface(index: 7, name: "mirror0")
        let uplink = NetworkInterface(index: 9, name: "eth1")
        for i in 0..<6 where i != 3 {
            let bytes = F.rtp(seq: UInt16(100 + i), ts: UInt32(i * 160))
            F.feed(analyzer, bytes, atMs: Double(i) * 20, interface: mirror)
            if i != 4 { F.feed(analyzer, bytes, atMs: Double(i) * 20 + 1, interface: uplink) }  // 3 and 4 lost
        }
        let streams = analyzer.report().streams
        #expect(streams.count == 2)
        let onMirror = try #require(streams.first { $0.interface == "mirror0" })
        let onUplink = try #require(streams.first { $0.interface == "eth1" })
        #expect(onMirror.packets == 5 && onMirror.lost == 1)
        #expect(onUplink.packets == 4 && onUplink.lost == 2)
        for stream in streams {
            #expect(stream.pid == nil && stream.comm == nil)
            #expect(stream.direction == .received)
        }
    }

    /// The name is kept as bytes (no String in a Datagram): every kernel name (up to IFNAMSIZ − 1 =
    /// 15 bytes) reads back as given; equality and hashing are by index and name.
    @Test func interfaceNamesReadBackAsGiven() {
        for name in ["", "lo", "eth0", "veth-a1b2c3d4e5", "enp0s31f6.4094", "wlp2s0\u{00E9}"] {
            #expect(NetworkInterface(index: 3, name: name).name == name)
        }
        #expect(NetworkInterface(index: 3, name: "eth0") == NetworkInterface(index: 3, name: "eth0"))
        #expect(NetworkInterface(index: 3, name: "eth0") != NetworkInterface(index: 3, name: "eth1"))
        #expect(NetworkInterface(index: 3, name: "eth0") != NetworkInterface(index: 4, name: "eth0"))
        #expect(Set([NetworkInterface(index: 3, name: "eth0"), NetworkInterface(index: 3, name: "eth0")]).count == 1)
        // Longer than any kernel name: its first 15 bytes, as the kernel keeps names (`KernelName`,
        // shared with process names).
        #expect(NetworkInterface(index: 1, name: "abcdefghijklmnopqrstuvwxyz").name == "abcdefghijklmno")
    }

    @Test func anInterfaceStreamIsNotAProcessStream() {
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        for i in 0..<3 {
            let bytes = F.rtp(seq: UInt16(i), ts: UInt32(i * 160))
            F.feed(analyzer, bytes, atMs: Double(i) * 20, interface: NetworkInterface(index: 7, name: "eth0"))
            // pid 7 = the interface's index: the presence bits keep them apart.
            F.feed(analyzer, bytes, atMs: Double(i) * 20, process: ProcessContext(pid: 7, comm: "recv", direction: .received))
            F.feed(analyzer, bytes, atMs: Double(i) * 20)
        }
        let streams = analyzer.report().streams
        #expect(streams.count == 3)
        #expect(streams.filter { $0.interface == "eth0" }.count == 1)
        #expect(streams.filter { $0.pid == 7 }.first?.interface == nil)
    }

    @Test func theKeyRoundTripsThroughItsPackedForm() {
        let key = StreamKey(transport: .udp, source: F.sender, destination: F.receiver, ssrc: 0xCAFE_F00D,
                            direction: .received, interface: 0xFFFF_FFFF)
        #expect(StreamKey(PackedStreamKey(key)) == key)
        let process = StreamKey(transport: .udp, source: F.sender, destination: F.receiver, ssrc: 1, pid: -1,
                                direction: .sent)
        #expect(StreamKey(PackedStreamKey(process)) == process)
        #expect(PackedStreamKey(key).flow == PackedStreamKey(StreamKey(
            transport: .udp, source: F.sender, destination: F.receiver, ssrc: 5)).flow)
    }
}
