/// Counters of a running capture: what the kernel saw and emitted, everything that was lost or
/// degraded (never silently), and the programs' own cost.
public struct LiveCaptureStatistics: Sendable, Equatable {
    /// One loaded BPF program and the kernel's run-time accounting for it (zero until
    /// run-time statistics are enabled, which `LiveCapture` does at start).
    public struct Program: Sendable, Equatable {
        public var name: String
        public var attached: Bool
        public var runTimeNanoseconds: UInt64
        public var runCount: UInt64

        public init(name: String, attached: Bool, runTimeNanoseconds: UInt64, runCount: UInt64) {
            self.name = name
            self.attached = attached
            self.runTimeNanoseconds = runTimeNanoseconds
            self.runCount = runCount
        }

        /// Mean cost per invocation, 0 before the first run.
        public var averageNanoseconds: Double {
            runCount == 0 ? 0 : Double(runTimeNanoseconds) / Double(runCount)
        }
    }

    /// Datagram events the kernel submitted, per syscall (all syscalls present, zero if unused).
    public var eventsBySyscall: [TracedSyscall: UInt64]
    /// Events lost because the ring buffer was full.
    public var ringBufferDrops: UInt64
    /// Datagrams whose payload prefix was cut short because the msghdr had more iovecs than the
    /// kernel walks (8); the datagram itself was delivered.
    public var iovecBoundExceeded: UInt64
    /// sendmmsg/recvmmsg datagrams beyond the per-call bound (16) that were not reported.
    public var messageBoundExceeded: UInt64
    /// Calls not traced because the per-thread argument stash was full.
    public var stashFull: UInt64
    /// Calls whose socket the kernel could not read (addresses then come from /proc).
    public var socketUnreadable: UInt64
    /// Datagrams not reported because their user memory could not be read.
    public var payloadUnreadable: UInt64
    /// Datagrams delivered to `poll`'s body.
    public var delivered: UInt64
    /// Records that failed validation in user space (never expected; counted, not fatal).
    public var malformedRecords: UInt64
    /// Delivered datagrams with at least one endpoint unknown even after the /proc fallback
    /// (e.g. recv() without an address on an unconnected socket). Such endpoints are reported
    /// as the unspecified address, port 0.
    public var unresolvedAddresses: UInt64
    public var programs: [Program]

    public var attachedPrograms: [String] { programs.filter(\.attached).map(\.name) }
    public var eventsTotal: UInt64 { eventsBySyscall.values.reduce(0, +) }
    /// Everything the kernel had to give up on.
    public var eventsLost: UInt64 { ringBufferDrops + messageBoundExceeded + stashFull + payloadUnreadable }

    public init(
        eventsBySyscall: [TracedSyscall: UInt64] = [:], ringBufferDrops: UInt64 = 0,
        iovecBoundExceeded: UInt64 = 0, messageBoundExceeded: UInt64 = 0, stashFull: UInt64 = 0,
        socketUnreadable: UInt64 = 0, payloadUnreadable: UInt64 = 0, delivered: UInt64 = 0,
        malformedRecords: UInt64 = 0, unresolvedAddresses: UInt64 = 0, programs: [Program] = []
    ) {
        var complete = Dictionary(uniqueKeysWithValues: TracedSyscall.allCases.map { ($0, UInt64(0)) })
        complete.merge(eventsBySyscall) { $1 }
        self.eventsBySyscall = complete
        self.ringBufferDrops = ringBufferDrops
        self.iovecBoundExceeded = iovecBoundExceeded
        self.messageBoundExceeded = messageBoundExceeded
        self.stashFull = stashFull
        self.socketUnreadable = socketUnreadable
        self.payloadUnreadable = payloadUnreadable
        self.delivered = delivered
        self.malformedRecords = malformedRecords
        self.unresolvedAddresses = unresolvedAddresses
        self.programs = programs
    }
}
