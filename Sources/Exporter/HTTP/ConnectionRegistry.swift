import NIOConcurrencyHelpers
import NIOCore

/// The server's open connections and what each is doing, so that a full server makes room by
/// closing the connection that matters least instead of refusing the newcomer.
///
/// Refusing at the cap let 64 silent (or trickling) connections lock every scrape out. Here, at the
/// cap, the victim is the connection that has waited the longest without being answered — idle
/// since its last response, or waiting for (or receiving) a request since its accept or its first
/// byte — and only when there is none, the oldest connection whose response is stuck behind a client
/// that does not read. A scraper's fresh connection is the youngest, so it is the last to go.
/// (Ranking "receiving" above "waiting" would be wrong: a trickler has sent a byte, a scraper whose
/// request is still in flight has not.) A connection actively being answered is never evicted; when
/// every slot is one, the newcomer is refused (and counted).
final class ConnectionRegistry: Sendable {
    enum Phase: Sendable {
        /// Waiting for the first byte of a request (fresh or keep-alive).
        case awaitingRequest
        /// Part of a request has arrived (its deadline runs).
        case receivingRequest
        /// A request is being answered.
        case responding
    }

    enum Admission {
        case admitted
        /// Admitted after closing this connection.
        case admittedEvicting(any Channel)
        case refused
    }

    private struct Entry {
        let channel: any Channel
        var phase: Phase
        var since: NIODeadline
    }

    let limit: Int
    private let entries = NIOLockedValueBox([ObjectIdentifier: Entry]())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    var count: Int { entries.withLockedValue { $0.count } }

    /// Registers `channel` (removed again when it closes), evicting one connection if at the cap.
    func admit(_ channel: any Channel, now: NIODeadline = .now()) -> Admission {
        let id = ObjectIdentifier(channel)
        let admission = entries.withLockedValue { entries -> Admission in
            var admission = Admission.admitted
            if entries.count >= limit {
                guard let victim = Self.victim(in: entries) else { return .refused }
                let evicted = entries.removeValue(forKey: victim)!
                admission = .admittedEvicting(evicted.channel)
            }
            entries[id] = Entry(channel: channel, phase: .awaitingRequest, since: now)
            return admission
        }
        if case .refused = admission { return admission }
        channel.closeFuture.whenComplete { [entries] _ in
            _ = entries.withLockedValue { $0.removeValue(forKey: id) }
        }
        if case .admittedEvicting(let victim) = admission {
            victim.close(promise: nil)
        }
        return admission
    }

    func update(_ channel: any Channel, to phase: Phase, now: NIODeadline = .now()) {
        entries.withLockedValue { entries in
            guard var entry = entries[ObjectIdentifier(channel)] else { return }
            entry.phase = phase
            entry.since = now
            entries[ObjectIdentifier(channel)] = entry
        }
    }

    /// The connections' channels (for the buffered-bytes accounting).
    var channels: [any Channel] { entries.withLockedValue { $0.values.map(\.channel) } }

    /// A scan of at most `limit` entries, done only when the server is full (an accept at the
    /// cap): ~1,024 comparisons, microseconds, against a TCP handshake's cost.
    private static func victim(in entries: [ObjectIdentifier: Entry]) -> ObjectIdentifier? {
        var best: (id: ObjectIdentifier, rank: Int, since: NIODeadline)?
        for (id, entry) in entries {
            let rank: Int
            switch entry.phase {
            case .awaitingRequest, .receivingRequest: rank = 0
            case .responding:
                // Blocked on a client that does not read: next in line. Otherwise: in service.
                guard !entry.channel.isWritable else { continue }
                rank = 1
            }
            if best == nil || rank < best!.rank || (rank == best!.rank && entry.since < best!.since) {
                best = (id, rank, entry.since)
            }
        }
        return best?.id
    }
}
