import Foundation

/// One class's precision–recall curve for the detection report.
public struct ReportPrecisionRecallCurve: Sendable, Codable, Equatable {
    public var name: String
    /// (recall, precision) in [0, 1], in detection order (descending score).
    public var points: [[Double]]
    /// The class's AP under the protocol (−1 when undefined).
    public var ap: Double
    public init(name: String, points: [[Double]], ap: Double) {
        self.name = name
        self.points = points
        self.ap = ap
    }
}

/// What `vitrine evaluate detections --report` shows.
public struct ReportDetectionEvaluation: Sendable, Codable, Equatable {
    public var title: String
    public var protocolName: String
    /// (figure name, value) of the summary, e.g. AP, AP50 … AR100 (COCO) or mAP (VOC).
    public var summary: [[String]]
    /// Per class: name, ground truths, detections, AP, AP50, AP75.
    public var classRows: [[String]]
    public var curves: [ReportPrecisionRecallCurve]
    public var notes: [String]
    public init(title: String, protocolName: String, summary: [[String]], classRows: [[String]], curves: [ReportPrecisionRecallCurve], notes: [String]) {
        self.title = title
        self.protocolName = protocolName
        self.summary = summary
        self.classRows = classRows
        self.curves = curves
        self.notes = notes
    }
}

extension SVGChart {
    /// A precision–recall curve (recall on x, precision on y, both 0…1), drawn as a step line
    /// through the detections' points, with the AP in the title.
    /// - Returns: an SVG document 640 × 340 user units; "No detections" when empty.
    /// - Complexity: O(n) in the number of points.
    public static func precisionRecallCurve(_ curve: ReportPrecisionRecallCurve, id: String) -> String {
        let width = 640.0, height = 340.0, left = 72.0, right = width - 24, top = 52.0, bottom = height - 56
        let title = "\(curve.name): precision–recall" + (curve.ap > -1 ? " (AP \(Text.fixed(curve.ap, 3)))" : "")
        let description = "Precision against recall of the \(curve.points.count) detections of class \(curve.name), by descending score."
        var svg = SVGWriter(id: id, width: width, height: height, title: title, description: description)
        svg.text(x: 8, y: 22, title, attributes: "font-size=\"14\" font-weight=\"bold\"")
        let px: (Double) -> Double = { left + (right - left) * min(max($0, 0), 1) }
        let py: (Double) -> Double = { bottom - (bottom - top) * min(max($0, 0), 1) }
        for i in 0...5 {
            let v = Double(i) / 5
            svg.line(x1: left, y1: py(v), x2: right, y2: py(v), stroke: Palette.grid)
            svg.text(x: left - 8, y: py(v) + 4, Text.fixed(v, 1), attributes: "text-anchor=\"end\" fill=\"\(Palette.axisText)\"")
            svg.line(x1: px(v), y1: bottom, x2: px(v), y2: bottom + 5, stroke: Palette.axis)
            svg.text(x: px(v), y: bottom + 19, Text.fixed(v, 1), attributes: "text-anchor=\"middle\" fill=\"\(Palette.axisText)\"")
        }
        svg.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: Palette.axis)
        svg.line(x1: left, y1: top, x2: left, y2: bottom, stroke: Palette.axis)
        svg.text(x: (left + right) / 2, y: bottom + 40, "recall", attributes: "text-anchor=\"middle\"")
        svg.raw("<text transform=\"translate(18 \(Text.coordinate((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">precision</text>")
        if curve.points.isEmpty {
            svg.text(x: (left + right) / 2, y: (top + bottom) / 2, "No detections", attributes: "text-anchor=\"middle\" fill=\"\(Palette.axisText)\"")
            return svg.finish()
        }
        var path = "M\(Text.coordinate(px(0))) \(Text.coordinate(py(curve.points[0].count > 1 ? curve.points[0][1] : 0)))"
        for p in curve.points where p.count == 2 {
            path += "H\(Text.coordinate(px(p[0])))V\(Text.coordinate(py(p[1])))"
        }
        svg.raw("<g class=\"series\" data-series=\"\(Text.escape(curve.name))\"><path d=\"\(path)\" fill=\"none\" stroke=\"\(Palette.blue)\" stroke-width=\"2\"/></g>")
        return svg.finish()
    }
}

/// The HTML page of a detection evaluation: summary table, per-class table and one
/// precision–recall chart per class (inline SVG). Self-contained; deterministic bytes.
public enum DetectionReportPage {
    public static func html(_ e: ReportDetectionEvaluation) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(Text.escape(e.title))</title>\n"
        h += "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:72em}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}.charts svg{max-width:100%;height:auto;margin:.5em 0}</style></head><body>\n"
        h += "<h1>\(Text.escape(e.title))</h1>\n<p>Protocol: <strong>\(Text.escape(e.protocolName))</strong></p>\n"
        for note in e.notes { h += "<p>\(Text.escape(note))</p>\n" }
        h += "<h2>Summary</h2>\n<table><tbody>\n"
        for row in e.summary where row.count == 2 { h += "<tr><th>\(Text.escape(row[0]))</th><td>\(Text.escape(row[1]))</td></tr>\n" }
        h += "</tbody></table>\n<h2>Per class</h2>\n<table><thead><tr><th>class</th><th>ground truths</th><th>detections</th><th>AP</th><th>AP@0.5</th><th>AP@0.75</th></tr></thead><tbody>\n"
        for row in e.classRows { h += "<tr>" + row.map { "<td>\(Text.escape($0))</td>" }.joined() + "</tr>\n" }
        h += "</tbody></table>\n<h2>Precision–recall curves (IoU 0.5)</h2>\n<div class=\"charts\">\n"
        for (i, curve) in e.curves.enumerated() { h += SVGChart.precisionRecallCurve(curve, id: "pr-\(i)") }
        return h + "</div>\n</body></html>\n"
    }
}
