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
