import CRTPScopeBPF
import Glibc
import RTPCore

/// Live RTP capture: eBPF programs on the UDP send/receive syscalls of the selected processes,
/// delivering each RTP/RTCP datagram (a payload prefix) as a `Datagram`.
///
/// Use it from one polling loop, e.g. `while running { capture.poll(timeoutMilliseconds: 10) { analyzer.ingest($0) } }`.
/// The kernel never wakes the reader per event (that costs each traced send microseconds), so
/// `poll` checks the ring buffer on a short timer instead. `statistics()` may be called from
/// another thread (calls are serialized).
public final class LiveCapture: @unchecked Sendable {
    /// How often a waiting `poll` looks at the ring buffer.
    static let pollTickMilliseconds: Int32 = 5

    private let lock = RecursiveLock()
    private var handle: OpaquePointer?
    private let delivery: EventDelivery
    private var isPolling = false
    private var closeRequested = false

    public let options: LiveCaptureOptions

    /// Opens, verifies, loads and attaches the programs. Needs root (or CAP_BPF+CAP_PERFMON,
    /// plus CAP_SYS_ADMIN if tracefs has to be mounted).
    public init(options: LiveCaptureOptions) throws(LiveCaptureError) {
        try options.validate()
        self.options = options
        delivery = EventDelivery()
        // Say "privileges" up front rather than whichever step would fail first without them.
        if SystemChecks.privileges().status == .fail {
            throw .permissionDenied("eBPF: permission denied loading programs (need root or CAP_BPF+CAP_PERFMON)")
        }
        MemlockLimit.raise()
        try Tracefs.ensureMounted()

        guard let handle = rtpscope_bpf_new() else { throw .loadFailed("eBPF: out of memory") }
        self.handle = handle
        do {
            try Self.check(Self.open(handle, options), handle, orElse: LiveCaptureError.loadFailed)
            try Self.check(rtpscope_bpf_load(handle), handle, orElse: LiveCaptureError.loadFailed)
            // Run-time statistics are a nicety: kernels without them still capture.
            _ = rtpscope_bpf_enable_stats(handle)
            let context = Unmanaged.passUnretained(delivery).toOpaque()
            try Self.check(
                rtpscope_bpf_attach(handle, liveCaptureDeliverEvent, context), handle,
                orElse: LiveCaptureError.attachFailed)
        } catch {
            rtpscope_bpf_destroy(handle)
            self.handle = nil
            throw error
        }
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
            guard let handle, !isPolling else { return 0 }
            isPolling = true
            defer {
                isPolling = false
                if closeRequested { close() }
            }
            delivery.assembler.clock.refreshIfDue()
            return withoutActuallyEscaping(body) { body in
                delivery.body = body
                defer { delivery.body = nil }
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
                delivered: delivery.delivered, malformedRecords: delivery.malformedRecords,
                unresolvedAddresses: delivery.assembler.unresolvedAddresses)
            guard let handle else { return statistics }
            var counters = rtpscope_bpf_counters()
            if rtpscope_bpf_read_counters(handle, &counters) == 0 {
                let bySyscall = withUnsafeBytes(of: counters.events_by_syscall) { Array($0.bindMemory(to: UInt64.self)) }
                for syscall in TracedSyscall.allCases {
                    statistics.eventsBySyscall[syscall] = bySyscall[Int(syscall.rawValue)]
                }
                let health = withUnsafeBytes(of: counters.health) { Array($0.bindMemory(to: UInt64.self)) }
                func value(_ counter: rtpscope_counter) -> UInt64 { health[Int(counter.rawValue)] }
                statistics.ringBufferDrops = value(RTPSCOPE_COUNTER_RINGBUF_DROPS)
                statistics.iovecBoundExceeded = value(RTPSCOPE_COUNTER_IOVEC_BOUND_EXCEEDED)
                statistics.messageBoundExceeded = value(RTPSCOPE_COUNTER_MMSG_BOUND_EXCEEDED)
                statistics.stashFull = value(RTPSCOPE_COUNTER_STASH_FULL)
                statistics.socketUnreadable = value(RTPSCOPE_COUNTER_SOCKET_UNREADABLE)
                statistics.payloadUnreadable = value(RTPSCOPE_COUNTER_PAYLOAD_UNREADABLE)
            }
            statistics.programs = (0..<rtpscope_bpf_program_count(handle)).compactMap { index in
                var program = rtpscope_bpf_program_stats()
                guard rtpscope_bpf_program_stats(handle, index, &program) == 0 else { return nil }
                return LiveCaptureStatistics.Program(
                    name: withUnsafeBytes(of: program.name) { KernelEvent.string(fromNULTerminated: $0) },
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
            if isPolling {
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
        let deadline = MonotonicToWallClock.now(CLOCK_MONOTONIC) + Int64(max(0, timeoutMilliseconds)) * 1_000_000
        while !done() {
            let remaining = (deadline - MonotonicToWallClock.now(CLOCK_MONOTONIC)) / 1_000_000
            if remaining <= 0 { break }
            // Sleeps in epoll; the kernel only wakes it early when the buffer is half full.
            _ = rtpscope_bpf_poll(handle, Int32(min(remaining, Int64(pollTickMilliseconds))))
        }
    }

    private static func open(_ handle: OpaquePointer, _ options: LiveCaptureOptions) -> Int32 {
        let pids = options.pids.map { UInt32(bitPattern: $0) }
        let comms = options.kernelComms.map { strdup($0) }
        defer { comms.forEach { free($0) } }
        return pids.withUnsafeBufferPointer { pids in
            options.udpPorts.withUnsafeBufferPointer { ports in
                comms.map { UnsafePointer($0) }.withUnsafeBufferPointer { comms in
                    var cOptions = rtpscope_bpf_options(
                        pids: pids.baseAddress, pid_count: pids.count,
                        comms: comms.baseAddress, comm_count: comms.count,
                        ports: ports.baseAddress, port_count: ports.count,
                        direction_mask: options.directionMask,
                        snaplen: UInt32(options.snaplen),
                        ring_buffer_bytes: UInt32(options.ringBufferBytes))
                    return rtpscope_bpf_open(handle, &cOptions)
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
    var body: ((Datagram) -> Void)?
    var assembler = DatagramAssembler()
    var delivered: UInt64 = 0
    var malformedRecords: UInt64 = 0

    func deliver(_ record: UnsafeRawBufferPointer) {
        guard let body else { return }
        guard let event = KernelEvent(record: record) else {
            malformedRecords += 1
            return
        }
        delivered += 1
        body(assembler.datagram(from: event))
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
