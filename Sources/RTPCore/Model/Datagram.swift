/// Nanoseconds since the Unix epoch. Captures carry wall time; the live source converts the
/// kernel's monotonic clock to wall time before building datagrams, so both look the same here.
public typealias Nanoseconds = Int64

public enum EpochTime {
    /// Nanoseconds as the seconds reports carry: whole seconds and fraction apart, because one
    /// Double division would lose the last digits.
    public static func seconds(_ time: Nanoseconds) -> Double {
        Double(time / 1_000_000_000) + Double(time % 1_000_000_000) / 1e9
    }
}

/// Whether a live datagram left the process (send*) or entered it (recv*).
public enum Direction: String, Sendable, Codable, Hashable {
    case sent
    case received
}

/// The container a live datagram's socket belongs to, resolved from the socket's cgroup: a
/// container runtime's id and, on Kubernetes, the pod. Empty strings where not applicable.
public struct ContainerContext: Hashable, Sendable {
    /// The runtime's container id (64 hex digits: Docker, containerd, CRI-O, Podman).
    public var id: String
    /// Kubernetes pod uid (from the cgroup path), "" outside Kubernetes.
    public var podUID: String
    /// Pod name and namespace, where the node keeps /var/log/pods/<namespace>_<name>_<uid>.
    public var podName: String
    public var namespace: String

    public init(id: String, podUID: String = "", podName: String = "", namespace: String = "") {
        self.id = id
        self.podUID = podUID
        self.podName = podName
        self.namespace = namespace
    }

    /// The `pod` label: the pod's name where known, else its uid.
    public var pod: String { podName.isEmpty ? podUID : podName }
}

/// Which process a live datagram belongs to. Offline (capture) datagrams have none.
///
/// Immutable and shared: a live source hands one context to every datagram of the same owner and
/// direction, so a datagram copy (the source builds one per event, the engine holds a few back)
/// costs one reference count instead of copying a name and a container's four strings. Equality
/// and hashing are by value.
public final class ProcessContext: Hashable, Sendable {
    public let pid: Int32
    public let comm: String
    public let direction: Direction
    /// The socket's container, nil when it is not in one (or the host has no cgroup v2).
    public let container: ContainerContext?

    public init(pid: Int32, comm: String, direction: Direction, container: ContainerContext? = nil) {
        self.pid = pid
        self.comm = comm
        self.direction = direction
        self.container = container
    }

    public static func == (lhs: ProcessContext, rhs: ProcessContext) -> Bool {
        lhs === rhs || (lhs.pid == rhs.pid && lhs.comm == rhs.comm && lhs.direction == rhs.direction
            && lhs.container == rhs.container)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pid)
        hasher.combine(comm)
        hasher.combine(direction)
        hasher.combine(container)
    }
}

/// The network interface a datagram was captured on (`monitor --interface`: a mirror/SPAN port, a
/// bridge, a relay's interface), for traffic that belongs to no traced process. `index` is the
/// kernel's interface index: it tells two interfaces apart in `StreamKey`, `name` labels them.
public struct NetworkInterface: Hashable, Sendable {
    public var index: UInt32
    /// Bytes, not a `String`: a `Datagram` is copied a few times per packet (see `KernelName`).
    private var kernelName: KernelName

    public init(index: UInt32, name: String) {
        self.index = index
        kernelName = KernelName(name)
    }

    public var name: String { kernelName.text }
}

/// One transport payload as delivered by a source (a pcap frame after link/IP/UDP decoding, or one
/// datagram of a traced syscall). This is the only thing the analysis engine consumes.
///
/// `payload` is borrowed: it is valid only for the duration of `StreamAnalyzer.ingest(_:)`, which
/// lets the pcap source hand over libpcap's buffer without copying.
public struct Datagram {
    public var time: Nanoseconds
    public var transport: TransportProtocol
    public var source: Endpoint
    public var destination: Endpoint
    public var payload: UnsafeRawBufferPointer
    /// The bytes the datagram had on the wire when the source saw only a prefix
    /// (a live snaplen, a capture snaplen). Equal to `payload.count` when nothing was cut.
    public var originalLength: Int
    /// Live datagrams: the process and direction. Captures and interfaces: nil.
    public var process: ProcessContext?
    /// Datagrams captured live on a network interface: which one. A datagram has a process or an
    /// interface, never both (a source is either the eBPF capture or an interface).
    public var interface: NetworkInterface?

    public init(
        time: Nanoseconds, transport: TransportProtocol, source: Endpoint, destination: Endpoint,
        payload: UnsafeRawBufferPointer, originalLength: Int? = nil, process: ProcessContext? = nil,
        interface: NetworkInterface? = nil
    ) {
        self.time = time
        self.transport = transport
        self.source = source
        self.destination = destination
        self.payload = payload
        self.originalLength = originalLength ?? payload.count
        self.process = process
        self.interface = interface
    }

    /// The process's direction; on an interface, `received`: a capture point sees what passes it as
    /// a receiver there would (the convention `analyze --openmetrics` uses for captures). nil for captures.
    @inline(__always)
    public var direction: Direction? {
        if let process { return process.direction }
        return interface == nil ? nil : .received
    }
}

/// Which side of a datagram is the traced process: the source of what it sent, the destination of
/// what it received (and, with no process, the destination: a capture point seen as a receiver).
/// Packets say src/dst; sockets, and the labels, say local/remote: this is the one turn between them.
public enum ProcessSide {
    public static func endpoints(src: String, dst: String, direction: Direction?) -> (local: String, remote: String) {
        direction == .sent ? (src, dst) : (dst, src)
    }
}
