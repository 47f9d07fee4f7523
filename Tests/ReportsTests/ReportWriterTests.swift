import Foundation
import Reports
import Testing

/// Where the committed golden files live, next to this source file.
private let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

/// Compares `actual` with the golden file `name`; rewrites it instead when `VITRINE_UPDATE_GOLDEN=1`.
private func expectGolden(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = goldenFolder.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["VITRINE_UPDATE_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: goldenFolder, withIntermediateDirectories: true)
        try Data(actual.utf8).write(to: url)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    if actual != expected {
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDifference = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(actualLines.count, expectedLines.count)
        let saved = FileManager.default.temporaryDirectory.appendingPathComponent("actual-\(name)")
        try? Data(actual.utf8).write(to: saved)
        Issue.record(
            """
            \(name) differs from the golden file at line \(firstDifference + 1); actual output saved to \(saved.path). \
            Rerun with VITRINE_UPDATE_GOLDEN=1 if the change is intended.
            """,
            sourceLocation: sourceLocation
        )
    }
}

/// Writes the small fixed report into a fresh folder and returns (report folder, index URL, input).
private func writeSmallReport(
    writer: ReportWriter = ReportWriter(),
    contactSheet: ((_ thumbnails: [URL], _ columns: Int, _ output: URL) throws -> Void)? = nil
) throws -> (work: URL, output: URL, index: URL, input: ReportInput) {
    let work = try Fixtures.temporaryFolder()
    let thumbFolder = work.appendingPathComponent("thumbs-source", isDirectory: true)
    try FileManager.default.createDirectory(at: thumbFolder, withIntermediateDirectories: true)
    let input = Fixtures.smallInput(thumbnails: try Fixtures.writeThumbnails(in: thumbFolder))
    let output = work.appendingPathComponent("report", isDirectory: true)
    let index = try writer.write(input, to: output, contactSheet: contactSheet)
    return (work, output, index, input)
}

@Suite("HTML report")
struct ReportWriterTests {
    @Test func smallReportMatchesGoldenPage() throws {
        let report = try writeSmallReport()
        defer { try? FileManager.default.removeItem(at: report.work) }
        #expect(report.index.lastPathComponent == "index.html")
        let html = try String(contentsOf: report.index, encoding: .utf8)
        try expectGolden(html, named: "index.html")
        let sweep = try String(contentsOf: report.output.appendingPathComponent("assets/charts/sweep.svg"), encoding: .utf8)
        try expectGolden(sweep, named: "sweep.svg")
    }

    @Test func pathsAndTitlesAreEscaped() throws {
        let report = try writeSmallReport()
        defer { try? FileManager.default.removeItem(at: report.work) }
        let html = try String(contentsOf: report.index, encoding: .utf8)
        #expect(html.contains("<title>Cassini &amp; co. &lt;test collection&gt;</title>"))
        #expect(html.contains("Carte de Cassini &lt;feuille 1&gt;.tif"))
        #expect(html.contains("carte_cassini_1 &amp; web.jpg"))
        #expect(html.contains("portrait &quot;Marie&quot;.png"))
        #expect(html.contains("<code>/collections/broken/&lt;scan 3&gt;.jpg</code>"))
        #expect(html.contains("not an image: &quot;text/plain&quot; &amp; no known signature"))
        #expect(!html.contains("<feuille"))
        #expect(!html.contains("<test collection>"))
        #expect(!html.contains("<scan 3>"))
        // Links to originals on disk are percent-encoded file URLs.
        #expect(html.contains("href=\"file:///collections/maps/Carte%20de%20Cassini%20%3Cfeuille%201%3E.tif\""))
    }

    @Test func unsafeLinkSchemesAreNotLinked() throws {
        let work = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: work) }
        var input = Fixtures.smallInput(thumbnails: [:])
        input.qualitySections[0].items[0].image.originalPath = "javascript:alert(\"x\")"
        let html = try String(contentsOf: ReportWriter().write(input, to: work), encoding: .utf8)
        #expect(!html.contains("href=\"javascript:"))
        #expect(html.contains("javascript:alert(&quot;x&quot;)"))
    }

    @Test func chartsMarkTheChosenAndBestThresholds() throws {
        let report = try writeSmallReport()
        defer { try? FileManager.default.removeItem(at: report.work) }
        let html = try String(contentsOf: report.index, encoding: .utf8)
        let sweep = try String(contentsOf: report.output.appendingPathComponent("assets/charts/sweep.svg"), encoding: .utf8)
        let evaluation = try String(contentsOf: report.output.appendingPathComponent("assets/charts/evaluation.svg"), encoding: .utf8)
        #expect(sweep.contains("<g class=\"chosen-threshold\" data-threshold=\"10\">"))
        #expect(sweep.contains("chosen: 10 bits"))
        #expect(evaluation.contains("<g class=\"best-threshold\" data-threshold=\"14\">"))
        #expect(evaluation.contains("<g class=\"chosen-threshold\" data-threshold=\"10\">"))
        // The same charts are inlined in the page.
        #expect(html.contains("<g class=\"chosen-threshold\" data-threshold=\"10\">"))
        #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"chart-sweep\""))
        for name in ["formats", "errors-by-kind", "quality-flags", "sweep", "evaluation", "relations"] {
            let url = report.output.appendingPathComponent("assets/charts/\(name).svg")
            let svg = try String(contentsOf: url, encoding: .utf8)
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), "\(name).svg")
            #expect(svg.contains("<title id=\"chart-\(name)-title\">"), "\(name).svg has an accessible title")
            #expect(svg.hasSuffix("</svg>\n"), "\(name).svg")
        }
    }

    @Test func contactSheetIsRequestedOncePerGroupAndLinked() throws {
        var calls: [(thumbnails: [URL], columns: Int, output: URL)] = []
        let report = try writeSmallReport { thumbnails, columns, output in
            calls.append((thumbnails, columns, output))
            try Fixtures.png(width: 8, height: 6, rgb: (255, 255, 255)).write(to: output)
        }
        defer { try? FileManager.default.removeItem(at: report.work) }
        #expect(calls.count == report.input.duplicateGroups.count)
        #expect(calls.map(\.output.lastPathComponent).sorted() == ["g1.png", "g2.png"])
        let g1 = try #require(calls.first { $0.output.lastPathComponent == "g1.png" })
        #expect(g1.thumbnails.map(\.lastPathComponent) == ["item-0001.png", "item-0002.png", "item-0003.png"]) // keeper first
        #expect(g1.columns == 2)
        #expect(g1.thumbnails.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        let g2 = try #require(calls.first { $0.output.lastPathComponent == "g2.png" })
        #expect(g2.thumbnails.count == 1) // the copy has no thumbnail
        let html = try String(contentsOf: report.index, encoding: .utf8)
        #expect(html.contains("<a href=\"assets/groups/g1.png\">Contact sheet (PNG)</a>"))
        #expect(html.contains("<a href=\"assets/groups/g2.png\">Contact sheet (PNG)</a>"))
    }

    @Test func failingContactSheetIsShownAndDoesNotStopTheReport() throws {
        struct SheetFailure: Error, CustomStringConvertible {
            var description: String { "vips_arrayjoin: <out of memory>" }
        }
        let report = try writeSmallReport { _, _, _ in throw SheetFailure() }
        defer { try? FileManager.default.removeItem(at: report.work) }
        let html = try String(contentsOf: report.index, encoding: .utf8)
        #expect(html.contains("No contact sheet: vips_arrayjoin: &lt;out of memory&gt;"))
        #expect(!html.contains("Contact sheet (PNG)"))
    }

    @Test func writingTwiceGivesTheSameFiles() throws {
        let report = try writeSmallReport { _, _, output in
            try Fixtures.png(width: 2, height: 2, rgb: (1, 2, 3)).write(to: output)
        }
        defer { try? FileManager.default.removeItem(at: report.work) }
        let first = try Fixtures.snapshot(of: report.output)
        let again = try ReportWriter().write(report.input, to: report.output) { _, _, output in
            try Fixtures.png(width: 2, height: 2, rgb: (1, 2, 3)).write(to: output)
        }
        #expect(again == report.index)
        let second = try Fixtures.snapshot(of: report.output)
        #expect(first.keys.sorted() == second.keys.sorted())
        #expect(first == second)
        #expect(first.keys.contains("assets/thumbs/item-0001.png"))
        #expect(first.keys.contains("assets/report.json"))

        // A second folder gets the same page, byte for byte.
        let elsewhere = report.work.appendingPathComponent("elsewhere", isDirectory: true)
        let other = try ReportWriter().write(report.input, to: elsewhere) { _, _, output in
            try Fixtures.png(width: 2, height: 2, rgb: (1, 2, 3)).write(to: output)
        }
        #expect(try Data(contentsOf: other) == Data(contentsOf: report.index))
    }

    @Test func missingThumbnailsBecomePlaceholders() throws {
        let report = try writeSmallReport()
        defer { try? FileManager.default.removeItem(at: report.work) }
        let html = try String(contentsOf: report.index, encoding: .utf8)
        // item-0011 has no thumbnail; item-0030 names a file that does not exist.
        #expect(html.contains("aria-label=\"No preview of portrait &quot;Marie&quot;.png\">No preview</span>"))
        #expect(html.contains("aria-label=\"No preview of pc-17.gif\">No preview</span>"))
        let thumbs = try FileManager.default.contentsOfDirectory(atPath: report.output.appendingPathComponent("assets/thumbs").path)
        #expect(thumbs.sorted() == ["item-0001.png", "item-0002.png", "item-0003.png", "item-0010.png", "item-0020.png"])
    }

    @Test func reportDataRoundTripsThroughJSON() throws {
        let report = try writeSmallReport()
        defer { try? FileManager.default.removeItem(at: report.work) }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let data = try Data(contentsOf: report.output.appendingPathComponent("assets/report.json"))
        #expect(try decoder.decode(ReportInput.self, from: data) == report.input)
    }

    @Test func tenThousandGroupsAreCappedAndCounted() throws {
        let work = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: work) }
        var input = Fixtures.smallInput(thumbnails: [:])
        input.duplicateGroups = (0..<10_000).map { number in
            let size = 2 + number % 5
            let members = (0..<size).map { member in
                ReportImage(itemID: "i\(number)-\(member)", originalPath: "/c/\(number)/\(member).jpg",
                            thumbnailPath: nil, width: 100, height: 100, format: "jpeg", byteSize: 1_000)
            }
            return ReportDuplicateGroup(id: "g\(number)", kind: .nearDuplicate, hashName: "dhash-64", maxDistance: 3,
                                        members: members, keeperIndex: 0, keeperReason: "first")
        }
        var sheets = 0
        let index = try ReportWriter(maxGroups: 200).write(input, to: work) { _, _, _ in sheets += 1 }
        let html = try String(contentsOf: index, encoding: .utf8)
        #expect(html.components(separatedBy: "<details class=\"group\"").count - 1 == 200)
        #expect(html.contains("Showing the 200 largest of 10,000 groups; 9,800 more are listed in"))
        #expect(html.contains("id=\"group-g4\"")) // the largest groups (6 members) come first
        #expect(html.contains("id=\"group-g999\""))
        #expect(!html.contains("id=\"group-g0\""))
        #expect(!html.contains("id=\"group-g1004\""))
        #expect(html.utf8.count < 2_000_000)
        #expect(sheets == 0) // no member has a thumbnail, so no sheet is requested
    }

    @Test func longGroupsAndQualitySectionsShowTheRestAsACount() throws {
        let work = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: work) }
        var input = Fixtures.smallInput(thumbnails: [:])
        let many = (0..<30).map {
            ReportImage(itemID: "p\($0)", originalPath: "/placeholder/\($0).jpg", thumbnailPath: nil,
                        width: 300, height: 200, format: "jpeg", byteSize: 4_000)
        }
        input.duplicateGroups[1] = ReportDuplicateGroup(
            id: "placeholders", kind: .exactBytes, hashName: "sha256", maxDistance: 0,
            members: many, keeperIndex: 7, keeperReason: "oldest record")
        input.qualitySections[0].items = many.map { .init(image: $0, score: "mean luminance 1 / 255") }
        let html = try String(contentsOf: ReportWriter(maxMembersPerGroup: 10, maxItemsPerQualitySection: 24).write(input, to: work),
                              encoding: .utf8)
        #expect(html.contains("20 more members are not shown"))
        #expect(html.contains("6 more flagged images are not shown"))
        #expect(html.contains("<li class=\"item keeper\"><a class=\"frame\" href=\"file:///placeholder/7.jpg\">"))
    }

    @Test func badInputNamesTheElement() throws {
        let work = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: work) }
        var input = Fixtures.smallInput(thumbnails: [:])
        input.duplicateGroups[1].keeperIndex = 5
        let error = try #require(throws: ReportsError.self) { try ReportWriter().write(input, to: work) }
        #expect(error.code == .invalidInput)
        #expect(error.path == "duplicateGroups[1] (id g2)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("index.html").path))

        var badRecall = Fixtures.smallInput(thumbnails: [:])
        badRecall.evaluation?.rows[3].recall = .nan
        #expect(throws: ReportsError.self) { try badRecall.validate() }
    }

    @Test func outputBlockedByAFileNamesThePath() throws {
        let work = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: work) }
        let blocker = work.appendingPathComponent("report")
        try Data("not a folder".utf8).write(to: blocker)
        let error = try #require(throws: ReportsError.self) {
            try ReportWriter().write(Fixtures.smallInput(thumbnails: [:]), to: blocker)
        }
        #expect(error.code == .createDirectory)
        #expect(error.path == blocker.standardizedFileURL.path)
        #expect(error.description.contains(blocker.lastPathComponent))
    }

    @Test func pageWithoutOptionalSectionsStillRenders() throws {
        let work = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: work) }
        let input = ReportInput(
            title: "Empty", generatedAt: Date(timeIntervalSince1970: 0), storePath: ".vitrine", toolVersion: "0",
            summary: ReportSummary(items: 0, readable: 0, errors: 0, totalBytes: 0, totalMegapixels: 0))
        let html = try String(contentsOf: ReportWriter().write(input, to: work), encoding: .utf8)
        #expect(html.contains("No duplicates found."))
        #expect(html.contains("Every file was read."))
        #expect(!html.contains("id=\"sweep\""))
        #expect(!html.contains("id=\"evaluation\""))
        #expect(html.hasSuffix("</html>\n"))
    }
}
