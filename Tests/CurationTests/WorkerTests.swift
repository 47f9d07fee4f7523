import Catalog
import Curation
import Foundation
import Logging
import Testing

@Suite("Workers on a SQLite store")
struct WorkerTests {
    /// CASES.md C17 through the queue: a truncated JPEG and an HTML page named .jpg among good
    /// files. Every work item ends done (an unreadable file's result is its error item), the
    /// others are catalogued, and the worker finishes.
    @Test func badFilesAreErrorItemsAndTheQueueFinishes() async throws {
        let folder = try TemporaryFolder()
        try makeCollection(in: folder)
        let store = try TemporaryFolder("vitrine-store")
        let catalog = try Catalog(store: store.url)
        let queued = try WorkEnqueue.ingest(sources: [folder.url.path], catalog: catalog)
        #expect(queued.found == 10 && queued.added == 10)
        #expect(try WorkEnqueue.ingest(sources: [folder.url.path], catalog: catalog).added == 0)
        var options = WorkerOptions()
        options.jobs = [.ingest]
        options.batchSize = 3
        options.threads = 2
        options.exitWhenIdle = true
        options.ingest.quiet = true
        let summary = try await Worker(catalog: catalog, options: options, logger: Logger(label: "test")).run()
        #expect(summary.committed == 10 && summary.failed == 0 && summary.superseded == 0 && summary.batches == 4)
        let counts = try #require(try catalog.workCounts().first)
        #expect(counts.done == 10 && counts.pending == 0 && counts.claimed == 0 && counts.failed == 0)
        let items = try catalog.items()
        #expect(items.count == 10)
        let errors = items.filter { $0.status == "error" }.compactMap(\.errorCode).sorted()
        #expect(errors.count == 2 && errors.contains("unsupported_format"))
        #expect(errors.contains("truncated") || errors.contains("corrupt"))
        #expect(try catalog.workers().first?.processed == 10)
    }
}

@Suite("Detection through the queue")
struct QueuedDetectionTests {
    /// `vitrine enqueue detect` + workers give the detections `vitrine detect` gives (same model,
    /// same threshold: same boxes), with a missing stored file recorded as that item's error; the
    /// run is finished with its summary when its last work item is committed. SQLite and PostgreSQL.
    @Test(arguments: [false, true])
    func queuedDetectionEqualsADetectRun(postgres: Bool) async throws {
        guard let (folder, store, catalog) = try await DetectionJobTests().collection(postgres: postgres) else { return }
        defer { withExtendedLifetime((folder, store)) {} }
        let items = try catalog.items()
        let painting = try #require(items.first { $0.sourcePath.hasSuffix("wuffs__harvesters.jpeg") })
        try FileManager.default.removeItem(at: catalog.absolute(try #require(painting.storedPath)))
        var options = DetectionJobTests().options("ultraface-320", score: 0.7)
        let direct = try await DetectionJob(catalog: catalog, options: options).run()

        options.newRun = true
        let queued = try WorkEnqueue.detect(options: options, catalog: catalog)
        #expect(queued.runID != direct.runID && queued.candidates == 4 && queued.added == 4)
        options.newRun = false
        let again = try WorkEnqueue.detect(options: options, catalog: catalog)
        #expect(again.runID == queued.runID && again.added == 0, "the unfinished run is continued and nothing is queued twice")

        var worker = WorkerOptions()
        worker.jobs = [.detect]
        worker.batchSize = 3
        worker.threads = 2
        worker.exitWhenIdle = true
        let summary = try await Worker(catalog: catalog, options: worker, logger: Logger(label: "test")).run()
        #expect(summary.committed == 4 && summary.failed == 0 && summary.batches == 2)

        func boxes(_ runID: Int64) throws -> [String] {
            try catalog.detections(runID: runID).map { d in
                String(format: "%lld %@ %.6f %.3f %.3f %.3f %.3f", d.itemID, d.label, d.score, d.x, d.y, d.width, d.height)
            }.sorted()
        }
        #expect(try boxes(queued.runID) == boxes(direct.runID))
        #expect(try boxes(queued.runID).count >= 6)
        let failed = try catalog.detectionItems(runID: queued.runID).filter { $0.status == "error" }
        #expect(failed.map(\.itemID) == [painting.id] && failed.first?.errorCode == "io")
        let run = try #require(try catalog.run(id: queued.runID))
        #expect(run.status == "finished")
        let stored = try JSONDecoder().decode(DetectionSummary.self, from: Data(try #require(run.summary).utf8))
        #expect(stored.items == 4 && stored.errors == 1 && stored.detections == direct.detections)
        let counts = try catalog.workCounts()
        #expect(counts.map(\.model) == ["ultraface-320 run \(queued.runID)"] && counts.first?.done == 4)
        // A new enqueue of the finished run's settings starts a new run (the finished one is not reopened).
        #expect(try WorkEnqueue.detect(options: options, catalog: catalog).runID != queued.runID)
    }
}
