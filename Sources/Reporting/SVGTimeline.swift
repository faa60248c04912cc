import Foundation
import MetricCatalog

/// A line chart of one series over time as a standalone SVG element, for the HTML report.
///
/// Styling is in presentation attributes, not page CSS, so an `<svg>` cut out of the page renders the
/// same on its own (the report tests render each chart with rsvg-convert). No `xmlns`: inline SVG in
/// HTML gets its namespace from the parser, and the page must not reference any URL.
struct SVGTimeline {
    struct Point {
        var x: Double
        /// nil: no value at this time (e.g. jitter while the clock rate is unknown); the line breaks there.
        var y: Double?
    }

    /// A highlighted point (a loss event, an RTCP report), with the tooltip text a viewer shows on hover.
    struct Marker {
        var x: Double
        var y: Double
        var label: String
        var color = SVGTimeline.markerColor
    }

    /// The range of values in one time slot (packets that share a pixel column), drawn as a vertical
    /// stroke so that a spike survives any number of packets per pixel.
    struct Band {
        var x: Double
        var low: Double
        var high: Double
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var points: [Point]
    var markers: [Marker] = []
    var bands: [Band] = []
    /// The x axis span; nil: the data's own. Charts of one stream share it so they line up.
    var xRange: (low: Double, high: Double)? = nil
    /// Key entries (colour, text) drawn at the top right, for charts with more than one kind of mark.
    var key: [(color: String, text: String)] = []
    /// Shown in the plot area when no point has a value.
    var emptyText = "no data"

    static let width = 720.0
    static let height = 220.0
    /// Plot area inside the margins that hold the title, tick labels and axis labels.
    static let plot = (left: 70.0, right: 700.0, top: 28.0, bottom: 172.0)
    static let lineColor = "#1f6fb4"
    static let markerColor = "#d62728"
    static let reportColor = "#ff7f0e"

    func render() -> String {
        let values = points.compactMap(\.y) + markers.map(\.y) + bands.flatMap { [$0.low, $0.high] }
        let xAxis = AxisScale(covering: xRange.map { [$0.low, $0.high] }
            ?? points.map(\.x) + markers.map(\.x) + bands.map(\.x))
        // Counts and jitter read from zero: a y axis starting at the minimum exaggerates small wobbles.
        let yAxis = AxisScale(covering: values + [0])
        let p = Self.plot
        func px(_ x: Double) -> Double { p.left + xAxis.fraction(x) * (p.right - p.left) }
        func py(_ y: Double) -> Double { p.bottom - yAxis.fraction(y) * (p.bottom - p.top) }

        var svg = "<svg class=\"timeline\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" "
            + "viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" "
            + "aria-label=\"\(HTMLText.escape(title))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        svg += "<title>\(HTMLText.escape(title))</title>\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        svg += "<text x=\"\(p.left)\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(HTMLText.escape(title))</text>\n"

        for tick in yAxis.ticks {
            let y = Self.coordinate(py(tick))
            svg += "<line x1=\"\(p.left)\" y1=\"\(y)\" x2=\"\(p.right)\" y2=\"\(y)\" stroke=\"#e3e3e3\"/>\n"
            svg += "<text x=\"\(p.left - 6)\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(yAxis.label(tick))</text>\n"
        }
        for tick in xAxis.ticks {
            let x = Self.coordinate(px(tick))
            svg += "<line x1=\"\(x)\" y1=\"\(p.bottom)\" x2=\"\(x)\" y2=\"\(p.bottom + 4)\" stroke=\"#555555\"/>\n"
            svg += "<text x=\"\(x)\" y=\"\(p.bottom + 16)\" text-anchor=\"middle\">\(xAxis.label(tick))</text>\n"
        }
        svg += "<polyline points=\"\(p.left),\(p.top) \(p.left),\(p.bottom) \(p.right),\(p.bottom)\" fill=\"none\" stroke=\"#555555\"/>\n"
        svg += "<text x=\"\((p.left + p.right) / 2)\" y=\"\(Self.height - 12)\" text-anchor=\"middle\">\(HTMLText.escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(16 \((p.top + p.bottom) / 2)) rotate(-90)\" text-anchor=\"middle\">\(HTMLText.escape(yLabel))</text>\n"

        if values.isEmpty {
            svg += "<text x=\"\((p.left + p.right) / 2)\" y=\"\((p.top + p.bottom) / 2)\" text-anchor=\"middle\" fill=\"#888888\">\(HTMLText.escape(emptyText))</text>\n"
        }
        if !bands.isEmpty {
            // One move-and-vertical-line per slot; round caps make a single-valued slot a dot.
            let path = bands.map { band in
                "M\(Self.coordinate(px(band.x))) \(Self.coordinate(py(band.high)))V\(Self.coordinate(py(band.low)))"
            }.joined()
            svg += "<path class=\"bands\" d=\"\(path)\" fill=\"none\" stroke=\"\(Self.lineColor)\" "
                + "stroke-width=\"1.5\" stroke-linecap=\"round\" stroke-opacity=\"0.55\"/>\n"
        }
        for run in runs() {
            let coordinates = run.map { "\(Self.coordinate(px($0.x))),\(Self.coordinate(py($0.y)))" }
            svg += "<polyline class=\"series\" points=\"\(coordinates.joined(separator: " "))\" fill=\"none\" "
                + "stroke=\"\(Self.lineColor)\" stroke-width=\"1.5\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n"
        }
        for marker in markers {
            svg += "<circle class=\"marker\" cx=\"\(Self.coordinate(px(marker.x)))\" cy=\"\(Self.coordinate(py(marker.y)))\" r=\"4\" "
                + "fill=\"\(marker.color)\"><title>\(HTMLText.escape(marker.label))</title></circle>\n"
        }
        for (index, entry) in key.enumerated() {
            let y = p.top + 12 + Double(index) * 14
            svg += "<circle cx=\"\(p.right - 150)\" cy=\"\(y - 4)\" r=\"4\" fill=\"\(entry.color)\"/>"
                + "<text x=\"\(p.right - 142)\" y=\"\(y)\">\(HTMLText.escape(entry.text))</text>\n"
        }
        return svg + "</svg>"
    }

    /// The points split where a value is missing, so no line is drawn across the gap. A lone point
    /// still gets its own (one-point) polyline; its round cap shows it as a dot.
    private func runs() -> [[(x: Double, y: Double)]] {
        var runs: [[(x: Double, y: Double)]] = [[]]
        for point in points {
            if let y = point.y { runs[runs.count - 1].append((point.x, y)) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
        }
        return runs.filter { !$0.isEmpty }
    }

    /// Two decimals are below a pixel's resolution and keep the markup short.
    static func coordinate(_ value: Double) -> String {
        NumberText.fixed(value, decimals: 2)
    }
}

/// A linear axis over the data's range, widened to "nice" round ticks (1, 2 or 5 × 10ⁿ apart).
struct AxisScale {
    let lower: Double
    let upper: Double
    let step: Double

    /// About this many intervals: enough to read values off, few enough for the labels to fit.
    static let targetIntervals = 5.0

    init(covering values: [Double]) {
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        // A flat series (one sample, or all zero) still needs a range to draw in.
        if high - low < 1e-12 { low -= low == 0 ? 0 : 1; high += 1 }
        let step = Self.niceStep((high - low) / Self.targetIntervals)
        self.step = step
        lower = (low / step).rounded(.down) * step
        upper = (high / step).rounded(.up) * step
    }

    var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...count).map { lower + Double($0) * step }
    }

    /// Where `value` sits between the ends, 0…1.
    func fraction(_ value: Double) -> Double {
        (value - lower) / (upper - lower)
    }

    /// As many decimals as the step needs (0.25 → 2, 5 → 0), so ticks read 0, 0.5, 1 and not 0.500000.
    func label(_ value: Double) -> String {
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return NumberText.fixed(abs(value) < step / 2 ? 0 : value, decimals: decimals)
    }

    static func niceStep(_ rough: Double) -> Double {
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let normalized = rough / magnitude
        let nice: Double = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10
        return nice * magnitude
    }
}
