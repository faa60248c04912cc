/// A simulated receiver jitter buffer: what a listener behind such a buffer loses (VoIPmonitor's and
/// sip-exporter's F1/F2/adaptive). A packet is played at a fixed delay after the earliest possible
/// arrival of its media time; one arriving later than that is discarded — lost to the listener although
/// the network delivered it.
///
/// The "earliest possible arrival" is the floor of the stream's transit (arrival − timestamp/clock): the
/// smallest transit seen, allowed to rise by at most 200 ppm of elapsed time so that the drift between
/// sender and capture clocks (crystals are specified to ±100 ppm each) is not taken for delay.
public struct JitterBufferModel: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Plays every packet `delay` after the floor.
        case fixed
        /// Starts at `adaptiveInitialDelay` (or `delay` if smaller); a late packet (discarded) grows
        /// the delay to cover it plus `adaptiveMargin`, up to `delay`; the delay then shrinks back
        /// towards what the recent packets needed, by 1/512 of the difference per packet (~10 s at
        /// 50 packets/s).
        case adaptive
    }

    public var name: String
    public var kind: Kind
    /// Fixed: the playout delay. Adaptive: the most it grows to.
    public var delay: Nanoseconds

    public init(name: String, kind: Kind, delay: Nanoseconds) {
        self.name = name
        self.kind = kind
        self.delay = delay
    }

    public static let adaptiveInitialDelay: Nanoseconds = 50_000_000
    public static let adaptiveMargin: Nanoseconds = 10_000_000

    /// The playout delay the model starts with.
    var initialDelay: Nanoseconds { kind == .fixed ? delay : min(delay, Self.adaptiveInitialDelay) }

    /// F1 (fixed 50 ms), F2 (fixed 200 ms), adaptive up to 500 ms.
    public static let defaults: [JitterBufferModel] = [
        JitterBufferModel(name: "F1", kind: .fixed, delay: 50_000_000),
        JitterBufferModel(name: "F2", kind: .fixed, delay: 200_000_000),
        JitterBufferModel(name: "adaptive", kind: .adaptive, delay: 500_000_000),
    ]

    /// Parses `--jitter-buffers`: comma-separated `fixed:MS` and `adaptive:MAX_MS` (1…5000 ms). Fixed
    /// models are named F1, F2… in order, adaptive ones `adaptive`, `adaptive2`…. Returns a one-line
    /// reason for bad input.
    public static func parseList(_ text: String) -> Result<[JitterBufferModel], JitterBufferSpecError> {
        var models: [JitterBufferModel] = []
        var fixedCount = 0, adaptiveCount = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let milliseconds = Int(parts[1]), milliseconds >= 1, milliseconds <= 5000 else {
                return .failure(JitterBufferSpecError(message: "jitter buffer '\(item)': expected fixed:MS or adaptive:MAX_MS with MS in 1…5000"))
            }
            let delay = Nanoseconds(milliseconds) * 1_000_000
            switch parts[0].lowercased() {
            case "fixed":
                fixedCount += 1
                models.append(JitterBufferModel(name: "F\(fixedCount)", kind: .fixed, delay: delay))
            case "adaptive":
                adaptiveCount += 1
                models.append(JitterBufferModel(name: adaptiveCount == 1 ? "adaptive" : "adaptive\(adaptiveCount)",
                                                kind: .adaptive, delay: delay))
            default:
                return .failure(JitterBufferSpecError(message: "jitter buffer '\(item)': kind must be fixed or adaptive"))
            }
        }
        guard !models.isEmpty, models.count <= 8 else {
            return .failure(JitterBufferSpecError(message: "--jitter-buffers takes 1 to 8 models"))
        }
        return .success(models)
    }
}

public struct JitterBufferSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The quality settings every stream shares (one instance per analyzer): the jitter-buffer models and
/// what follows from them.
final class QualitySettings: Sendable {
    let models: [JitterBufferModel]
    /// The model `mos`, `jb_discarded` and `effective_loss` describe: the first adaptive one, else the
    /// last configured.
    let primaryIndex: Int
    /// A packet whose transit deviation is at most this is on time in every model and below every
    /// delay bucket: a clean stream decides so with one comparison, without quality state.
    let triggerThreshold: Nanoseconds

    /// Delay-variation buckets: share of packets whose transit deviates by more than these.
    static let delayBuckets: [Nanoseconds] = [50, 70, 90, 120, 150, 200, 300].map { $0 * 1_000_000 }
    /// Per-interval MOS is computed over windows of this length.
    static let interval: Nanoseconds = 10_000_000_000

    /// Per codec name, per model: the G.107 R of a stream that lost nothing, played out at the
    /// model's initial delay with no network delay — what every clean stream is rated. Computed once
    /// here: a rating is ~15 exp/log, and at 20,000 streams the same few values computed for every
    /// stream and model were a seventh of an analysis.
    private let cleanRatings: [String: [Double?]]

    init(models: [JitterBufferModel]) {
        let models = models.isEmpty ? JitterBufferModel.defaults : models
        self.models = models
        primaryIndex = models.firstIndex { $0.kind == .adaptive } ?? models.count - 1
        triggerThreshold = min(Self.delayBuckets[0], models.map(\.initialDelay).min() ?? Self.delayBuckets[0])
        var cleanRatings: [String: [Double?]] = [:]
        for codec in VoiceCodec.rated {
            cleanRatings[codec.name] = models.map { model in
                Self.cleanParameters(codec, delay: model.initialDelay).map(EModel.rating)
            }
        }
        self.cleanRatings = cleanRatings
    }

    /// The E-model inputs of a clean stream behind a buffer of `delay`.
    static func cleanParameters(_ codec: VoiceCodec, delay: Nanoseconds) -> EModel.Parameters? {
        codec.parameters(lossPercent: 0, burstRatio: 1, oneWayDelayMs: Double(delay) / 1e6)
    }

    /// `EModel.rating(cleanParameters(codec, delay: models[model].initialDelay))`, from the table.
    func cleanRating(_ codec: VoiceCodec, model: Int) -> Double? {
        if let ratings = cleanRatings[codec.name], ratings.indices.contains(model) { return ratings[model] }
        return Self.cleanParameters(codec, delay: models[model].initialDelay).map(EModel.rating)
    }

    static let standard = QualitySettings(models: JitterBufferModel.defaults)
}
