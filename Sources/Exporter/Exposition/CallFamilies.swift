import MetricCatalog
import RTPCore

/// SIP call counters per traced process (labels `pid`, `comm`). Calls themselves are never labels
/// (a Call-ID per series would grow without bound): they are served as JSON by `/calls`.
enum CallFamilies {
    static let started = ScalarFamily<ProcessCallCounters>(MetricCatalog.sipCallsStarted) { .unsigned($0.started) }
    static let answered = ScalarFamily<ProcessCallCounters>(MetricCatalog.sipCallsAnswered) { .unsigned($0.answered) }
    static let ended = ScalarFamily<UInt64>(MetricCatalog.sipCallsEnded) { .unsigned($0) }
    static let active = ScalarFamily<ProcessCallCounters>(MetricCatalog.sipCallsActive) { .unsigned($0.active) }

    static func writers(_ counters: [ExportedCallCounters]) -> [FamilyWriter] {
        let series = SeriesOrdering.sortedUnique(counters.map { entry in
            (labels: LabelSet(MetricLabels.callProcess, [String(entry.pid), entry.comm]), subject: entry.counters)
        })
        let outcomes: [(String, KeyPath<ProcessCallCounters, UInt64>)] = [
            ("cancelled", \.cancelled), ("completed", \.completed), ("expired", \.expired), ("failed", \.failed),
        ]
        let ended = SeriesOrdering.sortedUnique(series.flatMap { entry in
            outcomes.map { outcome, path in
                (labels: LabelSet(MetricLabels.callOutcome, outcome).appended(after: entry.labels),
                 subject: entry.subject[keyPath: path])
            }
        })
        return [
            FamilyWriter.scalar(started, series),
            FamilyWriter.scalar(answered, series),
            FamilyWriter.scalar(Self.ended, ended),
            FamilyWriter.scalar(active, series),
        ]
    }
}
