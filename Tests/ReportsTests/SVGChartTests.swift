import Foundation
import Reports
import Testing

@Suite("SVG charts")
struct SVGChartTests {
    private let sweep = ReportSweep(
        hashName: "phash-64",
        points: [(0, 5), (2, 40), (4, 300), (6, 2_500), (8, 21_000)].map { ReportSweep.Point(threshold: $0.0, pairs: $0.1) },
        chosenThreshold: 6
    )

    @Test func sweepSpanningDecadesUsesALogAxisAutomatically() {
        let svg = SVGChart.thresholdSweep(sweep)
        #expect(svg.contains("pairs (log scale)"))
        #expect(svg.contains(">100k</text>")) // top decade tick above 21,000
        #expect(svg.contains("<g class=\"chosen-threshold\" data-threshold=\"6\">"))
        #expect(svg.contains("chosen: 6 bits, 2,500 pairs"))
        #expect(svg.contains("<title>6 bits: 2,500 pairs</title>"))
    }

    @Test func linearSweepHasRoundTicks() {
        let svg = SVGChart.thresholdSweep(sweep, scale: .linear)
        #expect(!svg.contains("log scale"))
        #expect(svg.contains(">25k</text>"))
        #expect(svg.contains(">32</text>")) // x axis always reaches 32 bits
    }

    @Test func thresholdsBeyond32BitsWidenTheAxis() {
        let wide = ReportSweep(hashName: "phash-256", points: [.init(threshold: 0, pairs: 1), .init(threshold: 80, pairs: 9)],
                               chosenThreshold: 40)
        let svg = SVGChart.thresholdSweep(wide, scale: .linear)
        #expect(svg.contains(">80</text>"))
        #expect(svg.contains("data-threshold=\"40\""))
    }

    @Test func precisionRecallChartHasALegendAndOneMarkerWhenBestIsChosen() {
        let evaluation = ReportEvaluation(
            hashName: "dhash-64",
            rows: [.init(threshold: 0, precision: 1, recall: 0.2, f1: 0.333), .init(threshold: 8, precision: 0.9, recall: 0.8, f1: 0.847)],
            bestThreshold: 8, chosenThreshold: 8)
        let svg = SVGChart.precisionRecall(evaluation)
        #expect(svg.contains("<g class=\"best-threshold chosen-threshold\" data-threshold=\"8\">"))
        #expect(svg.contains("best F1 = chosen: 8 bits"))
        for name in ["precision", "recall", "F1"] { #expect(svg.contains("data-series=\"\(name)\"")) }
        #expect(svg.contains("<title>8 bits: F1 0.847</title>"))
    }

    @Test func barChartsEscapeLabelsAndHandleNoData() {
        let svg = SVGChart.horizontalBars(
            title: "Formats <all>", description: "x & y",
            bars: [.init(label: "image/x-<weird>", value: 3, valueLabel: "3")], id: "bars")
        #expect(svg.contains("<title id=\"bars-title\">Formats &lt;all&gt;</title>"))
        #expect(svg.contains("<desc id=\"bars-desc\">x &amp; y</desc>"))
        #expect(svg.contains("image/x-&lt;weird&gt;"))
        #expect(svg.contains("aria-labelledby=\"bars-title bars-desc\""))
        let empty = SVGChart.horizontalBars(title: "Nothing", description: "", bars: [], id: "none")
        #expect(empty.contains(">No data</text>"))
    }

    @Test func relationRecallBarsShowCountsAndPercentages() {
        let evaluation = ReportEvaluation(
            hashName: "dhash-64", rows: [], bestThreshold: 10, chosenThreshold: 10,
            relationRecalls: [.init(tag: "square_crop", found: 6, total: 23), .init(tag: "none", found: 0, total: 0)])
        let svg = SVGChart.relationRecall(evaluation)
        #expect(svg.contains(">6/23 (26 %)</text>"))
        #expect(svg.contains(">0/0 (0 %)</text>"))
        #expect(svg.contains(">100 %</text>"))
    }
}
