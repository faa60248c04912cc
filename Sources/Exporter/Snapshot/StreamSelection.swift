import RTPCore

/// `--stream-metrics`: which streams get per-stream series. Aggregates per process and per peer are
/// exported whatever the mode.
public enum StreamMetricsMode: Sendable, Equatable, CustomStringConvertible {
    /// Every stream (about 30 series each: a busy host's scrape grows with its streams).
    case all
    /// The `limit` streams with the most packets lost, then the most packets.
    case top(Int)
    /// No per-stream series: aggregates only.
    case none

    public static let `default` = StreamMetricsMode.top(1000)

    /// `all`, `none` or `top:N` (N ≥ 1).
    public init?(streamMetrics argument: String) {
        switch argument {
        case "all": self = .all
        case "none": self = .none
        default:
            guard argument.hasPrefix("top:"), let limit = Int(argument.dropFirst(4)), limit > 0 else { return nil }
            self = .top(limit)
        }
    }

    public var description: String {
        switch self {
        case .all: return "all"
        case .none: return "none"
        case .top(let limit): return "top:\(limit)"
        }
    }

    /// How many streams at most; nil for all.
    var limit: Int? {
        switch self {
        case .all: return nil
        case .none: return 0
        case .top(let limit): return limit
        }
    }
}

/// Picks the streams to export in one pass over their figures, keeping at most `limit` in a heap whose
/// root is the least important kept so far: O(streams · log limit), memory O(limit).
///
/// Importance: more packets lost, then more packets, then the older stream (so equal streams keep
/// their place from scrape to scrape instead of trading series), then the key.
public struct StreamSelection {
    public let mode: StreamMetricsMode
    /// The kept streams; a heap (or, for `all`, every stream in the order seen).
    private var heap: [StreamFigures] = []
    private var seen = 0

    public init(mode: StreamMetricsMode) {
        self.mode = mode
        if let limit = mode.limit { heap.reserveCapacity(min(limit, 1 << 16)) }
    }

    /// Considers one stream.
    public mutating func consider(_ figures: StreamFigures) {
        defer { seen += 1 }
        guard let limit = mode.limit else {
            heap.append(figures)
            return
        }
        guard limit > 0 else { return }
        if heap.count < limit {
            heap.append(figures)
            siftUp(heap.count - 1)
        } else if Self.moreImportant(figures, than: heap[0]) {
            heap[0] = figures
            siftDown(0)
        }
    }

    /// How many streams were considered.
    public var consideredCount: Int { seen }

    /// The kept streams, most important first (for `all`: in the order seen).
    public var selected: [StreamFigures] {
        guard mode.limit != nil else { return heap }
        return heap.sorted { Self.moreImportant($0, than: $1) }
    }

    /// Whether `a` ranks before `b` (see the type's documentation).
    public static func moreImportant(_ a: StreamFigures, than b: StreamFigures) -> Bool {
        if a.lost != b.lost { return a.lost > b.lost }
        if a.packets != b.packets { return a.packets > b.packets }
        if a.firstTime != b.firstTime { return a.firstTime < b.firstTime }
        return tieBreak(a.key) < tieBreak(b.key)
    }

    private static func tieBreak(_ key: StreamKey) -> (UInt32, Int32, Endpoint, Endpoint, String) {
        (key.ssrc, key.pid ?? -1, key.source, key.destination, key.direction?.rawValue ?? "")
    }

    // A min-heap on importance: the root is the stream the next better one replaces.
    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.moreImportant(heap[parent], than: heap[child]) else { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var least = parent
            if left < heap.count, Self.moreImportant(heap[least], than: heap[left]) { least = left }
            if right < heap.count, Self.moreImportant(heap[least], than: heap[right]) { least = right }
            if least == parent { return }
            heap.swapAt(parent, least)
            parent = least
        }
    }
}
