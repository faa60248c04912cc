import CRTPScopeBPF
import Glibc
import RTPCore

/// Live RTP capture: eBPF programs deliver each RTP/RTCP datagram (a payload prefix) that the
/// selected processes send or receive, as a `Datagram`. Two paths (`CapturePath`):
/// - socket (default): cgroup_skb programs on the cgroup v2 root see every UDP datagram at the
///   socket layer, whatever sent or read it (send/write/sendmmsg/io_uring), received ones at their
///   arrival in the kernel;
/// - syscalls: tracepoints on the six datagram syscalls (where the socket capture cannot attach).
///
/// Use it from one polling loop, e.g. `while running { capture.poll(timeoutMilliseconds: 10) { analyzer.ingest($0) } }`.
/// The kernel never wakes the reader per event (that costs each captured datagram microseconds),
/// so `poll` checks the ring buffer on a short timer instead. `statistics()` may be called from
/// another thread (calls are serialized).
public final class LiveCapture: @unchecked Sendable {
    /// How often a waiting `poll` looks at the ring buffer.
    static let pollTickMilliseconds: Int32 = 5

    private let lock = RecursiveLock()
    private var handle: OpaquePointer?
    private let delivery: EventDelivery
    private var closeRequested = false

    public let options: LiveCaptureOptions
    /// The path in use.
    public let path: CapturePath
    /// Why `--capture auto` did not use the socket capture (nil when it did, or was not asked to
    /// choose).
    public let fallbackReason: String?

    /// The longest payload prefix a delivered datagram can carry: the snaplen, or SIP's when the
    /// capture copies signalling.
    public var maximumPayloadBytes: Int {
        options.sipPorts.isEmpty ? options.snaplen : max(options.snaplen, Int(RTPSCOPE_SIP_SNAPLEN))
    }

    /// Opens, verifies, loads and attaches the programs of the selected path (`auto`: the socket
    /// capture, else the syscall capture). Needs root, or CAP_BPF+CAP_PERFMON (+CAP_NET_ADMIN for
    /// the socket capture; +CAP_SYS_ADMIN if the syscall capture has to mount tracefs).
    public init(options: LiveCaptureOptions) throws(LiveCaptureError) {
        try options.validate()
        self.options = options
        delivery = EventDelivery(options: options)
        MemlockLimit.raise()
        switch options.capture {
        case .socket, .syscalls:
            path = options.capture == .socket ? .socket : .syscalls
            fallbackReason = nil
            handle = try Self.start(path, options, delivery)
        case .auto:
            do {
                handle = try Self.start(.socket, options, delivery)
                path = .socket
                fallbackReason = nil
            } catch let socketFailure {
                if case .invalidOptions = socketFailure { throw socketFailure }
                handle = try Self.start(.syscalls, options, delivery)
                path = .syscalls
                fallbackReason = socketFailure.description
            }
        }
    }

    /// One path's set-up: privileges named exactly, the path's prerequisites, then open, load,
    /// attach. Returns the loader handle.
    private static func start(_ path: CapturePath, _ options: LiveCaptureOptions,
                              _ delivery: EventDelivery) throws(LiveCaptureError) -> OpaquePointer {
        // Say which capability is missing up front rather than whichever step would fail first.
        let missing = Capabilities.current().missing(for: path)
        if !missing.isEmpty {
            throw .permissionDenied("eBPF: the \(path.name) needs \(Capabilities.describe(missing)), which this process lacks (run as root, or grant them)")
        }
        var cgroupPath: String?
        switch path {
        case .socket:
            guard let mount = options.resolvedCgroupRoot else {
                throw .attachFailed("eBPF: the socket capture needs the cgroup v2 hierarchy, which is not mounted (mount -t cgroup2 none /sys/fs/cgroup)")
            }
            cgroupPath = mount
        case .syscalls:
            try Tracefs.ensureMounted()
        }
        guard let handle = rtpscope_bpf_new() else { throw .loadFailed("eBPF: out of memory") }
        do {
            try check(open(handle, options, path: path, cgroupPath: cgroupPath), handle, orElse: LiveCaptureError.loadFailed)
            try check(rtpscope_bpf_load(handle), handle, orElse: LiveCaptureError.loadFailed)
            // Run-time statistics are a nicety: kernels without them still capture.
            _ = rtpscope_bpf_enable_stats(handle)
            let context = Unmanaged.passUnretained(delivery).toOpaque()
            try check(rtpscope_bpf_attach(handle, liveCaptureDeliverEvent, context), handle,
                      orElse: LiveCaptureError.attachFailed)
        } catch {
            rtpscope_bpf_destroy(handle)
            throw error
        }
        return handle
    }

    deinit {
        close()
    }

    /// Delivers every datagram waiting in the kernel's ring buffer; if none is waiting, waits up
    /// to `timeoutMilliseconds` for some. Returns how many datagrams were delivered. `body`'s
    /// `Datagram.payload` points into the ring buffer and is valid only during the call.
    @discardableResult
    public func poll(timeoutMilliseconds: Int32, _ body: (Datagram) -> Void) -> Int {
        lock.withLock {
            guard let handle, !delivery.isPolling else { return 0 }
            delivery.isPolling = true
            defer {
                delivery.isPolling = false
                if closeRequested { close() }
            }
            delivery.assembler.clock.refreshIfDue()
            return withoutActuallyEscaping(body) { body in
                delivery.body = body
                defer { delivery.body = EventDelivery.idle }
                let before = delivery.delivered
                Self.drain(handle, timeoutMilliseconds: timeoutMilliseconds) {
                    delivery.delivered != before || closeRequested
                }
                return Int(delivery.delivered - before)
            }
        }
    }

    /// Counters from the kernel maps and the programs' run-time accounting.
    public func statistics() -> LiveCaptureStatistics {
        lock.withLock {
            var statistics = LiveCaptureStatistics(
                eventsByHook: delivery.eventsByHook.counts,
                ownerUnresolved: delivery.assembler.unresolvedOwners,
                delivered: delivery.delivered, malformedRecords: delivery.malformedRecords,
                unresolvedAddresses: delivery.assembler.unresolvedAddresses)
            guard let handle else { return statistics }
            var counters = rtpscope_bpf_counters()
            if rtpscope_bpf_read_counters(handle, &counters) == 0 {
                let health = withUnsafeBytes(of: counters.health) { Array($0.bindMemory(to: UInt64.self)) }
                func value(_ counter: rtpscope_counter) -> UInt64 { health[Int(counter.rawValue)] }
                statistics.ringBufferDrops = value(RTPSCOPE_COUNTER_RINGBUF_DROPS)
                statistics.iovecBoundExceeded = value(RTPSCOPE_COUNTER_IOVEC_BOUND_EXCEEDED)
                statistics.messageBoundExceeded = value(RTPSCOPE_COUNTER_MMSG_BOUND_EXCEEDED)
                statistics.segmentBoundExceeded = value(RTPSCOPE_COUNTER_SEGMENT_BOUND_EXCEEDED)
                statistics.headersUnparsed = value(RTPSCOPE_COUNTER_HEADERS_UNPARSED)
                statistics.ownerUnknown = value(RTPSCOPE_COUNTER_OWNER_UNKNOWN)
                statistics.arrivalUntimed = value(RTPSCOPE_COUNTER_ARRIVAL_UNTIMED)
                statistics.stashFull = value(RTPSCOPE_COUNTER_STASH_FULL)
                statistics.socketUnreadable = value(RTPSCOPE_COUNTER_SOCKET_UNREADABLE)
                statistics.payloadUnreadable = value(RTPSCOPE_COUNTER_PAYLOAD_UNREADABLE)
            }
            statistics.programs = (0..<rtpscope_bpf_program_count(handle)).compactMap { index in
                var program = rtpscope_bpf_program_stats()
                guard rtpscope_bpf_program_stats(handle, index, &program) == 0 else { return nil }
                return LiveCaptureStatistics.Program(
                    name: withUnsafeBytes(of: program.name) { KernelName.text(nulTerminated: $0) },
                    attached: program.attached != 0,
                    runTimeNanoseconds: program.run_time_ns, runCount: program.run_count)
            }
            return statistics
        }
    }

    /// Detaches and unloads everything. Idempotent; also done on deinit. Called from inside
    /// `poll`'s body, it takes effect when that `poll` returns.
    public func close() {
        lock.withLock {
            if delivery.isPolling {
                closeRequested = true
                return
            }
            rtpscope_bpf_destroy(handle)
            handle = nil
        }
    }

    public var isClosed: Bool { lock.withLock { handle == nil } }

    /// Detaches the programs but keeps maps and buffered events (for overhead measurements).
    func setAttached(_ attached: Bool) throws(LiveCaptureError) {
        let failure = lock.withLock { () -> LiveCaptureError? in
            guard let handle else { return nil }
            guard attached else {
                rtpscope_bpf_detach(handle)
                return nil
            }
            let context = Unmanaged.passUnretained(delivery).toOpaque()
            return Self.failure(
                rtpscope_bpf_attach(handle, liveCaptureDeliverEvent, context), handle,
                orElse: LiveCaptureError.attachFailed)
        }
        if let failure { throw failure }
    }

    // MARK: - Internals

    /// Consumes what is ready; while nothing was delivered, waits in ticks until the deadline.
    private static func drain(_ handle: OpaquePointer, timeoutMilliseconds: Int32, done: () -> Bool) {
        _ = rtpscope_bpf_consume(handle)
        let deadline = SystemClock.now(CLOCK_MONOTONIC) + Int64(max(0, timeoutMilliseconds)) * 1_000_000
        while !done() {
            let remaining = (deadline - SystemClock.now(CLOCK_MONOTONIC)) / 1_000_000
            if remaining <= 0 { break }
            // Sleeps in epoll; the kernel only wakes it early when the buffer is half full.
            _ = rtpscope_bpf_poll(handle, Int32(min(remaining, Int64(pollTickMilliseconds))))
        }
    }

    private static func open(_ handle: OpaquePointer, _ options: LiveCaptureOptions, path: CapturePath,
                             cgroupPath: String?) -> Int32 {
        let pids = options.pids.map { UInt32(bitPattern: $0) }
        let comms = options.kernelComms.map { strdup($0) }
        let cgroup = cgroupPath.map { strdup($0) } ?? nil
        defer {
            comms.forEach { free($0) }
            free(cgroup)
        }
        let sipPorts = Array(Set(options.sipPorts)).sorted()
        return pids.withUnsafeBufferPointer { pids in
            options.udpPorts.withUnsafeBufferPointer { ports in
              sipPorts.withUnsafeBufferPointer { sipPorts in
                comms.map { UnsafePointer($0) }.withUnsafeBufferPointer { comms in
                    var cOptions = rtpscope_bpf_options(
                        pids: pids.baseAddress, pid_count: pids.count,
                        comms: comms.baseAddress, comm_count: comms.count,
                        ports: ports.baseAddress, port_count: ports.count,
                        sip_ports: sipPorts.baseAddress, sip_port_count: sipPorts.count,
                        direction_mask: options.directionMask,
                        snaplen: UInt32(options.snaplen),
                        ring_buffer_bytes: UInt32(options.ringBufferBytes),
                        capture: path.kernelValue,
                        cgroup_path: cgroup.map { UnsafePointer($0) })
                    return rtpscope_bpf_open(handle, &cOptions)
                }
              }
            }
        }
    }

    private static func check(
        _ result: Int32, _ handle: OpaquePointer, orElse makeError: (String) -> LiveCaptureError
    ) throws(LiveCaptureError) {
        if let failure = failure(result, handle, orElse: makeError) { throw failure }
    }

    /// Maps a C result to the error the caller sees: EPERM is always a privilege problem.
    private static func failure(
        _ result: Int32, _ handle: OpaquePointer, orElse makeError: (String) -> LiveCaptureError
    ) -> LiveCaptureError? {
        guard result != 0 else { return nil }
        let message = String(cString: rtpscope_bpf_error(handle))
        let detail = message.isEmpty ? "eBPF: error \(result): \(String(cString: strerror(-result)))" : message
        return result == -EPERM ? .permissionDenied(detail) : makeError(detail)
    }
}

/// The bridge between the C ring-buffer callback and `poll`'s body.
private final class EventDelivery {
    /// `poll`'s body while `isPolling`. Not an Optional: a closure inside one (a generic enum) is
    /// stored at the most general abstraction, and every call went through a thunk that copied the
    /// datagram (a memcpy and a retain of its process context, ~4 % of the consumer at 10,000 streams).
    var body: (Datagram) -> Void = EventDelivery.idle
    /// A `poll` is running (set by the capture, under its lock): events are delivered only then.
    var isPolling = false
    static let idle: @Sendable (Datagram) -> Void = { _ in }
    var assembler: DatagramAssembler
    var delivered: UInt64 = 0
    var malformedRecords: UInt64 = 0
    /// Events read from the ring buffer, per hook (counted here rather than by the programs: one
    /// map update less per datagram in the kernel).
    var eventsByHook = HookCounts()

    init(options: LiveCaptureOptions) {
        assembler = DatagramAssembler(
            containers: ContainerResolver(mountPoint: options.resolvedCgroupRoot, podLogsDirectory: options.podLogsDirectory),
            processFilter: options.processFilter)
    }

    func deliver(_ record: UnsafeRawBufferPointer) {
        guard isPolling else { return }
        guard var event = KernelEvent(record: record) else {
            malformedRecords += 1
            return
        }
        eventsByHook.count(event.hook)
        guard assembler.attribute(&event) else { return }
        delivered += 1
        body(assembler.datagram(from: event))
    }
}

/// A counter per `CaptureHook`, indexed by its raw value (no hashing per event).
struct HookCounts {
    private var values = [UInt64](repeating: 0, count: CaptureHook.allCases.count)

    mutating func count(_ hook: CaptureHook) { values[Int(hook.rawValue)] &+= 1 }

    var counts: [CaptureHook: UInt64] {
        Dictionary(uniqueKeysWithValues: CaptureHook.allCases.map { ($0, values[Int($0.rawValue)]) })
    }
}

/// `@convention(c)` entry point handed to the loader; `context` is the capture's EventDelivery.
private let liveCaptureDeliverEvent: rtpscope_bpf_event_callback = { event, size, context in
    guard let event, let context else { return }
    let delivery = Unmanaged<EventDelivery>.fromOpaque(context).takeUnretainedValue()
    delivery.deliver(UnsafeRawBufferPointer(start: event, count: size))
}

/// BPF maps are charged to RLIMIT_MEMLOCK on kernels before 5.11 (later ones use memory
/// cgroups). Raising it is best effort: without CAP_SYS_RESOURCE only up to the hard limit.
enum MemlockLimit {
    static func raise() {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue), &limit) == 0 else { return }
        var unlimited = rlimit(rlim_cur: rlim_t.max, rlim_max: rlim_t.max) // RLIM_INFINITY
        if setrlimit(__rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue), &unlimited) != 0 {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(__rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue), &limit)
        }
    }
}
