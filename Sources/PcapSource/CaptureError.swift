/// Why a capture file could not be read (completely). Every message is one line that starts with
/// the file name, ready for the CLI to print.
public enum CaptureError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(path: String)
    case notReadable(path: String, reason: String)
    case emptyFile(path: String)
    /// Not pcap or pcapng (bad magic), or a header libpcap rejects.
    case notACaptureFile(path: String, reason: String)
    case unsupportedLinkType(path: String, dlt: Int32, name: String)
    /// The file ends inside a record: everything before it was delivered.
    case truncated(path: String, packetsRead: UInt64, reason: String)
    /// An I/O error or a corrupt record (e.g. an absurd captured length): everything before it
    /// was delivered.
    case readError(path: String, packetsRead: UInt64, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): file not found"
        case .notReadable(let path, let reason):
            return "\(path): not readable (\(reason))"
        case .emptyFile(let path):
            return "\(path): empty file, not a capture"
        case .notACaptureFile(let path, let reason):
            return "\(path): not a pcap or pcapng capture file (\(reason))"
        case .unsupportedLinkType(let path, let dlt, let name):
            return "\(path): unsupported link type \(dlt) (\(name)); supported: EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4, IPV6"
        case .truncated(let path, let packetsRead, let reason):
            return "\(path): truncated capture after \(packetsRead) packets (\(reason))"
        case .readError(let path, let packetsRead, let reason):
            return "\(path): read error after \(packetsRead) packets (\(reason))"
        }
    }
}

/// Where a long read is, for a progress line. Reported roughly once a second.
public struct ProgressInfo: Sendable, Equatable {
    public var path: String
    public var bytesRead: Int64
    public var totalBytes: Int64
    public var packetsRead: UInt64

    /// 0…1; 0 for an unknown size.
    public var fraction: Double {
        totalBytes > 0 ? min(1, Double(bytesRead) / Double(totalBytes)) : 0
    }
}
