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

    /// Datagram events read from the kernel, per hook (every hook present, zero if unused: the
    /// syscalls of the syscall capture, egress/ingress of the socket capture).
    public var eventsByHook: [CaptureHook: UInt64]
    /// Events lost because the ring buffer was full.
    public var ringBufferDrops: UInt64
    /// Datagrams whose payload prefix was cut short because the msghdr had more iovecs than the
    /// kernel walks (8); the datagram itself was delivered.
    public var iovecBoundExceeded: UInt64
    /// sendmmsg/recvmmsg datagrams beyond the per-call bound (16) that were not reported.
    public var messageBoundExceeded: UInt64
    /// Datagrams of a GSO/GRO super-packet beyond the bound (128) that were not reported.
    public var segmentBoundExceeded: UInt64
    /// UDP packets behind an IPv6 extension-header chain longer than the kernel walks: not reported.
    public var headersUnparsed: UInt64
    /// Received datagrams whose socket owner the kernel did not know (then asked of /proc).
    public var ownerUnknown: UInt64
    /// …of which /proc did not know it either (delivered with pid 0 unless filters apply).
    public var ownerUnresolved: UInt64
    /// Syscall capture: received datagrams without a kernel arrival stamp (timed at the return).
    public var arrivalUntimed: UInt64
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
    public var eventsTotal: UInt64 { eventsByHook.values.reduce(0, +) }
    /// Everything the kernel had to give up on.
    public var eventsLost: UInt64 {
        ringBufferDrops + messageBoundExceeded + segmentBoundExceeded + headersUnparsed + stashFull + payloadUnreadable
    }

    /// Datagrams seen but not (fully) reported, by reason: the `reason` label of
    /// `rtpscope_unreported_datagrams_total`.
    public var unreportedByReason: [String: UInt64] {
        [
            "iovec_bound": iovecBoundExceeded, "message_bound": messageBoundExceeded,
            "segment_bound": segmentBoundExceeded, "headers_unparsed": headersUnparsed,
            "stash_full": stashFull, "payload_unreadable": payloadUnreadable,
            "socket_unreadable": socketUnreadable, "unresolved_address": unresolvedAddresses,
            "owner_unresolved": ownerUnresolved, "arrival_untimed": arrivalUntimed,
        ]
    }

    public init(
        eventsByHook: [CaptureHook: UInt64] = [:], ringBufferDrops: UInt64 = 0,
        iovecBoundExceeded: UInt64 = 0, messageBoundExceeded: UInt64 = 0, segmentBoundExceeded: UInt64 = 0,
        headersUnparsed: UInt64 = 0, ownerUnknown: UInt64 = 0, ownerUnresolved: UInt64 = 0,
        arrivalUntimed: UInt64 = 0, stashFull: UInt64 = 0,
        socketUnreadable: UInt64 = 0, payloadUnreadable: UInt64 = 0, delivered: UInt64 = 0,
        malformedRecords: UInt64 = 0, unresolvedAddresses: UInt64 = 0, programs: [Program] = []
    ) {
        var complete = Dictionary(uniqueKeysWithValues: CaptureHook.allCases.map { ($0, UInt64(0)) })
        complete.merge(eventsByHook) { $1 }
        self.eventsByHook = complete
        self.ringBufferDrops = ringBufferDrops
        self.iovecBoundExceeded = iovecBoundExceeded
        self.messageBoundExceeded = messageBoundExceeded
        self.segmentBoundExceeded = segmentBoundExceeded
        self.headersUnparsed = headersUnparsed
        self.ownerUnknown = ownerUnknown
        self.ownerUnresolved = ownerUnresolved
        self.arrivalUntimed = arrivalUntimed
        self.stashFull = stashFull
        self.socketUnreadable = socketUnreadable
        self.payloadUnreadable = payloadUnreadable
        self.delivered = delivered
        self.malformedRecords = malformedRecords
        self.unresolvedAddresses = unresolvedAddresses
        self.programs = programs
    }
}
