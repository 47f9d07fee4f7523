import Catalog
import Curation
import Foundation
import GRDB
import Harvest
import ReplayServer
import Testing

/// Harvests against a real HTTP server on 127.0.0.1 (`ReplayServer`) replaying the recorded
/// Europeana answers with injected faults.
@Suite(.serialized) struct HarvestServerTests {
    static func fastOptions() -> HarvestOptions {
        var o = HarvestOptions()
        o.quiet = true
        o.ingest.quiet = true
        o.fetcher.timeout = 2
        o.fetcher.backoff = 0.05
        o.fetcher.retries = 2
        o.size = 100
        return o
    }

    @Test func europeanaHarvestStoresEveryServedImageAndRecordsEveryFaultWithItsKind() async throws {
        guard let corpus = requireCorpus() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        let store = try TemporaryFolder("vitrine-harvest-store")
        let catalog = try Catalog(store: store.url)
        var query = EuropeanaSearchQuery(query: "*:*")
        query.rows = 5
        let key = "T0PS3CRET"
        let summary = try await HarvestJob(catalog: catalog, options: Self.fastOptions()).europeana(query, apiKey: key, base: server.base)
        #expect(summary.records == 12 && summary.pages == 3 && summary.finished)
        #expect(summary.stored == 12 && summary.errors == 0)
        let outcomes = try catalog.urlOutcomes()
        func kind(_ path: String) -> URLOutcomeRecord? { outcomes.first { $0.url.hasSuffix(path) } }
        #expect(kind("/fault/404/0.jpg")?.kind == "http_404")
        #expect(kind("/fault/429/2.jpg")?.kind == "ok" && kind("/fault/429/2.jpg")?.message?.contains("http_429") == true)
        #expect(kind("/fault/500/3.jpg")?.kind == "ok" && kind("/fault/500/3.jpg")?.message?.contains("http_500") == true)
        #expect(kind("/fault/slow/4.jpg")?.kind == "timeout")
        #expect(kind("/fault/html/5.jpg")?.kind == "not_an_image")
        #expect(kind("/fault/truncated/6.jpg")?.kind == "truncated")
        #expect(kind("/fault/loop/7.jpg")?.kind == "redirect_loop")
        #expect(kind("/fault/redirect/8.jpg")?.kind == "redirected")
        #expect(kind("/fault/empty/9.jpg")?.kind == "empty")
        let items = Dictionary(uniqueKeysWithValues: try catalog.items().map { ($0.sourcePath, $0) })
        let details = Dictionary(uniqueKeysWithValues: try catalog.harvestItems().map { ($0.sourcePath, $0) })
        let ids = server.recordIDs
        // C02: edmIsShownBy 404 → edmPreview, preview-only, the error page never stored.
        let c02 = try #require(details["europeana:" + ids[0]])
        #expect(c02.previewOnly && c02.imageSource == "edmPreview" && items["europeana:" + ids[0]]?.status == "ok")
        // C01: no edmIsShownBy at all → edmPreview, and the run went on.
        let c01 = try #require(details["europeana:" + ids[1]])
        #expect(c01.previewOnly && c01.imageSource == "edmPreview")
        for n in [2, 3, 8, 10, 11] { #expect(details["europeana:" + ids[n]]?.imageSource == "edmIsShownBy", "item \(n)") }
        // Stored bytes are the served image, byte for byte; no HTML body is ever stored.
        let plain = try #require(items["europeana:" + ids[10]])
        #expect(plain.originalURL == "\(server.base)/img/10.jpg" && plain.format == "jpeg")
        let stored = try Data(contentsOf: catalog.absolute(try #require(plain.storedPath)))
        #expect(stored == server.image(10))
        #expect(items.values.allSatisfy { $0.format == "jpeg" })
        // The key is nowhere in the catalog or the reports.
        let report = try LinkHealth.write(outcomes, store: store.url)
        let csv = try String(contentsOfFile: report.csv, encoding: .utf8)
        #expect(csv.contains("http_404") && csv.contains("redirect_loop") && !csv.contains(key))
        #expect(try !String(contentsOfFile: report.html, encoding: .utf8).contains(key))
        let dump = try Data(contentsOf: store.url.appendingPathComponent("catalog.sqlite"))
        #expect(dump.range(of: Data(key.utf8)) == nil)
        let health = LinkHealth(outcomes)
        #expect(health.totals["404"] == 1 && health.totals["timeout"] == 1 && health.rows.count == 1)

        // A second run asks for nothing it has: no image request at all.
        let hits = server.hits("/img/10.jpg")
        let again = try await HarvestJob(catalog: catalog, options: Self.fastOptions()).europeana(query, apiKey: key, base: server.base)
        #expect(again.alreadyDone == 12 && again.stored == 0 && server.hits("/img/10.jpg") == hits)
        #expect(try catalog.items().count == 12)
        // C02: the full-size URL of a preview-only item is checked again when asked.
        let dead = server.hits("/fault/404/0.jpg")
        var recheck = Self.fastOptions()
        recheck.recheckPreviews = true
        let rechecked = try await HarvestJob(catalog: catalog, options: recheck).europeana(query, apiKey: key, base: server.base)
        #expect(server.hits("/fault/404/0.jpg") == dead + 1 && rechecked.previewOnly == 7 && rechecked.alreadyDone == 5)
        #expect(try catalog.items().count == 12)
        await server.stop()
    }

    @Test func fullRecordsAddEdmObjectAndConceptLabelsWithOriginMetadata() async throws {
        guard let corpus = requireCorpus() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        let store = try TemporaryFolder("vitrine-harvest-store")
        let catalog = try Catalog(store: store.url)
        var options = Self.fastOptions()
        options.fullRecords = true
        options.limit = 2
        let summary = try await HarvestJob(catalog: catalog, options: options).europeana(EuropeanaSearchQuery(query: "*:*"), apiKey: "k", base: server.base)
        #expect(summary.records == 2 && summary.stored == 2)
        // Item 1 has no edmIsShownBy: the Record API's edmObject comes before edmPreview (C01).
        let details = try catalog.harvestItems().first { $0.sourcePath == "europeana:" + server.recordIDs[1] }
        #expect(details?.imageSource == "edmObject" && details?.previewOnly == false)
        let concepts = try catalog.itemConcepts()
        #expect(concepts.contains { $0.uri == "http://vocab.getty.edu/aat/300033618" && $0.label == "paintings (visual works)" && $0.origin == "metadata" })
        await server.stop()
    }

    @Test func iiifHarvestAsksALevelZeroServerOnlyForAListedSize() async throws {
        guard let corpus = requireCorpus() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        let store = try TemporaryFolder("vitrine-harvest-store")
        let catalog = try Catalog(store: store.url)
        let summary = try await HarvestJob(catalog: catalog, options: Self.fastOptions()).iiif(["\(server.base)/iiif/manifest.json"])
        #expect(summary.stored == 1 && summary.errors == 0)
        let item = try #require(try catalog.items().first)
        #expect(item.originalURL == "\(server.base)/iiif/iiif_3_0_tiled/full/97,128/0/default.jpg" && item.width == 97 && item.height == 128)
        let details = try #require(try catalog.harvestItems().first)
        #expect(details.manifest == "\(server.base)/iiif/manifest.json" && details.canvas == "\(server.base)/iiif/canvas/1")
        await server.stop()
    }

    @Test func collectionsAreWalkedOnceEachDespiteCyclesAndDuplicateMembers() async throws {
        guard let corpus = requireCorpus() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        let store = try TemporaryFolder("vitrine-harvest-store")
        let catalog = try Catalog(store: store.url)
        let summary = try await HarvestJob(catalog: catalog, options: Self.fastOptions()).iiif(["\(server.base)/iiif/collection.json"])
        #expect(summary.records == 1 && summary.stored == 1)
        #expect(server.hits("/iiif/collection.json") == 1 && server.hits("/iiif/manifest.json") == 1)
        await server.stop()
    }

    @Test func urlListsAreHarvestedAndAFailedURLIsNotAskedAgain() async throws {
        guard let corpus = requireCorpus() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        let folder = try TemporaryFolder()
        let list = "url,title,provider\n\(server.base)/img/3.jpg,Three,P\n\(server.base)/fault/404/4.jpg,Gone,P\n\(server.base)/fault/html/5.jpg,Page,P\n"
        try Data(list.utf8).write(to: URL(fileURLWithPath: folder.path("list.csv")))
        let store = try TemporaryFolder("vitrine-harvest-store")
        let catalog = try Catalog(store: store.url)
        let first = try await HarvestJob(catalog: catalog, options: Self.fastOptions()).urls(folder.path("list.csv"))
        #expect(first.stored == 1 && first.errorsByCode == ["http_404": 1, "not_an_image": 1])
        let hits = server.hits("/fault/404/4.jpg")
        let second = try await HarvestJob(catalog: catalog, options: Self.fastOptions()).urls(folder.path("list.csv"))
        #expect(second.alreadyDone == 1 && server.hits("/fault/404/4.jpg") == hits)
        var retry = Self.fastOptions()
        retry.retryErrors = true
        _ = try await HarvestJob(catalog: catalog, options: retry).urls(folder.path("list.csv"))
        #expect(server.hits("/fault/404/4.jpg") == hits + 1)
        await server.stop()
    }

    @Test func retryAfterIsHonouredAndALongOneFailsTheURL() async throws {
        guard let corpus = requireCorpus() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        var options = HTTPFetcher.Options()
        options.backoff = 0.01
        let fetcher = HTTPFetcher(options: options)
        let started = Date()
        let result = try await fetcher.fetch("\(server.base)/fault/429/20.jpg", expectImage: true)
        #expect(Date().timeIntervalSince(started) >= 0.9 && result.attempts == 2 && result.retriedAfter == ["http_429"])
        var impatient = HTTPFetcher.Options()
        impatient.maximumRetryAfter = 0.5
        let short = HTTPFetcher(options: impatient)
        await #expect { _ = try await short.fetch("\(server.base)/fault/429/21.jpg") } throws: {
            ($0 as? HarvestError)?.kind == "http_429" && "\($0)".contains("Retry-After")
        }
        await fetcher.shutdown()
        await short.shutdown()
        await server.stop()
    }

    @Test func perHostConcurrencyIsBounded() async throws {
        guard let corpus = requireCorpus() else { return }
        let server = try await ReplayServer.start(corpus: corpus)
        var options = HTTPFetcher.Options()
        options.perHost = 2
        options.connections = 8
        options.timeout = 10
        options.rate = 0
        let fetcher = HTTPFetcher(options: options)
        // Four slow-ish requests (truncated ones close fast): with 2 per host the 4 plain ones run 2 by 2.
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<4 { group.addTask { _ = try await fetcher.fetch("\(server.base)/img/\(n).jpg", expectImage: true) } }
            try await group.waitForAll()
        }
        #expect(Date().timeIntervalSince(started) < 10)
        await fetcher.shutdown()
        await server.stop()
    }
}
