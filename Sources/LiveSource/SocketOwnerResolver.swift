import Glibc

/// User-space fallback for received datagrams whose socket owner the kernel did not know (socket
/// capture; rare: the kernel learns owners at socket creation, from a start-up scan, and from
/// every send and addressed receive): which process holds socket inode N open, from
/// /proc/PID/fd/* → `socket:[N]`.
///
/// One scan indexes every socket of every process, so it answers all the inodes of a burst; a
/// miss rescans at most once a second.
final class SocketOwnerResolver {
    struct Owner: Equatable {
        var pid: Int32
        var comm: String
    }

    private let procRoot: String
    private var index: [UInt64: Int32] = [:]
    private var scans = Throttle(intervalNanoseconds: 1_000_000_000)
    private var names: [Int32: String] = [:]

    init(procRoot: String = "/proc") {
        self.procRoot = procRoot
    }

    func owner(ofSocketInode inode: UInt64) -> Owner? {
        guard inode != 0 else { return nil }
        if index[inode] == nil {
            guard scans.allows() else { return nil }
            rescan()
        }
        guard let pid = index[inode] else { return nil }
        return Owner(pid: pid, comm: name(of: pid))
    }

    private func rescan() {
        index.removeAll(keepingCapacity: true)
        names.removeAll(keepingCapacity: true)
        var target = [CChar](repeating: 0, count: 64)
        for process in DirectoryListing.entries(procRoot) {
            guard let pid = Int32(process.name) else { continue }
            let fdDirectory = "\(procRoot)/\(pid)/fd"
            for fd in DirectoryListing.entries(fdDirectory) {
                let length = readlink("\(fdDirectory)/\(fd.name)", &target, target.count - 1)
                guard length > 0 else { continue }
                let text = String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                // The first process found keeps a socket that several share (a fork's parent first).
                if let inode = ProcNetUDP.socketInode(fromLinkTarget: text), index[inode] == nil {
                    index[inode] = pid
                }
            }
        }
    }

    private func name(of pid: Int32) -> String {
        if let name = names[pid] { return name }
        let name = (TextFile.read("\(procRoot)/\(pid)/comm") ?? "").split(separator: "\n").first.map(String.init) ?? ""
        names[pid] = name
        return name
    }
}
