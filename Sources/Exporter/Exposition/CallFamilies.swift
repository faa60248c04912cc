import RTPCore

/// SIP call counters per traced process (labels `pid`, `comm`). Calls themselves are never labels
/// (a Call-ID per series would grow without bound): they are served as JSON by `/calls`.
enum CallFamilies {
    static let started = ScalarFamily<ProcessCallCounters>(
        name: "rtpscope_sip_calls_started_total", type: .counter,
        help: "SIP calls (Call-IDs with an INVITE) whose signalling the process sent or received (calls)."
    ) { .unsigned($0.started) }

    static let answered = ScalarFamily<ProcessCallCounters>(
        name: "rtpscope_sip_calls_answered_total", type: .counter,
        help: "Calls answered with a 2xx; answered / started is the answer-seizure ratio (calls)."
    ) { .unsigned($0.answered) }

    static let ended = ScalarFamily<UInt64>(
        name: "rtpscope_sip_calls_ended_total", type: .counter,
        help: "Calls that ended, by outcome: completed (answered, then BYE), cancelled (CANCEL before an answer), failed (a final 3xx-6xx), expired (dropped unfinished after a timeout or at the call cap) (calls)."
    ) { .unsigned($0) }

    static let active = ScalarFamily<ProcessCallCounters>(
        name: "rtpscope_sip_calls_active", type: .gauge,
        help: "Calls started and not yet ended: trying, ringing or answered (calls)."
    ) { .unsigned($0.active) }

    static func write(_ counters: [ExportedCallCounters], into writer: inout ExpositionWriter) {
        let series = SeriesOrdering.sortedUnique(counters.map { entry in
            (labels: LabelSet(ordered: [("pid", String(entry.pid)), ("comm", entry.comm)]), subject: entry.counters)
        })
        writer.write(started, for: series)
        writer.write(answered, for: series)
        let outcomes: [(String, KeyPath<ProcessCallCounters, UInt64>)] = [
            ("cancelled", \.cancelled), ("completed", \.completed), ("expired", \.expired), ("failed", \.failed),
        ]
        writer.write(ended, for: SeriesOrdering.sortedUnique(series.flatMap { entry in
            outcomes.map { outcome, path in
                (labels: LabelSet(ordered: [("outcome", outcome)]).appended(after: entry.labels.inner),
                 subject: entry.subject[keyPath: path])
            }
        }))
        writer.write(active, for: series)
    }
}
