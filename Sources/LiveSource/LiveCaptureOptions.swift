import CRTPScopeBPF

/// What to capture. Empty lists mean "everything"; all filters run in the kernel, before any
/// payload is copied.
public struct LiveCaptureOptions: Sendable, Equatable {
    /// Which traffic to capture: the programs of an unselected direction are not even loaded.
    public enum DirectionSelection: String, Sendable, CaseIterable {
        case sent, received, both
    }

    /// Which capture path to use: `auto` takes the socket capture where it can attach and falls
    /// back to the syscall capture (saying why) where it cannot.
    public enum CaptureSelection: String, Sendable, CaseIterable {
        case auto, socket, syscalls
    }

    public static let defaultSnaplen = Int(RTPSCOPE_DEFAULT_SNAPLEN)
    public static let maximumSnaplen = Int(RTPSCOPE_MAX_SNAPLEN)
    public static let minimumSnaplen = 16
    /// RFC 3261's port for SIP over UDP.
    public static let defaultSIPPorts: [UInt16] = [5060]
    /// The kernel keeps 15 characters of a process name; longer filters are cut the same way.
    public static let maximumCommLength = Int(RTPSCOPE_COMM_LENGTH) - 1

    /// Thread-group ids (what `ps` calls a pid); all threads of those processes are traced.
    public var pids: [Int32]
    /// Process names (`comm`, as in /proc/PID/comm).
    public var comms: [String]
    /// A datagram is kept when its local or its remote port is listed.
    public var udpPorts: [UInt16]
    /// Socket capture: SIP datagrams to or from these ports are passed too (whatever `udpPorts`
    /// says), so calls can be followed; empty: no SIP. The syscall capture passes none.
    public var sipPorts: [UInt16]
    public var direction: DirectionSelection
    /// Payload bytes copied per datagram: enough for an RTP header with CSRCs and an extension,
    /// or an RTCP compound packet's first reports.
    public var snaplen: Int
    /// Kernel ring buffer size (rounded up to a power of two).
    public var ringBufferBytes: Int
    public var capture: CaptureSelection
    /// The kubelet's pod log directories (`<namespace>_<name>_<uid>`): pod names and namespaces.
    public var podLogsDirectory: String
    /// The cgroup v2 root the socket capture attaches to; nil: this mount namespace's cgroup2 mount.
    /// In a container, the host's hierarchy mounted somewhere (its own /sys/fs/cgroup is only the
    /// container's cgroup).
    public var cgroupRoot: String?

    public init(
        pids: [Int32] = [], comms: [String] = [], udpPorts: [UInt16] = [],
        sipPorts: [UInt16] = LiveCaptureOptions.defaultSIPPorts, direction: DirectionSelection = .both, snaplen: Int = LiveCaptureOptions.defaultSnaplen,
        ringBufferBytes: Int = 16 << 20, capture: CaptureSelection = .auto,
        podLogsDirectory: String = "/var/log/pods", cgroupRoot: String? = nil
    ) {
        self.pids = pids
        self.comms = comms
        self.udpPorts = udpPorts
        self.sipPorts = sipPorts
        self.direction = direction
        self.snaplen = snaplen
        self.ringBufferBytes = ringBufferBytes
        self.capture = capture
        self.podLogsDirectory = podLogsDirectory
        self.cgroupRoot = cgroupRoot
    }

    /// Where the socket capture attaches and container paths are resolved.
    var resolvedCgroupRoot: String? { cgroupRoot ?? CgroupV2.mountPoint() }

    /// Rejects what the kernel side cannot honour, with a message naming the option.
    func validate() throws(LiveCaptureError) {
        if !(Self.minimumSnaplen...Self.maximumSnaplen).contains(snaplen) {
            throw .invalidOptions("snaplen \(snaplen) is outside \(Self.minimumSnaplen)...\(Self.maximumSnaplen)")
        }
        if let pid = pids.first(where: { $0 <= 0 }) {
            throw .invalidOptions("pid \(pid) is not a process id")
        }
        if pids.count > Int(RTPSCOPE_MAX_PID_FILTERS) {
            throw .invalidOptions("at most \(RTPSCOPE_MAX_PID_FILTERS) pids can be filtered, got \(pids.count)")
        }
        if comms.count > Int(RTPSCOPE_MAX_COMM_FILTERS) {
            throw .invalidOptions("at most \(RTPSCOPE_MAX_COMM_FILTERS) process names can be filtered, got \(comms.count)")
        }
        if comms.contains(where: \.isEmpty) {
            throw .invalidOptions("an empty process name cannot match anything")
        }
        if udpPorts.count > Int(RTPSCOPE_MAX_PORT_FILTERS) {
            throw .invalidOptions("at most \(RTPSCOPE_MAX_PORT_FILTERS) ports can be filtered, got \(udpPorts.count)")
        }
        if udpPorts.contains(0) {
            throw .invalidOptions("port 0 cannot be filtered on")
        }
        if sipPorts.count > Int(RTPSCOPE_MAX_SIP_PORTS) {
            throw .invalidOptions("at most \(RTPSCOPE_MAX_SIP_PORTS) SIP ports, got \(sipPorts.count)")
        }
        if sipPorts.contains(0) {
            throw .invalidOptions("port 0 cannot be a SIP port")
        }
        if ringBufferBytes < 4096 || ringBufferBytes > 1 << 30 {
            throw .invalidOptions("ring buffer size \(ringBufferBytes) is outside 4 KiB...1 GiB")
        }
    }

    var directionMask: UInt32 {
        switch direction {
        case .sent: return UInt32(RTPSCOPE_DIRECTION_SENT.rawValue)
        case .received: return UInt32(RTPSCOPE_DIRECTION_RECEIVED.rawValue)
        case .both: return UInt32(RTPSCOPE_DIRECTION_SENT.rawValue | RTPSCOPE_DIRECTION_RECEIVED.rawValue)
        }
    }

    /// Names as the kernel stores them: at most 15 bytes of UTF-8.
    var kernelComms: [String] {
        comms.map { String(decoding: Array($0.utf8.prefix(Self.maximumCommLength)), as: UTF8.self) }
    }

    var processFilter: ProcessFilter { ProcessFilter(pids: Set(pids), comms: Set(kernelComms)) }
}
