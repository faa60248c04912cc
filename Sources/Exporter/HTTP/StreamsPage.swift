import RTPCore

/// The `/streams` document: the analysis report in the shape of `analyze --format json`, with every
/// stream, or one page of them with `?limit=N&offset=M`, plus the paging keys `total_streams` (always),
/// `offset` and `limit` (when paged). Without parameters it returns everything, as it always has.
///
/// The report's own keys are encoded by the report itself, so fields added to `AnalysisReport`
/// later appear here without a change.
struct StreamsPage: Encodable {
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

    private enum PagingKeys: String, CodingKey {
        case totalStreams = "total_streams", offset, limit
    }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: PagingKeys.self)
        try container.encode(totalStreams, forKey: .totalStreams)
        if window != .all {
            try container.encode(window.offset, forKey: .offset)
            if let limit = window.limit { try container.encode(limit, forKey: .limit) }
        }
    }
}
