import Catalog
import Curation
import Foundation
import Learning
import Logging
import TestPostgres
import Testing

/// Where a test's catalog lives: SQLite in the store folder, or a new database of the throwaway
/// PostgreSQL server with the files in the store folder (nil without one, outside CI).
enum CatalogKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }

    func open(_ folder: URL) throws -> Catalog? {
        switch self {
        case .sqlite: return try Catalog(store: folder)
        case .postgres:
            guard let server = try ThrowawayPostgres.forTests() else { return nil }
            return try Catalog.open(try server.makeDatabase("worker"), images: folder.path)
        }
    }
}

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

@Suite("Classification through the queue")
struct QueuedClassificationTests {
    /// `vitrine enqueue classify` + workers store the labels `vitrine classify predict` stores (same
    /// classes, ranks, confidences, uncertainty) and finish the run with the same per-class counts;
    /// an item without a vector of the classifier's dimension is that work item's error; a
    /// classifier retrained after enqueueing fails the remaining work instead of mixing models.
    /// SQLite and PostgreSQL.
    @Test(arguments: CatalogKind.allCases)
    func queuedLabelsEqualAPredictRun(_ kind: CatalogKind) async throws {
        let store = try TemporaryFolder("vitrine-store")
        guard let catalog = try kind.open(store.url) else { return }
        // 60 items on three noisy directions of 8-d space, one item with a 4-d vector.
        var state: UInt64 = 42
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Double(state >> 11) / Double(1 << 53)) * 2 - 1
        }
        let ids = try catalog.save((0..<61).map {
            Catalog.IngestedItem(item: ItemRecord(sourceKind: "file", sourcePath: "/x/\($0).png", status: "ok"), hashes: nil, quality: nil)
        })
        let model = EmbeddingDuplicates.defaultModel
        var rows: [[Float]] = [], labels: [Int] = []
        var records: [EmbeddingRecord] = []
        for (i, id) in ids.enumerated() {
            if i == 60 { records.append(EmbeddingRecord(itemID: id, model: model, modelSHA256: "s", vector: [1, 0, 0, 0], errorMessage: nil, runID: nil)); continue }
            var v = (0..<8).map { _ in 0.6 * next() }
            v[i % 3] += 1
            rows.append(v)
            labels.append(i % 3)
            records.append(EmbeddingRecord(itemID: id, model: model, modelSHA256: "s", vector: v, errorMessage: nil, runID: nil))
        }
        try catalog.saveEmbeddings(records)
        let classes = ["http://vocab.getty.edu/aat/300033618", "http://vocab.getty.edu/aat/300041273", "http://vocab.getty.edu/aat/300028569"]
        let classifier = try LogisticRegression.fit(rows: rows, labels: labels, classes: classes)
        let file = ClassifierModelFile(name: "genre", vocabulary: zip(classes, ["paintings", "prints", "maps"]).map { .init(uri: $0, label: $1) },
                                       embeddingModel: model, embeddingModelSHA256: "s", classifier: classifier, trainingMetrics: [:], toolVersion: "test")
        let url = ClassifierJobs.modelURL(store: catalog.store, name: "genre")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try file.write(to: url)

        let (direct, _) = try ClassifierJobs.predict(name: "genre", catalog: catalog, minimumConfidence: 0.6, top: 2, logger: Logger(label: "test"))
        let queued = try WorkEnqueue.classify(classifier: "genre", minimumConfidence: 0.6, top: 2, catalog: catalog)
        #expect(queued.runID != direct.runID && queued.candidates == 61 && queued.added == 61)
        #expect(try WorkEnqueue.classify(classifier: "genre", minimumConfidence: 0.6, top: 2, catalog: catalog).added == 0)
        var options = WorkerOptions()
        options.jobs = [.classify]
        options.batchSize = 16
        options.exitWhenIdle = true
        let summary = try await Worker(catalog: catalog, options: options, logger: Logger(label: "test")).run()
        #expect(summary.committed == 61 && summary.failed == 1)
        #expect(try catalog.failedWork().map(\.target) == ["\(ids[60])"])

        let sources = try catalog.annotationSources().filter { $0.kind == "prediction" }
        let directSource = try #require(sources.first { $0.runID == direct.runID }?.id)
        let queuedSource = try #require(sources.first { $0.runID == queued.runID })
        #expect(queuedSource.name == "classifier:genre" && queuedSource.model == "genre")
        func labelled(_ source: Int64) throws -> [String] {
            try catalog.annotations(sourceIDs: [source]).map { a in
                String(format: "%lld %lld %.9f %@", a.itemID, a.categoryID, a.score ?? -1, a.extra ?? "")
            }.sorted()
        }
        #expect(try labelled(try #require(queuedSource.id)) == labelled(directSource))
        #expect(try labelled(directSource).count == 120)
        let run = try #require(try catalog.run(id: queued.runID))
        #expect(run.status == "finished")
        let stored = try JSONDecoder().decode(ClassifierPredictSummary.self, from: Data(try #require(run.summary).utf8))
        #expect(stored.items == 60 && stored.perClass == direct.perClass && stored.uncertain == direct.uncertain)

        // Retrained after enqueueing: the new run's work fails with the reason, nothing is stored.
        let next = try WorkEnqueue.classify(classifier: "genre", minimumConfidence: 0.6, top: 1, catalog: catalog)
        let retrained = ClassifierModelFile(name: "genre", vocabulary: file.vocabulary, embeddingModel: model, embeddingModelSHA256: "s",
                                            classifier: try LogisticRegression.fit(rows: Array(rows.prefix(30)), labels: Array(labels.prefix(30)), classes: classes),
                                            trainingMetrics: [:], toolVersion: "test")
        try retrained.write(to: url)
        let second = try await Worker(catalog: catalog, options: options, logger: Logger(label: "test")).run()
        #expect(second.committed == next.added && second.failed == next.added)
        #expect(try catalog.failedWork(limit: 200).contains { $0.error?.contains("changed since run \(next.runID)") == true })
    }
}

@Suite("Content store temporary files")
struct ContentStoreTemporaryTests {
    /// A worker killed between writing a copy's temporary file and renaming it leaves
    /// `images/xx/.SHA.tmp`; the next writer of the same bytes (the work item claimed again)
    /// replaces it once it is older than `staleTemporaryAge`, and leaves a younger one (a writer of
    /// the same bytes at work now) alone.
    @Test func aKilledWritersTemporaryFileIsReplacedByTheNextWriter() throws {
        let store = try TemporaryFolder("vitrine-store")
        let fm = FileManager.default
        let bytes = Data("the bytes of a picture".utf8)
        let sha = "ab" + String(repeating: "0", count: 62)
        let folder = store.url.appendingPathComponent("images/ab")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        let leftover = folder.appendingPathComponent(".\(sha).tmp")
        try Data("half a picture".utf8).write(to: leftover)
        try fm.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * ContentStore.staleTemporaryAge)], ofItemAtPath: leftover.path)
        let relative = try ContentStore.put(bytes, sha256: sha, store: store.url)
        #expect(try Data(contentsOf: store.url.appendingPathComponent(relative)) == bytes)
        #expect(try fm.contentsOfDirectory(atPath: folder.path).sorted() == [String(sha.dropFirst(2))])

        let other = "cd" + String(repeating: "1", count: 62)
        let busy = store.url.appendingPathComponent("images/cd/.\(other).tmp")
        try fm.createDirectory(at: busy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("being written".utf8).write(to: busy)
        let second = try ContentStore.put(bytes, sha256: other, store: store.url)
        #expect(try Data(contentsOf: store.url.appendingPathComponent(second)) == bytes)
        #expect(try Data(contentsOf: busy) == Data("being written".utf8), "a young temporary file is another writer's")
        #expect(try fm.contentsOfDirectory(atPath: busy.deletingLastPathComponent().path).count == 2)
    }
}

@Suite("A store that cannot be written")
struct StoreFailureTests {
    /// The images folder gone (here: a file where it should be) is the store's fault, not the
    /// images': the work fails with the reason (shown by `vitrine status`), nothing is catalogued
    /// as an error item, and once the folder is back, enqueueing again does the work.
    @Test func aStoreFaultFailsTheWorkAndEnqueueingAgainRetriesIt() async throws {
        let folder = try TemporaryFolder()
        try makeCollection(in: folder)
        let store = try TemporaryFolder("vitrine-store")
        let catalog = try Catalog(store: store.url)
        let images = store.url.appendingPathComponent("images")
        try FileManager.default.removeItem(at: images)
        try Data("not a folder".utf8).write(to: images)
        let queued = try WorkEnqueue.ingest(sources: [folder.url.path], catalog: catalog)
        var options = WorkerOptions()
        options.jobs = [.ingest]
        options.exitWhenIdle = true
        options.threads = 2
        options.ingest.quiet = true
        let first = try await Worker(catalog: catalog, options: options, logger: Logger(label: "test")).run()
        let failed = try catalog.failedWork(limit: 100)
        // The two unreadable files never reach the store: they are error items, their work done.
        #expect(failed.count == queued.found - 2 && first.failed == failed.count)
        #expect(failed.allSatisfy { $0.error?.contains("cannot store the original") == true })
        #expect(try catalog.items().allSatisfy { $0.errorCode != IngestJob.storeFailedCode })

        try FileManager.default.removeItem(at: images)
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        #expect(try WorkEnqueue.ingest(sources: [folder.url.path], catalog: catalog).added == failed.count)
        let second = try await Worker(catalog: catalog, options: options, logger: Logger(label: "test")).run()
        #expect(second.committed == failed.count && second.failed == 0)
        #expect(try catalog.items().count == queued.found)
        #expect(try catalog.itemStatusCounts() == ["ok": queued.found - 2, "error": 2])
    }
}
