#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPcap
import NetDecode
import RTPCore

/// Everything one pass over a capture produced besides the datagrams themselves.
public struct CaptureReadResult: Sendable {
    public var packetsRead: UInt64 = 0
    /// Time of the first record in file order (not the earliest: merged files can go backwards).
    public var firstPacketTime: Nanoseconds? = nil
    public var decode = DecodeCounters()
    /// Set when reading stopped before the end of the file; everything before it was delivered.
    public var stoppedBy: CaptureError? = nil
}

/// A pcap or pcapng file read through libpcap, decoded frame by frame into datagrams.
///
/// Frames are decoded in place in libpcap's buffer and handed on as borrowed payloads: the read
/// loop allocates nothing per packet.
public final class CaptureFile {
    public let path: String
    public let linkType: LinkType
    /// libpcap's name for the link type ("EN10MB", "LINUX_SLL", "NULL"…).
    public let linkTypeName: String

    private let handle: OpaquePointer
    private let fileSize: Int64
    /// Nanoseconds between progress reports (tests shorten it).
    var progressInterval: Int64 = 1_000_000_000
    /// The clock is read once per this many packets: often enough for ~1 s reports, rare enough
    /// to cost nothing.
    static let packetsPerClockCheck: UInt64 = 4096
    /// stdio buffer for the capture file (see init).
    static let readBufferSize = 1 << 18
    /// The mapped fast path runs on the first read only; libpcap must then skip what it delivered.
    private var mappedPassDone = false
    private var mappedRecords: UInt64 = 0
    /// The mapping delivered the whole file: later reads find nothing, as libpcap would at its end.
    private var mappedReachedEnd = false
    /// Records libpcap has read from `handle`.
    private var libpcapRecordsConsumed: UInt64 = 0

    public init(path: String) throws(CaptureError) {
        self.path = path
        var status = stat()
        if stat(path, &status) != 0 {
            let error = errno
            if error == ENOENT || error == ENOTDIR { throw .fileNotFound(path: path) }
            throw .notReadable(path: path, reason: Self.systemMessage(error))
        }
        if status.st_mode & S_IFMT == S_IFDIR { throw .notReadable(path: path, reason: "is a directory") }
        if status.st_mode & S_IFMT == S_IFREG && status.st_size == 0 { throw .emptyFile(path: path) }
        fileSize = Int64(status.st_size)

        // Opening the FILE ourselves keeps errno (missing vs. permission) distinct from libpcap's
        // format errors, which only come back as text.
        guard let file = fopen(path, "rb") else {
            let error = errno
            if error == ENOENT { throw .fileNotFound(path: path) }
            throw .notReadable(path: path, reason: Self.systemMessage(error))
        }
        // libpcap freads record by record; stdio's default buffer (one 4 KiB block) would make that a
        // read(2) every ~20 packets. A larger buffer cuts the system calls (stdio owns and frees it).
        setvbuf(file, nil, _IOFBF, Self.readBufferSize)
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        // Nanosecond precision: libpcap scales microsecond files up, so time is always ns.
        guard let opened = pcap_fopen_offline_with_tstamp_precision(
            file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer
        ) else {
            fclose(file)
            throw .notACaptureFile(path: path, reason: Self.text(errorBuffer))
        }
        let dlt = pcap_datalink(opened)
        // libpcap knows names for registered types only (USER0…15 and the like have none).
        let name = pcap_datalink_val_to_name(dlt).map { String(cString: $0) } ?? "no name known to libpcap"
        guard let linkType = LinkType(dlt: dlt) else {
            pcap_close(opened)  // also closes `file`
            throw .unsupportedLinkType(path: path, dlt: dlt, name: name)
        }
        self.handle = opened
        self.linkType = linkType
        self.linkTypeName = name
    }

    deinit {
        pcap_close(handle)
    }

    /// Decodes every remaining record, handing each datagram to `body` (its payload is valid only
    /// during the call). Read errors end the pass and are returned in `stoppedBy`, not thrown, so
    /// that what was read before them is never lost.
    public func read(
        tcpPorts: Set<UInt16> = [],
        sipTCPPorts: Set<UInt16> = [],
        progress: ((ProgressInfo) -> Void)? = nil,
        _ body: (Datagram) -> Void
    ) -> CaptureReadResult {
        var result = CaptureReadResult()
        var decoder = FrameDecoder(linkType: linkType, tcpPorts: tcpPorts, sipTCPPorts: sipTCPPorts)
        var lastReport = progress == nil ? 0 : Self.monotonicNanoseconds()

        func deliver(time: Nanoseconds, frame: UnsafeRawBufferPointer, position: () -> Int64) {
            if result.packetsRead == 0 { result.firstPacketTime = time }
            result.packetsRead += 1
            decoder.decode(frame: frame, time: time, emit: body)

            if let progress, result.packetsRead % Self.packetsPerClockCheck == 0 {
                let now = Self.monotonicNanoseconds()
                if now - lastReport >= progressInterval {
                    lastReport = now
                    progress(ProgressInfo(
                        path: path, bytesRead: position(), totalBytes: fileSize, packetsRead: result.packetsRead
                    ))
                }
            }
        }

        // The common case without libpcap's copies (see MappedClassicPcap); libpcap reads whatever it
        // leaves, after skipping the records already delivered.
        if !mappedPassDone {
            mappedPassDone = true
            if let mapped = MappedClassicPcap(path: path) {
                while let record = mapped.next() {
                    deliver(time: record.time, frame: record.frame, position: { Int64(mapped.offset) })
                }
                mappedRecords = result.packetsRead
                mappedReachedEnd = mapped.isAtEnd
            }
        }
        if mappedReachedEnd {
            result.decode = decoder.counters
            return result
        }
        skipRecordsDeliveredByMapping()

        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let status = pcap_next_ex(handle, &header, &data)
            guard status == 1, let header, let data else {
                if status == PCAP_ERROR_BREAK { break }  // end of file
                if status == 0 { continue }  // live-capture timeout; never for files
                result.stoppedBy = classifyReadError(packetsRead: result.packetsRead)
                break
            }
            libpcapRecordsConsumed += 1
            deliver(time: Self.nanoseconds(header.pointee.ts),
                    frame: UnsafeRawBufferPointer(start: data, count: Int(header.pointee.caplen)),
                    position: { Int64(ftello(pcap_file(self.handle))) })
        }
        result.decode = decoder.counters
        return result
    }

    /// Moves libpcap past the records the mapped reader already delivered (they were well-formed,
    /// so libpcap reads them without error).
    private func skipRecordsDeliveredByMapping() {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while libpcapRecordsConsumed < mappedRecords, pcap_next_ex(handle, &header, &data) == 1 {
            libpcapRecordsConsumed += 1
        }
    }

    /// Feeds every datagram to `analyzer` and adds this file's counts to its summary. Call once
    /// per file; several files can go into one analyzer. A truncated (or corrupt) file still delivers
    /// all it holds before the break, marks the summary truncated with a warning, then throws
    /// `.truncated` (or `.readError`) so the caller can report partial results and exit non-zero.
    public func feed(into analyzer: StreamAnalyzer, progress: ((ProgressInfo) -> Void)? = nil) throws(CaptureError) {
        let result = read(tcpPorts: analyzer.configuration.tcpPorts, sipTCPPorts: analyzer.configuration.sipPorts,
                          progress: progress) { datagram in
            analyzer.ingest(datagram)
        }
        Self.merge(result, linkTypeName: linkTypeName, into: &analyzer.summary)
        if let error = result.stoppedBy { throw error }
    }

    static func merge(_ result: CaptureReadResult, linkTypeName: String, into summary: inout AnalysisSummary) {
        summary.packetsRead += result.packetsRead
        summary.fragmentsSkipped += result.decode.fragmentsSkipped
        summary.malformed.merge(result.decode.malformed, uniquingKeysWith: +)
        if summary.firstPacketTime == nil, let first = result.firstPacketTime {
            // Whole seconds and fraction apart: one Double division would lose the last digits.
            summary.firstPacketTime = Double(first / 1_000_000_000) + Double(first % 1_000_000_000) / 1e9
        }
        // Files of different link types in one analysis: list them all.
        if let existing = summary.linkType {
            if !existing.split(separator: ",").contains(Substring(linkTypeName)) {
                summary.linkType = existing + "," + linkTypeName
            }
        } else {
            summary.linkType = linkTypeName
        }
        // A cut file and a corrupt record both leave the rest of the file unread: the report is partial.
        if let error = result.stoppedBy {
            summary.truncated = true
            summary.warnings.append(error.description)
        }
    }

    /// libpcap reports every read failure as text; a file that ends inside a record says
    /// "truncated" (pcap: "truncated dump file; …", pcapng: "truncated pcapng dump file; …").
    private func classifyReadError(packetsRead: UInt64) -> CaptureError {
        let message = String(cString: pcap_geterr(handle))
        if message.contains("truncated") {
            return .truncated(path: path, packetsRead: packetsRead, reason: message)
        }
        return .readError(path: path, packetsRead: packetsRead, reason: message)
    }

    /// The record time in ns since the epoch (`tv_usec` holds nanoseconds: see init). pcapng
    /// timestamps are 64-bit, so absurd seconds are clamped rather than overflowing (and trapping):
    /// ±292 years around 1970 is all an Int64 of nanoseconds can express.
    static func nanoseconds(_ time: timeval) -> Nanoseconds {
        let limit = Int64.max / 1_000_000_000 - 1
        let seconds = min(max(Int64(time.tv_sec), -limit), limit)
        return seconds * 1_000_000_000 + Int64(time.tv_usec) % 1_000_000_000
    }

    private static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    private static func systemMessage(_ error: Int32) -> String {
        String(cString: strerror(error))
    }

    private static func text(_ buffer: [CChar]) -> String {
        buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// The libpcap in use, for `--version` and bug reports.
public enum PcapSourceVersion {
    public static var libpcapVersion: String { String(cString: pcap_lib_version()) }
}
