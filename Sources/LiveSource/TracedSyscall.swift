import CRTPScopeBPF
import RTPCore

/// The syscalls traced, numbered as in bpf/rtpscope_event.h (`enum rtpscope_syscall`).
public enum TracedSyscall: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case sendto = 0, sendmsg, sendmmsg, recvfrom, recvmsg, recvmmsg

    public var direction: Direction {
        switch self {
        case .sendto, .sendmsg, .sendmmsg: return .sent
        case .recvfrom, .recvmsg, .recvmmsg: return .received
        }
    }

    public var description: String {
        switch self {
        case .sendto: return "sendto"
        case .sendmsg: return "sendmsg"
        case .sendmmsg: return "sendmmsg"
        case .recvfrom: return "recvfrom"
        case .recvmsg: return "recvmsg"
        case .recvmmsg: return "recvmmsg"
        }
    }
}
