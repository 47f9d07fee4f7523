import Foundation
import Reports
import Testing

@Suite("detection report")
struct DetectionReportTests {
    @Test func precisionRecallCurveIsAStepLineWithTheAPInItsTitle() {
        let svg = SVGChart.precisionRecallCurve(ReportPrecisionRecallCurve(name: "saint", points: [[0.5, 1], [0.5, 0.5], [1, 0.667]], ap: 0.8333), id: "pr-0")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("saint: precision–recall (AP 0.833)"))
        #expect(svg.contains("<g class=\"series\" data-series=\"saint\"><path d=\"M72 52H"))
        #expect(SVGChart.precisionRecallCurve(ReportPrecisionRecallCurve(name: "x", points: [], ap: -1), id: "e").contains("No detections"))
    }

    @Test func reportPageHasTheSummaryTheClassesAndOneChartPerClass() {
        let page = DetectionReportPage.html(ReportDetectionEvaluation(
            title: "Detection evaluation", protocolName: "coco", summary: [["AP", "0.5000"], ["AP50", "0.7000"]],
            classRows: [["saint", "3", "4", "0.5000", "0.7000", "0.4000"], ["<dragon>", "1", "0", "0.0000", "0.0000", "0.0000"]],
            curves: [ReportPrecisionRecallCurve(name: "saint", points: [[1, 1]], ap: 0.7), ReportPrecisionRecallCurve(name: "<dragon>", points: [], ap: 0)], notes: ["n"]))
        #expect(page.contains("<tr><th>AP</th><td>0.5000</td></tr>"))
        #expect(page.contains("&lt;dragon&gt;") && !page.contains("<dragon>"))
        #expect(page.components(separatedBy: "<svg ").count == 3)
    }
}
