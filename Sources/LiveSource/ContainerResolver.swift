import CRTPScopeBPF
import Glibc
import RTPCore

/// The cgroup v2 hierarchy: where this host mounts it (/sys/fs/cgroup on unified hosts,
/// /sys/fs/cgroup/unified on hybrid ones, anywhere in a container), read from mountinfo.
enum CgroupV2 {
    /// The mount point of the cgroup2 filesystem whose root is the hierarchy's root, if any.
    static func mountPoint(mountinfo: String? = TextFile.read("/proc/self/mountinfo")) -> String? {
        guard let mountinfo else { return nil }
        // "36 25 0:31 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw"
        for line in mountinfo.split(separator: "\n") {
            guard let separator = line.firstRange(of: " - ") else { continue }
            let before = line[..<separator.lowerBound].split(separator: " ")
            let after = line[separator.upperBound...].split(separator: " ")
            guard before.count >= 5, after.first == "cgroup2", before[3] == "/" else { continue }
            return unescapeMountinfo(before[4])
        }
        return nil
    }

    /// mountinfo writes space, tab, newline and backslash as \040, \011, \012, \134.
    static func unescapeMountinfo(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "\\"), input.count >= 3,
               let value = UInt8(String(decoding: input.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                input = input.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// cgroup v2 id → the container (and Kubernetes pod) it belongs to, cached per id.
///
/// The id (what the kernel puts in each event) becomes a path through open_by_handle_at on the
/// cgroup2 mount (CAP_DAC_READ_SEARCH), or else a walk of the hierarchy; the path names the
/// container the way every runtime does (`docker-<id>.scope`, `cri-containerd-<id>.scope`,
/// `crio-<id>.scope`, `libpod-<id>.scope`, or a bare `<id>` under cgroupfs drivers) and, under
/// `kubepods`, the pod uid (`pod<uid>`, with `_` for `-` under the systemd driver). Pod name and
/// namespace come from the kubelet's log directories, `<namespace>_<name>_<uid>`.
final class ContainerResolver {
    private let mountPoint: String?
    private let mountFD: Int32
    private let podLogsDirectory: String
    private var byID: [UInt64: ContainerContext?] = [:]
    private let cacheLimit = 16384
    private var last: (id: UInt64, container: ContainerContext?) = (0, nil)
    /// pod uid → (namespace, name), from the pod log directories.
    private var pods: [String: (namespace: String, name: String)] = [:]
    private var podLogReads = Throttle(intervalNanoseconds: 10_000_000_000)
    private var walks = Throttle(intervalNanoseconds: 1_000_000_000)
    /// cgroup paths found by the last walk (the fallback when file handles are refused).
    private var walked: [UInt64: String] = [:]

    init(mountPoint: String? = CgroupV2.mountPoint(), podLogsDirectory: String = "/var/log/pods") {
        self.mountPoint = mountPoint
        self.podLogsDirectory = podLogsDirectory
        mountFD = mountPoint.map { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } ?? -1
    }

    deinit {
        if mountFD >= 0 { close(mountFD) }
    }

    /// The container of cgroup `id`, nil when the cgroup is not a container's (or is unknown).
    func container(cgroupID id: UInt64) -> ContainerContext? {
        if id == last.id { return last.container }
        let container: ContainerContext?
        if let cached = byID[id] {
            container = cached
        } else {
            container = resolve(id)
            if byID.count >= cacheLimit { byID.removeAll(keepingCapacity: true) }
            byID[id] = container
        }
        last = (id, container)
        return container
    }

    private func resolve(_ id: UInt64) -> ContainerContext? {
        guard id != 0, let path = path(of: id), var container = Self.container(fromCgroupPath: path) else {
            return nil
        }
        if !container.podUID.isEmpty, let pod = pod(uid: container.podUID) {
            container.namespace = pod.namespace
            container.podName = pod.name
        }
        return container
    }

    /// The cgroup's path below the mount ("/kubepods.slice/…").
    private func path(of id: UInt64) -> String? {
        guard let mountPoint else { return nil }
        if mountFD >= 0 {
            var buffer = [CChar](repeating: 0, count: 4096)
            if rtpscope_cgroup_path(mountFD, id, &buffer, buffer.count) == 0 {
                let full = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if full.hasPrefix(mountPoint) {
                    let below = String(full.dropFirst(mountPoint.count))
                    return below.isEmpty ? "/" : below
                }
            }
        }
        if let path = walked[id] { return path }
        // Without file handles: walk the hierarchy, at most once a second.
        guard walks.allows() else { return nil }
        walked = Self.walk(mountPoint)
        return walked[id]
    }

    /// Every cgroup directory below `root` by inode number (a cgroup2 directory's inode is its id).
    static func walk(_ root: String, limit: Int = 100_000) -> [UInt64: String] {
        var found: [UInt64: String] = [:]
        var pending: [(path: String, depth: Int)] = [("", 0)]
        while let (relative, depth) = pending.popLast(), found.count < limit {
            let full = root + relative
            var status = stat()
            guard stat(full, &status) == 0 else { continue }
            found[UInt64(status.st_ino)] = relative.isEmpty ? "/" : relative
            guard depth < 32 else { continue }
            for entry in DirectoryListing.entries(full) where entry.isDirectory {
                pending.append((relative + "/" + entry.name, depth + 1))
            }
        }
        return found
    }

    private func pod(uid: String) -> (namespace: String, name: String)? {
        if let pod = pods[uid] { return pod }
        guard podLogReads.allows() else { return nil }
        pods = Self.podLogIndex(podLogsDirectory)
        return pods[uid]
    }

    /// `<namespace>_<name>_<uid>` entries of the kubelet's pod log directory, by uid (names and
    /// namespaces are DNS labels: no `_` in them).
    static func podLogIndex(_ directory: String) -> [String: (namespace: String, name: String)] {
        var index: [String: (namespace: String, name: String)] = [:]
        for entry in DirectoryListing.entries(directory) {
            let parts = entry.name.split(separator: "_", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, isUUID(parts[2]) else { continue }
            index[String(parts[2])] = (String(parts[0]), String(parts[1]))
        }
        return index
    }

    /// Container id and pod uid named by a cgroup path; nil when it names no container.
    static func container(fromCgroupPath path: String) -> ContainerContext? {
        let components = path.split(separator: "/")
        guard let id = components.reversed().lazy.compactMap(containerID(inComponent:)).first else { return nil }
        var podUID = ""
        if path.contains("kubepods") {
            podUID = components.lazy.compactMap(podUID(inComponent:)).first ?? ""
        }
        return ContainerContext(id: id, podUID: podUID)
    }

    /// `<64 hex>`, or `<runtime>-<64 hex>[.scope]` (not a runtime's monitor: `crio-conmon-…`).
    static func containerID(inComponent component: Substring) -> String? {
        var name = component
        if name.hasSuffix(".scope") { name = name.dropLast(".scope".count) }
        if let dash = name.lastIndex(of: "-") {
            if name[..<dash].contains("conmon") { return nil }
            name = name[name.index(after: dash)...]
        }
        guard name.utf8.count == 64, name.utf8.allSatisfy(isLowercaseHex) else { return nil }
        return String(name)
    }

    /// `pod<uid>` anywhere in the component (`kubepods-burstable-pod<uid>.slice`, `pod<uid>`).
    static func podUID(inComponent component: Substring) -> String? {
        var rest = component[...]
        while let range = rest.firstRange(of: "pod") {
            let candidate = rest[range.upperBound...].prefix(36)
            if isUUID(candidate) { return candidate.replacingUnderscores() }
            rest = rest[range.upperBound...]
        }
        return nil
    }

    /// 8-4-4-4-12 lowercase hex digits, separated by `-` (or `_`, as systemd slices write it).
    static func isUUID(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") else { return false }
            } else if !isLowercaseHex(byte) {
                return false
            }
        }
        return true
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}

private extension Substring {
    func replacingUnderscores() -> String {
        String(decoding: utf8.map { $0 == UInt8(ascii: "_") ? UInt8(ascii: "-") : $0 }, as: UTF8.self)
    }
}
