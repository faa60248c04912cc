/// The analyzer's streams, found by `StreamKey`: a dense array of entries plus an open-addressing
/// (linear probing) index over it.
///
/// Why not `[StreamKey: StreamStatistics]`: the lookup runs once per RTP packet, and a Dictionary
/// spent ~17 % of the whole per-packet cost on SipHash (seed, combine, finalize) and on retaining the
/// class instance it returned. Here the key is folded into one word by a few multiplies, and entries
/// are structs mutated in place through the array (no reference counting per packet).
///
/// Cache misses are the cost at scale (10,000 interleaved streams do not fit in the caches; a profile
/// of the live monitor put most of the lookup on the bucket load): a lookup reads one bucket and then
/// the entry's first cache line, which holds the packed key and which the update needs anyway.
///
/// Hash flooding: keys come from packets, so the final mix is seeded randomly per table and is a
/// bijection — keys whose folds differ never collide in 64 bits, and which ones share a bucket
/// cannot be predicted from outside. Capacity stays at most half full, so probes stay short.
struct StreamTable {
    /// Streams in insertion order, except that removal moves the last entry into the gap.
    private(set) var entries: [StreamStatistics] = []
    /// 0 for an empty bucket, else the entry's index + 1 in the low 32 bits and the top 32 bits of its
    /// hash in the high ones: a probe past another stream's bucket then rarely has to touch that
    /// stream's entry. Count is a power of two.
    private var buckets: [UInt64]
    private var mask: Int
    private let seed: UInt64
    /// Recency: confirmed streams in one list, unconfirmed (multi-packet candidates) in the other;
    /// the front of each is the least recently seen (see `touch`). Caps and idle expiry pop fronts.
    private var links = SlotLinks()
    private(set) var confirmedOrder = RecencyList()
    private(set) var candidateOrder = RecencyList()
    /// Appends to either list so far (inserts and moves), wrapping: how far back an entry's last move is.
    private var appends: UInt32 = 0

    init() {
        buckets = [UInt64](repeating: 0, count: 64)
        mask = 63
        seed = UInt64.random(in: .min ... .max)
    }

    var count: Int { entries.count }

    /// Sizes the table for `capacity` entries up front (a live cap): the entries' and links' address
    /// space is reserved, not written (not resident until streams arrive), and the buckets are
    /// allocated at their final size, so reaching the cap never copies a 50 MB array or rehashes
    /// 100,000 keys while the ring buffer fills.
    mutating func reserve(capacity: Int) {
        guard capacity > entries.count else { return }
        entries.reserveCapacity(capacity)
        links.reserveCapacity(capacity)
        var size = buckets.count
        while size < 2 * capacity { size *= 2 }
        guard size > buckets.count else { return }
        buckets = [UInt64](repeating: 0, count: size)
        mask = size - 1
        for index in entries.indices { place(slot: index + 1, hash: hash(entries[index].key)) }
    }

    /// Bytes the table's entries occupy (entries, links) and its buckets, not counting what entries
    /// own. Arrays grow by doubling: the capacity beyond the entries is reserved address space that
    /// nothing has written, so it is not resident (RSS), and is not counted here.
    var occupiedBytes: Int {
        entries.count * (MemoryLayout<StreamStatistics>.stride + MemoryLayout<UInt64>.stride)
            + buckets.count * MemoryLayout<UInt64>.stride
    }

    @inline(__always)
    func hash(_ key: PackedStreamKey) -> UInt64 {
        var h = key.folded ^ seed
        // Murmur3's fmix64: a bijection that spreads every input bit over the low (bucket) bits.
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// The entry index of `key`, whose `hash(_:)` is `hash`.
    ///
    /// `mutating` although it changes nothing: called on the analyzer's stored table, it then works on
    /// the table in place, where a non-mutating call retained and released the bucket array per packet.
    @inline(__always)
    mutating func index(of key: PackedStreamKey, hash: UInt64) -> Int? {
        var bucket = Int(truncatingIfNeeded: hash) & mask
        let tag = hash & Self.tagMask
        while true {
            let word = buckets[bucket]
            if word == 0 { return nil }
            if word & Self.tagMask == tag {
                let slot = Self.slot(word)
                if entries[slot - 1].key == key { return slot - 1 }
            }
            bucket = (bucket + 1) & mask
        }
    }

    /// First stage of `IngestLookahead`: starts loading the bucket `hash` probes first.
    @inline(__always)
    mutating func prefetchBucket(_ hash: UInt64) {
        let bucket = Int(truncatingIfNeeded: hash) & mask
        buckets.withUnsafeBufferPointer { CacheHint.prefetch(UnsafeRawPointer($0.baseAddress! + bucket), forWriting: false) }
    }

    /// Second stage, a few packets later (the bucket has arrived): starts loading every cache line of
    /// the entry the bucket points at when its tag matches `hash`, the lines the packet's update
    /// touches. A miss (another stream's bucket, a new stream) only costs the check.
    @inline(__always)
    mutating func prefetchEntry(_ hash: UInt64) {
        let word = buckets[Int(truncatingIfNeeded: hash) & mask]
        guard word != 0, word & Self.tagMask == hash & Self.tagMask else { return }
        let slot = Self.slot(word) - 1
        entries.withUnsafeBufferPointer { entries in
            let start = UnsafeRawPointer(entries.baseAddress! + slot)
            let lines = (MemoryLayout<StreamStatistics>.stride + 63) / 64
            for line in 0...lines { CacheHint.prefetch(start + line * 64, forWriting: true) }
        }
    }

    mutating func index(of key: StreamKey) -> Int? {
        let packed = PackedStreamKey(key)
        return index(of: packed, hash: hash(packed))
    }

    subscript(index: Int) -> StreamStatistics {
        _read { yield entries[index] }
        _modify { yield &entries[index] }
    }

    /// The stream key of the entry at `index`.
    func key(at index: Int) -> StreamKey { StreamKey(entries[index].key) }

    func packedKey(at index: Int) -> PackedStreamKey { entries[index].key }

    /// Adds a stream whose key (`entry.key`) is not in the table yet, as the most recently seen of its
    /// list (confirmed or not, from the entry); returns its index.
    @discardableResult
    mutating func insert(_ entry: StreamStatistics, hash: UInt64) -> Int {
        if (entries.count + 1) * 2 > buckets.count { grow() }
        entries.append(entry)
        let index = entries.count - 1
        entries[index].recencySequence = appends
        appends &+= 1
        links.reserve(slots: entries.count)
        if entry.isConfirmed { confirmedOrder.append(index, &links) } else { candidateOrder.append(index, &links) }
        place(slot: entries.count, hash: hash)
        return index
    }

    /// The entry at `index` was just seen at `time`: it becomes the most recently seen of its list.
    ///
    /// Moving costs a few cache misses (its neighbours' links), so an entry moves only when its last
    /// move is in an earlier recency tick (2^30 ns, ~1.07 s) or `window` or more appends ago. So the
    /// list is in move-tick order (idle expiry popping the front is late by at most a tick), and an
    /// entry seen within the last `window` appends is never at the front when fewer than `2 × window`
    /// entries were appended behind it: with `window` = half a cap, a stream that sends at least once
    /// per half a cap of new streams is never evicted, however fast streams churn (more than a cap of
    /// new streams within one tick is what an SSRC flood does).
    @inline(__always)
    mutating func touch(_ index: Int, at time: Nanoseconds, window: UInt32) {
        let tick = Self.recencyTick(time)
        guard entries[index].recencyTick != tick || appends &- entries[index].recencySequence >= window else { return }
        entries[index].recencyTick = tick
        entries[index].recencySequence = appends
        appends &+= 1
        if entries[index].isConfirmed {
            confirmedOrder.moveToBack(index, &links)
        } else {
            candidateOrder.moveToBack(index, &links)
        }
    }

    @inline(__always)
    static func recencyTick(_ time: Nanoseconds) -> UInt32 { UInt32(truncatingIfNeeded: time >> 30) }

    /// The entry at `index` was just confirmed (it was a candidate): it moves to the confirmed list.
    mutating func didConfirm(_ index: Int) {
        candidateOrder.remove(index, &links)
        confirmedOrder.append(index, &links)
        entries[index].recencySequence = appends
        appends &+= 1
    }

    /// Removes the entry at `index` (the last entry takes its place) and returns it.
    @discardableResult
    mutating func remove(at index: Int) -> StreamStatistics {
        deleteBucket(holding: index, hash: hash(entries[index].key))
        if entries[index].isConfirmed { confirmedOrder.remove(index, &links) } else { candidateOrder.remove(index, &links) }
        let last = entries.count - 1
        if index != last {
            // The last entry moves into the gap: its bucket and its neighbours must point at its new index.
            let lastHash = hash(entries[last].key)
            let movedBucket = bucket(holding: last, hash: lastHash)
            buckets[movedBucket] = Self.bucketWord(slot: index + 1, hash: lastHash)
            if entries[last].isConfirmed {
                confirmedOrder.relocate(from: last, to: index, &links)
            } else {
                candidateOrder.relocate(from: last, to: index, &links)
            }
        }
        links.removeLast()
        entries.swapAt(index, last)
        return entries.removeLast()
    }

    // MARK: - Buckets

    private static let tagMask: UInt64 = 0xFFFF_FFFF_0000_0000

    private static func bucketWord(slot: Int, hash: UInt64) -> UInt64 {
        hash & tagMask | UInt64(truncatingIfNeeded: slot)
    }

    @inline(__always)
    private static func slot(_ word: UInt64) -> Int { Int(truncatingIfNeeded: word & ~tagMask) }

    private mutating func place(slot: Int, hash: UInt64) {
        var bucket = Int(truncatingIfNeeded: hash) & mask
        while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = Self.bucketWord(slot: slot, hash: hash)
    }

    /// The bucket that points at entry `index` (which is in the table).
    private func bucket(holding index: Int, hash: UInt64) -> Int {
        var bucket = Int(truncatingIfNeeded: hash) & mask
        while Self.slot(buckets[bucket]) != index + 1 { bucket = (bucket + 1) & mask }
        return bucket
    }

    /// Backward-shift deletion: later members of the probe run move up into the hole, so lookups
    /// never need tombstones.
    private mutating func deleteBucket(holding index: Int, hash: UInt64) {
        var hole = bucket(holding: index, hash: hash)
        var next = (hole + 1) & mask
        while buckets[next] != 0 {
            let home = Int(truncatingIfNeeded: self.hash(entries[Self.slot(buckets[next]) - 1].key)) & mask
            // The entry at `next` may move to `hole` only if its home is not cyclically in (hole, next].
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
        buckets = [UInt64](repeating: 0, count: buckets.count * 2)
        mask = buckets.count - 1
        for index in entries.indices { place(slot: index + 1, hash: hash(entries[index].key)) }
    }
}

/// Cache prefetch hints: LLVM's `llvm.prefetch` intrinsic (x86 `prefetcht0`/`prefetchw`, arm64
/// `prfm`; nothing where a target has none). Swift has no spelling for it, so it is declared under
/// the intrinsic's name; a hint changes no result, so should a toolchain ever refuse the
/// declaration, `prefetch` may become an empty function and only speed is lost.
enum CacheHint {
    @inline(__always)
    static func prefetch(_ address: UnsafeRawPointer, forWriting: Bool) {
        // Locality 3: keep in every cache level; cache type 1: data. The intrinsic takes only
        // constants (an unoptimized build passes the arguments as written): one call per kind.
        if forWriting { llvmPrefetch(address, 1, 3, 1) } else { llvmPrefetch(address, 0, 3, 1) }
    }
}

@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ readWrite: Int32, _ locality: Int32, _ cacheType: Int32)
