import Testing
@testable import RTPCore

@Suite("StreamTable: lookup, insertion and removal agree with a dictionary")
struct StreamTableTests {
    private static func key(_ n: UInt32) -> StreamKey {
        // Few distinct addresses and ports, many SSRCs: keys that differ in one field only.
        StreamKey(transport: n % 7 == 0 ? .tcp : .udp,
                  source: Endpoint(address: IPAddress(v4: 0x0A00_0001 + n % 3), port: UInt16(5000 + n % 5)),
                  destination: Endpoint(address: IPAddress(v6High: 0x2001_0DB8 << 32, low: UInt64(n % 2)), port: 6000),
                  ssrc: n / 3, pid: n % 11 == 0 ? Int32(n) : nil, direction: n % 13 == 0 ? .sent : nil)
    }

    private static func entry(_ n: UInt32) -> StreamStatistics {
        StreamStatistics(key: key(n), processName: nil,
                         measurements: StreamMeasurements(firstTime: Nanoseconds(n), payloadType: 0,
                                                          resolver: ClockRateResolver(), confirmed: true,
                                                          tracksWireshark: false))
    }

    @Test func randomInsertionsAndRemovalsMatchTheModel() {
        var table = StreamTable()
        var model: [StreamKey: Nanoseconds] = [:]
        var random: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: UInt32) -> UInt32 {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32(truncatingIfNeeded: random >> 33) % bound
        }
        for step in 0..<20_000 {
            let n = next(1500)
            let key = Self.key(n)
            let packed = PackedStreamKey(key)
            let found = table.index(of: packed, hash: table.hash(packed))
            #expect(found.map { table[$0].firstTime } == model[key], "step \(step)")
            if let found, next(3) == 0 {
                table.remove(at: found)
                model[key] = nil
            } else if found == nil {
                table.insert(Self.entry(n), hash: table.hash(packed))
                model[key] = Nanoseconds(n)
            }
        }
        #expect(table.count == model.count)
        for (key, firstTime) in model {
            #expect(table.index(of: key).map { table[$0].firstTime } == firstTime)
        }
        #expect(Set(table.entries.map(\.key)) == Set(model.keys))
    }
}
