/// The analyzer's streams, found by `StreamKey`: a dense array of entries plus an open-addressing
/// (linear probing) index over it.
///
/// Why not `[StreamKey: StreamStatistics]`: the lookup runs once per RTP packet, and a Dictionary
/// spent ~17 % of the whole per-packet cost on SipHash (seed, combine, finalize) and on retaining the
/// class instance it returned. Here the key is folded into one word by a few multiplies, and entries
/// are structs mutated in place through the array (no reference counting per packet).
///
/// Hash flooding: keys come from packets, so the final mix is seeded randomly per table and is a
/// bijection — keys whose folds differ never collide in 64 bits, and which ones share a bucket
/// cannot be predicted from outside. Capacity stays at most half full, so probes stay short.
struct StreamTable {
    /// Streams in insertion order, except that removal moves the last entry into the gap.
    private(set) var entries: [StreamStatistics] = []
    /// Each entry's full hash and key (same index as `entries`): a probe compares these in a compact
    /// array instead of touching the large entries, and growing or removing never rehashes keys. The key
    /// lives only here (an entry does not repeat it): `key(at:)` unpacks it.
    private var identities: [Identity] = []
    /// 0 for an empty bucket, else the entry's index + 1 in the low 32 bits and the top 32 bits of its
    /// hash in the high ones: a probe past another stream's bucket then rarely has to touch that
    /// stream's identity (a cache miss: streams take turns, so little of their state stays in L1).
    /// Count is a power of two.
    private var buckets: [UInt64]
    private var mask: Int
    private let seed: UInt64
    /// Recency: confirmed streams in one list, unconfirmed (multi-packet candidates) in the other;
    /// the front of each is the least recently seen (see `touch`). Caps and idle expiry pop fronts.
    private var links = SlotLinks()
    private(set) var confirmedOrder = RecencyList()
    private(set) var candidateOrder = RecencyList()

    init() {
        buckets = [UInt64](repeating: 0, count: 64)
        mask = 63
        seed = UInt64.random(in: .min ... .max)
    }

    var count: Int { entries.count }

    /// Bytes the table's entries occupy (entries, identities, links) and its buckets, not counting
    /// what entries own. Arrays grow by doubling: the capacity beyond the entries is reserved address
    /// space that nothing has written, so it is not resident (RSS), and is not counted here.
    var occupiedBytes: Int {
        entries.count * (MemoryLayout<StreamStatistics>.stride + MemoryLayout<Identity>.stride + MemoryLayout<UInt64>.stride)
            + buckets.count * MemoryLayout<UInt64>.stride
    }

    private struct Identity {
        var hash: UInt64
        var key: PackedStreamKey
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
                if identities[slot - 1].key == key { return slot - 1 }
            }
            bucket = (bucket + 1) & mask
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
    func key(at index: Int) -> StreamKey { StreamKey(identities[index].key) }

    func packedKey(at index: Int) -> PackedStreamKey { identities[index].key }

    /// Adds a stream whose key is not in the table yet, as the most recently seen of its list
    /// (confirmed or not, from the entry); returns its index.
    @discardableResult
    mutating func insert(_ entry: StreamStatistics, key: PackedStreamKey, hash: UInt64) -> Int {
        if (entries.count + 1) * 2 > buckets.count { grow() }
        entries.append(entry)
        identities.append(Identity(hash: hash, key: key))
        let index = entries.count - 1
        links.reserve(slots: entries.count)
        if entry.isConfirmed { confirmedOrder.append(index, &links) } else { candidateOrder.append(index, &links) }
        place(slot: entries.count, hash: hash)
        return index
    }

    /// The entry at `index` was just seen: it becomes the most recently seen of its list.
    @inline(__always)
    mutating func touch(_ index: Int) {
        if entries[index].isConfirmed {
            confirmedOrder.moveToBack(index, &links)
        } else {
            candidateOrder.moveToBack(index, &links)
        }
    }

    /// The entry at `index` was just confirmed (it was a candidate): it moves to the confirmed list.
    mutating func didConfirm(_ index: Int) {
        candidateOrder.remove(index, &links)
        confirmedOrder.append(index, &links)
    }

    /// Removes the entry at `index` (the last entry takes its place) and returns it.
    @discardableResult
    mutating func remove(at index: Int) -> StreamStatistics {
        let removedHash = identities[index].hash
        deleteBucket(holding: index, hash: removedHash)
        if entries[index].isConfirmed { confirmedOrder.remove(index, &links) } else { candidateOrder.remove(index, &links) }
        let last = entries.count - 1
        if index != last {
            // The last entry moves into the gap: its bucket and its neighbours must point at its new index.
            let movedBucket = bucket(holding: last, hash: identities[last].hash)
            buckets[movedBucket] = Self.bucketWord(slot: index + 1, hash: identities[last].hash)
            if entries[last].isConfirmed {
                confirmedOrder.relocate(from: last, to: index, &links)
            } else {
                candidateOrder.relocate(from: last, to: index, &links)
            }
        }
        links.removeLast()
        identities.swapAt(index, last)
        identities.removeLast()
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
            let home = Int(truncatingIfNeeded: identities[Self.slot(buckets[next]) - 1].hash) & mask
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
        for (index, identity) in identities.enumerated() { place(slot: index + 1, hash: identity.hash) }
    }
}
