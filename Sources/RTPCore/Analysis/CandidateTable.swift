/// Streams seen once: the first packet of every (5-tuple, SSRC) that is not a stream yet, in a fixed
/// byte budget.
///
/// Why a table of its own: RFC 3550 A.1 probation needs a second, consecutive packet before a source
/// is a stream, so every new stream — and every packet of RTP-looking garbage — starts here. When
/// thousands of real streams start together (any monitor start on a busy SBC, any capture of one),
/// each must survive until its second packet; a flood of single packets with random SSRCs or ports
/// must neither push them out nor grow memory. So a candidate is a 32-byte record (a keyed 64-bit
/// fingerprint of its stream key and what the first packet said), 40 bytes with its links and ~56 with
/// its index bucket: ~1 M candidates in the default 64 MiB, a second of media for ~1 M streams starting
/// together, or ~3 s of a 300,000 packets/s flood.
///
/// The first packet is kept whole (time, sequence number, timestamp, payload type, marker, length), so
/// the stream built when the second packet arrives replays it first: a confirmed stream counts all its
/// packets, exactly as if it had been tracked from the first.
///
/// Under pressure the oldest candidate of the lowest tier goes first: a single packet on a 5-tuple that
/// carries no confirmed stream (random garbage looks like that) before one on a 5-tuple that already
/// carries an RTP stream (an SSRC change, a new stream of an SFU). Every eviction is counted by the caller.
///
/// Hash flooding: the fingerprint is Swift's `Hasher` (SipHash, seeded randomly per process) over the
/// whole key, so which keys share a fingerprint or a bucket cannot be chosen from outside; a fingerprint
/// collision (2^-64 per pair) could at worst attribute one first packet to another stream.
struct CandidateTable {
    /// What a candidate's first packet said. 32 bytes.
    struct Record {
        var fingerprint: UInt64
        var time: Nanoseconds
        var timestamp: UInt32
        var wireLength: UInt32
        var sequence: UInt16
        /// Marker bit in the top bit, payload type below.
        var markerAndPayloadType: UInt8
        var tier: UInt8

        var payloadType: UInt8 { markerAndPayloadType & 0x7F }
        var marker: Bool { markerAndPayloadType & 0x80 != 0 }
    }

    enum Tier: UInt8 {
        /// A 5-tuple without a confirmed stream: evicted first.
        case unknownFlow = 0
        /// The 5-tuple (either direction) already carries a confirmed stream.
        case knownFlow = 1
    }

    /// Bytes one candidate costs at most: its record, its links and two index buckets.
    static let bytesPerCandidate = MemoryLayout<Record>.stride + MemoryLayout<UInt64>.stride + 2 * MemoryLayout<UInt64>.stride

    /// Most candidates held (a power of two, from the byte budget).
    let capacity: Int
    private var records: [Record] = []
    private var links = SlotLinks()
    /// Open addressing, linear probing: 0 empty, else the record's slot + 1 (low 32 bits) and the top 32
    /// bits of its fingerprint (a probe rarely has to read another record). At most half full.
    private var buckets: [UInt64]
    private var mask: Int
    private var tiers = (RecencyList(), RecencyList())
    /// Slots of removed records, reused first (records never move: their links stay valid), chained
    /// through their `next` link, so the free list costs no memory of its own.
    private var freeHead = SlotLinks.none

    init(byteBudget: Int) {
        var capacity = 1024
        while capacity * 2 * Self.bytesPerCandidate <= byteBudget { capacity *= 2 }
        self.capacity = capacity
        buckets = [UInt64](repeating: 0, count: 2048)
        mask = 2047
    }

    /// The most `occupiedBytes` can reach: the records, links and buckets at capacity.
    var byteLimit: Int { capacity * Self.bytesPerCandidate }

    var count: Int { tiers.0.count + tiers.1.count }
    var isFull: Bool { count >= capacity }

    /// Bytes written so far: the records and links used (their arrays reserve the whole budget's
    /// address space once past 1024 candidates, which stays non-resident until written, so a flood
    /// never pays for copies of a growing array) and the buckets (zeroed, doubled as they fill).
    var occupiedBytes: Int {
        records.count * (MemoryLayout<Record>.stride + MemoryLayout<UInt64>.stride) + buckets.count * 8
    }
    /// Record (and link) slots reserved: 1024, then the whole capacity.
    private var reservedSlots = 0

    /// The keyed fingerprint of a stream key.
    @inline(__always)
    static func fingerprint(_ key: PackedStreamKey) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(key.sourceHigh)
        hasher.combine(key.sourceLow)
        hasher.combine(key.destinationHigh)
        hasher.combine(key.destinationLow)
        hasher.combine(key.portsAndSSRC)
        hasher.combine(key.context)
        return UInt64(UInt(bitPattern: hasher.finalize()))
    }

    /// The slot of the candidate with `fingerprint`.
    func find(_ fingerprint: UInt64) -> Int? {
        var bucket = Int(truncatingIfNeeded: fingerprint) & mask
        let tag = fingerprint & Self.tagMask
        while true {
            let word = buckets[bucket]
            if word == 0 { return nil }
            if word & Self.tagMask == tag {
                let slot = Self.slot(word)
                if records[slot].fingerprint == fingerprint { return slot }
            }
            bucket = (bucket + 1) & mask
        }
    }

    subscript(slot: Int) -> Record { records[slot] }

    /// Adds a candidate (its fingerprint must not be in the table; the caller evicts first when full).
    mutating func insert(_ record: Record) {
        precondition(count < capacity, "CandidateTable.insert when full: evict first")
        if (count + 1) * 2 > buckets.count { grow() }
        let slot: Int
        if freeHead != SlotLinks.none {
            slot = Int(freeHead)
            freeHead = links.next(slot)
            records[slot] = record
        } else {
            slot = records.count
            if slot == reservedSlots {
                reservedSlots = slot == 0 ? min(capacity, 1024) : capacity
                records.reserveCapacity(reservedSlots)
                links.reserveCapacity(reservedSlots)
            }
            records.append(record)
            links.reserve(slots: slot + 1)
        }
        place(slot: slot, fingerprint: record.fingerprint)
        if record.tier == Tier.knownFlow.rawValue {
            tiers.1.append(slot, &links)
        } else {
            tiers.0.append(slot, &links)
        }
    }

    /// Removes and returns the candidate at `slot`.
    @discardableResult
    mutating func remove(at slot: Int) -> Record {
        let record = records[slot]
        deleteBucket(holding: slot, fingerprint: record.fingerprint)
        if record.tier == Tier.knownFlow.rawValue {
            tiers.1.remove(slot, &links)
        } else {
            tiers.0.remove(slot, &links)
        }
        links.set(slot, previous: SlotLinks.none, next: freeHead)
        freeHead = UInt32(slot)
        return record
    }

    /// Removes the candidate to sacrifice under pressure: the oldest of the lowest tier.
    mutating func evictOne() -> Record? {
        guard let slot = tiers.0.first ?? tiers.1.first else { return nil }
        return remove(at: slot)
    }

    /// Removes candidates whose packet is older than `cutoff` (live idle expiry); returns how many.
    mutating func removeOlder(than cutoff: Nanoseconds) -> Int {
        var removed = 0
        while let slot = tiers.0.first, records[slot].time < cutoff { remove(at: slot); removed += 1 }
        while let slot = tiers.1.first, records[slot].time < cutoff { remove(at: slot); removed += 1 }
        return removed
    }

    // MARK: - Buckets

    private static let tagMask: UInt64 = 0xFFFF_FFFF_0000_0000

    @inline(__always)
    private static func slot(_ word: UInt64) -> Int { Int(truncatingIfNeeded: word & ~tagMask) - 1 }

    private mutating func place(slot: Int, fingerprint: UInt64) {
        var bucket = Int(truncatingIfNeeded: fingerprint) & mask
        while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = fingerprint & Self.tagMask | UInt64(slot + 1)
    }

    /// Backward-shift deletion (no tombstones), as in `StreamTable`.
    private mutating func deleteBucket(holding slot: Int, fingerprint: UInt64) {
        var hole = Int(truncatingIfNeeded: fingerprint) & mask
        while Self.slot(buckets[hole]) != slot { hole = (hole + 1) & mask }
        var next = (hole + 1) & mask
        while buckets[next] != 0 {
            let home = Int(truncatingIfNeeded: records[Self.slot(buckets[next])].fingerprint) & mask
            let homeInRange = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !homeInRange {
                buckets[hole] = buckets[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        buckets[hole] = 0
    }

    private mutating func grow() {
        let old = buckets
        buckets = [UInt64](repeating: 0, count: old.count * 2)
        mask = buckets.count - 1
        for word in old where word != 0 {
            let slot = Self.slot(word)
            place(slot: slot, fingerprint: records[slot].fingerprint)
        }
    }
}
