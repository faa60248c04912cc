import MetricCatalog

/// The monitor's self-metrics that are read from the kernel side at scrape time (ring buffer,
/// program statistics, event counts), in the spirit of ebpf_exporter reading maps on scrape, and
/// what the engine did not count.
enum MonitorFamilies {
    static let programRunTime = ScalarFamily<ProgramRunStats>(MetricCatalog.bpfProgramRunTime) {
        .real(Double($0.runTimeNanoseconds) / 1e9)
    }
    static let programRuns = ScalarFamily<ProgramRunStats>(MetricCatalog.bpfProgramRuns) { .unsigned($0.runCount) }

    static func writers(_ snapshot: ExporterSnapshot) -> [FamilyWriter] {
        let health = snapshot.health
        let programs = SeriesOrdering.sortedUnique(
            health.programStats.map { (labels: LabelSet(MetricLabels.program, $0.name), subject: $0) })
        var writers = [
            counters(MetricCatalog.events, by: MetricLabels.syscall, health.eventsBySyscall),
            FamilyWriter.single(MetricCatalog.ringbufDropped, .unsigned(health.ringbufDroppedEvents)),
            counters(MetricCatalog.unreportedDatagrams, by: MetricLabels.reason, health.unreportedDatagrams),
            counters(MetricCatalog.datagramsDiscarded, by: MetricLabels.reason, snapshot.discardedDatagrams),
            FamilyWriter.scalar(programRunTime, programs),
            FamilyWriter.scalar(programRuns, programs),
            FamilyWriter.single(MetricCatalog.streams, .signed(Int64(snapshot.trackedStreamCount))),
            FamilyWriter.single(MetricCatalog.streamsExported, .signed(Int64(snapshot.streams.count))),
            FamilyWriter.single(MetricCatalog.streamsEvicted, .unsigned(health.streamsEvicted)),
            FamilyWriter.single(MetricCatalog.malformedRecords, .unsigned(health.malformedRecords)),
        ]
        if let codec = health.codecProbes {
            writers += [
                FamilyWriter.single(MetricCatalog.codecProbedProcesses, .signed(Int64(codec.attachedProcesses))),
                FamilyWriter.single(MetricCatalog.codecProbes, .signed(Int64(codec.attachedProbes))),
                FamilyWriter.single(MetricCatalog.codecDroppedRecords, .unsigned(codec.callRecordDrops)),
                FamilyWriter.single(MetricCatalog.codecAttachFailures, .unsigned(codec.attachFailures)),
                FamilyWriter.single(MetricCatalog.codecNestingExceeded, .unsigned(codec.nestingExceeded)),
                FamilyWriter.single(MetricCatalog.codecStackMismatches, .unsigned(codec.stackMismatches)),
                FamilyWriter.single(MetricCatalog.codecStatisticsTableFull, .unsigned(codec.statisticsTableFull)),
            ]
        }
        if !health.interfaces.isEmpty { writers += interfaceWriters(health.interfaces) }
        if let seconds = snapshot.lockHoldSeconds {
            writers.append(FamilyWriter.single(MetricCatalog.snapshotLockSeconds, .real(seconds)))
        }
        return writers
    }

    /// libpcap's counters per `--interface` capture.
    private static func interfaceWriters(_ interfaces: [InterfaceHealth]) -> [FamilyWriter] {
        let received = SeriesOrdering.sortedUnique(interfaces.map {
            (labels: LabelSet(MetricLabels.interface, $0.interface), subject: $0.packetsReceived)
        })
        let dropped = SeriesOrdering.sortedUnique(interfaces.flatMap { interface in
            [("buffer", interface.packetsDropped), ("interface", interface.packetsDroppedByInterface)].map {
                (labels: LabelSet(MetricLabels.interfaceDrop, [interface.interface, $0.0]), subject: $0.1)
            }
        })
        let counter = { (family: MetricFamily) in ScalarFamily<UInt64>(family) { .unsigned($0) } }
        return [
            FamilyWriter.scalar(counter(MetricCatalog.interfacePacketsReceived), received),
            FamilyWriter.scalar(counter(MetricCatalog.interfacePacketsDropped), dropped),
        ]
    }

    /// One counter per key of `values`, labelled `label`, sorted.
    private static func counters(_ family: MetricFamily, by label: String, _ values: [String: UInt64]) -> FamilyWriter {
        FamilyWriter.scalar(ScalarFamily<UInt64>(family) { .unsigned($0) },
                            SeriesOrdering.sortedUnique(values.map { (labels: LabelSet(label, $0.key), subject: $0.value) }))
    }
}
