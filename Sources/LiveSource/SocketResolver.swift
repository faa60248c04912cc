import Glibc
import RTPCore

/// User-space fallback for events whose socket the kernel could not read:
/// /proc/PID/fd/FD → `socket:[inode]` → /proc/PID/net/udp{,6}.
///
/// Results are cached per (pid, fd) together with the inode they belong to, so a reused fd (a
/// new socket, a new inode) is looked up again rather than served stale addresses. This path is
/// rare (the in-kernel read normally succeeds), which is why it may cost a readlink per event.
final class SocketResolver {
    private struct Key: Hashable {
        var pid: Int32
        var fd: Int32
    }

    private struct Entry {
        var inode: UInt64
        var addresses: SocketAddresses
    }

    private let procRoot: String
    private var cache: [Key: Entry] = [:]
    private let cacheLimit = 4096

    init(procRoot: String = "/proc") {
        self.procRoot = procRoot
    }

    /// `knownInode` is the kernel's (0 when unknown); otherwise the fd link is read.
    func addresses(pid: Int32, fd: Int32, knownInode: UInt64) -> SocketAddresses? {
        let key = Key(pid: pid, fd: fd)
        guard let inode = knownInode != 0 ? knownInode : currentInode(pid: pid, fd: fd) else {
            cache[key] = nil
            return nil
        }
        if let entry = cache[key], entry.inode == inode {
            return entry.addresses
        }
        guard let addresses = lookUp(pid: pid, inode: inode) else { return nil }
        if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[key] = Entry(inode: inode, addresses: addresses)
        return addresses
    }

    private func currentInode(pid: Int32, fd: Int32) -> UInt64? {
        var target = [CChar](repeating: 0, count: 64)
        let length = readlink("\(procRoot)/\(pid)/fd/\(fd)", &target, target.count - 1)
        guard length > 0 else { return nil }
        let text = String(decoding: target[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return ProcNetUDP.socketInode(fromLinkTarget: text)
    }

    private func lookUp(pid: Int32, inode: UInt64) -> SocketAddresses? {
        for table in ["udp", "udp6"] {
            if let text = TextFile.read("\(procRoot)/\(pid)/net/\(table)"),
               let addresses = ProcNetUDP.parse(text)[inode] {
                return addresses
            }
        }
        return nil
    }
}

/// "At most once per interval", for the walks of /proc and of the cgroup tree that answer a cache
/// miss: a burst of misses costs one walk.
struct Throttle {
    let intervalNanoseconds: Int64
    private var last: Int64?

    init(intervalNanoseconds: Int64) {
        self.intervalNanoseconds = intervalNanoseconds
    }

    /// True (and the interval starts again) when the last allowed call is an interval old.
    mutating func allows() -> Bool {
        let now = SystemClock.now(CLOCK_MONOTONIC)
        if let last, now - last < intervalNanoseconds { return false }
        last = now
        return true
    }
}

/// The entries of a directory (without "." and ".."), read without Foundation; empty when it
/// cannot be opened.
enum DirectoryListing {
    struct Entry {
        var name: String
        var isDirectory: Bool
    }

    static func entries(_ path: String) -> [Entry] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var entries: [Entry] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { KernelName.text(nulTerminated: $0) }
            if name == "." || name == ".." { continue }
            entries.append(Entry(name: name, isDirectory: entry.pointee.d_type == UInt8(DT_DIR)))
        }
        return entries
    }
}

/// Small whole-file reads of /proc and /sys without Foundation.
enum TextFile {
    static func read(_ path: String, limit: Int = 4 << 20) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
