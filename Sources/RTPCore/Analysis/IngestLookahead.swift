/// Feeds an analyzer a few datagrams behind its source, so that the stream state each one updates is
/// already on its way into the cache when it is ingested.
///
/// Why: with thousands of interleaved streams every packet's stream is cold. A profile of `analyze`
/// at 20,000 streams had three quarters of `ingestRTP`'s own time on the load of the stream table's
/// bucket, and most of the rest on the entry's lines: one miss after another, each waiting for the
/// last. Here a datagram's bucket is prefetched when it is handed over, its entry's lines
/// `depth / 2` datagrams later (once the bucket has arrived), and it is ingested `depth` datagrams
/// later — the misses of several packets overlap instead of queueing. (Measured at 20,000 streams:
/// see the commit that added it.)
///
/// Order and results are exactly those of ingesting each datagram as it comes: only prefetch hints
/// run early. Payloads: either the source keeps every handed-over payload valid until `flush()` (a
/// mapped capture file does), or the lookahead copies each held-back payload into a slot of its own
/// (`copyingPayloadsUpTo:`; a ring-buffer record is reused once its callback returns). A datagram
/// whose payload can be neither (a TCP reassembly buffer, a payload larger than a slot) goes after a
/// `flush()`, straight to `StreamAnalyzer.ingest`.
public final class IngestLookahead {
    /// Datagrams held back; the entry prefetch runs half-way.
    static let depth = 8
    /// Streams (confirmed or not) from which datagrams are held back: ~640 bytes each, 1,024 fill
    /// a core's 1 MiB L2 cache with the tables.
    static let minimumStreams = 1024
    private let analyzer: StreamAnalyzer
    // A fixed ring (no array uniqueness checks or dynamic exclusivity checks per datagram: they cost
    // as much as the prefetching saved). `pending[0..<count]` are initialized, the oldest at `head`.
    private let pending = UnsafeMutablePointer<Datagram>.allocate(capacity: IngestLookahead.depth)
    /// The stream-table hash of each pending datagram that looks like RTP, else nil.
    private let hashes = UnsafeMutablePointer<UInt64?>.allocate(capacity: IngestLookahead.depth)
    @exclusivity(unchecked) private var count = 0
    @exclusivity(unchecked) private var head = 0
    /// Bytes of payload each slot holds when payloads are copied; 0 when the source keeps them valid.
    private let copyCapacity: Int
    /// `depth` slots of `copyCapacity` bytes, allocated when first needed (never below
    /// `minimumStreams`).
    private var copies: UnsafeMutableRawPointer?

    /// A lookahead for a source whose payloads stay valid until `flush()`.
    public init(analyzer: StreamAnalyzer) {
        self.analyzer = analyzer
        copyCapacity = 0
    }

    /// A lookahead for a source whose payloads are valid only during `ingest`: held-back payloads of
    /// up to `bytes` are copied; a longer one flushes and goes in place.
    public init(analyzer: StreamAnalyzer, copyingPayloadsUpTo bytes: Int) {
        self.analyzer = analyzer
        copyCapacity = max(1, bytes)
    }

    deinit {
        // Not ingested here: the payloads may be gone by now (the owner flushes while they are valid).
        pending.deinitialize(count: count)
        pending.deallocate()
        hashes.deallocate()
        copies?.deallocate()
    }

    /// Hands `datagram` over; ingests the one handed over `depth` calls ago.
    public func ingest(_ datagram: Datagram) {
        // While the streams' state fits in the core's caches, holding datagrams back only costs
        // (copies, a second hash): at 1 and 200 streams it was ~20 % slower than ingesting in place.
        if count == 0 && analyzer.streams.count < Self.minimumStreams {
            analyzer.ingest(datagram)
            return
        }
        if copyCapacity > 0 && datagram.payload.count > copyCapacity {
            flush()
            analyzer.ingest(datagram)
            return
        }
        let slot: Int
        if count == Self.depth {
            slot = head
            // Moved out and back in: an assignment copied the old datagram aside to destroy it.
            let oldest = (pending + slot).move()
            analyzer.ingest(oldest)
            // The entry of the datagram handed over `depth / 2` calls ago: its bucket is in by now.
            if let hash = hashes[(slot + Self.depth / 2) % Self.depth] { analyzer.streams.prefetchEntry(hash) }
            (pending + slot).initialize(to: datagram)
            head = (slot + 1) % Self.depth
        } else {
            slot = count
            (pending + slot).initialize(to: datagram)
            count += 1
        }
        if copyCapacity > 0 { keepPayload(of: slot) }
        let hash = analyzer.lookaheadHash(pending[slot])
        if let hash { analyzer.streams.prefetchBucket(hash) }
        hashes[slot] = hash
    }

    /// Copies the payload of the datagram in `slot` into the slot's own bytes (the slot's previous
    /// datagram has been ingested: its copy is free).
    @inline(__always)
    private func keepPayload(of slot: Int) {
        let storage = copies ?? {
            let allocated = UnsafeMutableRawPointer.allocate(byteCount: Self.depth * copyCapacity, alignment: 16)
            copies = allocated
            return allocated
        }()
        let target = storage + slot * copyCapacity
        let payload = pending[slot].payload
        if let source = payload.baseAddress { target.copyMemory(from: source, byteCount: payload.count) }
        pending[slot].payload = UnsafeRawBufferPointer(start: target, count: payload.count)
    }

    /// Ingests every pending datagram, oldest first.
    public func flush() {
        for offset in 0..<count {
            let slot = (head + offset) % count
            analyzer.ingest(pending[slot])
        }
        pending.deinitialize(count: count)
        count = 0
        head = 0
    }
}

extension StreamAnalyzer {
    /// The stream-table hash of the stream `datagram` would count for if it is RTP (a version-2 header
    /// that is not RTCP by RFC 5761); nil for anything else. Only a hint: `ingest` decides.
    @inline(__always)
    func lookaheadHash(_ datagram: borrowing Datagram) -> UInt64? {
        let payload = datagram.payload
        guard payload.count >= 12, payload[0] & 0xC0 == 0x80, !(192...223).contains(payload[1]) else { return nil }
        let ssrc = UInt32(bigEndian: payload.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        return streams.hash(PackedStreamKey(transport: datagram.transport, source: datagram.source,
                                            destination: datagram.destination, ssrc: ssrc,
                                            pid: datagram.process?.pid, direction: datagram.process?.direction))
    }
}
