import CRTPScopeBPF
import RTPCore

/// Where a datagram was captured, numbered as in bpf/rtpscope_event.h (`enum rtpscope_hook`): a
/// traced syscall (syscall capture) or a socket-layer hook (socket capture).
public enum CaptureHook: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case sendto = 0, sendmsg, sendmmsg, recvfrom, recvmsg, recvmmsg
    /// cgroup_skb egress: the datagram leaving the socket layer.
    case egress
    /// cgroup_skb ingress: the datagram queued to the receiving socket.
    case ingress

    public var direction: Direction {
        switch self {
        case .sendto, .sendmsg, .sendmmsg, .egress: return .sent
        case .recvfrom, .recvmsg, .recvmmsg, .ingress: return .received
        }
    }

    /// The hooks of one capture path.
    public static func hooks(of path: CapturePath) -> [CaptureHook] {
        path == .socket ? [.egress, .ingress] : [.sendto, .sendmsg, .sendmmsg, .recvfrom, .recvmsg, .recvmmsg]
    }

    public var description: String {
        switch self {
        case .sendto: return "sendto"
        case .sendmsg: return "sendmsg"
        case .sendmmsg: return "sendmmsg"
        case .recvfrom: return "recvfrom"
        case .recvmsg: return "recvmsg"
        case .recvmmsg: return "recvmmsg"
        case .egress: return "egress"
        case .ingress: return "ingress"
        }
    }
}

/// The two ways datagrams are captured in the kernel.
public enum CapturePath: String, Sendable, CaseIterable, CustomStringConvertible {
    /// cgroup_skb programs on the cgroup v2 root: every UDP socket, kernel arrival times.
    case socket
    /// Tracepoints on the six datagram syscalls.
    case syscalls

    var kernelValue: UInt32 {
        self == .socket ? UInt32(RTPSCOPE_CAPTURE_SOCKET.rawValue) : UInt32(RTPSCOPE_CAPTURE_SYSCALLS.rawValue)
    }

    public var description: String { rawValue }

    /// "socket capture", "syscall capture": for messages.
    public var name: String { self == .socket ? "socket capture" : "syscall capture" }
}
