/// Every way starting or running a live capture can fail, each rendered as one line.
public enum LiveCaptureError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An option the kernel side cannot honour.
    case invalidOptions(String)
    /// Not root and not CAP_BPF+CAP_PERFMON (or the kernel refused BPF for another policy reason).
    case permissionDenied(String)
    /// Tracepoints need tracefs; it was not mounted and mounting it failed.
    case tracefsUnavailable(String)
    /// The BPF object could not be opened, verified or loaded.
    case loadFailed(String)
    /// A program could not be attached, or the ring buffer could not be read.
    case attachFailed(String)

    public var description: String {
        switch self {
        case .invalidOptions(let detail): return "live capture options: \(detail)"
        case .permissionDenied(let detail),
             .tracefsUnavailable(let detail),
             .loadFailed(let detail),
             .attachFailed(let detail):
            return detail
        }
    }
}
