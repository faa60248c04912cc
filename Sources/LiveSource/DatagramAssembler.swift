import RTPCore

/// Turns a decoded kernel event into the engine's `Datagram`: wall-clock time, endpoints
/// oriented as on the wire, process context, with the /proc fallback for missing addresses.
struct DatagramAssembler {
    var clock: MonotonicToWallClock
    let resolver: SocketResolver
    private(set) var unresolvedAddresses: UInt64 = 0

    init(clock: MonotonicToWallClock = MonotonicToWallClock(), resolver: SocketResolver = SocketResolver()) {
        self.clock = clock
        self.resolver = resolver
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
        return Datagram(
            time: clock.wallTime(monotonic: event.monotonicNanoseconds),
            transport: .udp,
            source: source,
            destination: destination,
            payload: event.payload,
            originalLength: event.datagramLength,
            process: ProcessContext(pid: event.pid, comm: event.comm, direction: event.direction))
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
