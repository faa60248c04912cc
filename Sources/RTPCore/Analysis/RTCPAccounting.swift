/// The RTCP side of an analysis: who reported what, and round-trip times.
///
/// RTT clock choice: RFC 3550 §6.4.1 computes RTT at the SR sender as A − LSR − DLSR, with A its own
/// NTP clock. A capture has no access to that clock, and the SR sender's NTP clock is often not wall
/// time (or not synchronised with the capturing host). So we require that LSR matches the compact NTP
/// time of an SR the capture actually saw from the reported source, and use *capture* times on both
/// ends: RTT = arrival(RR) − arrival(matched SR) − DLSR. Captured at the SR sender this equals the RFC
/// value; captured elsewhere it is the round trip between the capture point and the reporter. LSR = 0
/// means "no SR received yet" and gives no RTT.
final class RTCPAccounting {
    final class Reporter {
        let ssrc: UInt32
        let source: Endpoint
        let destination: Endpoint
        let process: ProcessContext?
        var lastSeen: Nanoseconds = 0
        var senderReports: UInt64 = 0
        var receiverReports: UInt64 = 0
        var packetsByType: [String: UInt64] = [:]
        var cname: String?
        /// Latest block per reported source, with the RTT computed when it arrived.
        var blocks: [UInt32: (block: RTCPReportBlock, roundTripMs: Double?)] = [:]

        init(ssrc: UInt32, source: Endpoint, destination: Endpoint, process: ProcessContext?) {
            self.ssrc = ssrc; self.source = source; self.destination = destination; self.process = process
        }
    }

    struct ReporterKey: Hashable {
        var ssrc: UInt32
        var source: Endpoint
        var destination: Endpoint
        var pid: Int32?
        var direction: Direction?
    }

    /// Recent SRs per sender SSRC: (compact NTP, capture arrival). Bounded.
    private var senderReportTimes: [UInt32: [(compactNTP: UInt32, arrival: Nanoseconds)]] = [:]
    private static let senderReportsKept = 16
    /// Live bound: beyond this many reporters the least recently heard is dropped.
    static let maxReporters = 4096
    private(set) var reporters: [ReporterKey: Reporter] = [:]
    private var order: [ReporterKey] = []

    func ingest(_ packets: [RTCPPacket], datagram: Datagram) {
        for packet in packets {
            switch packet {
            case .senderReport(let sr):
                let reporter = reporterFor(sr.ssrc, datagram)
                reporter.senderReports &+= 1
                count(packet, in: reporter)
                rememberSenderReport(sr, at: datagram.time)
                record(sr.reports, by: reporter, at: datagram.time)
            case .receiverReport(let rr):
                let reporter = reporterFor(rr.ssrc, datagram)
                reporter.receiverReports &+= 1
                count(packet, in: reporter)
                record(rr.reports, by: reporter, at: datagram.time)
            case .sourceDescription(let sdes):
                for chunk in sdes.chunks {
                    let reporter = reporterFor(chunk.ssrc, datagram)
                    if let cname = chunk.cname { reporter.cname = cname }
                }
                if let first = sdes.chunks.first { count(packet, in: reporterFor(first.ssrc, datagram)) }
            case .goodbye(let bye):
                if let first = bye.ssrcs.first { count(packet, in: reporterFor(first, datagram)) }
            case .applicationDefined(let app):
                count(packet, in: reporterFor(app.ssrc, datagram))
            case .feedback(let fb):
                count(packet, in: reporterFor(fb.senderSSRC, datagram))
            case .extendedReport(let xr):
                count(packet, in: reporterFor(xr.ssrc, datagram))
            case .unknown:
                break
            }
        }
    }

    private func reporterFor(_ ssrc: UInt32, _ datagram: Datagram) -> Reporter {
        let key = ReporterKey(ssrc: ssrc, source: datagram.source, destination: datagram.destination,
                              pid: datagram.process?.pid, direction: datagram.process?.direction)
        if let existing = reporters[key] {
            existing.lastSeen = datagram.time
            return existing
        }
        if reporters.count >= Self.maxReporters, let oldest = reporters.min(by: { $0.value.lastSeen < $1.value.lastSeen }) {
            forget(oldest.key)
        }
        let reporter = Reporter(ssrc: ssrc, source: datagram.source, destination: datagram.destination,
                                process: datagram.process)
        reporter.lastSeen = datagram.time
        reporters[key] = reporter
        order.append(key)
        return reporter
    }

    /// Live: forgets reporters, and SR times, not heard from since `cutoff`.
    func evict(before cutoff: Nanoseconds) {
        for (key, reporter) in reporters where reporter.lastSeen < cutoff { forget(key) }
        senderReportTimes = senderReportTimes.filter { ($0.value.last?.arrival ?? .min) >= cutoff }
    }

    private func forget(_ key: ReporterKey) {
        reporters[key] = nil
        order.removeAll { $0 == key }
    }

    private func count(_ packet: RTCPPacket, in reporter: Reporter) {
        reporter.packetsByType[packet.typeName, default: 0] &+= 1
    }

    private func rememberSenderReport(_ sr: RTCPSenderReport, at time: Nanoseconds) {
        var times = senderReportTimes[sr.ssrc] ?? []
        if times.count >= Self.senderReportsKept { times.removeFirst() }
        times.append((sr.compactNTP, time))
        senderReportTimes[sr.ssrc] = times
    }

    private func record(_ blocks: [RTCPReportBlock], by reporter: Reporter, at time: Nanoseconds) {
        for block in blocks {
            reporter.blocks[block.ssrc] = (block, roundTrip(block, at: time))
        }
    }

    /// See the type's documentation for the clock choice.
    func roundTrip(_ block: RTCPReportBlock, at time: Nanoseconds) -> Double? {
        guard block.lastSR != 0,
              let sr = senderReportTimes[block.ssrc]?.last(where: { $0.compactNTP == block.lastSR }) else { return nil }
        let sinceSR = Double(time &- sr.arrival) / 1e6
        let delay = Double(block.delaySinceLastSR) * 1000 / 65536
        return sinceSR - delay
    }

    /// Reporters in first-seen order. `clockRate` finds the media clock of a reported SSRC, if known.
    func reports(clockRate: (UInt32) -> Int?) -> [RTCPReporterReport] {
        order.compactMap { key -> RTCPReporterReport? in
            guard let reporter = reporters[key] else { return nil }
            let blocks = reporter.blocks.keys.sorted().compactMap { ssrc -> RTCPReportBlockReport? in
                guard let (block, rtt) = reporter.blocks[ssrc] else { return nil }
                let jitterMs = clockRate(ssrc).map { Double(block.jitter) * 1000 / Double($0) }
                return RTCPReportBlockReport(
                    sourceSSRC: block.ssrc, fractionLost: Double(block.fractionLost) / 256,
                    cumulativeLost: block.cumulativeLost, highestSequence: block.extendedHighestSequence,
                    jitterTimestampUnits: block.jitter, jitterMs: jitterMs, lastSR: block.lastSR,
                    delaySinceLastSR: block.delaySinceLastSR, roundTripMs: rtt)
            }
            return RTCPReporterReport(
                reporterSSRC: reporter.ssrc, src: reporter.source.description,
                dst: reporter.destination.description, senderReports: reporter.senderReports,
                receiverReports: reporter.receiverReports, packetsByType: reporter.packetsByType,
                cname: reporter.cname, reportBlocks: blocks, pid: reporter.process?.pid,
                comm: reporter.process?.comm, direction: reporter.process?.direction)
        }
    }
}
