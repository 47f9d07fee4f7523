import Foundation
import Reports
import Testing

@Suite("Links and detection pages")
struct PageLinkTests {
    @Test func otherPagesAreLinkedFromTheMainReportWithEscapedTitles() throws {
        let work = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: work) }
        let thumbs = work.appendingPathComponent("thumbs", isDirectory: true)
        try FileManager.default.createDirectory(at: thumbs, withIntermediateDirectories: true)
        var input = Fixtures.smallInput(thumbnails: try Fixtures.writeThumbnails(in: thumbs))
        input.pages = [ReportPageLink(title: "Detections — yolox-nano <80 classes>", href: "detections-yolox-nano.html")]
        let index = try ReportWriter().write(input, to: work.appendingPathComponent("report", isDirectory: true))
        let html = try String(contentsOf: index, encoding: .utf8)
        #expect(html.contains("<h2 id=\"pages-heading\">More reports</h2>"))
        #expect(html.contains("<a href=\"detections-yolox-nano.html\">Detections — yolox-nano &lt;80 classes&gt;</a>"))
    }

    @Test func detectionPageShowsCountsChartAndCropsPerClass() throws {
        let work = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: work) }
        let input = DetectionReportInput(
            title: "Detections — yolox-nano", generatedAt: Date(timeIntervalSince1970: 0), storePath: "/s", toolVersion: "t",
            runID: 7, model: "yolox-nano", modelSHA256: String(repeating: "c", count: 64), minimumScore: 0.3, items: 10,
            itemsWithDetections: 4, errors: 1,
            classes: [.init(label: "person", detections: 5, items: 3, contactSheet: "assets/detections/yolox-nano/person-sheet.png",
                            crops: [.init(item: "a <b>.jpg", score: 0.91, box: [1, 2, 30, 40])]),
                      .init(label: "horse", detections: 1, items: 1, contactSheet: nil, crops: [])])
        let page = try DetectionPage.write(input, to: work)
        #expect(page.lastPathComponent == "detections-yolox-nano.html")
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(html.contains("person-sheet.png"))
        #expect(html.contains("a &lt;b&gt;.jpg") && html.contains("0.910") && html.contains("1.0,2.0,30.0,40.0"))
        #expect(html.contains("score &gt; 0.30"))
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("assets/report.css").path))
    }
}
