/// Live, one SIP message between two local processes is seen twice: as it leaves the sender's
/// socket and as it reaches the receiver's. On the wire it is one message, so the second sighting
/// must count neither as a new message nor as a retransmission.
///
/// Sightings of the same message (same hop, start line, CSeq, top Via branch and To tag) are counted
/// per direction: a sighting that makes its direction's count exceed the other's is a new
/// transmission (the first one a message, later ones retransmissions); one that does not is the
/// other end's copy of a transmission already counted. A peer outside the host is seen in one
/// direction only, so each of its sightings is a transmission. Captures carry no direction: every
/// sighting is a transmission there.
struct SIPCopies {
    enum Sighting: Equatable {
        case transmission
        /// The other end's copy of a transmission already counted.
        case copy
    }

    private struct Counts {
        var sent: UInt16 = 0
        var received: UInt16 = 0
        var lastSeen: Nanoseconds
    }

    /// Sightings further apart than this are never copies of one another (a copy follows its
    /// transmission within the host's delivery time; RFC 3261's Timer B/F end a transaction's
    /// retransmissions after 64·T1 = 32 s).
    static let window: Nanoseconds = 32_000_000_000
    /// Messages remembered at most; beyond it the oldest half is forgotten (a copy seen after that
    /// counts as a transmission: an overcount, never a loss).
    static let capacity = 16_384

    private var counts: [Int: Counts] = [:]

    mutating func observe(_ identity: Int, direction: Direction?, time: Nanoseconds) -> Sighting {
        guard let direction else { return .transmission }
        var entry = counts[identity].flatMap { time - $0.lastSeen <= Self.window ? $0 : nil } ?? Counts(lastSeen: time)
        let (mine, other): (UInt16, UInt16)
        switch direction {
        case .sent:
            entry.sent &+= 1
            (mine, other) = (entry.sent, entry.received)
        case .received:
            entry.received &+= 1
            (mine, other) = (entry.received, entry.sent)
        }
        entry.lastSeen = max(entry.lastSeen, time)
        if counts.count >= Self.capacity, counts[identity] == nil { forgetOldest() }
        counts[identity] = entry
        return mine > other ? .transmission : .copy
    }

    private mutating func forgetOldest() {
        let times = counts.values.map(\.lastSeen).sorted()
        let cutoff = times[times.count / 2]
        counts = counts.filter { $0.value.lastSeen > cutoff }
    }
}
