#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPcap
import NetDecode
import RTPCore

/// Why an interface capture could not start. One line each, naming the interface, for the CLI.
public enum InterfaceCaptureError: Error, CustomStringConvertible, Equatable, Sendable {
    case noSuchInterface(String)
    case permissionDenied(String, reason: String)
    case interfaceDown(String)
    case badFilter(String, expression: String, reason: String)
    case unsupportedLinkType(String, dlt: Int32, name: String)
    /// Anything else libpcap refused, with its own message.
    case failed(String, step: String, reason: String)

    public var description: String {
        switch self {
        case .noSuchInterface(let name):
            return "interface \(name): no such interface (`ip link` lists them)"
        case .permissionDenied(let name, let reason):
            return "interface \(name): permission denied, capturing needs root or CAP_NET_RAW (\(reason))"
        case .interfaceDown(let name):
            return "interface \(name): the interface is down (`ip link set \(name) up`)"
        case .badFilter(let name, let expression, let reason):
            return "interface \(name): bad --bpf-filter '\(expression)': \(reason)"
        case .unsupportedLinkType(let name, let dlt, let linkName):
            return "interface \(name): unsupported link type \(dlt) (\(linkName))"
        case .failed(let name, let step, let reason):
            return "interface \(name): \(step) failed: \(reason)"
        }
    }
}

/// Cumulative counts of one interface capture: libpcap's (`pcap_stats`) and what was read.
public struct InterfaceCaptureStatistics: Sendable, Equatable {
    /// Packets that passed the filter (`ps_recv`; on Linux it includes the dropped ones).
    public var received: UInt64 = 0
    /// Packets the kernel dropped because the capture ring was full (`ps_drop`).
    public var dropped: UInt64 = 0
    /// Packets the interface or its driver dropped (`ps_ifdrop`; on Linux the interface's receive
    /// drops since the capture started, whatever their cause).
    public var droppedByInterface: UInt64 = 0
    /// Frames rtpscope read from the ring and decoded.
    public var read: UInt64 = 0

    public init() {}
}

/// Live capture from a network interface through libpcap: a mirror (SPAN) port, a bridge, the
/// interface of a relay that forwards in the kernel — traffic no local socket carries, so the eBPF
/// capture cannot see it. Frames are decoded (`FrameDecoder`) into datagrams that carry the
/// interface (`Datagram.interface`) instead of a process.
///
/// Set-up follows libpcap's fast path on Linux: no immediate mode, so it uses a TPACKET_V3 ring
/// whose blocks the kernel hands over when full or after the timeout (the latency bound); a large
/// buffer absorbs bursts; the filter runs in the kernel. The handle is non-blocking: a reader waits
/// with `wait(timeoutMilliseconds:)` (no lock held), then drains with `dispatch` (under its lock).
///
/// Not thread-safe: one thread owns a capture (libpcap handles are not shared between threads).
public final class InterfaceCapture {
    public let interface: NetworkInterface
    public let linkType: LinkType
    /// libpcap's name for the link type ("EN10MB", …).
    public let linkTypeName: String
    public let filter: String
    /// The longest UDP payload prefix a delivered datagram carries (the monitor's `--snaplen`).
    public let payloadSnaplen: Int

    /// Headers in front of the UDP payload that the snaplen must leave room for: Ethernet with two
    /// VLAN tags (22), IPv6 with some extension headers or IPv4 with options (≤ 60), UDP (8).
    public static let headerAllowance = 128
    public static let defaultBufferBytes = 32 << 20
    public static let defaultTimeoutMilliseconds: Int32 = 5
    public static let defaultFilter = "udp"

    private let handle: OpaquePointer
    private let reader: Reader
    private var framesRead: UInt64 = 0
    private var closed = false

    /// Opens and activates `name`. `payloadSnaplen` is the monitor's `--snaplen` (bytes of UDP
    /// payload); the capture length adds `headerAllowance`.
    public init(name: String, filter: String = InterfaceCapture.defaultFilter, payloadSnaplen: Int,
                bufferBytes: Int = InterfaceCapture.defaultBufferBytes,
                timeoutMilliseconds: Int32 = InterfaceCapture.defaultTimeoutMilliseconds,
                promiscuous: Bool = true) throws(InterfaceCaptureError) {
        self.payloadSnaplen = max(payloadSnaplen, 0)
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        // if_nametoindex first: libpcap's message for a missing device varies across versions.
        let index = if_nametoindex(name)
        guard index != 0 else { throw .noSuchInterface(name) }
        guard let handle = pcap_create(name, &errorBuffer) else {
            throw .failed(name, step: "pcap_create", reason: Self.text(errorBuffer))
        }
        func fail(_ step: String, _ status: Int32) -> InterfaceCaptureError {
            let reason = String(cString: pcap_geterr(handle))
            let detail = reason.isEmpty ? String(cString: pcap_statustostr(status)) : reason
            pcap_close(handle)
            return .failed(name, step: step, reason: detail)
        }
        let snaplen = Int32(clamping: max(payloadSnaplen, 0) + Self.headerAllowance)
        var status = pcap_set_snaplen(handle, snaplen)
        if status != 0 { throw fail("pcap_set_snaplen", status) }
        status = pcap_set_buffer_size(handle, Int32(clamping: bufferBytes))
        if status != 0 { throw fail("pcap_set_buffer_size", status) }
        status = pcap_set_timeout(handle, timeoutMilliseconds)
        if status != 0 { throw fail("pcap_set_timeout", status) }
        status = pcap_set_promisc(handle, promiscuous ? 1 : 0)
        if status != 0 { throw fail("pcap_set_promisc", status) }
        // Nanosecond timestamps where the kernel gives them; `tv_usec` then holds nanoseconds.
        _ = pcap_set_tstamp_precision(handle, Int32(PCAP_TSTAMP_PRECISION_NANO))
        status = pcap_activate(handle)
        if status < 0 {
            let reason = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            switch status {
            case PCAP_ERROR_NO_SUCH_DEVICE: throw .noSuchInterface(name)
            case PCAP_ERROR_PERM_DENIED: throw .permissionDenied(name, reason: reason)
            case PCAP_ERROR_IFACE_NOT_UP: throw .interfaceDown(name)
            default:
                throw .failed(name, step: "pcap_activate",
                              reason: reason.isEmpty ? String(cString: pcap_statustostr(status)) : reason)
            }
        }
        // Warnings (promiscuous mode unsupported, …) leave a working capture.
        let dlt = pcap_datalink(handle)
        let linkName = pcap_datalink_val_to_name(dlt).map { String(cString: $0) } ?? "no name known to libpcap"
        guard let linkType = LinkType(dlt: dlt) else {
            pcap_close(handle)
            throw .unsupportedLinkType(name, dlt: dlt, name: linkName)
        }
        var program = bpf_program()
        if pcap_compile(handle, &program, filter, 1, bpf_u_int32(PCAP_NETMASK_UNKNOWN)) != 0 {
            let reason = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            throw .badFilter(name, expression: filter, reason: reason)
        }
        status = pcap_setfilter(handle, &program)
        pcap_freecode(&program)
        if status != 0 {
            let reason = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            throw .badFilter(name, expression: filter, reason: reason)
        }
        if pcap_setnonblock(handle, 1, &errorBuffer) != 0 {
            pcap_close(handle)
            throw .failed(name, step: "pcap_setnonblock", reason: Self.text(errorBuffer))
        }
        let interface = NetworkInterface(index: index, name: name)
        self.handle = handle
        self.interface = interface
        self.linkType = linkType
        self.linkTypeName = linkName
        self.filter = filter
        reader = Reader(decoder: FrameDecoder(linkType: linkType, interface: interface),
                        nanosecondTimestamps: pcap_get_tstamp_precision(handle) == Int32(PCAP_TSTAMP_PRECISION_NANO))
    }

    /// Checks a filter expression without an interface (for the CLI's validation): nil when it
    /// compiles, else libpcap's reason.
    public static func filterProblem(_ expression: String, linkType: LinkType = .ethernet) -> String? {
        guard let dead = pcap_open_dead(linkType.rawValue, 65_535) else { return "pcap_open_dead failed" }
        defer { pcap_close(dead) }
        var program = bpf_program()
        guard pcap_compile(dead, &program, expression, 1, bpf_u_int32(PCAP_NETMASK_UNKNOWN)) == 0 else {
            return String(cString: pcap_geterr(dead))
        }
        pcap_freecode(&program)
        return nil
    }

    deinit {
        if !closed { pcap_close(handle) }
    }

    public func close() {
        guard !closed else { return }
        closed = true
        pcap_close(handle)
    }

    /// Waits until frames may be ready or `timeoutMilliseconds` passed (a signal ends it early);
    /// false on a timeout. Call without holding the lock `dispatch` runs under.
    @discardableResult
    public func wait(timeoutMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: pcap_get_selectable_fd(handle), events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, timeoutMilliseconds) > 0
    }

    /// Decodes the frames the ring holds now (at most `maxFrames`; -1: every ready block), handing
    /// each datagram to `body` (valid only during the call). Never blocks. Returns the frames read,
    /// or throws libpcap's message when the capture broke (the interface went away).
    public func dispatch(maxFrames: Int32 = -1, _ body: (Datagram) -> Void) throws(InterfaceCaptureError) -> Int {
        let reader = self.reader
        let count = withoutActuallyEscaping(body) { body in
            reader.body = body
            reader.isDispatching = true
            defer {
                reader.isDispatching = false
                reader.body = Reader.idle
            }
            return pcap_dispatch(handle, maxFrames, { user, header, bytes in
                guard let user, let header, let bytes else { return }
                let reader = Unmanaged<Reader>.fromOpaque(UnsafeRawPointer(user)).takeUnretainedValue()
                reader.frame(UnsafeRawBufferPointer(start: bytes, count: Int(header.pointee.caplen)),
                             time: header.pointee.ts)
            }, Unmanaged.passUnretained(reader).toOpaque().assumingMemoryBound(to: UInt8.self))
        }
        guard count >= 0 else {
            throw .failed(interface.name, step: "reading", reason: String(cString: pcap_geterr(handle)))
        }
        framesRead &+= UInt64(count)
        return Int(count)
    }

    /// Decoding counters (malformed frames by reason, skipped fragments, frames that were not UDP).
    public var decodeCounters: DecodeCounters { reader.decoder.counters }

    /// libpcap's counters and the frames read. Call from the thread that dispatches.
    public func statistics() -> InterfaceCaptureStatistics {
        var result = InterfaceCaptureStatistics()
        result.read = framesRead
        var stats = pcap_stat()
        if pcap_stats(handle, &stats) == 0 {
            result.received = UInt64(stats.ps_recv)
            result.dropped = UInt64(stats.ps_drop)
            result.droppedByInterface = UInt64(stats.ps_ifdrop)
        }
        return result
    }

    /// What pcap_dispatch's C callback reaches through its user pointer: the decoder (kept across
    /// calls for TCP reassembly) and the current call's body.
    private final class Reader {
        var decoder: FrameDecoder
        /// The current call's body while `isDispatching`. Not an Optional: a closure inside one (a
        /// generic enum) is stored at the most general abstraction, so each call copied the datagram
        /// through a thunk.
        var body: (Datagram) -> Void = Reader.idle
        var isDispatching = false
        static let idle: @Sendable (Datagram) -> Void = { _ in }
        /// False when the kernel gave microsecond timestamps (nanoseconds refused).
        let nanosecondTimestamps: Bool

        init(decoder: FrameDecoder, nanosecondTimestamps: Bool) {
            self.decoder = decoder
            self.nanosecondTimestamps = nanosecondTimestamps
        }

        @inline(__always)
        func frame(_ frame: UnsafeRawBufferPointer, time: timeval) {
            guard isDispatching else { return }
            let nanoseconds = nanosecondTimestamps
                ? CaptureFile.nanoseconds(time)
                : Nanoseconds(time.tv_sec) * 1_000_000_000 + Nanoseconds(time.tv_usec) * 1000
            decoder.decode(frame: frame, time: nanoseconds, emit: body)
        }
    }

    private static func text(_ buffer: [CChar]) -> String {
        buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
