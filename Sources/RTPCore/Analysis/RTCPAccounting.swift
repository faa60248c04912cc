/// The RTCP side of an analysis: who reported what, and round-trip times.
///
/// RTT clock choice: RFC 3550 §6.4.1 computes RTT at the SR sender as A − LSR − DLSR, with A its own
/// NTP clock. A capture has no access to that clock, and the SR sender's NTP clock is often not wall
/// time (or not synchronised with the capturing host). So we require that LSR matches the compact NTP
/// time of an SR the capture actually saw from the reported source, and use *capture* times on both
/// ends: RTT = arrival(RR) − arrival(matched SR) − DLSR. Captured at the SR sender this equals the RFC
/// value; captured elsewhere it is the round trip between the capture point and the reporter. LSR = 0
/// means "no SR received yet" and gives no RTT.
///
/// Bounds (every one O(1), least recently used first, counted): reporters (`Limits.reporters`), report
/// blocks per reporter (`blocksPerReporter`: a reporter naming ever-new sources replaces its own oldest
/// block) and in all (`blocks`), and the SR times kept for RTT matching (one history per SR sender, as
/// many as reporters). Live, a block expires on its own age, however active its reporter stays.
final class RTCPAccounting {
    struct Limits {
        var reporters: Int = .max
        var blocksPerReporter: Int = 64
        var blocks: Int = .max
    }

    struct ReporterKey: Hashable {
        var ssrc: UInt32
        var source: Endpoint
        var destination: Endpoint
        var pid: Int32?
        var direction: Direction?
    }

    struct Reporter {
        let ssrc: UInt32
        let source: Endpoint
        let destination: Endpoint
        let process: ProcessContext?
        /// First-seen order, for reports.
        let order: UInt64
        var lastSeen: Nanoseconds
        var senderReports: UInt64 = 0
        var receiverReports: UInt64 = 0
        /// Packets by `RTCPPacket.typeName`, in `PacketTypeCounts.names` order (inline, no dictionary).
        var packetsByType = PacketTypeCounts()
        var cname: String?
        /// Reported source → slot of its latest block.
        var blocks: [UInt32: Int32] = [:]
        /// This reporter's blocks, least recently updated first.
        var blockOrder = RecencyList()
    }

    /// Counts per RTCP packet type.
    struct PacketTypeCounts {
        static let names = ["sr", "rr", "sdes", "bye", "app", "rtpfb", "psfb", "xr", "other"]
        private var counts = InlineArray<9, UInt64>(repeating: 0)

        mutating func add(_ packet: RTCPPacket) {
            let index: Int = switch packet {
            case .senderReport: 0
            case .receiverReport: 1
            case .sourceDescription: 2
            case .goodbye: 3
            case .applicationDefined: 4
            case .feedback(let f): f.kind == .transportLayer ? 5 : 6
            case .extendedReport: 7
            case .unknown: 8
            }
            counts[index] &+= 1
        }

        var dictionary: [String: UInt64] {
            var result: [String: UInt64] = [:]
            for (index, name) in Self.names.enumerated() where counts[index] > 0 { result[name] = counts[index] }
            return result
        }
    }

    /// The latest block a reporter sent about one source, with the RTT computed when it arrived.
    struct StoredBlock {
        var block: RTCPReportBlock
        var roundTripMs: Double?
        var arrival: Nanoseconds
        var reporter: Int32
    }

    /// The last SRs of one sender SSRC: (compact NTP, capture arrival), newest last.
    struct SenderReportHistory {
        static let kept = 16
        private var compactNTP = InlineArray<16, UInt32>(repeating: 0)
        private var arrival = InlineArray<16, Nanoseconds>(repeating: 0)
        private var count = 0
        private var next = 0
        private(set) var latest: Nanoseconds = .min

        mutating func append(_ ntp: UInt32, at time: Nanoseconds) {
            compactNTP[next] = ntp
            arrival[next] = time
            next = (next + 1) % Self.kept
            count = min(count + 1, Self.kept)
            latest = time
        }

        /// Arrival of the newest SR whose compact NTP time is `ntp`.
        func arrival(of ntp: UInt32) -> Nanoseconds? {
            for age in 0..<count {
                let index = (next - 1 - age + Self.kept) % Self.kept
                if compactNTP[index] == ntp { return arrival[index] }
            }
            return nil
        }
    }

    let limits: Limits
    private var reporters: LRUMap<ReporterKey, Reporter>
    private var senderReportTimes: LRUMap<UInt32, SenderReportHistory>
    /// Arrival of the latest RTCP BYE naming each SSRC (RFC 3550 §6.6: the source is leaving), so
    /// that its streams can say they ended rather than stopped. As many as reporters, least recently
    /// named dropped first; live, expired with the reporters.
    private var goodbyes: LRUMap<UInt32, Nanoseconds>
    /// The latest RFC 3611 VoIP-metrics and statistics-summary blocks about each source SSRC (XR),
    /// bounded and expired like `goodbyes`.
    private var extendedReports: LRUMap<UInt32, StoredExtendedReport>
    /// The latest round trip measured from a report block about each source SSRC (ms), and when: the
    /// E-model's network delay for the stream (`StreamQuality`). Bounded and expired like `goodbyes`.
    private var roundTrips: LRUMap<UInt32, (roundTripMs: Double, arrival: Nanoseconds)>
    private var blocks: [StoredBlock?] = []
    private var freeBlocks: [Int32] = []
    /// All blocks, least recently updated first (the total cap and per-block expiry pop its front).
    private var blockLinks = SlotLinks()
    private var blockOrder = RecencyList()
    /// Links of each reporter's own `blockOrder` (a block is in exactly one reporter's list).
    private var reporterBlockLinks = SlotLinks()
    private var nextOrder: UInt64 = 0

    /// Reporters dropped by the cap or idle expiry.
    private(set) var reportersEvicted: UInt64 = 0
    /// Report blocks dropped by a cap (not by idle expiry, which is the normal end of a block).
    private(set) var blocksDropped: UInt64 = 0

    init(limits: Limits = Limits()) {
        self.limits = limits
        reporters = LRUMap(capacity: limits.reporters)
        senderReportTimes = LRUMap(capacity: limits.reporters)
        goodbyes = LRUMap(capacity: limits.reporters)
        extendedReports = LRUMap(capacity: limits.reporters)
        roundTrips = LRUMap(capacity: limits.reporters)
    }

    /// The latest RTCP round trip (ms) measured about `ssrc`, if any.
    func roundTrip(about ssrc: UInt32) -> Double? {
        roundTrips.slot(of: ssrc).map { roundTrips[slot: $0].roundTripMs }
    }

    /// What the latest XR VoIP-metrics / statistics-summary blocks about `ssrc` said, if any came.
    func extendedReport(about ssrc: UInt32) -> ReportedQuality? {
        extendedReports.slot(of: ssrc).map { extendedReports[slot: $0].report }
    }

    /// When the latest RTCP BYE naming `ssrc` arrived, if one did (and was not expired or evicted).
    func goodbyeTime(of ssrc: UInt32) -> Nanoseconds? {
        goodbyes.slot(of: ssrc).map { goodbyes[slot: $0] }
    }

    var reporterCount: Int { reporters.count }
    var blockCount: Int { blockOrder.count }

    /// Heap bytes held (approximate: slabs, maps and links; reporters' block dictionaries).
    var allocatedBytes: Int {
        var total = reporters.allocatedBytes + senderReportTimes.allocatedBytes + goodbyes.allocatedBytes
            + extendedReports.allocatedBytes + roundTrips.allocatedBytes
            + blocks.capacity * MemoryLayout<StoredBlock?>.stride + freeBlocks.capacity * 4
            + blockLinks.allocatedBytes + reporterBlockLinks.allocatedBytes
        reporters.forEach { _, reporter in
            total += reporter.blocks.isEmpty ? 0 : HeapSize.malloc(32 + reporter.blocks.capacity * 9)
        }
        return total
    }

    func ingest(_ packets: [RTCPPacket], datagram: Datagram) {
        for packet in packets {
            switch packet {
            case .senderReport(let sr):
                let reporter = reporterFor(sr.ssrc, datagram)
                reporters[slot: reporter].senderReports &+= 1
                reporters[slot: reporter].packetsByType.add(packet)
                rememberSenderReport(sr, at: datagram.time)
                record(sr.reports, by: reporter, at: datagram.time)
            case .receiverReport(let rr):
                let reporter = reporterFor(rr.ssrc, datagram)
                reporters[slot: reporter].receiverReports &+= 1
                reporters[slot: reporter].packetsByType.add(packet)
                record(rr.reports, by: reporter, at: datagram.time)
            case .sourceDescription(let sdes):
                for chunk in sdes.chunks {
                    let reporter = reporterFor(chunk.ssrc, datagram)
                    if let cname = chunk.cname { reporters[slot: reporter].cname = cname }
                }
                if let first = sdes.chunks.first { count(packet, by: first.ssrc, datagram) }
            case .goodbye(let bye):
                if let first = bye.ssrcs.first { count(packet, by: first, datagram) }
                for ssrc in bye.ssrcs { rememberGoodbye(of: ssrc, at: datagram.time) }
            case .applicationDefined(let app):
                count(packet, by: app.ssrc, datagram)
            case .feedback(let fb):
                count(packet, by: fb.senderSSRC, datagram)
            case .extendedReport(let xr):
                count(packet, by: xr.ssrc, datagram)
                for block in xr.blocks { rememberExtendedReport(block, by: xr.ssrc, at: datagram.time) }
            case .unknown:
                break
            }
        }
    }

    private func count(_ packet: RTCPPacket, by ssrc: UInt32, _ datagram: Datagram) {
        reporters[slot: reporterFor(ssrc, datagram)].packetsByType.add(packet)
    }

    /// The slot of the reporter, created (and the least recently heard one dropped at the cap) if new.
    private func reporterFor(_ ssrc: UInt32, _ datagram: Datagram) -> Int {
        let key = ReporterKey(ssrc: ssrc, source: datagram.source, destination: datagram.destination,
                              pid: datagram.process?.pid, direction: datagram.process?.direction)
        if let slot = reporters.touch(key) {
            reporters[slot: slot].lastSeen = datagram.time
            return slot
        }
        // Make room first: the evicted reporter's blocks must be released before its slot is reused.
        if reporters.count >= reporters.capacity, let oldest = reporters.oldest { forget(reporterAt: oldest) }
        nextOrder &+= 1
        let reporter = Reporter(ssrc: ssrc, source: datagram.source, destination: datagram.destination,
                                process: datagram.process, order: nextOrder, lastSeen: datagram.time)
        return reporters.insert(key, reporter).slot
    }

    /// Live: forgets reporters, report blocks and SR times not heard from since `cutoff`.
    func evict(before cutoff: Nanoseconds) {
        while let oldest = reporters.oldest, reporters[slot: oldest].lastSeen < cutoff {
            forget(reporterAt: oldest)
        }
        while let oldest = blockOrder.first, let block = blocks[oldest], block.arrival < cutoff {
            removeBlock(at: oldest)
        }
        while let oldest = senderReportTimes.oldest, senderReportTimes[slot: oldest].latest < cutoff {
            senderReportTimes.remove(slot: oldest)
        }
        while let oldest = goodbyes.oldest, goodbyes[slot: oldest] < cutoff {
            goodbyes.remove(slot: oldest)
        }
        while let oldest = extendedReports.oldest, extendedReports[slot: oldest].arrival < cutoff {
            extendedReports.remove(slot: oldest)
        }
        while let oldest = roundTrips.oldest, roundTrips[slot: oldest].arrival < cutoff {
            roundTrips.remove(slot: oldest)
        }
    }

    private func rememberExtendedReport(_ block: RTCPExtendedReport.Block, by reporter: UInt32, at time: Nanoseconds) {
        let source: UInt32
        switch block {
        case .voipMetrics(let metrics): source = metrics.ssrc
        case .statisticsSummary(let summary): source = summary.ssrc
        case .other: return
        }
        let slot = extendedReports.touch(source)
            ?? extendedReports.insert(source, StoredExtendedReport(reporter: reporter, arrival: time)).slot
        extendedReports[slot: slot].reporter = reporter
        extendedReports[slot: slot].arrival = time
        switch block {
        case .voipMetrics(let metrics): extendedReports[slot: slot].voipMetrics = metrics
        case .statisticsSummary(let summary): extendedReports[slot: slot].statisticsSummary = summary
        case .other: break
        }
    }

    private func rememberGoodbye(of ssrc: UInt32, at time: Nanoseconds) {
        if let slot = goodbyes.touch(ssrc) {
            goodbyes[slot: slot] = time
        } else {
            _ = goodbyes.insert(ssrc, time)
        }
    }

    private func forget(reporterAt slot: Int) {
        for blockSlot in reporters[slot: slot].blocks.values { removeBlock(at: Int(blockSlot)) }
        reporters.remove(slot: slot)
        reportersEvicted &+= 1
    }

    private func rememberSenderReport(_ sr: RTCPSenderReport, at time: Nanoseconds) {
        let slot: Int
        if let existing = senderReportTimes.touch(sr.ssrc) {
            slot = existing
        } else {
            slot = senderReportTimes.insert(sr.ssrc, SenderReportHistory()).slot
        }
        senderReportTimes[slot: slot].append(sr.compactNTP, at: time)
    }

    private func record(_ reported: [RTCPReportBlock], by reporter: Int, at time: Nanoseconds) {
        for block in reported {
            let stored = StoredBlock(block: block, roundTripMs: roundTrip(block, at: time), arrival: time,
                                     reporter: Int32(reporter))
            if let roundTripMs = stored.roundTripMs, roundTripMs >= 0 {
                if let slot = roundTrips.touch(block.ssrc) {
                    roundTrips[slot: slot] = (roundTripMs, time)
                } else {
                    _ = roundTrips.insert(block.ssrc, (roundTripMs, time))
                }
            }
            if let existing = reporters[slot: reporter].blocks[block.ssrc].map(Int.init) {
                blocks[existing] = stored
                blockOrder.moveToBack(existing, &blockLinks)
                reporters[slot: reporter].blockOrder.moveToBack(existing, &reporterBlockLinks)
                continue
            }
            if reporters[slot: reporter].blocks.count >= limits.blocksPerReporter,
               let oldest = reporters[slot: reporter].blockOrder.first {
                removeBlock(at: oldest)
                blocksDropped &+= 1
            }
            if blockOrder.count >= limits.blocks, let oldest = blockOrder.first {
                removeBlock(at: oldest)
                blocksDropped &+= 1
            }
            guard limits.blocksPerReporter > 0, limits.blocks > 0 else {
                blocksDropped &+= 1
                continue
            }
            let slot: Int
            if let reused = freeBlocks.popLast() {
                slot = Int(reused)
                blocks[slot] = stored
            } else {
                slot = blocks.count
                blocks.append(stored)
                blockLinks.reserve(slots: slot + 1)
                reporterBlockLinks.reserve(slots: slot + 1)
            }
            blockOrder.append(slot, &blockLinks)
            reporters[slot: reporter].blockOrder.append(slot, &reporterBlockLinks)
            reporters[slot: reporter].blocks[block.ssrc] = Int32(slot)
        }
    }

    private func removeBlock(at slot: Int) {
        guard let stored = blocks[slot] else { return }
        let owner = Int(stored.reporter)
        reporters[slot: owner].blocks[stored.block.ssrc] = nil
        reporters[slot: owner].blockOrder.remove(slot, &reporterBlockLinks)
        blockOrder.remove(slot, &blockLinks)
        blocks[slot] = nil
        freeBlocks.append(Int32(slot))
    }

    /// See the type's documentation for the clock choice.
    func roundTrip(_ block: RTCPReportBlock, at time: Nanoseconds) -> Double? {
        guard block.lastSR != 0, let slot = senderReportTimes.slot(of: block.ssrc),
              let arrival = senderReportTimes[slot: slot].arrival(of: block.lastSR) else { return nil }
        let sinceSR = Double(time &- arrival) / 1e6
        let delay = Double(block.delaySinceLastSR) * 1000 / 65536
        return sinceSR - delay
    }

    /// Reporters in first-seen order. `clockRate` finds the media clock of a reported SSRC, if known.
    func reports(clockRate: (UInt32) -> Int?) -> [RTCPReporterReport] {
        var all: [Reporter] = []
        all.reserveCapacity(reporters.count)
        reporters.forEach { _, reporter in all.append(reporter) }
        all.sort { $0.order < $1.order }
        return all.map { reporter in
            let reportBlocks = reporter.blocks.sorted { $0.key < $1.key }.compactMap { _, slot -> RTCPReportBlockReport? in
                guard let stored = blocks[Int(slot)] else { return nil }
                let block = stored.block
                let jitterMs = clockRate(block.ssrc).map { Double(block.jitter) * 1000 / Double($0) }
                return RTCPReportBlockReport(
                    sourceSSRC: block.ssrc, fractionLost: Double(block.fractionLost) / 256,
                    cumulativeLost: block.cumulativeLost, highestSequence: block.extendedHighestSequence,
                    jitterTimestampUnits: block.jitter, jitterMs: jitterMs, lastSR: block.lastSR,
                    delaySinceLastSR: block.delaySinceLastSR, roundTripMs: stored.roundTripMs)
            }
            return RTCPReporterReport(
                reporterSSRC: reporter.ssrc, src: reporter.source.description,
                dst: reporter.destination.description, senderReports: reporter.senderReports,
                receiverReports: reporter.receiverReports, packetsByType: reporter.packetsByType.dictionary,
                cname: reporter.cname, reportBlocks: reportBlocks, pid: reporter.process?.pid,
                comm: reporter.process?.comm, direction: reporter.process?.direction)
        }
    }
}
