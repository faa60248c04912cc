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
        "\(path == CaptureFile.standardInputPath ? CaptureFile.standardInputName : path): \(problem)"
    }

    /// The file the error is about, as given ("-" for standard input).
    public var path: String {
        switch self {
        case .fileNotFound(let path), .notReadable(let path, _), .emptyFile(let path),
             .notACaptureFile(let path, _), .unsupportedLinkType(let path, _, _), .truncated(let path, _, _),
             .readError(let path, _, _):
            return path
        }
    }

    /// What is wrong, without the file name.
    private var problem: String {
        switch self {
        case .fileNotFound:
            return "file not found"
        case .notReadable(_, let reason):
            return "not readable (\(reason))"
        case .emptyFile:
            return "empty file, not a capture"
        case .notACaptureFile(_, let reason):
            return "not a pcap or pcapng capture file (\(reason))"
        case .unsupportedLinkType(_, let dlt, let name):
            return "unsupported link type \(dlt) (\(name)); supported: EN10MB, LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4, IPV6"
        case .truncated(_, let packetsRead, let reason):
            return "truncated capture after \(packetsRead) packets (\(reason))"
        case .readError(_, let packetsRead, let reason):
            return "read error after \(packetsRead) packets (\(reason))"
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
