import RTPCore

extension ExportedHistogram {
    /// The engine's per-stream packet interval histogram, as exported. Its last (overflow) bucket is
    /// only reflected in `count`, which the exposition writes as the `+Inf` bucket.
    public init(_ histogram: IntervalHistogram) {
        self.init(upperBounds: IntervalHistogram.bounds,
                  bucketCounts: Array(histogram.counts.prefix(IntervalHistogram.bounds.count)),
                  sum: histogram.sum, count: histogram.count)
    }
}
