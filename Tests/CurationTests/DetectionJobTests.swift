import Catalog
import Curation
import Foundation
import Imaging
import TestPostgres
import Testing

@Suite("Detection runs")
struct DetectionJobTests {
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared").standardizedFileURL

    /// Three corpus pictures (a GallicaPix page with 6 faces, a group photograph, a painting) and
    /// a synthetic picture, ingested into a fresh store; nil (skipped) without the corpus.
    /// `postgres`: the catalog is a new database of the throwaway test server (nil without one, outside CI).
    func collection(postgres: Bool = false) async throws -> (TemporaryFolder, TemporaryFolder, Catalog)? {
        let corpus = Self.shared.appendingPathComponent("corpus/images")
        let files = ["newspaper/gallicapix__bpt6k252609d-1-3.jpg", "photograph/epl__group_portrait_photo_19c.jpg", "painting/wuffs__harvesters.jpeg"]
        guard files.allSatisfy({ FileManager.default.fileExists(atPath: corpus.appendingPathComponent($0).path) }) else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the corpus is missing under CI")
            print("skipped: no corpus at \(corpus.path)")
            return nil
        }
        let folder = try TemporaryFolder()
        for file in files {
            try FileManager.default.copyItem(atPath: corpus.appendingPathComponent(file).path, toPath: folder.path(URL(fileURLWithPath: file).lastPathComponent))
        }
        try ImageWriter.save(rectangles(width: 300, height: 200, seed: 3), to: folder.path("rectangles.png"))
        let store = try TemporaryFolder("vitrine-store")
        let catalog: Catalog
        if postgres {
            guard let server = try ThrowawayPostgres.forTests() else { return nil }
            catalog = try Catalog.open(try server.makeDatabase("detect"), images: store.url.path)
        } else {
            catalog = try Catalog(store: store.url)
        }
        var options = IngestOptions()
        options.quiet = true
        _ = try await IngestJob(catalog: catalog, options: options).run(sources: [folder.url.path])
        return (folder, store, catalog)
    }

    func options(_ model: String, score: Double) -> DetectionOptions {
        var options = DetectionOptions()
        options.model = model
        options.minimumScore = score
        options.quiet = true
        options.threads = 2
        return options
    }

    @Test func facesAreStoredInOriginalPixelsWithTheirRunAndAPageIsWritten() async throws {
        guard let (folder, store, catalog) = try await collection() else { return }
        defer { withExtendedLifetime((folder, store)) {} }
        let summary = try await DetectionJob(catalog: catalog, options: options("ultraface-320", score: 0.7)).run()
        #expect(summary.items == 4 && summary.processed == 4 && summary.errors == 0)
        #expect(summary.modelSHA256 == "34cd7e60aeff28744c657de7a3dc64e872d506741de66987f3426f2b79f88017")
        let detections = try catalog.detections(runID: summary.runID)
        #expect(detections.count == summary.detections)
        let items = try catalog.items()
        let page = try #require(items.first { $0.sourcePath.hasSuffix("gallicapix__bpt6k252609d-1-3.jpg") })
        let faces = detections.filter { $0.itemID == page.id }
        #expect(faces.count >= 6)
        for face in detections {
            let item = try #require(items.first { $0.id == face.itemID })
            #expect(face.label == "face" && face.score > 0.7 && face.score <= 1)
            #expect(face.x >= 0 && face.x + face.width <= Double(item.width ?? 0) + 1e-9)
            #expect(face.y >= 0 && face.y + face.height <= Double(item.height ?? 0) + 1e-9)
        }
        let run = try #require(try catalog.latestRun(kind: "detect"))
        #expect(run.config.contains("ultraface-320") && run.config.contains("minimumScore"))
        let url = try DetectionReportBuilder.write(catalog: catalog, runID: summary.runID, summary: summary)
        let html = try String(contentsOf: url, encoding: .utf8)
        #expect(url.lastPathComponent == "detections-ultraface-320.html")
        #expect(html.contains("face") && html.contains("<svg"))
        #expect(FileManager.default.fileExists(atPath: catalog.store.appendingPathComponent("reports/assets/detections/ultraface-320/face-sheet.png").path))
    }

    @Test func aMissingStoredFileIsRecordedAndTheBatchGoesOn() async throws {
        guard let (folder, store, catalog) = try await collection() else { return }
        defer { withExtendedLifetime((folder, store)) {} }
        let items = try catalog.items()
        let painting = try #require(items.first { $0.sourcePath.hasSuffix("wuffs__harvesters.jpeg") })
        try FileManager.default.removeItem(at: catalog.absolute(try #require(painting.storedPath)))
        let summary = try await DetectionJob(catalog: catalog, options: options("yolox-nano", score: 0.3)).run()
        #expect(summary.processed == 4 && summary.errors == 1)
        #expect(summary.errorsByCode["io"] == 1)
        let people = try catalog.detections(runID: summary.runID).filter { $0.label == "person" }
        #expect(people.count >= 2)
        let failed = try catalog.detectionItems(runID: summary.runID).filter { $0.status == "error" }
        #expect(failed.map(\.itemID) == [painting.id])
        #expect(failed.first?.errorMessage?.contains("wuffs__harvesters.jpeg") == true)
    }

    @Test func anUnfinishedRunWithTheSameSettingsIsResumed() async throws {
        guard let (folder, store, catalog) = try await collection() else { return }
        defer { withExtendedLifetime((folder, store)) {} }
        // A first run that is stopped after one batch of one item: it stays `running`.
        let first = try await DetectionJob(catalog: catalog, options: options("ultraface-320", score: 0.7)).run()
        let config = try #require(try catalog.latestRun(kind: "detect")?.config)
        let itemsDone = try catalog.detectionItems(runID: first.runID)
        let survivor = try #require(itemsDone.first)
        let runID = try catalog.startRun(kind: "detect", toolVersion: "test", config: try JSONDecoder().decode([String: String].self, from: Data(config.utf8)))
        var kept = survivor
        kept.runID = runID
        let source = try catalog.predictionSource(runID: runID, model: "ultraface-320", modelSHA256: first.modelSHA256, modelPath: "-")
        try catalog.saveDetectionBatch(sourceID: source, [(kept, [])])

        let resumed = try await DetectionJob(catalog: catalog, options: options("ultraface-320", score: 0.7)).run()
        #expect(resumed.runID == runID)
        #expect(resumed.resumed == 1 && resumed.processed == 3)
        #expect(try catalog.detectionItems(runID: runID).count == 4)
        // Finished now: the next invocation starts a new run.
        let again = try await DetectionJob(catalog: catalog, options: options("ultraface-320", score: 0.7)).run()
        #expect(again.runID != runID && again.resumed == 0)
    }
}
