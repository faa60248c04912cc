import Reporting
import RTPCore

/// The `/streams` document: the analysis report as `analyze --format json` writes it (the same
/// writer, `JSONReportPieces`), with every stream or one page of them with `?limit=N&offset=M`, plus
/// the paging keys `total_streams` (always), `offset` and `limit` (when paged), sorted among the
/// report's keys. Without parameters it returns everything, as it always has. The body is written
/// as the connection drains it, a piece at a time: at 100,000 streams it is ~400 MB.
struct StreamsPage {
    let report: AnalysisReport
    let window: Window

    struct Window: Equatable {
        var offset: Int
        var limit: Int?

        static let all = Window(offset: 0, limit: nil)

        /// One-line reasons for a 400.
        struct Invalid: Error, CustomStringConvertible {
            let description: String
        }

        init(offset: Int, limit: Int?) {
            self.offset = offset
            self.limit = limit
        }

        static func parse(_ query: [(name: String, value: String)]) -> Result<Window, Invalid> {
            var window = Window.all
            for (name, value) in query {
                switch name {
                case "limit":
                    guard let limit = Int(value), limit >= 0 else {
                        return .failure(Invalid(description: "limit must be a non-negative integer, got \"\(value.prefix(32))\""))
                    }
                    window.limit = limit
                case "offset":
                    guard let offset = Int(value), offset >= 0 else {
                        return .failure(Invalid(description: "offset must be a non-negative integer, got \"\(value.prefix(32))\""))
                    }
                    window.offset = offset
                default:
                    continue  // other parameters are ignored, as on every endpoint
                }
            }
            return .success(window)
        }

        func range(in count: Int) -> Range<Int> {
            let start = min(offset, count)
            let end = limit.map { start + min($0, count - start) } ?? count
            return start..<end
        }
    }

    init(report: AnalysisReport, window: Window) {
        var page = report
        page.streams = Array(report.streams[window.range(in: report.streams.count)])
        self.report = page
        self.window = window
        totalStreams = report.streams.count
    }

    private let totalStreams: Int

    /// The body, produced as the connection takes it.
    func chunks(pieceBytes: Int = 64 * 1024) -> any ResponseChunks {
        var paging: [(key: StaticString, value: Int)] = [("total_streams", totalStreams)]
        if window != .all {
            paging.append(("offset", window.offset))
            if let limit = window.limit { paging.append(("limit", limit)) }
        }
        return ReportChunks(JSONReportPieces(report, extraMembers: paging, pieceBytes: pieceBytes))
    }
}

/// `JSONReportPieces` as a response body. The pieces come from plain structs, which the encoder
/// cannot fail on; if it ever did, the body would end there (JSON cut short, which any client's
/// parser rejects) rather than the process.
final class ReportChunks: ResponseChunks, @unchecked Sendable {
    private let pieces: JSONReportPieces

    init(_ pieces: JSONReportPieces) {
        self.pieces = pieces
    }

    func next() -> [UInt8]? {
        (try? pieces.next()) ?? nil
    }
}
