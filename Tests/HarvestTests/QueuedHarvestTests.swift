import Catalog
import Curation
import Foundation
import Harvest
import Logging
import ReplayServer
import TestPostgres
import Testing

/// Harvests through the work queue (`vitrine enqueue harvest` + `vitrine worker`) against the
/// replay server on 127.0.0.1: the same items as `vitrine harvest`, and a claim renewed while a
/// harvest outlasts its lease, so no other worker takes it over.
@Suite(.serialized) struct QueuedHarvestTests {
    func spec(_ source: HarvestSpec.Source, _ location: String) -> HarvestSpec {
        var s = HarvestSpec(source: source, location: location)
        s.settings.size = 100
        s.settings.timeout = 2
        s.settings.retries = 0
        s.settings.rate = 0
        return s
    }

    @Test func queuedHarvestsStoreWhatAHarvestStores() async throws {
        guard let corpus = requireCorpus() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        let folder = try TemporaryFolder()
        let list = folder.path("list.csv")
        try Data("url,title,provider\n\(server.base)/img/3.jpg,Three,P\n\(server.base)/fault/404/4.jpg,Gone,P\n\(server.base)/img/5.jpg,Five,P\n".utf8)
            .write(to: URL(fileURLWithPath: list))
        let specs = [spec(.iiif, "\(server.base)/iiif/manifest.json"), spec(.iiif, "\(server.base)/iiif/collection.json"), spec(.urls, list)]

        let directStore = try TemporaryFolder("vitrine-harvest-store")
        let direct = try Catalog(store: directStore.url)
        for s in specs {
            let job = HarvestJob(catalog: direct, options: s.options(threads: 2))
            _ = s.source == .iiif ? try await job.iiif([s.location]) : try await job.urls(s.location)
        }

        let queuedStore = try TemporaryFolder("vitrine-harvest-store")
        let queued = try Catalog(store: queuedStore.url)
        let added = try WorkEnqueue.harvest(specs, catalog: queued)
        #expect(added.found == 3 && added.added == 3)
        #expect(try WorkEnqueue.harvest(specs, catalog: queued).added == 0)
        var options = WorkerOptions()
        options.jobs = [.harvest]
        options.exitWhenIdle = true
        options.threads = 2
        let summary = try await Worker(catalog: queued, options: options, logger: Logger(label: "test")).run()
        #expect(summary.committed == 3 && summary.failed == 0 && summary.batches == 3, "one harvest per claim")
        func rows(_ c: Catalog) throws -> [String] {
            try c.items().map { "\($0.sourcePath) \($0.status) \($0.sha256 ?? "-") \($0.errorCode ?? "")" }.sorted()
        }
        #expect(try rows(queued) == rows(direct))
        #expect(try rows(queued).count == 4)  // the manifest's canvas (once, the collection holds the same manifest) and 3 rows
        #expect(try queued.latestRun(kind: "harvest")?.status == "finished")
        await server.stop()
    }

    /// CASES.md C01 and C02 through the queue: the record without `edmIsShownBy` and the one whose
    /// `edmIsShownBy` is a 404 get their `edmPreview` (preview-only), the harvest goes on, every
    /// served image is stored; the key comes from the worker, not the queue.
    @Test func queuedEuropeanaHarvestFallsBackToPreviews() async throws {
        guard let corpus = requireCorpus() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        let store = try TemporaryFolder("vitrine-harvest-store")
        let catalog = try Catalog(store: store.url)
        var query = EuropeanaSearchQuery(query: "*:*")
        query.rows = 5
        var s = spec(.europeana, server.base)
        s.query = query
        s.settings.retries = 2
        _ = try WorkEnqueue.harvest([s], catalog: catalog)
        let payloads = try catalog.sqlRead { db in try db.values(String.self, "SELECT payload FROM workItem") }
        #expect(payloads.count == 1 && !payloads.contains { $0.contains("T0PS3CRET") })
        var options = WorkerOptions()
        options.jobs = [.harvest]
        options.exitWhenIdle = true
        options.europeanaAPIKey = "T0PS3CRET"
        let summary = try await Worker(catalog: catalog, options: options, logger: Logger(label: "test")).run()
        #expect(summary.committed == 1 && summary.failed == 0)
        let details = Dictionary(uniqueKeysWithValues: try catalog.harvestItems().map { ($0.sourcePath, $0) })
        let ids = server.recordIDs
        let c02 = try #require(details["europeana:" + ids[0]])
        #expect(c02.previewOnly && c02.imageSource == "edmPreview")
        let c01 = try #require(details["europeana:" + ids[1]])
        #expect(c01.previewOnly && c01.imageSource == "edmPreview")
        #expect(try catalog.items().filter { $0.status == "ok" }.count == 12)
        await server.stop()
    }

    @Test func aLongHarvestKeepsItsClaim() async throws {
        guard let corpus = requireCorpus() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        let folder = try TemporaryFolder()
        let list = folder.path("slow.csv")
        // Each slow URL runs into the 2 s timeout: the harvest outlasts the 1 s lease.
        try Data("url,title\n\(server.base)/fault/slow/4.jpg,Slow\n\(server.base)/img/3.jpg,Three\n".utf8).write(to: URL(fileURLWithPath: list))
        let store = try TemporaryFolder("vitrine-harvest-store")
        let catalog = try Catalog(store: store.url)
        var s = spec(.urls, list)
        s.settings.connections = 1
        _ = try WorkEnqueue.harvest([s], catalog: catalog)
        var options = WorkerOptions()
        options.jobs = [.harvest]
        options.exitWhenIdle = true
        options.lease = 1
        options.poll = 0.1
        let worker = Worker(catalog: catalog, options: options, logger: Logger(label: "test"))
        async let run = worker.run()
        // Once the worker holds the harvest, another worker keeps trying to claim it.
        let deadline = Date().addingTimeInterval(30)
        while try catalog.claimedByWorker()[worker.id] == nil && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        var stolen = 0
        let started = Date()
        while Date().timeIntervalSince(started) < 2.5 {
            stolen += try catalog.claimWork(kinds: ["harvest"], worker: "other", limit: 1, lease: 60).count
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let summary = try await run
        #expect(stolen == 0, "another worker took the harvest over while it ran")
        #expect(summary.committed == 1 && summary.superseded == 0)
        let work = try #require(try catalog.failedWork().isEmpty ? catalog.workCounts().first : nil)
        #expect(work.done == 1)
        #expect(try catalog.items().count == 2)
        await server.stop()
    }

    /// A source that cannot be read (a manifest URL answering HTML, a 404) fails its work with the
    /// reason; a missing list file is refused at enqueue time; a source harvested before is
    /// queued again by a new enqueue (new records, the options given now).
    @Test func unreadableSourcesFailAndHarvestsCanBeQueuedAgain() async throws {
        guard let corpus = requireCorpus() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        let store = try TemporaryFolder("vitrine-harvest-store")
        let catalog = try Catalog(store: store.url)
        #expect(throws: (any Error).self) { try WorkEnqueue.harvest([spec(.urls, store.path("nosuch.csv"))], catalog: catalog) }
        let specs = [spec(.iiif, "\(server.base)/fault/html/1.jpg"), spec(.iiif, "\(server.base)/fault/404/m.json"), spec(.iiif, "\(server.base)/iiif/manifest.json")]
        #expect(try WorkEnqueue.harvest(specs, catalog: catalog).added == 3)
        var options = WorkerOptions()
        options.jobs = [.harvest]
        options.exitWhenIdle = true
        let summary = try await Worker(catalog: catalog, options: options, logger: Logger(label: "test")).run()
        #expect(summary.committed == 3 && summary.failed == 2)
        let failed = try catalog.failedWork()
        #expect(Set(failed.map(\.target)) == Set(specs.prefix(2).map { "iiif \($0.location)" }))
        #expect(failed.allSatisfy { $0.error?.contains("could not be read") == true })
        // Queued again: the failed ones and the done one.
        #expect(try WorkEnqueue.harvest(specs, catalog: catalog).added == 3)
        let again = try await Worker(catalog: catalog, options: options, logger: Logger(label: "test")).run()
        #expect(again.committed == 3 && again.failed == 2)
        #expect(try catalog.items().count == 1)
        await server.stop()
    }

    /// Two workers harvesting, at the same time, URL lists that share URLs into one PostgreSQL
    /// catalog: each shared source is stored once and neither harvest fails (an item inserted by
    /// the other worker between a look and an insert is updated, not a unique-key violation).
    @Test func overlappingHarvestsOnPostgresStoreEachSourceOnce() async throws {
        guard let corpus = requireCorpus() else { return }
        guard let postgres = try ThrowawayPostgres.forTests() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        let folder = try TemporaryFolder()
        var specs: [HarvestSpec] = []
        for (name, range) in [("p.csv", 50...55), ("q.csv", 53...58), ("r.csv", 50...58)] {
            let rows = range.map { "\(server.base)/img/\($0).jpg,P \($0)" }.joined(separator: "\n")
            try Data("url,title\n\(rows)\n".utf8).write(to: URL(fileURLWithPath: folder.path(name)))
            specs.append(spec(.urls, folder.path(name)))
        }
        let store = try TemporaryFolder("vitrine-harvest-store")
        let catalog = try Catalog.open(try postgres.makeDatabase("harvest"), images: store.url.path)
        _ = try WorkEnqueue.harvest(specs, catalog: catalog)
        var options = WorkerOptions()
        options.jobs = [.harvest]
        options.exitWhenIdle = true
        options.threads = 1
        async let a = Worker(catalog: catalog, options: options, logger: Logger(label: "test")).run()
        async let b = Worker(catalog: catalog, options: options, logger: Logger(label: "test")).run()
        let (first, second) = try await (a, b)
        let failures = try catalog.failedWork().map { $0.error ?? "" }
        #expect(first.committed + second.committed == 3 && first.failed + second.failed == 0, "\(failures)")
        #expect(try catalog.items().count == 9)
        #expect(Set(try catalog.items().map(\.sourcePath)).count == 9)
        await server.stop()
    }
}
