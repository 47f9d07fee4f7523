import Foundation

/// Hand-written SVG charts for the reports: threshold sweeps, precision/recall/F1 curves and
/// horizontal bar charts.
///
/// Each function returns one standalone SVG document (with `xmlns`, a white background, a
/// `<title>` and a `<desc>` referenced by `aria-labelledby`), usable both inline in HTML and as an
/// `.svg` file. Colours follow the Okabe–Ito palette, which stays distinct for the common forms of
/// colour blindness; series also differ by dash pattern and marker shape, so the charts read in
/// greyscale too. Output is deterministic: the same data gives the same bytes.
public enum SVGChart {
    /// The y-axis scale of a line chart.
    public enum Scale: String, Sendable, Codable, CaseIterable {
        /// Linear from 0.
        case linear
        /// Logarithmic in `1 + y` (so that 0 can be drawn), ticks at 0, 1, 10, 100, …
        case logarithmic
        /// Logarithmic when the largest value is at least 100 times the smallest non-zero one.
        case automatic
    }

    /// How the values of a bar chart are read.
    public enum ValueStyle: String, Sendable, Codable, CaseIterable {
        /// Counts: integer ticks, compact labels (`12k`).
        case count
        /// Fractions in [0, 1], ticked as percentages.
        case fraction
    }

    /// One bar of a horizontal bar chart.
    public struct Bar: Sendable, Equatable {
        /// Category name, drawn left of the bar (long names are shortened; the full name is in
        /// the bar's tooltip).
        public var label: String
        /// Bar length in data units (a count, or a fraction in [0, 1]); negative values draw as 0.
        public var value: Double
        /// Text drawn after the bar, e.g. `"1,204"` or `"12/15 (80 %)"`.
        public var valueLabel: String

        /// Creates a bar.
        public init(label: String, value: Double, valueLabel: String) {
            self.label = label
            self.value = value
            self.valueLabel = valueLabel
        }
    }

    // MARK: Public charts

    /// Number of candidate pairs against the Hamming threshold, with the chosen threshold marked.
    ///
    /// - Parameters:
    ///   - sweep: The sweep; thresholds in bits (x axis from 0 to at least 32), pair counts on y.
    ///   - scale: The y-axis scale; `.automatic` picks logarithmic for counts spanning two decades.
    ///   - id: Prefix for the element ids, unique within the page that embeds the chart.
    /// - Returns: An SVG document, 640 × 340 user units. The chosen threshold is a
    ///   `<g class="chosen-threshold" data-threshold="…">` element.
    /// - Complexity: O(n log n) in the number of points.
    public static func thresholdSweep(_ sweep: ReportSweep, scale: Scale = .automatic, id: String = "chart-sweep") -> String {
        let points = sweep.points.sorted { $0.threshold < $1.threshold }
        let values = points.map { Double(max($0.pairs, 0)) }
        let logarithmic: Bool
        switch scale {
        case .linear: logarithmic = false
        case .logarithmic: logarithmic = true
        case .automatic:
            let largest = values.max() ?? 0
            let smallest = values.filter { $0 > 0 }.min() ?? 1
            logarithmic = largest >= 100 * smallest
        }
        let chosenPairs = points.first { $0.threshold == sweep.chosenThreshold }?.pairs
        var description = "Number of image pairs whose \(sweep.hashName) hashes differ by at most t bits, "
        description += "for each Hamming threshold t"
        description += logarithmic ? " (logarithmic scale). " : ". "
        description += "Chosen threshold: \(sweep.chosenThreshold) bits"
        if let chosenPairs { description += " (\(Text.grouped(chosenPairs)) pairs)" }
        description += "."
        let largestThreshold = max(32, points.last?.threshold ?? 0, sweep.chosenThreshold)
        let chart = LineChart(
            id: id,
            title: "Candidate pairs by Hamming threshold (\(sweep.hashName))",
            description: description,
            xLabel: "Hamming threshold (bits)",
            yLabel: logarithmic ? "pairs (log scale)" : "pairs",
            xMaximum: Double(largestThreshold),
            yAxis: logarithmic ? .logarithmic(maximum: values.max() ?? 0) : .linear(maximum: values.max() ?? 0),
            series: [
                LineChart.Series(
                    name: "pairs",
                    points: zip(points, values).map { ($0.threshold, $1) },
                    colour: Palette.blue, dash: nil, marker: .circle,
                    tooltip: { threshold, value in "\(threshold) bits: \(Text.grouped(Int64(value))) pairs" }
                )
            ],
            markers: [
                LineChart.Marker(
                    x: sweep.chosenThreshold,
                    label: "chosen: \(sweep.chosenThreshold) bits"
                        + (chosenPairs.map { ", \(Text.compact(Double($0))) pairs" } ?? ""),
                    classes: "chosen-threshold", colour: Palette.vermillion, dash: "6 4", row: 0
                )
            ]
        )
        return chart.render()
    }

    /// Precision, recall and F1 against the Hamming threshold, with the best-F1 threshold (and the
    /// chosen one, when different) marked.
    ///
    /// - Parameters:
    ///   - evaluation: The evaluation; values in [0, 1], thresholds in bits.
    ///   - id: Prefix for the element ids, unique within the page that embeds the chart.
    /// - Returns: An SVG document, 640 × 360 user units, with a `<g class="best-threshold">` marker
    ///   and a `<g class="chosen-threshold">` marker (one element with both classes when they agree).
    /// - Complexity: O(n log n) in the number of rows.
    public static func precisionRecall(_ evaluation: ReportEvaluation, id: String = "chart-evaluation") -> String {
        let rows = evaluation.rows.sorted { $0.threshold < $1.threshold }
        let best = rows.first { $0.threshold == evaluation.bestThreshold }
        var description = "Precision, recall and F1 of \(evaluation.hashName) duplicate pairs against ground truth, "
        description += "for each Hamming threshold. Best F1 at \(evaluation.bestThreshold) bits"
        if let best { description += " (F1 \(Text.fixed(best.f1, 3)))" }
        description += "; chosen threshold \(evaluation.chosenThreshold) bits."
        let fraction: (String) -> (Int, Double) -> String = { name in
            { threshold, value in "\(threshold) bits: \(name) \(Text.fixed(value, 3))" }
        }
        var markers: [LineChart.Marker] = []
        if evaluation.bestThreshold == evaluation.chosenThreshold {
            markers.append(LineChart.Marker(
                x: evaluation.bestThreshold,
                label: "best F1 = chosen: \(evaluation.bestThreshold) bits",
                classes: "best-threshold chosen-threshold", colour: Palette.black, dash: nil, row: 0
            ))
        } else {
            markers.append(LineChart.Marker(
                x: evaluation.bestThreshold, label: "best F1: \(evaluation.bestThreshold) bits",
                classes: "best-threshold", colour: Palette.black, dash: nil, row: 0
            ))
            markers.append(LineChart.Marker(
                x: evaluation.chosenThreshold, label: "chosen: \(evaluation.chosenThreshold) bits",
                classes: "chosen-threshold", colour: Palette.grey, dash: "6 4", row: 1
            ))
        }
        let largestThreshold = max(32, rows.last?.threshold ?? 0, evaluation.bestThreshold, evaluation.chosenThreshold)
        let chart = LineChart(
            id: id,
            title: "Precision, recall and F1 by Hamming threshold (\(evaluation.hashName))",
            description: description,
            xLabel: "Hamming threshold (bits)",
            yLabel: "score",
            xMaximum: Double(largestThreshold),
            yAxis: .unit,
            series: [
                LineChart.Series(
                    name: "precision", points: rows.map { ($0.threshold, $0.precision) },
                    colour: Palette.blue, dash: nil, marker: .circle, tooltip: fraction("precision")
                ),
                LineChart.Series(
                    name: "recall", points: rows.map { ($0.threshold, $0.recall) },
                    colour: Palette.vermillion, dash: "7 4", marker: .square, tooltip: fraction("recall")
                ),
                LineChart.Series(
                    name: "F1", points: rows.map { ($0.threshold, $0.f1) },
                    colour: Palette.green, dash: "2 3", marker: .diamond, tooltip: fraction("F1")
                ),
            ],
            markers: markers
        )
        return chart.render()
    }

    /// Recall per relation tag (thumbnail, crop, greyscale, …) at the chosen threshold.
    ///
    /// - Parameters:
    ///   - evaluation: The evaluation; its `relationRecalls`, in their order.
    ///   - id: Prefix for the element ids, unique within the page that embeds the chart.
    /// - Returns: A horizontal bar chart (see ``horizontalBars(title:description:bars:style:id:)``)
    ///   whose bars run from 0 to 100 %, each labelled `found/total (recall %)`.
    public static func relationRecall(_ evaluation: ReportEvaluation, id: String = "chart-relations") -> String {
        let bars = evaluation.relationRecalls.map {
            Bar(label: $0.tag, value: $0.recall, valueLabel: "\($0.found)/\($0.total) (\(Text.percent($0.recall)))")
        }
        return horizontalBars(
            title: "Recall by relation at \(evaluation.chosenThreshold) bits (\(evaluation.hashName))",
            description: "Share of ground-truth duplicate pairs found, per kind of relation between the two images, "
                + "at the chosen Hamming threshold of \(evaluation.chosenThreshold) bits.",
            bars: bars,
            style: .fraction,
            id: id
        )
    }

    /// A horizontal bar chart, bars in the given order, with a value axis at the bottom.
    ///
    /// - Parameters:
    ///   - title: Chart title, plain text (escaped here).
    ///   - description: One or two sentences for screen readers (`<desc>`), plain text.
    ///   - bars: The bars, drawn top to bottom; 24 user units per bar. Labels longer than 28
    ///     characters are shortened with an ellipsis.
    ///   - style: `.count` (axis from 0 to a round number above the largest value) or `.fraction`
    ///     (axis from 0 to 100 %).
    ///   - id: Prefix for the element ids, unique within the page that embeds the chart.
    /// - Returns: An SVG document 640 user units wide; "No data" when `bars` is empty.
    /// - Complexity: O(n) in the number of bars.
    public static func horizontalBars(
        title: String, description: String, bars: [Bar], style: ValueStyle = .count, id: String
    ) -> String {
        let width = 640.0
        let rowHeight = 24.0
        let top = 40.0
        let labelRight = 212.0
        let barLeft = 220.0
        let barRight = width - 96
        let rows = Double(max(bars.count, 1))
        let axisY = top + rows * rowHeight + 4
        let height = axisY + 36
        let axis: (maximum: Double, ticks: [Double])
        switch style {
        case .count: axis = niceTicks(maximum: bars.map(\.value).max() ?? 0, integer: true)
        case .fraction: axis = (1, [0, 0.25, 0.5, 0.75, 1])
        }
        let tickLabel: (Double) -> String = { style == .fraction ? Text.percent($0) : Text.compact($0) }
        let scaleX: (Double) -> Double = { barLeft + (barRight - barLeft) * min(max($0, 0), axis.maximum) / axis.maximum }

        var svg = SVGWriter(id: id, width: width, height: height, title: title, description: description)
        svg.text(x: 8, y: 22, title, attributes: "font-size=\"14\" font-weight=\"bold\"")
        for tick in axis.ticks {
            let x = scaleX(tick)
            svg.line(x1: x, y1: top - 4, x2: x, y2: axisY, stroke: Palette.grid)
            svg.text(x: x, y: axisY + 16, tickLabel(tick), attributes: "text-anchor=\"middle\" fill=\"\(Palette.axisText)\"")
        }
        svg.line(x1: barLeft, y1: axisY, x2: barRight, y2: axisY, stroke: Palette.axis)
        svg.line(x1: barLeft, y1: top - 4, x2: barLeft, y2: axisY, stroke: Palette.axis)
        if bars.isEmpty {
            svg.text(x: (barLeft + barRight) / 2, y: top + rowHeight / 2 + 4, "No data", attributes: "text-anchor=\"middle\" fill=\"\(Palette.axisText)\"")
        }
        for (index, bar) in bars.enumerated() {
            let y = top + Double(index) * rowHeight
            let end = scaleX(bar.value)
            svg.raw("<g class=\"bar\"><title>\(Text.escape("\(bar.label): \(bar.valueLabel)"))</title>")
            svg.text(x: labelRight, y: y + 16, shortened(bar.label, to: 28), attributes: "text-anchor=\"end\"")
            svg.raw("<rect x=\"\(Text.coordinate(barLeft))\" y=\"\(Text.coordinate(y + 4))\" width=\"\(Text.coordinate(max(end - barLeft, 0)))\" height=\"16\" fill=\"\(Palette.blue)\"/>")
            svg.text(x: end + 6, y: y + 16, bar.valueLabel)
            svg.raw("</g>")
        }
        return svg.finish()
    }

    // MARK: Internals

    /// Round axis ticks from 0 to at least `maximum`: about five steps of 1, 2, 2.5 or 5 × 10^k.
    static func niceTicks(maximum: Double, integer: Bool) -> (maximum: Double, ticks: [Double]) {
        let largest = maximum.isFinite && maximum > 0 ? maximum : 1
        let raw = largest / 5
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let normalised = raw / magnitude
        var step: Double
        switch normalised {
        case ...1: step = magnitude
        case ...2: step = 2 * magnitude
        case ...2.5: step = 2.5 * magnitude
        case ...5: step = 5 * magnitude
        default: step = 10 * magnitude
        }
        if integer { step = max(step.rounded(.up), 1) }
        let count = Int((largest / step).rounded(.up))
        let ticks = (0...max(count, 1)).map { Double($0) * step }
        return (ticks.last ?? largest, ticks)
    }

    /// Shortens a label to `limit` characters, ending with an ellipsis when cut.
    static func shortened(_ label: String, to limit: Int) -> String {
        label.count <= limit ? label : String(label.prefix(limit - 1)) + "…"
    }
}

/// The Okabe–Ito colours (Okabe & Ito, "Color Universal Design", 2008) and neutral greys.
enum Palette {
    static let blue = "#0072B2"
    static let vermillion = "#D55E00"
    static let green = "#009E73"
    static let orange = "#E69F00"
    static let skyBlue = "#56B4E9"
    static let purple = "#CC79A7"
    static let black = "#000000"
    static let grey = "#555555"
    static let axis = "#333333"
    static let axisText = "#444444"
    static let grid = "#E3E3E3"
}

/// Accumulates the text of one SVG document.
struct SVGWriter {
    private(set) var body = ""
    let id: String
    let width: Double
    let height: Double

    init(id: String, width: Double, height: Double, title: String, description: String) {
        self.id = id
        self.width = width
        self.height = height
        let w = Text.coordinate(width), h = Text.coordinate(height), safeID = Text.escape(id)
        body += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"\(safeID)\" viewBox=\"0 0 \(w) \(h)\" "
        body += "width=\"\(w)\" height=\"\(h)\" role=\"img\" aria-labelledby=\"\(safeID)-title \(safeID)-desc\" "
        body += "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\" font-size=\"12\" fill=\"#222222\">\n"
        body += "<title id=\"\(safeID)-title\">\(Text.escape(title))</title>\n"
        body += "<desc id=\"\(safeID)-desc\">\(Text.escape(description))</desc>\n"
        body += "<rect width=\"\(w)\" height=\"\(h)\" fill=\"#FFFFFF\"/>\n"
    }

    mutating func raw(_ markup: String) {
        body += markup
        body += "\n"
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, extra: String = "") {
        raw("<line x1=\"\(Text.coordinate(x1))\" y1=\"\(Text.coordinate(y1))\" x2=\"\(Text.coordinate(x2))\" y2=\"\(Text.coordinate(y2))\" stroke=\"\(stroke)\"\(extra.isEmpty ? "" : " " + extra)/>")
    }

    /// Draws escaped text; `attributes` is trusted markup.
    mutating func text(x: Double, y: Double, _ content: String, attributes: String = "") {
        raw("<text x=\"\(Text.coordinate(x))\" y=\"\(Text.coordinate(y))\"\(attributes.isEmpty ? "" : " " + attributes)>\(Text.escape(content))</text>")
    }

    func finish() -> String { body + "</svg>\n" }
}

/// A line chart over integer x values (thresholds), the base of the sweep and evaluation charts.
struct LineChart {
    enum MarkerShape { case circle, square, diamond }

    enum YAxis {
        case linear(maximum: Double)
        case logarithmic(maximum: Double)
        case unit
    }

    struct Series {
        var name: String
        var points: [(Int, Double)]
        var colour: String
        var dash: String?
        var marker: MarkerShape
        var tooltip: (Int, Double) -> String
    }

    /// A vertical line at one threshold, with a label above the plot (`row` 0) or just below its
    /// top edge (`row` 1).
    struct Marker {
        var x: Int
        var label: String
        var classes: String
        var colour: String
        var dash: String?
        var row: Int
    }

    var id: String
    var title: String
    var description: String
    var xLabel: String
    var yLabel: String
    var xMaximum: Double
    var yAxis: YAxis
    var series: [Series]
    var markers: [Marker]

    func render() -> String {
        let width = 640.0
        let hasLegend = series.count > 1
        let left = 72.0, right = width - 24
        let top = hasLegend ? 72.0 : 52.0
        let height = top + 232 + 56
        let bottom = height - 56

        // y mapping and ticks
        let yPosition: (Double) -> Double
        let yTicks: [(value: Double, label: String)]
        switch yAxis {
        case .unit:
            yPosition = { bottom - (bottom - top) * min(max($0, 0), 1) }
            yTicks = stride(from: 0, through: 10, by: 2).map { (Double($0) / 10, Text.fixed(Double($0) / 10, 1)) }
        case .linear(let maximum):
            let axis = SVGChart.niceTicks(maximum: maximum, integer: true)
            yPosition = { bottom - (bottom - top) * min(max($0, 0), axis.maximum) / axis.maximum }
            yTicks = axis.ticks.map { ($0, Text.compact($0)) }
        case .logarithmic(let maximum):
            let decades = max(1, Int(log10(max(maximum, 1)).rounded(.up)))
            let topValue = pow(10, Double(decades))
            let span = log10(1 + topValue)
            yPosition = { bottom - (bottom - top) * log10(1 + min(max($0, 0), topValue)) / span }
            let every = decades > 8 ? 2 : 1
            var ticks: [(Double, String)] = [(0, "0")]
            for decade in stride(from: 0, through: decades, by: every) {
                let value = pow(10, Double(decade))
                // 1 sits log10(2) of a decade above 0; leave it out when the two labels would touch.
                if decade == 0 && (bottom - top) * log10(2) / span < 16 { continue }
                ticks.append((value, Text.compact(value)))
            }
            yTicks = ticks
        }
        let xPosition: (Double) -> Double = { left + (right - left) * min(max($0, 0), xMaximum) / xMaximum }
        let xStep = xMaximum <= 32 ? 4 : xMaximum <= 64 ? 8 : 16

        var svg = SVGWriter(id: id, width: width, height: height, title: title, description: description)
        svg.text(x: 8, y: 22, title, attributes: "font-size=\"14\" font-weight=\"bold\"")

        // grid, axes, ticks
        for tick in yTicks {
            let y = yPosition(tick.value)
            svg.line(x1: left, y1: y, x2: right, y2: y, stroke: Palette.grid)
            svg.text(x: left - 8, y: y + 4, tick.label, attributes: "text-anchor=\"end\" fill=\"\(Palette.axisText)\"")
        }
        for tick in stride(from: 0, through: Int(xMaximum), by: xStep) {
            let x = xPosition(Double(tick))
            svg.line(x1: x, y1: bottom, x2: x, y2: bottom + 5, stroke: Palette.axis)
            svg.text(x: x, y: bottom + 19, String(tick), attributes: "text-anchor=\"middle\" fill=\"\(Palette.axisText)\"")
        }
        svg.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: Palette.axis)
        svg.line(x1: left, y1: top, x2: left, y2: bottom, stroke: Palette.axis)
        svg.text(x: (left + right) / 2, y: bottom + 40, xLabel, attributes: "text-anchor=\"middle\"")
        let midY = Text.coordinate((top + bottom) / 2)
        svg.raw("<text transform=\"translate(18 \(midY)) rotate(-90)\" text-anchor=\"middle\">\(Text.escape(yLabel))</text>")

        // legend
        if hasLegend {
            var x = left
            for line in series {
                let y = 44.0
                svg.raw("<g class=\"legend-item\">")
                svg.line(x1: x, y1: y, x2: x + 28, y2: y, stroke: line.colour, extra: strokeExtras(line.dash))
                svg.raw(markerMarkup(line.marker, x: x + 14, y: y, colour: line.colour))
                svg.text(x: x + 34, y: y + 4, line.name)
                svg.raw("</g>")
                x += 44 + Double(line.name.count) * 7 + 16
            }
        }

        // threshold markers
        for marker in markers {
            let x = xPosition(Double(marker.x))
            let anchor = x > right - 80 ? "end" : x < left + 80 ? "start" : "middle"
            let labelY = marker.row == 0 ? top - 8 : top + 14
            let labelX = marker.row == 0 ? x : (anchor == "end" ? x - 4 : x + 4)
            let rowAnchor = marker.row == 0 ? anchor : (anchor == "end" ? "end" : "start")
            svg.raw("<g class=\"\(marker.classes)\" data-threshold=\"\(marker.x)\">")
            svg.line(x1: x, y1: top, x2: x, y2: bottom, stroke: marker.colour, extra: "stroke-width=\"2\"" + (marker.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""))
            svg.text(x: labelX, y: labelY, marker.label, attributes: "text-anchor=\"\(rowAnchor)\" fill=\"\(marker.colour)\" font-weight=\"bold\"")
            svg.raw("</g>")
        }

        // series
        for line in series {
            let coordinates = line.points.map { (xPosition(Double($0.0)), yPosition($0.1)) }
            let pointList = coordinates.map { "\(Text.coordinate($0.0)),\(Text.coordinate($0.1))" }.joined(separator: " ")
            svg.raw("<g class=\"series\" data-series=\"\(Text.escape(line.name))\">")
            if coordinates.count > 1 {
                svg.raw("<polyline points=\"\(pointList)\" fill=\"none\" stroke=\"\(line.colour)\" \(strokeExtras(line.dash))/>")
            }
            for (point, coordinate) in zip(line.points, coordinates) {
                let shape = markerMarkup(line.marker, x: coordinate.0, y: coordinate.1, colour: line.colour, tooltip: line.tooltip(point.0, point.1))
                svg.raw(shape)
            }
            svg.raw("</g>")
        }
        return svg.finish()
    }

    private func strokeExtras(_ dash: String?) -> String {
        "stroke-width=\"2\"" + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")
    }

    private func markerMarkup(_ shape: MarkerShape, x: Double, y: Double, colour: String, tooltip: String? = nil) -> String {
        let body = tooltip.map { "><title>\(Text.escape($0))</title></" } ?? "/>"
        let cx = Text.coordinate(x), cy = Text.coordinate(y)
        switch shape {
        case .circle:
            return "<circle cx=\"\(cx)\" cy=\"\(cy)\" r=\"3.5\" fill=\"\(colour)\"" + body + (tooltip == nil ? "" : "circle>")
        case .square:
            return "<rect x=\"\(Text.coordinate(x - 3.5))\" y=\"\(Text.coordinate(y - 3.5))\" width=\"7\" height=\"7\" fill=\"\(colour)\"" + body + (tooltip == nil ? "" : "rect>")
        case .diamond:
            let d = "M\(cx) \(Text.coordinate(y - 5))L\(Text.coordinate(x + 5)) \(cy)L\(cx) \(Text.coordinate(y + 5))L\(Text.coordinate(x - 5)) \(cy)Z"
            return "<path d=\"\(d)\" fill=\"\(colour)\"" + body + (tooltip == nil ? "" : "path>")
        }
    }
}
