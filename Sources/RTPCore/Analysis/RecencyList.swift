/// Recency order over slot indices: doubly linked lists whose links live in one compact array
/// (`SlotLinks`, 8 bytes per slot), so that every cap of the engine — streams, candidates, RTCP
/// reporters and report blocks — finds its least recently used entry, removes any entry and moves an
/// entry to the back in O(1), never by scanning. Several lists may share one `SlotLinks` as long as a
/// slot is in at most one of them.
struct SlotLinks {
    /// previous (high 32 bits) | next (low 32 bits); `none` ends a list.
    private var words: [UInt64] = []
    static let none: UInt32 = .max

    var count: Int { words.count }
    var allocatedBytes: Int { words.capacity * MemoryLayout<UInt64>.stride }

    /// Makes room for slots `0..<slots` (growing by doubling: one slot at a time costs amortised O(1)).
    mutating func reserve(slots: Int) {
        guard words.count < slots else { return }
        if slots > words.capacity { words.reserveCapacity(max(slots, 2 * words.capacity)) }
        words.append(contentsOf: repeatElement(UInt64.max, count: slots - words.count))
    }

    /// Reserves address space for `slots` links without writing them.
    mutating func reserveCapacity(_ slots: Int) { words.reserveCapacity(slots) }

    /// Drops the links of the last slot (its owner shrank by one).
    mutating func removeLast() { words.removeLast() }

    mutating func removeAll() { words.removeAll() }

    @inline(__always) func previous(_ slot: Int) -> UInt32 { UInt32(truncatingIfNeeded: words[slot] >> 32) }
    @inline(__always) func next(_ slot: Int) -> UInt32 { UInt32(truncatingIfNeeded: words[slot]) }

    @inline(__always) mutating func set(_ slot: Int, previous: UInt32, next: UInt32) {
        words[slot] = UInt64(previous) << 32 | UInt64(next)
    }

    @inline(__always) mutating func setPrevious(_ slot: Int, _ previous: UInt32) {
        words[slot] = UInt64(previous) << 32 | (words[slot] & 0xFFFF_FFFF)
    }

    @inline(__always) mutating func setNext(_ slot: Int, _ next: UInt32) {
        words[slot] = words[slot] & 0xFFFF_FFFF_0000_0000 | UInt64(next)
    }
}

/// One list over `SlotLinks`: the front is the least recently appended or moved slot.
struct RecencyList {
    private(set) var front: UInt32 = SlotLinks.none
    private(set) var back: UInt32 = SlotLinks.none
    private(set) var count = 0

    /// The least recently used slot.
    var first: Int? { front == SlotLinks.none ? nil : Int(front) }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ slot: Int, _ links: inout SlotLinks) {
        let s = UInt32(truncatingIfNeeded: slot)
        links.set(slot, previous: back, next: SlotLinks.none)
        if back == SlotLinks.none { front = s } else { links.setNext(Int(back), s) }
        back = s
        count += 1
    }

    mutating func remove(_ slot: Int, _ links: inout SlotLinks) {
        let previous = links.previous(slot), next = links.next(slot)
        if previous == SlotLinks.none { front = next } else { links.setNext(Int(previous), next) }
        if next == SlotLinks.none { back = previous } else { links.setPrevious(Int(next), previous) }
        links.set(slot, previous: SlotLinks.none, next: SlotLinks.none)
        count -= 1
    }

    /// Marks `slot` as the most recently used. A slot that already is costs one comparison.
    @inline(__always)
    mutating func moveToBack(_ slot: Int, _ links: inout SlotLinks) {
        guard UInt32(truncatingIfNeeded: slot) != back else { return }
        remove(slot, &links)
        append(slot, &links)
    }

    /// The entry at slot `from` now lives at slot `to` (a dense array moved its last entry into a
    /// gap): its neighbours and the list's ends point at `to`. `to`'s old links are overwritten.
    mutating func relocate(from: Int, to: Int, _ links: inout SlotLinks) {
        let previous = links.previous(from), next = links.next(from)
        let t = UInt32(truncatingIfNeeded: to)
        links.set(to, previous: previous, next: next)
        if previous == SlotLinks.none { front = t } else { links.setNext(Int(previous), t) }
        if next == SlotLinks.none { back = t } else { links.setPrevious(Int(next), t) }
    }

    mutating func removeAll() { self = RecencyList() }
}

/// A map with a capacity whose least recently used entry makes room for a new one, all in O(1):
/// a Dictionary from key to slot, values in a slab whose free slots are reused, and a `RecencyList`.
/// For the RTCP side of the engine (reporters, sender-report times), where entries are few next to
/// packets but must stay bounded under any flood.
struct LRUMap<Key: Hashable, Value> {
    private var slots: [Key: Int32] = [:]
    private var keys: [Key?] = []
    private var values: [Value?] = []
    private var free: [Int32] = []
    private var links = SlotLinks()
    private var order = RecencyList()
    /// Most entries kept; inserting beyond it evicts the least recently used.
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    var count: Int { order.count }

    /// Approximate heap bytes: slab, links, free list and the dictionary's buckets.
    var allocatedBytes: Int {
        keys.capacity * MemoryLayout<Key?>.stride + values.capacity * MemoryLayout<Value?>.stride
            + links.allocatedBytes + free.capacity * 4
            + slots.capacity * (MemoryLayout<Key>.stride + MemoryLayout<Int32>.stride + 1)
    }

    /// The slot of `key`, marked as most recently used.
    mutating func touch(_ key: Key) -> Int? {
        guard let slot = slots[key].map(Int.init) else { return nil }
        order.moveToBack(slot, &links)
        return slot
    }

    /// The slot of `key` without changing the order.
    func slot(of key: Key) -> Int? { slots[key].map(Int.init) }

    subscript(slot slot: Int) -> Value {
        get { values[slot]! }
        _modify {
            var value = values[slot].take()!
            defer { values[slot] = value }
            yield &value
        }
    }

    func key(at slot: Int) -> Key { keys[slot]! }

    /// Inserts `value` for a key that is not in the map (most recently used); when full, first evicts
    /// the least recently used entry and returns it.
    mutating func insert(_ key: Key, _ value: Value) -> (slot: Int, evicted: (key: Key, value: Value)?) {
        var evicted: (key: Key, value: Value)?
        if order.count >= capacity, let oldest = order.first { evicted = remove(slot: oldest) }
        let slot: Int
        if let reused = free.popLast() {
            slot = Int(reused)
            keys[slot] = key
            values[slot] = value
        } else {
            slot = values.count
            keys.append(key)
            values.append(value)
            links.reserve(slots: slot + 1)
        }
        slots[key] = Int32(slot)
        order.append(slot, &links)
        return (slot, evicted)
    }

    @discardableResult
    mutating func remove(slot: Int) -> (key: Key, value: Value) {
        let key = keys[slot].take()!
        let value = values[slot].take()!
        slots[key] = nil
        order.remove(slot, &links)
        free.append(Int32(slot))
        return (key, value)
    }

    /// The least recently used entry's slot.
    var oldest: Int? { order.first }

    /// Every (slot, value), in no particular order.
    func forEach(_ body: (Int, Value) -> Void) {
        for (slot, value) in values.enumerated() { if let value { body(slot, value) } }
    }
}

/// What heap allocations cost, for the engine's own memory accounting (`StreamAnalyzer.footprint`):
/// glibc malloc rounds a request plus its 8-byte header up to 16 bytes; Swift objects and array
/// buffers start with a 16- or 32-byte header.
enum HeapSize {
    static func malloc(_ bytes: Int) -> Int { (bytes + 8 + 15) & ~15 }
    /// A class instance with `stored` bytes of properties.
    static func object(_ stored: Int) -> Int { malloc(16 + stored) }
    /// An array buffer of `count` elements of `stride` bytes.
    static func array(count: Int, stride: Int) -> Int { count == 0 ? 0 : malloc(32 + count * stride) }
}
