#if canImport(Glibc)
import Glibc
#endif

/// The standard process metrics' values, read from /proc the way client_golang's process collector
/// (through prometheus/procfs) reads them.
public struct ProcessStatistics: Sendable, Equatable {
    /// User + system CPU time (/proc/self/stat utime + stime).
    public var cpuSeconds: Double
    public var openFileDescriptors: Int
    /// Soft RLIMIT_NOFILE; `UInt64.max` as a float when unlimited, as client_golang writes it.
    public var maxFileDescriptors: Double?
    public var virtualMemoryBytes: UInt64
    /// Soft RLIMIT_AS, `UInt64.max` as a float when unlimited.
    public var virtualMemoryMaxBytes: Double?
    public var residentMemoryBytes: UInt64
    /// Seconds since the epoch (boot time + the process's start in clock ticks).
    public var startTimeSeconds: Double

    public init(cpuSeconds: Double, openFileDescriptors: Int, maxFileDescriptors: Double?, virtualMemoryBytes: UInt64,
                virtualMemoryMaxBytes: Double?, residentMemoryBytes: UInt64, startTimeSeconds: Double) {
        self.cpuSeconds = cpuSeconds
        self.openFileDescriptors = openFileDescriptors
        self.maxFileDescriptors = maxFileDescriptors
        self.virtualMemoryBytes = virtualMemoryBytes
        self.virtualMemoryMaxBytes = virtualMemoryMaxBytes
        self.residentMemoryBytes = residentMemoryBytes
        self.startTimeSeconds = startTimeSeconds
    }

    /// This process now; nil where /proc is missing or unreadable (the families are then left out).
    public static func current() -> ProcessStatistics? {
        #if os(Linux)
        guard let stat = ProcFile.read("/proc/self/stat"), let bootTime = ProcFile.bootTime(),
              let fields = ProcFile.statFields(stat), fields.count > 21,
              let utime = Double(fields[11]), let stime = Double(fields[12]), let start = Double(fields[19]),
              let virtual = UInt64(fields[20]), let residentPages = UInt64(fields[21]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        let limits = ProcFile.read("/proc/self/limits") ?? ""
        return ProcessStatistics(
            cpuSeconds: (utime + stime) / ticks,
            openFileDescriptors: ProcFile.countEntries("/proc/self/fd"),
            maxFileDescriptors: ProcFile.softLimit(named: "Max open files", in: limits),
            virtualMemoryBytes: virtual,
            virtualMemoryMaxBytes: ProcFile.softLimit(named: "Max address space", in: limits),
            residentMemoryBytes: residentPages * pageSize,
            startTimeSeconds: bootTime + start / ticks)
        #else
        return nil
        #endif
    }
}

#if os(Linux)
/// Small /proc readers (the files report size 0, so read until EOF).
enum ProcFile {
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The fields after the `(comm)` of /proc/PID/stat (the name may contain spaces and parentheses).
    static func statFields(_ stat: String) -> [Substring]? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    }

    /// `btime` of /proc/stat: boot time, seconds since the epoch.
    static func bootTime() -> Double? {
        guard let stat = read("/proc/stat") else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count).trimmingPrefix(" "))
        }
        return nil
    }

    /// The soft limit of a /proc/PID/limits row; `UInt64.max` for "unlimited".
    static func softLimit(named name: String, in limits: String) -> Double? {
        for line in limits.split(separator: "\n") where line.hasPrefix(name) {
            guard let soft = line.dropFirst(name.count).split(separator: " ").first else { return nil }
            return soft == "unlimited" ? Double(UInt64.max) : Double(soft)
        }
        return nil
    }

    /// Entries of a directory, "." and ".." excluded (for /proc/self/fd this includes the descriptor
    /// of the listing itself, as client_golang's count does).
    static func countEntries(_ path: String) -> Int {
        guard let directory = opendir(path) else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDot { count += 1 }
        }
        return count
    }
}
#endif
