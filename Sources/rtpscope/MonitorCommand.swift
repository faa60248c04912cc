import ArgumentParser
import Exporter
import Foundation
import LiveSource
import Logging
import PcapSource
import Reporting
import RTPCore
import ServiceLifecycle
import Synchronization

extension LiveCaptureOptions.DirectionSelection: ExpressibleByArgument {}
extension LiveCaptureOptions.CaptureSelection: ExpressibleByArgument {}

/// `monitor --capture`: the eBPF paths, or `none` to watch only `--interface` captures.
enum MonitorCaptureSelection: String, ExpressibleByArgument, CaseIterable {
    case auto, socket, syscalls, none

    /// The eBPF capture to load; nil for `none`.
    var live: LiveCaptureOptions.CaptureSelection? {
        switch self {
        case .auto: .auto
        case .socket: .socket
        case .syscalls: .syscalls
        case .none: nil
        }
    }
}

extension StreamMetricsMode: ExpressibleByArgument {
    public init?(argument: String) { self.init(streamMetrics: argument) }
    public var defaultValueDescription: String { description }
}

/// `rtpscope monitor`: live per-process RTP health through eBPF, exported to Prometheus.
struct Monitor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch RTP senders and receivers on this host (eBPF) and export Prometheus metrics.",
        discussion: """
        Captures every UDP datagram of local sockets at the socket layer (cgroup_skb programs on the \
        cgroup v2 root; received ones at their kernel arrival), or with --capture syscalls through \
        tracepoints on sendto/sendmsg/sendmmsg/recvfrom/recvmsg/recvmmsg; keeps per-stream statistics \
        keyed by (pid, local, remote, SSRC, direction) and serves /metrics, /health, /streams and / on \
        --web.listen-address. Needs root (or CAP_BPF+CAP_PERFMON, +CAP_NET_ADMIN for the socket \
        capture); `rtpscope doctor` says what this host supports. With --interface IF (repeatable) it \
        also captures on network interfaces through libpcap (a mirror port, a bridge: traffic no local \
        socket carries), filtered by --bpf-filter, into the same streams and endpoints; those streams \
        are keyed and labelled by interface instead of pid/comm (--pid, --comm, --udp-port and \
        --direction apply to the eBPF capture only). --capture none runs the interfaces alone. \
        SIGINT/SIGTERM detach everything and exit 0.
        """
    )

    @Option(name: .customLong("web.listen-address"), help: ArgumentHelp("Address of the HTTP endpoints.", valueName: "ADDR:PORT"))
    var listenAddress: String = "0.0.0.0:9310"

    @Option(name: .customLong("web.config.file"), help: ArgumentHelp("Web config (Prometheus exporter-toolkit format): TLS, mTLS, basic auth, response headers.", valueName: "FILE"))
    var webConfigFile: String?

    @Option(name: .customLong("web.telemetry-path"), help: ArgumentHelp("Path under which the metrics are served.", valueName: "PATH"))
    var telemetryPath: String = "/metrics"

    @Option(name: .customLong("log.level"), help: ArgumentHelp("Only log messages at this level or above: debug, info, warn, error.", valueName: "LEVEL"))
    var logLevel: String = "info"

    @Option(name: .customLong("log.format"), help: ArgumentHelp("Log line format on stderr: logfmt or json.", valueName: "FORMAT"))
    var logFormat: String = "logfmt"

    @Option(name: .customLong("pid"), help: ArgumentHelp("Only this process (repeatable).", valueName: "N"))
    var pids: [Int32] = []

    @Option(name: .customLong("comm"), help: ArgumentHelp("Only processes with this command name (repeatable; first 15 bytes).", valueName: "NAME"))
    var comms: [String] = []

    @Option(name: .customLong("udp-port"), help: ArgumentHelp("Only datagrams with this local or remote UDP port (repeatable).", valueName: "N"))
    var udpPorts: [UInt16] = []

    @Option(name: .customLong("sip-port"), help: ArgumentHelp("SIP over UDP to or from this port is captured too, for calls (repeatable; 5060 always is). Socket capture only, whatever --udp-port says; up to 2,048 bytes of each message.", valueName: "N"))
    var sipPorts: [UInt16] = []

    @Option(help: "Which traffic to capture: sent, received or both.")
    var direction: LiveCaptureOptions.DirectionSelection = .both

    @Option(help: ArgumentHelp("Capture path: socket (cgroup_skb on the cgroup v2 root: every UDP socket, kernel arrival times), syscalls (tracepoints on the six datagram syscalls), auto: socket where it can attach, else syscalls, or none: no eBPF, only the --interface captures.", valueName: "auto|socket|syscalls|none"))
    var capture: MonitorCaptureSelection = .auto

    @Option(name: .customLong("interface"), help: ArgumentHelp("Also capture on this network interface through libpcap (repeatable): a mirror/SPAN port, a bridge, a relay's interface. Its streams are labelled by interface instead of pid/comm.", valueName: "IF"))
    var interfaces: [String] = []

    @Option(name: .customLong("bpf-filter"), help: ArgumentHelp("libpcap filter expression for the --interface captures.", valueName: "EXPR"))
    var bpfFilter: String = InterfaceCapture.defaultFilter

    @Option(name: .customLong("interface-buffer-bytes"), help: ArgumentHelp("Kernel capture ring of each --interface (libpcap buffer size); a full ring drops packets, counted in rtpscope_interface_packets_dropped_total.", valueName: "BYTES"))
    var interfaceBufferBytes: Int = InterfaceCapture.defaultBufferBytes

    @Option(help: "Bytes copied from each datagram: the RTP header with CSRCs and extensions, RTCP report blocks.")
    var snaplen: Int = LiveCaptureOptions.defaultSnaplen

    @Option(name: .customLong("cgroup-root"), help: ArgumentHelp("The cgroup v2 root the socket capture attaches to (default: the cgroup2 mount in /proc/self/mountinfo). In a container: the host's /sys/fs/cgroup, mounted.", valueName: "DIR"))
    var cgroupRoot: String?

    @Option(name: .customLong("kubernetes.pod-logs"), help: ArgumentHelp("The kubelet's pod log directory (<namespace>_<pod>_<uid> entries): pod names and namespaces for the pod label.", valueName: "DIR"))
    var podLogsDirectory: String = "/var/log/pods"

    @Option(name: .customLong("ring-buffer-bytes"), help: ArgumentHelp("Size of the kernel → user ring buffer (4 KiB…1 GiB, rounded up to a power of two). Full buffer = counted drops.", valueName: "BYTES"))
    var ringBufferBytes: Int = 16 << 20

    @OptionGroup var clockRateOptions: ClockRateOptions
    @OptionGroup var qualityOptions: QualityOptions

    @Option(name: .customLong("stream-idle-timeout"), help: ArgumentHelp("Remove a stream and its series after this many idle seconds.", valueName: "SECONDS"))
    var streamIdleTimeout: Double = 60

    @Option(name: .customLong("max-streams"), help: "At most this many streams (under 1 KiB of engine state each); beyond it the least recently seen are evicted (and counted).")
    var maxStreams: Int = 100_000

    @Option(name: .customLong("max-calls"), help: "At most this many SIP calls tracked (about 2.5 KB each); beyond it the oldest are dropped (and counted).")
    var maxCalls: Int = 10_000
    @Option(name: .customLong("stream-metrics"), help: ArgumentHelp("Per-stream series in /metrics: all, none, or top:N (the N streams with the most packets lost, then the most packets). About 24 series per stream; per-process and per-peer totals are exported whatever this says, /streams keeps every stream.", valueName: "all|top:N|none"))
    var streamMetrics: StreamMetricsMode = .default

    @Option(help: ArgumentHelp("Print the per-stream table to stdout every N seconds.", valueName: "SECONDS"))
    var interval: Double?

    @Option(name: .customLong("codec-probes"), help: ArgumentHelp("libavcodec/libavformat uprobes: auto (find the libraries in the selected processes or, without --pid/--comm, in every process on the host that sends or receives RTP, other users' included), off, or the path of an ELF file to probe.", valueName: "auto|off|PATH"))
    var codecProbes: String = "auto"

    @Option(name: .customLong("codec-probes-users"), help: ArgumentHelp("Attach codec uprobes only to processes whose effective uid is one of these (default: any user's).", valueName: "UID,..."))
    var codecProbesUsers: String?

    @Option(name: .customLong("stall-factor"), help: ArgumentHelp("A gap between sends longer than this many expected packet intervals is a send stall.", valueName: "K"))
    var stallFactor: Double = 3

    func validate() throws {
        guard ListenAddress(listenAddress) != nil else {
            throw ValidationError("--web.listen-address must be ADDR:PORT (IPv6 as [ADDR]:PORT), got \(listenAddress)")
        }
        guard telemetryPath.hasPrefix("/"), !telemetryPath.contains(where: { $0 == "?" || $0 == "#" || $0.isWhitespace }),
              !["/", "/health", "/streams"].contains(telemetryPath) else {
            throw ValidationError("--web.telemetry-path must be a path starting with / (not /, /health or /streams), got \(telemetryPath)")
        }
        guard LogLevel(rawValue: logLevel) != nil else {
            throw ValidationError("--log.level must be one of debug, info, warn, error, got \(logLevel)")
        }
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log.format must be logfmt or json, got \(logFormat)")
        }
        guard streamIdleTimeout > 0 else { throw ValidationError("--stream-idle-timeout must be positive") }
        guard maxStreams > 0 else { throw ValidationError("--max-streams must be positive") }
        guard maxCalls > 0 else { throw ValidationError("--max-calls must be positive") }
        guard !sipPorts.contains(0) else { throw ValidationError("--sip-port must be 1...65535") }
        if let interval, interval <= 0 { throw ValidationError("--interval must be positive") }
        if capture == .none && interfaces.isEmpty {
            throw ValidationError("--capture none leaves nothing to watch: add --interface IF")
        }
        if Set(interfaces).count != interfaces.count { throw ValidationError("--interface: each interface once") }
        guard interfaceBufferBytes >= 1 << 16, interfaceBufferBytes <= 1 << 31 else {
            throw ValidationError("--interface-buffer-bytes must be in 64 KiB…2 GiB")
        }
        guard stallFactor > 1, stallFactor <= 1000 else { throw ValidationError("--stall-factor must be in (1, 1000]") }
        if let codecProbesUsers, Self.uids(codecProbesUsers) == nil {
            throw ValidationError("--codec-probes-users must be a comma-separated list of numeric uids, got \(codecProbesUsers)")
        }
        if case .path(let path) = CodecProbeMode(argument: codecProbes), !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("--codec-probes: \(path) is not a readable file (use auto, off or a library path)")
        }
    }

    func run() async throws {
        let level = (LogLevel(rawValue: logLevel) ?? .info).swiftLogLevel
        let format = LogFormat(rawValue: logFormat) ?? .logfmt
        LoggingSystem.bootstrap { _ in ExporterLogHandler(format: format, level: level) }
        let logger = Logger(label: "rtpscope")
        // The web config first: a bad file is a one-line error before anything is attached.
        var webConfig: WebConfig?
        if let webConfigFile {
            do {
                webConfig = try WebConfig.load(path: webConfigFile)
                try webConfig?.checkCertificates()
            } catch {
                StandardError.write("rtpscope: --web.config.file \(webConfigFile): \(error)")
                throw ExitCode(1)
            }
        }
        // The interfaces first: a misspelt name or a bad filter is a one-line error before any
        // program is loaded.
        let interfaceCaptures = try openInterfaces()
        if let liveCapture = capture.live,
           let blocker = SystemChecks.run(capture: liveCapture, cgroupRoot: cgroupRoot).first(where: { $0.status == .fail }) {
            StandardError.write("rtpscope: cannot monitor: \(blocker.name): \(blocker.detail)\(blocker.fix.isEmpty ? "" : " (fix: \(blocker.fix))")")
            throw ExitCode(1)
        }
        var configuration = AnalyzerConfiguration()
        configuration.streamIdleTimeout = Nanoseconds(streamIdleTimeout * 1e9)
        configuration.maxStreams = maxStreams
        configuration.maxCalls = maxCalls
        configuration.sipPorts.formUnion(sipPorts)
        configuration.sendStallFactor = stallFactor
        do {
            try clockRateOptions.apply(to: &configuration)
            try qualityOptions.apply(to: &configuration)
        } catch let error as CLIError {
            StandardError.write("rtpscope: \(error.description)")
            throw ExitCode(error.exitCode)
        }
        var capture: LiveCapture?
        if let liveCapture = self.capture.live {
            do {
                capture = try LiveCapture(options: LiveCaptureOptions(
                    pids: pids, comms: comms, udpPorts: udpPorts,
                    sipPorts: LiveCaptureOptions.defaultSIPPorts + sipPorts, direction: direction, snaplen: snaplen,
                    ringBufferBytes: ringBufferBytes, capture: liveCapture, podLogsDirectory: podLogsDirectory,
                    cgroupRoot: cgroupRoot))
            } catch {
                StandardError.write("rtpscope: \(error)")
                throw ExitCode(1)
            }
        }
        let codec: CodecProbeManager
        do {
            // Without the eBPF capture no process is seen, so none gets codec probes.
            codec = try CodecProbeManager(mode: capture == nil ? .off : CodecProbeMode(argument: codecProbes), pids: pids, comms: comms,
                                          users: codecProbesUsers.flatMap(Self.uids),
                                          retention: configuration.streamIdleTimeout ?? 60_000_000_000, logger: logger)
        } catch {
            capture?.close()
            StandardError.write("rtpscope: codec probes: \(error) (run with --codec-probes off to monitor without them)")
            throw ExitCode(1)
        }
        let board = interfaceCaptures.isEmpty ? nil : InterfaceStatisticsBoard(names: interfaceCaptures.map(\.interface.name))
        let engine = LiveEngine(capture: capture, configuration: configuration, codec: codec, streamMetrics: streamMetrics,
                                interfaces: board)
        defer { engine.close() }
        guard let address = ListenAddress(listenAddress) else { throw ExitCode(1) }
        let server: ExporterServer
        do {
            server = try ExporterServer(
                configuration: .init(host: address.host, port: address.port, telemetryPath: telemetryPath, webConfig: webConfig),
                provider: LiveSnapshotProvider(engine: engine),
                processMetrics: ProcessMetrics(buildInfo: RTPScopeVersion.buildInfo), logger: logger)
        } catch {
            StandardError.write("rtpscope: --web.config.file \(webConfigFile ?? ""): \(error)")
            throw ExitCode(1)
        }
        do {
            try await server.start()
        } catch {
            StandardError.write("rtpscope: \(error)")
            throw ExitCode(1)
        }
        if let reason = capture?.fallbackReason {
            logger.warning("rtpscope monitor: socket capture unavailable (\(reason)); using the syscall capture")
        }
        let sources = (capture.map { ["\($0.path.name), \($0.statistics().attachedPrograms.count) programs attached"] } ?? [])
            + interfaceCaptures.map { "interface \($0.interface.name) (\($0.linkTypeName), filter '\($0.filter)')" }
        logger.info("rtpscope monitor: serving \(webConfig?.tls == nil ? "http" : "https")://\(listenAddress)\(telemetryPath), \(sources.joined(separator: ", "))")
        let loop = CaptureLoop(engine: engine, printInterval: interval.map { Duration.milliseconds(Int64($0 * 1000)) })
        var services: [any Service] = [ExporterService(server: server), loop]
        if let board {
            services.append(InterfaceReaders(captures: interfaceCaptures.map(OwnedInterfaceCapture.init), engine: engine,
                                             board: board, logger: logger))
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        logger.info("rtpscope monitor: detached, exiting")
    }

    /// Opens every `--interface` (all or none: a failure closes those already open) after checking
    /// the filter once, so a bad expression is reported as such, not per interface.
    private func openInterfaces() throws -> [InterfaceCapture] {
        guard !interfaces.isEmpty else { return [] }
        if let problem = InterfaceCapture.filterProblem(bpfFilter) {
            StandardError.write("rtpscope: bad --bpf-filter '\(bpfFilter)': \(problem)")
            throw ExitCode(1)
        }
        var opened: [InterfaceCapture] = []
        for name in interfaces {
            do {
                opened.append(try InterfaceCapture(name: name, filter: bpfFilter, payloadSnaplen: snaplen,
                                                   bufferBytes: interfaceBufferBytes))
            } catch {
                opened.forEach { $0.close() }
                StandardError.write("rtpscope: \(error)")
                throw ExitCode(1)
            }
        }
        return opened
    }

    /// `1000,1001` → the uids; nil when any item is not a uid.
    static func uids(_ list: String) -> Set<UInt32>? {
        let items = list.split(separator: ",", omittingEmptySubsequences: false)
        let uids = items.compactMap { UInt32($0.trimmingCharacters(in: .whitespaces)) }
        return uids.count == items.count && !uids.isEmpty ? Set(uids) : nil
    }
}
