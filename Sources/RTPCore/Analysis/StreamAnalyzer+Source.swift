/// What a source counted besides the datagrams it delivered: frames read, fragments its decoder
/// skipped, frames it rejected by reason (the link/IP/UDP keys of `summary.malformed`).
public struct SourceCounts: Sendable, Equatable {
    public var packetsRead: UInt64
    public var fragmentsSkipped: UInt64
    public var malformed: [String: UInt64]

    public init(packetsRead: UInt64 = 0, fragmentsSkipped: UInt64 = 0, malformed: [String: UInt64] = [:]) {
        self.packetsRead = packetsRead
        self.fragmentsSkipped = fragmentsSkipped
        self.malformed = malformed
    }
}

/// Sources hand their own counts to the engine here instead of writing its summary: the summary is
/// the engine's, and how counts combine (several files, repeated drains) is decided once.
extension StreamAnalyzer {
    /// Adds counts a source kept while delivering datagrams (live: each drain's datagrams are
    /// packets read).
    public func addSourceCounts(_ counts: SourceCounts) {
        summary.packetsRead &+= counts.packetsRead
        summary.fragmentsSkipped &+= counts.fragmentsSkipped
        summary.malformed.merge(counts.malformed, uniquingKeysWith: &+)
    }

    /// Offline: one capture file was read (call after its datagrams; several files can go into one
    /// analyzer). `stoppedBy` says why it ended early (a cut or corrupt file): the report is partial.
    public func finishCaptureFile(name: String, linkType: String, firstPacketTime: Nanoseconds?,
                                  counts: SourceCounts, stoppedBy: String?) {
        addSourceCounts(counts)
        if summary.firstPacketTime == nil, let first = firstPacketTime {
            summary.firstPacketTime = EpochTime.seconds(first)
        }
        // Files of different link types in one analysis: list them all.
        if let existing = summary.linkType {
            if !existing.split(separator: ",").contains(Substring(linkType)) {
                summary.linkType = existing + "," + linkType
            }
        } else {
            summary.linkType = linkType
        }
        if let stoppedBy {
            summary.truncated = true
            summary.warnings.append(stoppedBy)
        }
        summary.files.append(CaptureFileSummary(
            name: name, firstPacketTime: firstPacketTime.map(EpochTime.seconds), packetsRead: counts.packetsRead))
    }
}
