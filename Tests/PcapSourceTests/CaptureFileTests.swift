import Foundation
import Testing
import NetDecode
import RTPCore
@testable import PcapSource

@Suite struct CaptureFileTests {
    typealias Builder = CaptureFileBuilder

    /// Three RTP datagrams with sequence numbers 1…3, one second apart from 1 700 000 000 s.
    private var threeRecords: [Builder.Record] {
        (1...3).map { index in
            Builder.Record(seconds: 1_700_000_000 + UInt32(index - 1), subseconds: 250_000, frame: TestFrames.ethernet(
                etherType: 0x0800, payload: TestFrames.ipv4(payload: TestFrames.udp(
                    sourcePort: 5004, destinationPort: 6000, payload: TestFrames.rtp(sequence: UInt16(index))))))
        }
    }

    /// Reads the whole file, returning datagram times, payload sizes and the pass result.
    private func readAll(_ path: String) throws -> (times: [Nanoseconds], sizes: [Int], result: CaptureReadResult) {
        let file = try CaptureFile(path: path)
        var times: [Nanoseconds] = [], sizes: [Int] = []
        let result = file.read { datagram in
            times.append(datagram.time)
            sizes.append(datagram.payload.count)
        }
        return (times, sizes, result)
    }

    @Test func readsMicrosecondPcapWithNanosecondTimes() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("three.pcap", Builder.pcap(records: threeRecords))
        let (times, sizes, result) = try readAll(path)
        #expect(times == [1_700_000_000_250_000_000, 1_700_000_001_250_000_000, 1_700_000_002_250_000_000])
        #expect(sizes == [16, 16, 16])
        #expect(result.packetsRead == 3)
        #expect(result.stoppedBy == nil)
        #expect(try CaptureFile(path: path).linkType == .ethernet)
    }

    @Test func readsNanosecondAndBigEndianPcap() throws {
        let directory = try TemporaryDirectory()
        var records = threeRecords
        records[0].subseconds = 123_456_789
        let nano = try directory.write("nano.pcap", Builder.pcap(format: .nanosecondLittleEndian, records: records))
        #expect(try readAll(nano).times.first == 1_700_000_000_123_456_789)
        let swapped = try directory.write("be.pcap", Builder.pcap(format: .microsecondBigEndian, records: threeRecords))
        #expect(try readAll(swapped).times == [1_700_000_000_250_000_000, 1_700_000_001_250_000_000, 1_700_000_002_250_000_000])
    }

    @Test func feedFillsTheSummary() throws {
        let directory = try TemporaryDirectory()
        var records = threeRecords
        records.append(.init(seconds: 1_699_999_999, subseconds: 0, frame: Array(records[0].frame.prefix(20))))  // cut in IP
        let path = try directory.write("feed.pcap", Builder.pcap(records: records))
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        try CaptureFile(path: path).feed(into: analyzer)
        #expect(analyzer.summary.packetsRead == 4)
        #expect(analyzer.summary.linkType == "EN10MB")
        #expect(analyzer.summary.firstPacketTime == 1_700_000_000.25)
        #expect(analyzer.summary.malformed["ip_truncated"] == 1)
        #expect(analyzer.summary.truncated == false)

        // A second file adds to the same analyzer; the first frame time stays the first file's.
        let second = try directory.write("sll.pcap", Builder.pcap(linkType: 113, records: [
            .init(seconds: 1_600_000_000, subseconds: 0, frame: TestFrames.sll(protocol: 0x0800, payload: TestFrames.ipv4UDP)),
        ]))
        try CaptureFile(path: second).feed(into: analyzer)
        #expect(analyzer.summary.packetsRead == 5)
        #expect(analyzer.summary.linkType == "EN10MB,LINUX_SLL")
        #expect(analyzer.summary.firstPacketTime == 1_700_000_000.25)
        // Each file is listed with its own start.
        #expect(analyzer.summary.files == [CaptureFileSummary(name: path, firstPacketTime: 1_700_000_000.25, packetsRead: 4),
                                           CaptureFileSummary(name: second, firstPacketTime: 1_600_000_000, packetsRead: 1)])
    }

    @Test func missingEmptyAndForeignFilesAreRejectedWithClearErrors() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.url.appendingPathComponent("nope.pcap").path
        #expect(throws: CaptureError.fileNotFound(path: missing)) { try CaptureFile(path: missing) }

        let empty = try directory.write("empty.pcap", [])
        #expect(throws: CaptureError.emptyFile(path: empty)) { try CaptureFile(path: empty) }

        let text = try directory.write("notes.txt", Array("hello, not a capture\n".utf8) + [UInt8](repeating: 0x20, count: 40))
        do {
            _ = try CaptureFile(path: text)
            Issue.record("a text file was accepted")
        } catch {
            guard case .notACaptureFile(path: text, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.description.hasPrefix("\(text): not a pcap or pcapng capture file (unknown file format"))
        }

        #expect(throws: CaptureError.notReadable(path: directory.url.path, reason: "is a directory")) {
            try CaptureFile(path: directory.url.path)
        }
    }

    @Test(.enabled(if: getuid() != 0, "root reads any file: permissions cannot be tested"))
    func unreadableFileSaysWhy() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("locked.pcap", Builder.pcap(records: threeRecords))
        chmod(path, 0)
        #expect(throws: CaptureError.notReadable(path: path, reason: "Permission denied: \(path) is not readable by uid \(geteuid())")) {
            try CaptureFile(path: path)
        }
        // A directory on the way that may not be searched is named, not the file.
        chmod(path, 0o644)
        chmod(directory.url.path, 0o600)
        defer { chmod(directory.url.path, 0o700) }
        #expect(throws: CaptureError.notReadable(path: path, reason: "Permission denied: directory \(directory.url.path) is not searchable by uid \(geteuid())")) {
            try CaptureFile(path: path)
        }
    }

    @Test func unsupportedLinkTypeIsNamed() throws {
        let directory = try TemporaryDirectory()
        let radiotap = try directory.write("wifi.pcap", Builder.pcap(linkType: 127, records: threeRecords))
        #expect(throws: CaptureError.unsupportedLinkType(path: radiotap, dlt: 127, name: "IEEE802_11_RADIO")) {
            try CaptureFile(path: radiotap)
        }
        let user0 = try directory.write("user0.pcap", Builder.pcap(linkType: 147, records: threeRecords))
        #expect(throws: CaptureError.unsupportedLinkType(path: user0, dlt: 147, name: "no name known to libpcap")) {
            try CaptureFile(path: user0)
        }
        #expect(CaptureError.unsupportedLinkType(path: "x.pcap", dlt: 127, name: "IEEE802_11_RADIO").description
            .hasPrefix("x.pcap: unsupported link type 127 (IEEE802_11_RADIO)"))
    }

    @Test func rawLinkTypeComesBackAsDLTRaw() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("raw.pcap", Builder.pcap(linkType: 101, records: [.init(seconds: 1, subseconds: 0, frame: TestFrames.ipv4UDP)]))
        let file = try CaptureFile(path: path)
        #expect(file.linkType == .raw)
        #expect(file.linkTypeName == "RAW")
        #expect(file.read { _ in }.packetsRead == 1)
    }

    @Test func headerOnlyFileHasNoPackets() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("header.pcap", Builder.pcap(records: []))
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        try CaptureFile(path: path).feed(into: analyzer)
        #expect(analyzer.summary.packetsRead == 0)
        #expect(analyzer.summary.firstPacketTime == nil)
        #expect(analyzer.summary.linkType == "EN10MB")
    }

    /// A file cut exactly between records is indistinguishable from a complete one: libpcap sees
    /// a clean end of file.
    @Test func cutAtARecordBoundaryReadsAsComplete() throws {
        let directory = try TemporaryDirectory()
        let whole = Builder.pcap(records: threeRecords)
        let path = try directory.write("two.pcap", Array(whole.prefix(whole.count - threeRecords[2].frame.count - 16)))
        let (_, sizes, result) = try readAll(path)
        #expect(sizes.count == 2)
        #expect(result.stoppedBy == nil)
    }

    @Test(arguments: [7, 16 + 30])  // inside the third record's header; inside its data
    func truncatedFileDeliversWhatItHoldsThenThrows(bytesOfLastRecord: Int) throws {
        let directory = try TemporaryDirectory()
        let whole = Builder.pcap(records: threeRecords)
        let cut = whole.count - (16 + threeRecords[2].frame.count) + bytesOfLastRecord
        let path = try directory.write("cut.pcap", Array(whole.prefix(cut)))
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        do {
            try CaptureFile(path: path).feed(into: analyzer)
            Issue.record("no truncation error")
        } catch {
            guard case .truncated(path: path, packetsRead: 2, let reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(reason.hasPrefix("truncated dump file"))
            #expect(error.description.hasPrefix("\(path): truncated capture after 2 packets"))
        }
        #expect(analyzer.summary.packetsRead == 2)
        #expect(analyzer.summary.truncated)
        #expect(analyzer.summary.warnings.count == 1)
    }

    /// libpcap cuts a record longer than the file's snaplen to the snaplen (discarding the rest).
    @Test func recordLongerThanSnaplenIsCutToIt() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("snap.pcap", Builder.pcap(snaplen: 50, records: threeRecords))
        let (_, sizes, result) = try readAll(path)
        #expect(sizes == [8, 8, 8])  // 50 − 14 − 20 − 8
        #expect(result.packetsRead == 3)
    }

    @Test func zeroLengthRecordIsCountedAsLinkTruncated() throws {
        let directory = try TemporaryDirectory()
        let records = [Builder.Record(seconds: 1, subseconds: 0, frame: [])] + threeRecords
        let path = try directory.write("zero.pcap", Builder.pcap(records: records))
        let (_, sizes, result) = try readAll(path)
        #expect(result.packetsRead == 4)
        #expect(sizes.count == 3)
        #expect(result.decode[.linkTruncated] == 1)
    }

    /// A captured length beyond anything sane (libpcap's limit is 256 KiB) is corruption: read error.
    @Test func absurdRecordLengthIsAReadError() throws {
        let directory = try TemporaryDirectory()
        var records = threeRecords
        records[1].capturedLength = 10_000_000
        let path = try directory.write("huge.pcap", Builder.pcap(snaplen: 262_144, records: records))
        let (_, sizes, result) = try readAll(path)
        #expect(sizes.count == 1)
        guard case .readError(_, packetsRead: 1, let reason)? = result.stoppedBy else {
            Issue.record("expected a read error, got \(String(describing: result.stoppedBy))")
            return
        }
        #expect(reason.contains("invalid packet capture length 10000000"))

        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        #expect(throws: result.stoppedBy!) { try CaptureFile(path: path).feed(into: analyzer) }
        #expect(analyzer.summary.packetsRead == 1)
        #expect(analyzer.summary.truncated)
        #expect(analyzer.summary.warnings == [result.stoppedBy!.description])
    }

    @Test func pcapngWithAnUnknownBlockIsRead() throws {
        let directory = try TemporaryDirectory()
        let unknown = Builder.pcapngBlock(type: 0x0000_0BAD, body: [1, 2, 3, 4, 5])
        let bytes = Builder.pcapng(blocks: [
            Builder.enhancedPacket(microseconds: 1_700_000_000_000_001, frame: TestFrames.ethernetIPv4UDP),
            unknown,
            Builder.enhancedPacket(microseconds: 1_699_999_999_000_000, frame: TestFrames.ethernetIPv4UDP),  // goes back in time
        ])
        let path = try directory.write("min.pcapng", bytes)
        let (times, sizes, result) = try readAll(path)
        #expect(times == [1_700_000_000_000_001_000, 1_699_999_999_000_000_000])
        #expect(sizes == [16, 16])
        #expect(result.stoppedBy == nil)
        #expect(result.firstPacketTime == 1_700_000_000_000_001_000)

        let cut = try directory.write("cut.pcapng", Array(bytes.dropLast(10)))
        guard case .truncated(_, packetsRead: 1, _)? = try readAll(cut).result.stoppedBy else {
            Issue.record("a cut pcapng block is not reported as truncation")
            return
        }
    }

    @Test func progressIsReportedWithFilePosition() throws {
        let directory = try TemporaryDirectory()
        let count = 2 * Int(CaptureFile.packetsPerClockCheck) + 10
        let records = (0..<count).map { Builder.Record(seconds: UInt32($0), subseconds: 0, frame: TestFrames.ethernetIPv4UDP) }
        let path = try directory.write("many.pcap", Builder.pcap(records: records))
        let file = try CaptureFile(path: path)
        file.progressInterval = 0  // report at every clock check
        var reports: [ProgressInfo] = []
        _ = file.read(progress: { reports.append($0) }) { _ in }
        #expect(reports.map(\.packetsRead) == [CaptureFile.packetsPerClockCheck, 2 * CaptureFile.packetsPerClockCheck])
        #expect(reports.allSatisfy { $0.path == path && $0.totalBytes == Int64(24 + count * (16 + 58)) })
        #expect(reports.allSatisfy { $0.bytesRead > 0 && $0.bytesRead <= $0.totalBytes })
    }

    /// libpcap gives one link type per pcap_t: a pcapng interface of another type is a read error
    /// at that point (tshark would read it). What came before is delivered.
    @Test func pcapngInterfaceOfAnotherLinkTypeStopsReading() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("mixed.pcapng", Builder.pcapng(blocks: [
            Builder.enhancedPacket(microseconds: 1, frame: TestFrames.ethernetIPv4UDP),
            Builder.interfaceDescription(linkType: 113),
            Builder.enhancedPacket(interface: 1, microseconds: 2, frame: TestFrames.sll(protocol: 0x0800, payload: TestFrames.ipv4UDP)),
        ]))
        let (_, sizes, result) = try readAll(path)
        #expect(sizes == [16])
        guard case .readError(_, packetsRead: 1, let reason)? = result.stoppedBy else {
            Issue.record("expected a read error, got \(String(describing: result.stoppedBy))")
            return
        }
        #expect(reason.contains("different from the type of the first interface"))
    }

    /// pcapng carries 64-bit timestamps: a corrupt one must not overflow the nanosecond clock.
    @Test func absurdPcapngTimestampIsClampedNotFatal() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("future.pcapng", Builder.pcapng(blocks: [
            Builder.enhancedPacket(microseconds: UInt64.max - 5, frame: TestFrames.ethernetIPv4UDP),
        ]))
        let (times, _, result) = try readAll(path)
        #expect(result.packetsRead == 1)
        #expect(times.count == 1)
        #expect(times.first.map { $0 > 9_000_000_000_000_000_000 } == true)
        #expect(CaptureFile.nanoseconds(timeval(tv_sec: -1, tv_usec: 500_000_000)) == -500_000_000)
    }

    @Test func progressDescribesFraction() {
        let info = ProgressInfo(path: "a.pcap", bytesRead: 250, totalBytes: 1000, packetsRead: 3)
        #expect(info.fraction == 0.25)
        #expect(ProgressInfo(path: "a", bytesRead: 5, totalBytes: 0, packetsRead: 0).fraction == 0)
    }

    // MARK: inputs other than a plain file

    /// gzip -c of `bytes`, by the gzip tool (truth from outside the zlib reader under test).
    private func gzip(_ bytes: [UInt8], in directory: TemporaryDirectory, name: String) throws -> String {
        let plain = try directory.write(name, bytes)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-k", "-9", plain]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "gzip failed")
        return plain + ".gz"
    }

    /// `count` RTP packets 20 ms apart; with `noise`, 160 bytes of pseudo-random media each (hardly
    /// compressible, so gzip's output follows the packets).
    private func records(_ count: Int = 3000, noise: Bool = false) -> [Builder.Record] {
        var state: UInt32 = 0x1234_5678
        return (0..<count).map { index in
            let media: [UInt8] = noise ? (0..<160).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return UInt8(truncatingIfNeeded: state >> 24)
            } : []
            return Builder.Record(seconds: 1_700_000_000 + UInt32(index / 50), subseconds: UInt32(index % 50) * 20_000,
                                  frame: TestFrames.ethernet(etherType: 0x0800, payload: TestFrames.ipv4(payload: TestFrames.udp(
                                      sourcePort: 5004, destinationPort: 6000, payload: TestFrames.rtp(sequence: UInt16(truncatingIfNeeded: index)) + media))))
        }
    }

    @Test(arguments: ["pcap", "pcapng"])
    func gzipCompressedCaptureReadsAsTheUncompressedOne(format: String) throws {
        let directory = try TemporaryDirectory()
        let many = records(2 * Int(CaptureFile.packetsPerClockCheck) + 10)
        let bytes = format == "pcap" ? Builder.pcap(records: many)
            : Builder.pcapng(blocks: many.map {
                Builder.enhancedPacket(microseconds: UInt64($0.seconds) * 1_000_000 + UInt64($0.subseconds), frame: $0.frame)
            })
        let compressed = try gzip(bytes, in: directory, name: "many.\(format)")
        let plain = try readAll(String(compressed.dropLast(3)))
        let unpacked = try readAll(compressed)
        #expect(unpacked.times == plain.times && unpacked.sizes == plain.sizes)
        #expect(unpacked.result.packetsRead == UInt64(many.count) && unpacked.result.stoppedBy == nil)
        let file = try CaptureFile(path: compressed)
        #expect(file.isCompressed && file.isRereadable)
        // Progress counts compressed bytes against the file's size.
        file.progressInterval = 0
        var reports: [ProgressInfo] = []
        _ = file.read(progress: { reports.append($0) }) { _ in }
        let size = Int64(try FileManager.default.attributesOfItem(atPath: compressed)[.size] as? Int ?? 0)
        #expect(!reports.isEmpty && reports.allSatisfy { $0.totalBytes == size && $0.bytesRead <= size })
    }

    /// A gzip file cut short delivers what it holds and says so; a corrupt one is a read error.
    @Test func damagedGzipIsTruncationOrAReadError() throws {
        let directory = try TemporaryDirectory()
        let compressed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: gzip(Builder.pcap(records: records(noise: true)), in: directory, name: "d.pcap"))))
        try #require(compressed.count > 450_000, "media noise keeps gzip's output in step with the packets")
        let cut = try directory.write("cut.pcap.gz", Array(compressed.prefix(compressed.count / 2)))
        let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
        do {
            try CaptureFile(path: cut).feed(into: analyzer)
            Issue.record("a cut gzip stream read as complete")
        } catch {
            guard case .truncated(_, let packets, let reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(packets > 100 && packets < 3000 && analyzer.summary.packetsRead == packets)
            #expect(reason == "gzip stream cut short")
        }
        // Cut between two records: libpcap sees a clean end, zlib knows better.
        let whole = Builder.pcap(records: records(10))
        let boundary = try [UInt8](Data(contentsOf: URL(fileURLWithPath: gzip(whole, in: directory, name: "b.pcap"))))
        let uncompressedPrefix = try directory.write("prefix.pcap.gz", Array(boundary.prefix(boundary.count - 8)))  // no trailer
        guard case .truncated(_, 10, "gzip stream cut short")? = try readAll(uncompressedPrefix).result.stoppedBy else {
            Issue.record("a gzip stream without its trailer read as complete: \(String(describing: try? readAll(uncompressedPrefix).result.stoppedBy))")
            return
        }
        // A wrong CRC in the trailer: every record is good, the stream is not. zlib drops what its failing
        // inflate call had produced (at most 16 KiB here, ~70 of these 230-byte packets); the rest is read.
        var corrupt = compressed
        corrupt[corrupt.count - 8] ^= 0xFF
        let bad = try directory.write("bad.pcap.gz", corrupt)
        let result = try readAll(bad).result
        #expect(result.packetsRead >= 3000 - 16 * 1024 / 230 && result.packetsRead < 3000, "\(result.packetsRead)")
        guard case .readError(_, let delivered, let reason)? = result.stoppedBy, delivered == result.packetsRead else {
            Issue.record("expected a read error, got \(String(describing: result.stoppedBy))")
            return
        }
        #expect(reason.hasPrefix("corrupt gzip data: ") && !reason.contains("<fd:"), "\(reason)")
        // Not gzip after all beyond its magic: zlib's words, one line, naming the file.
        let fake = try directory.write("fake.pcap.gz", [0x1F, 0x8B] + Array("not really gzip at all........".utf8))
        #expect(throws: CaptureError.self) { try CaptureFile(path: fake) }
    }

    /// A FIFO is read once through the descriptor opened for it. The old reader opened the path a
    /// second time for its mapping: once the writer had finished and closed, that open blocked for
    /// ever (measured with the old binary and a writer that writes and closes at once: 2 of 5 runs
    /// hung). Here the writer is done before the first record is read, every time.
    @Test(arguments: [false, true])
    func fifoIsReadOnceThroughItsDescriptor(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        // Small enough (~30 KB) for the pipe's buffer: the writer finishes without a reader draining it.
        let bytes = Builder.pcap(records: records(500))
        let source = compressed ? try gzip(bytes, in: directory, name: "src.pcap") : try directory.write("src.pcap", bytes)
        let content = try Data(contentsOf: URL(fileURLWithPath: source))
        let fifo = directory.url.appendingPathComponent("capture.fifo").path
        try #require(mkfifo(fifo, 0o600) == 0)
        // The writer writes everything and closes, as `cat file > fifo` does.
        let writerDone = DispatchSemaphore(value: 0)
        Thread {
            defer { writerDone.signal() }
            guard let handle = FileHandle(forWritingAtPath: fifo) else { return }  // blocks until the reader opens
            try? handle.write(contentsOf: content)
            try? handle.close()
        }.start()
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        Thread {
            do {
                let file = try CaptureFile(path: fifo)
                // Only once the writer has closed its end does reading start.
                _ = writerDone.wait(timeout: .now() + 20)
                var datagrams = 0
                var first: Nanoseconds?
                let result = file.read { datagram in
                    if first == nil { first = datagram.time }
                    datagrams += 1
                }
                box.value = .success((first, datagrams, file.isRereadable, result))
            } catch {
                box.value = .failure(error)
            }
            done.signal()
        }.start()
        try #require(done.wait(timeout: .now() + 30) == .success, "reading the FIFO hung")
        let (first, datagrams, rereadable, result) = try #require(box.value).get()
        #expect(result.packetsRead == 500 && result.stoppedBy == nil && datagrams == 500)
        #expect(first == 1_700_000_000_000_000_000)
        #expect(!rereadable)
    }

    /// Character devices: no hang, a clear error.
    @Test func characterDevicesGetClearErrors() throws {
        #expect(throws: CaptureError.emptyFile(path: "/dev/null")) { try CaptureFile(path: "/dev/null") }
        do {
            _ = try CaptureFile(path: "/dev/zero")
            Issue.record("/dev/zero accepted")
        } catch {
            guard case .notACaptureFile(path: "/dev/zero", _) = error else { Issue.record("wrong error \(error)"); return }
        }
    }

    @Test func standardInputIsNamedStdin() {
        #expect(CaptureError.truncated(path: "-", packetsRead: 3, reason: "x").description == "stdin: truncated capture after 3 packets (x)")
        #expect(CaptureError.fileNotFound(path: "a.pcap").description == "a.pcap: file not found")
    }
}

/// Carries a thread's result back to the test (the semaphore orders the accesses).
private final class ResultBox: @unchecked Sendable {
    var value: Result<(first: Nanoseconds?, datagrams: Int, rereadable: Bool, result: CaptureReadResult), any Error>?
}
