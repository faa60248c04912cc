import Foundation
import Testing
import RTPCore
@testable import PcapSource

/// A capture cut at every byte offset — inside the file header, at each record (block) boundary and
/// inside each record header and body — is either rejected as not a capture, read as complete
/// (a cut exactly between records looks like a clean end of file), or read up to the cut and
/// reported as truncated with the packets before it kept. Never a crash, never a packet invented
/// or lost before the cut.
@Suite struct TruncationSweepTests {
    typealias Builder = CaptureFileBuilder

    /// A file's bytes and the offsets at which each of its records ends (its header before them).
    struct Layout {
        var name: String
        var bytes: [UInt8]
        var headerLength: Int
        var recordEnds: [Int]
    }

    private static let frames: [[UInt8]] =
        (1...3).map { index in
            TestFrames.ethernet(etherType: 0x0800, payload: TestFrames.ipv4(payload: TestFrames.udp(
                sourcePort: 5004, destinationPort: 6000, payload: TestFrames.rtp(sequence: UInt16(index)))))
        }

    static let layouts: [Layout] = {
        let records = frames.enumerated().map { index, frame in
            Builder.Record(seconds: 1_700_000_000 + UInt32(index), subseconds: 0, frame: frame)
        }
        let pcapEnds = frames.indices.map { 24 + (0...$0).reduce(0) { $0 + 16 + frames[$1].count } }
        let blocks = frames.enumerated().map { index, frame in
            Builder.enhancedPacket(microseconds: 1_700_000_000_000_000 + UInt64(index) * 20_000, frame: frame)
        }
        let pcapng = Builder.pcapng(blocks: blocks)
        let pcapngHeader = pcapng.count - blocks.reduce(0) { $0 + $1.count }
        let pcapngEnds = blocks.indices.map { pcapngHeader + (0...$0).reduce(0) { $0 + blocks[$1].count } }
        return [
            Layout(name: "pcap", bytes: Builder.pcap(records: records), headerLength: 24, recordEnds: pcapEnds),
            Layout(name: "pcap-big-endian", bytes: Builder.pcap(format: .microsecondBigEndian, records: records),
                   headerLength: 24, recordEnds: pcapEnds),
            Layout(name: "pcapng", bytes: pcapng, headerLength: pcapngHeader, recordEnds: pcapngEnds),
        ]
    }()

    @Test(arguments: layouts.map(\.name))
    func everyCutIsRejectedCompleteOrTruncatedWithWhatPrecedesIt(name: String) throws {
        let layout = try #require(Self.layouts.first { $0.name == name })
        #expect(layout.recordEnds.last == layout.bytes.count)
        let directory = try TemporaryDirectory()
        for cut in 0..<layout.bytes.count {
            let path = try directory.write("cut-\(cut).\(name)", Array(layout.bytes.prefix(cut)))
            let wholeRecords = UInt64(layout.recordEnds.filter { $0 <= cut }.count)
            let analyzer = StreamAnalyzer(configuration: AnalyzerConfiguration())
            do {
                try CaptureFile(path: path).feed(into: analyzer)
                // Only a cut between records (or after the header) reads as a complete file.
                #expect(cut == layout.headerLength || layout.recordEnds.contains(cut), "cut \(cut): read as complete")
                #expect(analyzer.summary.packetsRead == wholeRecords, "cut \(cut)")
                #expect(!analyzer.summary.truncated, "cut \(cut)")
            } catch {
                #expect(!error.description.contains("\n"), "cut \(cut): a multi-line message")
                #expect(error.description.hasPrefix(path), "cut \(cut): the message does not name the file")
                switch error {
                case .emptyFile:
                    #expect(cut == 0)
                case .notACaptureFile:
                    #expect(cut > 0 && cut < layout.headerLength, "cut \(cut): rejected as not a capture")
                case .truncated(_, let packetsRead, _):
                    #expect(cut > layout.headerLength && !layout.recordEnds.contains(cut), "cut \(cut): truncated")
                    #expect(packetsRead == wholeRecords, "cut \(cut)")
                    #expect(analyzer.summary.packetsRead == wholeRecords, "cut \(cut)")
                    #expect(analyzer.summary.truncated, "cut \(cut)")
                    #expect(analyzer.summary.warnings == [error.description], "cut \(cut)")
                default:
                    Issue.record("cut \(cut): unexpected \(error)")
                }
            }
        }
    }
}
