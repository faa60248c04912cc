import CRTPScopeBPF
import Foundation
import Logging
import MetricCatalog
import RTPCore

/// `monitor --codec-probes auto|off|PATH`.
public enum CodecProbeMode: Sendable, Equatable {
    /// Find libavcodec/libavformat in each selected process's mappings (or its executable).
    case auto
    case off
    /// Probe this ELF file (a library or a binary with FFmpeg linked in) in the selected processes.
    case path(String)

    public init(argument: String) {
        switch argument {
        case "auto": self = .auto
        case "off": self = .off
        default: self = .path(argument)
        }
    }
}

/// The per-(process, function) statistics the kernel keeps, as read at one moment.
public struct CodecFunctionStatistics: Sendable, Equatable {
    public var pid: Int32
    public var comm: String
    public var function: CodecFunction
    /// `libavcodec.so.59`, or the probed file's name.
    public var library: String
    public var calls: UInt64
    public var errors: UInt64
    public var packetBytes: UInt64
    public var durationSumNanoseconds: UInt64
    /// Calls counted without a latency (attached mid-call, nesting beyond the kernel's bound).
    public var untimedCalls: UInt64
    /// Log2 latency buckets: index i counts calls of [2^i, 2^(i+1)) ns (see rtpscope_codec.h).
    public var buckets: [UInt64]
}

/// Decides which processes get codec probes, attaches them (always with a pid filter), follows
/// processes as they start and exit, and reads the results.
///
/// Selection: the monitor's `--pid`/`--comm` filters when given (found by scanning /proc, so a
/// matching process that starts later is picked up at the next `refresh`), otherwise every process
/// seen sending or receiving RTP — on the whole host, other users' processes included. `users`
/// (`--codec-probes-users`) narrows either set to processes whose effective uid is listed. A file
/// that lacks the symbols is reported once and not retried; a candidate without libraries yet is
/// looked at again at each refresh (libraries are mapped after exec, or loaded later with dlopen).
public final class CodecProbeManager: @unchecked Sendable {
    public let mode: CodecProbeMode
    private let pids: Set<Int32>
    private let comms: Set<String>
    /// Effective uids whose processes may be probed; nil: every user's.
    private let users: Set<UInt32>?
    private let logger: Logger
    /// Guards the state below; held only briefly, so scrapes never wait behind an attach.
    private let lock = NSLock()
    /// Serialises the slow mutations (attach: ELF symbol lookups; detach: uprobe unregistration,
    /// tens of milliseconds per probe), which run outside `lock`.
    private let operationLock = NSLock()
    private var probes: CodecProbes?
    private var attached: [Int32: AttachedProcess] = [:]
    private var rtpProcesses = Set<Int32>()
    /// Files without any probed symbol (or that failed to attach): not retried.
    private var unusableFiles = Set<String>()
    private var attachFailures: UInt64 = 0
    /// Final statistics of processes that exited, kept for `retention` so the last calls before
    /// the exit still reach a scrape (then the series go, like an idle stream's).
    private var retired: [Int32: (until: Nanoseconds, statistics: [CodecFunctionStatistics])] = [:]
    private let retention: Nanoseconds
    private let clock = MonotonicClockOffset()

    struct AttachedProcess {
        var startTime: UInt64
        var comm: String
        var links: [OpaquePointer]
        var libraries: [CodecLibraryKind: String]
    }

    /// Loads the programs unless `mode` is `.off`. `comms` are kernel comms (≤ 15 bytes); `users`
    /// restricts probing to processes of those effective uids (nil: any user's).
    public init(mode: CodecProbeMode, pids: [Int32], comms: [String], users: Set<UInt32>? = nil,
                ringBufferBytes: Int = 1 << 20, retention: Nanoseconds = 60_000_000_000,
                logger: Logger) throws(LiveCaptureError) {
        self.mode = mode
        self.users = users
        self.retention = retention
        self.pids = Set(pids)
        self.comms = Set(comms.map { String($0.utf8.prefix(15))! })
        self.logger = logger
        if mode != .off {
            probes = try CodecProbes(ringBufferBytes: ringBufferBytes)
        }
    }

    deinit { close() }

    public var isEnabled: Bool { lock.withLock { probes != nil } }

    /// A process seen in RTP traffic (the candidates when no --pid/--comm filter is given).
    public func noteRTPProcess(_ pid: Int32) {
        lock.withLock { _ = rtpProcesses.insert(pid) }
    }

    /// Attaches to selected processes not yet probed and releases those that exited.
    public func refresh() {
        operationLock.withLock {
            guard let probes = lock.withLock({ self.probes }) else { return }
            releaseExited(probes)
            let known = lock.withLock { Set(attached.keys) }
            for pid in candidates() where !known.contains(pid) {
                guard let identity = ProcessIdentity(pid: pid),
                      let process = attach(pid, identity, probes) else { continue }
                lock.withLock { attached[pid] = process }
            }
        }
    }

    /// Hands every finished-call record to `body` (times converted to epoch nanoseconds) and
    /// returns the horizon: every call that ended before it has been delivered.
    @discardableResult
    public func drainCalls(_ body: (CodecCallRecord) -> Void) -> Nanoseconds {
        lock.withLock {
            // A call is submitted a few microseconds after it ends: keep a margin.
            let horizon = clock.wallNow() - 1_000_000
            guard let probes else { return horizon }
            clock.refreshIfDue()
            probes.consume { call in
                let start = clock.wall(monotonic: call.start_ns)
                body(CodecCallRecord(pid: Int32(bitPattern: call.pid), function: Int(call.function),
                                     start: start, end: start + Nanoseconds(clamping: call.duration_ns)))
            }
            return horizon
        }
    }

    /// The kernel's statistics of every probed process and function with calls, plus the final
    /// ones of processes that exited less than `retention` ago.
    public func statistics() -> [CodecFunctionStatistics] {
        lock.withLock {
            guard let probes else { return [] }
            let live = attached.sorted { $0.key < $1.key }.flatMap { pid, process in
                Self.read(probes, pid: pid, process)
            }
            let gone = retired.filter { attached[$0.key] == nil }.sorted { $0.key < $1.key }.flatMap(\.value.statistics)
            return live + gone
        }
    }

    private static func read(_ probes: CodecProbes, pid: Int32, _ process: AttachedProcess) -> [CodecFunctionStatistics] {
        CodecFunction.allCases.compactMap { function -> CodecFunctionStatistics? in
            guard let library = process.libraries[function.library],
                  let stats = probes.statistics(pid: pid, function: function), stats.calls > 0 else { return nil }
            return CodecFunctionStatistics(
                pid: pid, comm: process.comm, function: function, library: library, calls: stats.calls,
                errors: stats.errors, packetBytes: stats.packet_bytes, durationSumNanoseconds: stats.duration_ns_sum,
                untimedCalls: stats.untimed,
                buckets: withUnsafeBytes(of: stats.buckets) { Array($0.bindMemory(to: UInt64.self)) })
        }
    }

    public func health() -> CodecProbeHealth {
        lock.withLock {
            var health = CodecProbeHealth()
            health.attachedProcesses = attached.count
            health.attachedProbes = attached.values.reduce(0) { $0 + $1.links.count }
            health.attachFailures = attachFailures
            guard let probes else { return health }
            let counters = probes.counters()
            health.callRecordDrops = counters[Int(RTPSCOPE_CODEC_COUNTER_RINGBUF_DROPS.rawValue)]
            health.nestingExceeded = counters[Int(RTPSCOPE_CODEC_COUNTER_NESTING_EXCEEDED.rawValue)]
            health.stackMismatches = counters[Int(RTPSCOPE_CODEC_COUNTER_STACK_MISMATCH.rawValue)]
            health.statisticsTableFull = counters[Int(RTPSCOPE_CODEC_COUNTER_STATS_FULL.rawValue)]
            return health
        }
    }

    /// The codec programs' run statistics (empty when they are off).
    public func programRuns() -> [ProgramRunStats] {
        lock.withLock { probes?.programRuns() ?? [] }
    }

    /// Pids with probes attached.
    public var attachedPids: [Int32] { lock.withLock { attached.keys.sorted() } }

    /// Detaches every probe and unloads the programs. Idempotent.
    public func close() {
        operationLock.withLock {
            let (probes, processes) = lock.withLock { () -> (CodecProbes?, [Int32: AttachedProcess]) in
                defer {
                    self.probes = nil
                    attached.removeAll()
                }
                return (self.probes, attached)
            }
            guard let probes else { return }
            for (pid, process) in processes {
                probes.detach(process.links)
                probes.forget(pid: pid)
            }
            probes.close()
        }
    }

    // MARK: - Internals (operationLock held)

    private func candidates() -> [Int32] {
        if pids.isEmpty && comms.isEmpty { return Self.owned(lock.withLock { rtpProcesses.sorted() }, by: users) }
        var selected = pids
        if !comms.isEmpty {
            for pid in ProcessIdentity.allPids() where comms.contains(ProcessIdentity.comm(pid: pid) ?? "") {
                selected.insert(pid)
            }
        }
        return Self.owned(selected.sorted(), by: users)
    }

    /// The processes of `pids` whose effective uid is in `users` (all of them when `users` is nil).
    /// A process whose owner cannot be read (it exited) is left out.
    static func owned(_ pids: [Int32], by users: Set<UInt32>?) -> [Int32] {
        guard let users else { return pids }
        return pids.filter { ProcessIdentity.effectiveUID(pid: $0).map(users.contains) ?? false }
    }

    private func releaseExited(_ probes: CodecProbes) {
        let current = lock.withLock { attached }
        let exited = current.filter { ProcessIdentity(pid: $0.key)?.startTime != $0.value.startTime }
        let now = SystemClock.wallNow()
        lock.withLock {
            for (pid, process) in exited {
                attached[pid] = nil
                retired[pid] = (now + retention, Self.read(probes, pid: pid, process))
            }
            retired = retired.filter { $0.value.until > now }
            rtpProcesses = rtpProcesses.filter { ProcessIdentity.exists(pid: $0) }
        }
        for (pid, process) in exited {
            probes.detach(process.links)
            probes.forget(pid: pid)
            logger.info("codec probes released", metadata: ["pid": "\(pid)", "comm": "\(process.comm)"])
        }
    }

    /// The files to probe in a process: the configured path, or its mapped libraries, or (no
    /// library mapped) its executable in case FFmpeg is linked in statically.
    private func targets(pid: Int32) -> [(path: String, kinds: [CodecLibraryKind], major: Int?, reportMissing: Bool)] {
        switch mode {
        case .off:
            return []
        case .path(let path):
            let known = CodecLibraryDiscovery.library(atPath: path)
            return [(path, known.map { [$0.kind] } ?? CodecLibraryKind.allCases, known?.major, true)]
        case .auto:
            guard let found = CodecLibraryDiscovery.candidates(pid: pid) else { return [] }
            if !found.libraries.isEmpty {
                return found.libraries.map { ($0.path, [$0.kind], $0.major, true) }
            }
            return found.executable.map { [($0, CodecLibraryKind.allCases, nil, false)] } ?? []
        }
    }

    private func attach(_ pid: Int32, _ identity: ProcessIdentity, _ probes: CodecProbes) -> AttachedProcess? {
        var links: [OpaquePointer] = []
        var libraries: [CodecLibraryKind: String] = [:]
        let targets = targets(pid: pid)
        // The libavcodec major decides AVPacket's layout for libavformat's packets too.
        let avcodecMajor = targets.first { $0.kinds == [.avcodec] }?.major
        let unusable = lock.withLock { unusableFiles }
        for target in targets where !unusable.contains(target.path) {
            // Through the process's root: the path is in its mount namespace (containers).
            let path = "/proc/\(pid)/root" + target.path
            let offset = AVPacketLayout.sizeOffset(libavcodecMajor: target.major ?? avcodecMajor)
            var attachedHere = 0
            var failure: String?
            for kind in target.kinds {
                for function in CodecFunction.functions(in: kind) {
                    do throws(CodecProbes.AttachFailure) {
                        links += try probes.attach(pid: pid, path: path, function: function, packetSizeOffset: offset)
                        libraries[kind] = Self.libraryLabel(target.path, kind: kind)
                        attachedHere += 1
                    } catch {
                        switch error {
                        case .symbolMissing: continue
                        case .failed(let message):
                            failure = message
                            lock.withLock { attachFailures += 1 }
                        }
                    }
                }
            }
            if attachedHere == 0 {
                _ = lock.withLock { unusableFiles.insert(target.path) }
                if let failure {
                    logger.warning("codec probes: cannot attach to \(target.path): \(failure)")
                } else if target.reportMissing {
                    logger.warning("codec probes: \(target.path) exports none of the probed functions; not retried")
                }
            }
        }
        // Nothing yet: a process caught right after exec has not mapped its libraries; its maps
        // are read again at the next refresh (files already found unusable are not re-parsed).
        guard !links.isEmpty else { return nil }
        logger.info("codec probes attached", metadata: [
            "pid": "\(pid)", "comm": "\(identity.comm)", "probes": "\(links.count)",
            "libraries": "\(libraries.values.sorted().joined(separator: ","))",
        ])
        return AttachedProcess(startTime: identity.startTime, comm: identity.comm, links: links, libraries: libraries)
    }

    /// `libavcodec.so.59` for a mapped library, the file name for anything else.
    static func libraryLabel(_ path: String, kind: CodecLibraryKind) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let library = CodecLibraryDiscovery.library(atPath: path) else { return name }
        return library.major.map { "\(library.kind.rawValue).so.\($0)" } ?? name
    }
}

/// A process as /proc shows it: pid reuse is told apart by the start time (in clock ticks since
/// boot, /proc/PID/stat field 22).
struct ProcessIdentity {
    let pid: Int32
    let startTime: UInt64
    let comm: String

    init?(pid: Int32) {
        guard let stat = TextFile.read("/proc/\(pid)/stat"),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3, starttime field 22 → index 19 of the rest.
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        guard rest.count > 19, let start = UInt64(rest[19]) else { return nil }
        self.pid = pid
        startTime = start
        comm = Self.comm(pid: pid) ?? ""
    }

    static func comm(pid: Int32) -> String? {
        TextFile.read("/proc/\(pid)/comm")?
            .trimmingCharacters(in: .newlines)
    }

    /// The effective uid (the second field of /proc/PID/status's `Uid:` line; `ps -o user` shows it).
    static func effectiveUID(pid: Int32) -> UInt32? {
        guard let status = TextFile.read("/proc/\(pid)/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }) else { return nil }
        let ids = line.dropFirst(4).split(whereSeparator: { $0 == "\t" || $0 == " " })
        return ids.count > 1 ? UInt32(ids[1]) : nil
    }

    static func exists(pid: Int32) -> Bool { access("/proc/\(pid)", F_OK) == 0 }

    static func allPids() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    }
}

/// The monotonic → wall-clock conversion for codec records, re-sampled like the datagram path's.
final class MonotonicClockOffset {
    private var clock = MonotonicToWallClock()

    func refreshIfDue() { clock.refreshIfDue() }
    func wall(monotonic: UInt64) -> Nanoseconds { clock.wallTime(monotonic: monotonic) }
    func wallNow() -> Nanoseconds { SystemClock.wallNow() }
}
