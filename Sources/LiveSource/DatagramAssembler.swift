import RTPCore

/// Turns a decoded kernel event into the engine's `Datagram`: wall-clock time, endpoints
/// oriented as on the wire, process and container context, with /proc fallbacks for what the
/// kernel could not see (addresses, a received datagram's socket owner).
struct DatagramAssembler {
    var clock: MonotonicToWallClock
    let resolver: SocketResolver
    let owners: SocketOwnerResolver
    let containers: ContainerResolver?
    /// The process filters, applied here to the events the kernel could not attribute.
    let processFilter: ProcessFilter
    private(set) var unresolvedAddresses: UInt64 = 0
    /// Events whose owner neither the kernel nor /proc knew (delivered with pid 0), or that
    /// /proc attributed to a process the filters exclude (not delivered).
    private(set) var unresolvedOwners: UInt64 = 0
    private(set) var ownersFilteredOut: UInt64 = 0
    private var names = ProcessNames()
    /// The context of the last datagram in each direction (sent, received), reused while the owner
    /// and cgroup stay the same: one process usually sends or reads many datagrams in a row.
    private var recentContexts: [RecentContext?] = [nil, nil]

    init(clock: MonotonicToWallClock = MonotonicToWallClock(), resolver: SocketResolver = SocketResolver(),
         owners: SocketOwnerResolver = SocketOwnerResolver(), containers: ContainerResolver? = nil,
         processFilter: ProcessFilter = ProcessFilter()) {
        self.clock = clock
        self.resolver = resolver
        self.owners = owners
        self.containers = containers
        self.processFilter = processFilter
    }

    /// Completes the owner of an event the kernel could not attribute; false when the process
    /// filters exclude it (or cannot tell, because the owner stays unknown).
    mutating func attribute(_ event: inout KernelEvent) -> Bool {
        guard event.ownerUnknown else { return true }
        if let owner = owners.owner(ofSocketInode: event.socketInode) {
            event.pid = owner.pid
            event.rawComm = KernelName(owner.comm)
            event.ownerUnknown = false
        } else {
            unresolvedOwners += 1
            return processFilter.isEmpty
        }
        guard processFilter.selects(pid: event.pid, comm: event.comm) else {
            ownersFilteredOut += 1
            return false
        }
        return true
    }

    mutating func datagram(from event: KernelEvent) -> Datagram {
        var local = event.local
        var remote = event.remote
        if local == nil,
           let resolved = resolver.addresses(pid: event.pid, fd: event.fd, knownInode: event.socketInode) {
            local = resolved.local
            remote = remote ?? resolved.remote
        }
        if local == nil || remote == nil { unresolvedAddresses += 1 }
        let (localEndpoint, remoteEndpoint) = Self.complete(local: local, remote: remote)

        // On the wire a sent datagram goes local → remote, a received one remote → local.
        let (source, destination) = event.direction == .sent
            ? (localEndpoint, remoteEndpoint)
            : (remoteEndpoint, localEndpoint)
        let time = event.timeIsRealtime
            ? Nanoseconds(truncatingIfNeeded: event.timestampNanoseconds)
            : clock.wallTime(monotonic: event.timestampNanoseconds)
        return Datagram(
            time: time,
            transport: .udp,
            source: source,
            destination: destination,
            payload: event.payload,
            originalLength: event.datagramLength,
            process: processContext(of: event))
    }

    private mutating func processContext(of event: KernelEvent) -> ProcessContext {
        let owner = RecentContext.Owner(pid: event.pid, name: event.rawComm, cgroupID: event.cgroupID)
        let slot = event.direction == .sent ? 0 : 1
        if let recent = recentContexts[slot], recent.owner == owner { return recent.context }
        let container = event.cgroupID == 0 ? nil : containers?.container(cgroupID: event.cgroupID)
        let context = ProcessContext(pid: event.pid, comm: names.name(event.rawComm), direction: event.direction,
                                     container: container)
        recentContexts[slot] = RecentContext(owner: owner, context: context)
        return context
    }

    /// A missing side becomes the unspecified address (port 0) of the other side's family, and a
    /// wildcard "::" next to an IPv4 peer (dual-stack socket) becomes 0.0.0.0, so one datagram
    /// never mixes families.
    static func complete(local: Endpoint?, remote: Endpoint?) -> (local: Endpoint, remote: Endpoint) {
        let family = remote?.address.family ?? local?.address.family ?? .v4
        func fitted(_ endpoint: Endpoint?) -> Endpoint {
            guard let endpoint else { return Endpoint(address: .unspecified(family), port: 0) }
            if endpoint.address.family != family, endpoint.address == .unspecified(endpoint.address.family) {
                return Endpoint(address: .unspecified(family), port: endpoint.port)
            }
            return endpoint
        }
        return (fitted(local), fitted(remote))
    }
}

/// A process context and the kernel's words it was built from.
private struct RecentContext {
    struct Owner: Equatable {
        var pid: Int32
        var name: KernelName
        var cgroupID: UInt64
    }

    var owner: Owner
    var context: ProcessContext
}

/// `--pid` / `--comm` as user space applies them (the kernel applies them to what it attributes).
struct ProcessFilter {
    var pids: Set<Int32> = []
    /// As the kernel keeps them (15 bytes).
    var comms: Set<String> = []

    var isEmpty: Bool { pids.isEmpty && comms.isEmpty }

    func selects(pid: Int32, comm: String) -> Bool {
        (pids.isEmpty || pids.contains(pid)) && (comms.isEmpty || comms.contains(comm))
    }
}
