import MetricCatalog
import RTPCore

/// Per-process and per-peer sums over every stream: exact whatever `--stream-metrics` leaves out, so
/// a big host's totals, loss and jitter distribution stay visible at a few series per process and peer.
enum AggregateFamilies {
    static func writers(_ aggregates: StreamAggregates) -> [FamilyWriter] {
        // Streams without a process (`--interface` captures) are in the peer sums only: a process
        // series with empty pid and comm would describe no process.
        let processes = SeriesOrdering.sortedUnique(aggregates.processes.filter { $0.key.pid != nil }.map { group, figures in
            (labels: LabelSet(MetricLabels.process, [group.pid.map(String.init) ?? "", group.comm ?? "",
                                                     group.direction?.rawValue ?? ""]), subject: figures)
        })
        let peers = SeriesOrdering.sortedUnique(aggregates.peers.map { group, figures in
            (labels: LabelSet(MetricLabels.peer, [group.remote.description, group.direction?.rawValue ?? ""]),
             subject: figures)
        })
        return writers(MetricCatalog.process, processes) + writers(MetricCatalog.peer, peers)
    }

    private static func writers(_ families: GroupFamilies, _ series: [Series<AggregateFigures>])
        -> [FamilyWriter] {
        [
            FamilyWriter.scalar(ScalarFamily(families.packets) { .unsigned($0.packets) }, series),
            FamilyWriter.scalar(ScalarFamily(families.expected) { .signed($0.expected) }, series),
            FamilyWriter.scalar(ScalarFamily(families.lost) { .signed($0.lost) }, series),
            FamilyWriter.scalar(ScalarFamily(families.streams) { .signed(Int64($0.streams)) }, series),
            FamilyWriter.histogram(families.jitter, series.map { (labels: $0.labels, subject: $0.subject.jitter) }),
        ]
    }
}
