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

/// A pcap or pcapng capture read through libpcap, decoded frame by frame into datagrams: a regular
/// file (mapped when it is a plain classic pcap), a gzip-compressed file, or a stream read once
/// (standard input as `-`, a FIFO, a character device) — see `CaptureInput`.
///
/// Frames are decoded in place in libpcap's buffer and handed on as borrowed payloads: the read
/// loop allocates nothing per packet.
public final class CaptureFile {
    /// The path that means standard input.
    public static let standardInputPath = "-"
    /// How standard input is named in reports and errors' `file` fields.
    public static let standardInputName = "stdin"

    public let path: String
    /// The name reports use for this capture: the path as given, "stdin" for `-`.
    public let name: String
    public let linkType: LinkType
    /// libpcap's name for the link type ("EN10MB", "LINUX_SLL", "NULL"…).
    public let linkTypeName: String
    /// A regular file (compressed or not) that can be opened again for another pass; a stream
    /// (standard input, a FIFO, a device) cannot.
    public var isRereadable: Bool { input.kind != .stream }
    /// The file is gzip-compressed and read through zlib.
    public var isCompressed: Bool { input.kind == .gzipFile }

    private let handle: OpaquePointer
    private let input: CaptureInput
    /// Nanoseconds between progress reports (tests shorten it).
    var progressInterval: Int64 = 1_000_000_000
    /// The clock is read once per this many packets: often enough for ~1 s reports, rare enough
    /// to cost nothing.
    static let packetsPerClockCheck: UInt64 = 4096
    /// stdio buffer for the capture file (see CaptureInput).
    static let readBufferSize = 1 << 18
    /// The mapped fast path runs on the first read only; libpcap must then skip what it delivered.
    private var mappedPassDone = false
    private var mappedRecords: UInt64 = 0
    /// The mapping delivered the whole file: later reads find nothing, as libpcap would at its end.
    private var mappedReachedEnd = false
    /// Records libpcap has read from `handle`.
    private var libpcapRecordsConsumed: UInt64 = 0

    /// Whether `path` can be reached, without opening it (a FIFO's open would block for its writer):
    /// checked for every file before the first is analysed, so a misspelt last file costs nothing.
    public static func checkReachable(_ path: String) throws(CaptureError) {
        guard path != standardInputPath else { return }
        var status = stat()
        if stat(path, &status) == 0 { return }
        let error = errno
        if error == ENOENT || error == ENOTDIR { throw .fileNotFound(path: path) }
        throw .notReadable(path: path, reason: PathAccess.explain(error, reading: path))
    }

    public init(path: String) throws(CaptureError) {
        self.path = path
        name = path == Self.standardInputPath ? Self.standardInputName : path
        // Opening the descriptor ourselves keeps errno (missing vs. permission) distinct from
        // libpcap's format errors, which only come back as text.
        input = try CaptureInput(path: path)
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        // Nanosecond precision: libpcap scales microsecond files up, so time is always ns.
        guard let opened = pcap_fopen_offline_with_tstamp_precision(
            input.file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer
        ) else {
            let delivered = input.bytesDelivered
            let failure = input.decompressionError
            fclose(input.file)
            // A pipe, device or gzip stream that held nothing is as empty as a zero-byte file.
            if delivered == 0 && failure == nil { throw .emptyFile(path: path) }
            if let failure { throw .notACaptureFile(path: path, reason: Self.describe(failure)) }  // nothing usable came out
            throw .notACaptureFile(path: path, reason: Self.text(errorBuffer))
        }
        let dlt = pcap_datalink(opened)
        // libpcap knows names for registered types only (USER0…15 and the like have none).
        let name = pcap_datalink_val_to_name(dlt).map { String(cString: $0) } ?? "no name known to libpcap"
        guard let linkType = LinkType(dlt: dlt) else {
            pcap_close(opened)  // also closes the input
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
        readDatagrams(tcpPorts: tcpPorts, sipTCPPorts: sipTCPPorts, progress: progress,
                      { datagram, _ in body(datagram) }, mappingEnds: {})
    }

    /// `read`, telling `body` for each datagram whether its payload lies in the mapped file, and so
    /// stays valid after the call — until `mappingEnds` is called, once, after the last mapped record
    /// (before the mapping is released and before libpcap delivers anything): what
    /// `IngestLookahead` needs.
    func readDatagrams(
        tcpPorts: Set<UInt16>,
        sipTCPPorts: Set<UInt16>,
        progress: ((ProgressInfo) -> Void)?,
        _ body: (Datagram, _ payloadIsMapped: Bool) -> Void,
        mappingEnds: () -> Void
    ) -> CaptureReadResult {
        var result = CaptureReadResult()
        var decoder = FrameDecoder(linkType: linkType, tcpPorts: tcpPorts, sipTCPPorts: sipTCPPorts)
        var lastReport = progress == nil ? 0 : Self.monotonicNanoseconds()

        func deliver(time: Nanoseconds, frame: UnsafeRawBufferPointer, mapped: Bool, position: () -> Int64) {
            if result.packetsRead == 0 { result.firstPacketTime = time }
            result.packetsRead += 1
            decoder.decode(frame: frame, time: time) { datagram in
                // UDP payloads are slices of the frame; TCP's come from the reassembly buffers.
                var inFrame = true
                if let start = datagram.payload.baseAddress {
                    let first = frame.baseAddress.map { UnsafeRawPointer($0) }
                    inFrame = first.map { start >= $0 && start + datagram.payload.count <= $0 + frame.count } ?? false
                }
                body(datagram, mapped && inFrame)
            }

            if let progress, result.packetsRead % Self.packetsPerClockCheck == 0 {
                let now = Self.monotonicNanoseconds()
                if now - lastReport >= progressInterval {
                    lastReport = now
                    progress(ProgressInfo(
                        path: path, bytesRead: position(), totalBytes: input.size, packetsRead: result.packetsRead
                    ))
                }
            }
        }

        // The common case without libpcap's copies (see MappedClassicPcap); libpcap reads whatever it
        // leaves, after skipping the records already delivered.
        if !mappedPassDone {
            mappedPassDone = true
            if let mapped = input.mapping {
                while let record = mapped.next() {
                    deliver(time: record.time, frame: record.frame, mapped: true, position: { Int64(mapped.offset) })
                }
                mappingEnds()
                mappedRecords = result.packetsRead
                mappedReachedEnd = mapped.isAtEnd
                input.mapping = nil  // unmapped: libpcap (if anything is left) reads the rest
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
                    frame: UnsafeRawBufferPointer(start: data, count: Int(header.pointee.caplen)), mapped: false,
                    position: { self.input.position })
        }
        // A gzip stream cut exactly between two records looks like a clean end to libpcap.
        if result.stoppedBy == nil, input.decompressionError != nil {
            result.stoppedBy = classifyReadError(packetsRead: result.packetsRead)
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
        // Mapped payloads stay valid to the end of the pass: they are ingested a few datagrams late,
        // their streams' state prefetched meanwhile (see IngestLookahead); anything else, in place.
        let lookahead = IngestLookahead(analyzer: analyzer)
        let result = readDatagrams(tcpPorts: analyzer.configuration.tcpPorts, sipTCPPorts: analyzer.configuration.sipPorts,
                                   progress: progress, { datagram, payloadIsMapped in
            if payloadIsMapped {
                lookahead.ingest(datagram)
            } else {
                lookahead.flush()
                analyzer.ingest(datagram)
            }
        }, mappingEnds: { lookahead.flush() })
        analyzer.finishCaptureFile(
            name: name, linkType: linkTypeName, firstPacketTime: result.firstPacketTime,
            counts: SourceCounts(packetsRead: result.packetsRead, fragmentsSkipped: result.decode.fragmentsSkipped,
                                 malformed: result.decode.malformed),
            stoppedBy: result.stoppedBy?.description)
        if let error = result.stoppedBy { throw error }
    }

    /// libpcap reports every read failure as text; a file that ends inside a record says
    /// "truncated" (pcap: "truncated dump file; …", pcapng: "truncated pcapng dump file; …"). Under
    /// a gzip stream, zlib knows better what went wrong than libpcap's "error reading dump file".
    private func classifyReadError(packetsRead: UInt64) -> CaptureError {
        if let failure = input.decompressionError {
            if failure == .cutShort { return .truncated(path: path, packetsRead: packetsRead, reason: Self.describe(failure)) }
            return .readError(path: path, packetsRead: packetsRead, reason: Self.describe(failure))
        }
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

    /// Progress checks only need elapsed time: the standard library's clock, not a clock_gettime
    /// helper of this module's own.
    private static let clockOrigin = ContinuousClock.now
    private static func monotonicNanoseconds() -> Int64 {
        let (seconds, attoseconds) = clockOrigin.duration(to: .now).components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private static func describe(_ failure: GzipStream.Failure) -> String {
        switch failure {
        case .cutShort: return "gzip stream cut short"
        case .corrupt(let message): return "corrupt gzip data: \(message)"
        }
    }

    private static func text(_ buffer: [CChar]) -> String {
        buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// The libpcap in use, for `--version` and bug reports.
public enum PcapSourceVersion {
    public static var libpcapVersion: String { String(cString: pcap_lib_version()) }
}
