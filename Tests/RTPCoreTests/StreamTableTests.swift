import Testing
@testable import RTPCore

@Suite("StreamTable: lookup, insertion, removal and recency agree with a model")
struct StreamTableTests {
    private static func key(_ n: UInt32) -> StreamKey {
        // Few distinct addresses and ports, many SSRCs: keys that differ in one field only.
        StreamKey(transport: n % 7 == 0 ? .tcp : .udp,
                  source: Endpoint(address: IPAddress(v4: 0x0A00_0001 + n % 3), port: UInt16(5000 + n % 5)),
                  destination: Endpoint(address: IPAddress(v6High: 0x2001_0DB8 << 32, low: UInt64(n % 2)), port: 6000),
                  ssrc: n / 3, pid: n % 11 == 0 ? Int32(n) : nil, direction: n % 13 == 0 ? .sent : (n % 17 == 0 ? .received : nil))
    }

    private static func entry(_ n: UInt32, confirmed: Bool = true) -> StreamStatistics {
        StreamStatistics(key: PackedStreamKey(key(n)), processName: nil,
                         measurements: StreamMeasurements(firstTime: Nanoseconds(n), payloadType: 0,
                                                          resolver: ClockRateResolver(), confirmed: confirmed,
                                                          tracksWireshark: false))
    }

    @Test func randomInsertionsRemovalsAndTouchesMatchTheModel() {
        var table = StreamTable()
        var model: [StreamKey: Nanoseconds] = [:]
        // Recency model: keys of each list, least recently used first.
        var confirmedOrder: [StreamKey] = [], candidateOrder: [StreamKey] = []
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
            if let found {
                #expect(table.key(at: found) == key, "the packed key unpacks to the key")
                let confirmed = table[found].isConfirmed
                switch next(3) {
                case 0:
                    table.remove(at: found)
                    model[key] = nil
                    if confirmed { confirmedOrder.removeAll { $0 == key } } else { candidateOrder.removeAll { $0 == key } }
                default:
                    // Each step is a new recency tick, so every touch moves the entry.
                    table.touch(found, at: Nanoseconds(step + 1) << 30, window: .max)
                    if confirmed {
                        confirmedOrder.removeAll { $0 == key }
                        confirmedOrder.append(key)
                    } else {
                        candidateOrder.removeAll { $0 == key }
                        candidateOrder.append(key)
                    }
                }
            } else {
                let confirmed = n % 4 != 0
                table.insert(Self.entry(n, confirmed: confirmed), hash: table.hash(packed))
                model[key] = Nanoseconds(n)
                if confirmed { confirmedOrder.append(key) } else { candidateOrder.append(key) }
            }
            if step % 997 == 0 {
                #expect(order(table.confirmedOrder, table) == confirmedOrder, "confirmed recency at step \(step)")
                #expect(order(table.candidateOrder, table) == candidateOrder, "candidate recency at step \(step)")
            }
        }
        #expect(table.count == model.count)
        for (key, firstTime) in model {
            #expect(table.index(of: key).map { table[$0].firstTime } == firstTime)
        }
        #expect(Set(table.entries.indices.map { table.key(at: $0) }) == Set(model.keys))
        #expect(order(table.confirmedOrder, table) == confirmedOrder)
        #expect(order(table.candidateOrder, table) == candidateOrder)
    }

    /// Walks a list by popping copies of it (the table exposes only the front): the keys, oldest first.
    private func order(_ list: RecencyList, _ table: StreamTable) -> [StreamKey] {
        var copy = table
        var keys: [StreamKey] = []
        var list = list
        while let front = list.first {
            keys.append(copy.key(at: front))
            // Removing from a copy reorders its entries; re-read the list from the copy.
            let confirmed = copy[front].isConfirmed
            copy.remove(at: front)
            list = confirmed ? copy.confirmedOrder : copy.candidateOrder
        }
        return keys
    }
}
