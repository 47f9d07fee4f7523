import Catalog
import Foundation
import GRDB
import TestPostgres
import Testing

/// The two catalog backends: tests taking one as argument run on both (PostgreSQL on a
/// throwaway server on 127.0.0.1, started by the first such test and stopped at exit).
enum CatalogBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A new, empty catalog and what deletes it; nil where PostgreSQL is not installed (not under CI).
    func open() throws -> (Catalog, @Sendable () -> Void)? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-catalog-\(UUID().uuidString)")
        let remove: @Sendable () -> Void = { try? FileManager.default.removeItem(at: folder) }
        switch self {
        case .sqlite:
            return (try Catalog(store: folder), remove)
        case .postgres:
            guard let server = try ThrowawayPostgres.forTests() else { return nil }
            let url = try server.makeDatabase("catalog")
            return (try Catalog.open(url, images: folder.path), remove)
        }
    }
}

@Suite("Catalog on PostgreSQL")
struct PostgresCatalogTests {
    @Test func urlsAreParsedAsLibpqDoes() throws {
        let full = try #require(PostgresLocation(url: "postgres://ann:s%40cret@db.example.org:6543/heritage"))
        #expect(full == PostgresLocation(host: "db.example.org", port: 6543, user: "ann", password: "s@cret", database: "heritage"))
        #expect(full.description == "postgres://ann@db.example.org:6543/heritage")  // no password in logs
        let short = try #require(PostgresLocation(url: "postgresql://ann@localhost/"))
        #expect(short.port == 5432 && short.database == "ann")
        #expect(PostgresLocation(url: "/data/store") == nil)
        #expect(PostgresLocation(url: "postgres:///nohost") == nil)
    }

    @Test func aPostgresStoreNeedsAnImagesFolder() throws {
        #expect(throws: CatalogError.self) { try Catalog.open("postgres://x@127.0.0.1:1/db", images: nil) }
    }

    @Test func anUnreachableServerIsAClearError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-pg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try Catalog.open("postgres://vitrine@127.0.0.1:1/none", images: folder.path)
            Issue.record("opened a catalog on a closed port")
        } catch let error as CatalogError {
            #expect(error.code == .open)
            #expect(error.description.contains("postgres://vitrine@127.0.0.1:1/none"))
        }
    }

    /// The PostgreSQL schema is the SQLite one (same tables, columns, nullability and types
    /// mapped), so that every query and record works on both.
    /// A claim never takes more than its limit, whatever plan PostgreSQL picks: with statistics
    /// gathered while nothing was pending (the queue drained, then new work), PostgreSQL joined
    /// the claim's locking subquery in a nested loop that rescanned it per row, and one claim of 16
    /// took all 40 items.
    @Test func aClaimTakesAtMostItsLimitWithStaleStatistics() throws {
        guard let server = try ThrowawayPostgres.forTests() else { return }
        let url = try server.makeDatabase("claims")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-claims-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let catalog = try Catalog.open(url, images: folder.path)
        let database = String(url.split(separator: "/").last ?? "")
        try catalog.enqueue((0..<20).map { WorkItemRecord(kind: "ingest", target: "/x/\($0).png") })
        #expect(try catalog.claimWork(kinds: ["ingest"], worker: "I", limit: 100, lease: 60).count == 20)
        _ = try server.psql(database, "ANALYZE")  // nothing pending
        try catalog.enqueue((0..<40).map { WorkItemRecord(kind: "detect", target: "\($0)", model: "m run 1") })
        var seen = Set<Int64>()
        for round in 0..<3 {
            let claimed = try catalog.claimWork(kinds: ["detect"], worker: "W\(round)", limit: 16, lease: 60)
            #expect(claimed.count == [16, 16, 8][round], "round \(round): \(claimed.count) claimed")
            #expect(seen.isDisjoint(with: claimed.compactMap(\.id)))
            seen.formUnion(claimed.compactMap(\.id))
        }
    }

    @Test func theSchemaIsTheSQLiteSchema() throws {
        guard let server = try ThrowawayPostgres.forTests() else { return }
        let url = try server.makeDatabase("schema")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-schema-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pg = try Catalog.open(url, images: folder.path)
        _ = try Catalog.open(url, images: folder.path)  // a second open migrates nothing
        let sqlite = try Catalog(store: folder.appendingPathComponent("sqlite"))
        let database = String(url.split(separator: "/").last ?? "")
        let pgColumns = Set(try server.psql(database, """
            SELECT table_name || '.' || column_name || ':' || is_nullable FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
            """).split(separator: "\n").map(String.init))
        let sqliteColumns: Set<String> = try #require(sqlite.pool).read { db in
            var out = Set<String>()
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' AND name NOT LIKE 'itemText%'") {
                for c in try Row.fetchAll(db, sql: "PRAGMA table_info(\(table.quotedDatabaseIdentifier))") {
                    let notNull = (c["notnull"] as Bool) || (c["pk"] as Int) > 0
                    out.insert("\(table.lowercased()).\((c["name"] as String).lowercased()):\(notNull ? "NO" : "YES")")
                }
            }
            return out
        }
        #expect(!sqliteColumns.isEmpty)
        #expect(pgColumns == sqliteColumns, "only in PostgreSQL: \(pgColumns.subtracting(sqliteColumns).sorted()); only in SQLite: \(sqliteColumns.subtracting(pgColumns).sorted())")
        // Every SQLite migration under its name, and the PostgreSQL-only one (the text-search index
        // that stands for SQLite's FTS5 table).
        let migrations = Set(try server.psql(database, "SELECT identifier FROM schema_migrations").split(separator: "\n").map(String.init))
        let sqliteMigrations = try #require(sqlite.pool).read { db in Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) }
        #expect(migrations == sqliteMigrations.union(["v7-server-postgres-text-search"]))
        let indexes = try server.psql(database, "SELECT indexname FROM pg_indexes WHERE tablename = 'item'")
        #expect(indexes.contains("itemtextsearch"))
        // No column name is a word PostgreSQL reserves (queries name them unquoted).
        let reserved = Set(try server.psql(database, "SELECT word FROM pg_get_keywords() WHERE catcode = 'R'").split(separator: "\n").map(String.init))
        let names = Set(sqliteColumns.compactMap { $0.split(separator: ".").last?.split(separator: ":").first.map(String.init) })
        #expect(names.intersection(reserved).isEmpty, "reserved: \(names.intersection(reserved).sorted())")
        _ = pg
    }

    @Test(arguments: CatalogBackend.allCases)
    func embeddingsAndClustersRoundTrip(_ backend: CatalogBackend) throws {
        guard let (catalog, done) = try backend.open() else { return }
        defer { done() }
        let ids = try catalog.save((0..<4).map {
            Catalog.IngestedItem(item: ItemRecord(sourceKind: "file", sourcePath: "/x/\($0).png", status: "ok"), hashes: nil, quality: nil)
        })
        let run = try catalog.startRun(kind: "embed", toolVersion: "test", config: [:])
        try catalog.saveEmbeddings([
            EmbeddingRecord(itemID: ids[0], model: "m", modelSHA256: "s", vector: [0.6, 0.8], errorMessage: nil, runID: run),
            EmbeddingRecord(itemID: ids[1], model: "m", modelSHA256: "s", vector: [1, 0], errorMessage: nil, runID: run),
            EmbeddingRecord(itemID: ids[2], model: "m", modelSHA256: "s", vector: nil, errorMessage: "truncated", runID: run),
        ])
        // Saving again replaces (one row per item and model).
        try catalog.saveEmbeddings([EmbeddingRecord(itemID: ids[1], model: "m", modelSHA256: "s", vector: [0, 1], errorMessage: nil, runID: run)])
        #expect(try catalog.embeddedItemIDs(model: "m") == [ids[0], ids[1]])
        #expect(try catalog.embeddings(model: "m").map(\.floats) == [[0.6, 0.8], [0, 1]])
        #expect(try catalog.embeddings(model: "m", itemIDs: [ids[1], ids[3]]).map(\.itemID) == [ids[1]])
        #expect(try catalog.embeddingErrors(model: "m").map(\.errorMessage) == ["truncated"])
        let summary = try #require(try catalog.embeddingSummary(model: "m"))
        #expect(summary.count == 2 && summary.dimension == 2 && summary.modelSHA256 == "s")
        #expect(try catalog.embeddingItemIDs(model: "m") == [ids[0], ids[1]])
        #expect(try catalog.embeddingSummary(model: "other") == nil)
        try catalog.saveClusterAssignments([
            ClusterAssignmentRecord(runID: run, itemID: ids[0], cluster: 0, silhouette: 0.5, centroidSimilarity: 0.9),
            ClusterAssignmentRecord(runID: run, itemID: ids[1], cluster: 1, silhouette: nil, centroidSimilarity: 1),
        ])
        let clusters = try catalog.clusterAssignments(runID: run).sorted { $0.itemID < $1.itemID }
        #expect(clusters.map(\.cluster) == [0, 1] && clusters[0].silhouette == 0.5 && clusters[1].silhouette == nil)
        let item = try #require(try catalog.item(id: ids[2]))
        #expect(item.sourcePath == "/x/2.png" && item.hasAlpha == nil)
    }
}

@Suite("Work queue on both backends")
struct WorkQueueTests {
    func ingested(_ path: String) -> Catalog.IngestedItem {
        Catalog.IngestedItem(item: ItemRecord(sourceKind: "file", sourcePath: path, status: "ok"), hashes: nil, quality: nil)
    }

    @Test(arguments: CatalogBackend.allCases)
    func workIsClaimedOnceAndTakenOverWhenItsLeaseRunsOut(_ backend: CatalogBackend) throws {
        guard let (catalog, done) = try backend.open() else { return }
        defer { done() }
        let work = (0..<10).map { WorkItemRecord(kind: "ingest", target: "/x/\($0).png") }
        #expect(try catalog.enqueue(work) == 10)
        #expect(try catalog.enqueue(work) == 0)  // same kind, target and model: nothing added
        let a = try catalog.claimWork(kinds: ["ingest"], worker: "A", limit: 4, lease: 60)
        let b = try catalog.claimWork(kinds: ["ingest"], worker: "B", limit: 4, lease: 60)
        #expect(a.count == 4 && b.count == 4)
        #expect(Set(a.compactMap(\.id)).isDisjoint(with: Set(b.compactMap(\.id))))
        #expect(try catalog.claimWork(kinds: ["embed"], worker: "E", limit: 4, lease: 60).isEmpty)
        let c = try catalog.claimWork(kinds: ["ingest"], worker: "C", limit: 10, lease: 0.2)
        #expect(c.count == 2)
        #expect(try catalog.claimWork(kinds: ["ingest"], worker: "D", limit: 10, lease: 60).isEmpty)
        Thread.sleep(forTimeInterval: 0.5)
        // C's lease ran out: D takes its items over; C's late outcome is dropped.
        let d = try catalog.claimWork(kinds: ["ingest"], worker: "D", limit: 10, lease: 60)
        #expect(d.map(\.id) == c.map(\.id))
        #expect(d.allSatisfy { $0.attempts == 2 && $0.workerID == "D" })
        #expect(try catalog.completeWork(c.map { WorkOutcome(workID: $0.id ?? 0, ingested: ingested($0.target)) }, worker: "C").isEmpty)
        #expect(try catalog.completeWork(d.map { WorkOutcome(workID: $0.id ?? 0, ingested: ingested($0.target)) }, worker: "D").count == 2)
        try catalog.completeWork(a.map { WorkOutcome(workID: $0.id ?? 0, ingested: ingested($0.target)) }, worker: "A")
        try catalog.completeWork(b.map { WorkOutcome(workID: $0.id ?? 0, error: "unreadable") }, worker: "B")
        #expect(try catalog.items().count == 6)
        let counts = try #require(try catalog.workCounts().first)
        #expect(counts.done == 6 && counts.failed == 4 && counts.pending == 0 && counts.claimed == 0)
        #expect(try catalog.unfinishedWork(kinds: ["ingest"]) == 0)
        #expect(try catalog.failedWork().map(\.error) == Array(repeating: "unreadable", count: 4))
    }

    @Test(arguments: CatalogBackend.allCases)
    func workWhoseWorkersKeepDyingIsFailedAfterThreeClaims(_ backend: CatalogBackend) throws {
        guard let (catalog, done) = try backend.open() else { return }
        defer { done() }
        try catalog.enqueue([WorkItemRecord(kind: "embed", target: "1", model: "m")])
        for attempt in 1...WorkQueue.maximumAttempts {
            let claimed = try catalog.claimWork(kinds: ["embed"], worker: "W\(attempt)", limit: 1, lease: 0.05)
            #expect(claimed.first?.attempts == attempt)
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(try catalog.claimWork(kinds: ["embed"], worker: "W", limit: 1, lease: 60).isEmpty)
        let failed = try #require(try catalog.failedWork().first)
        #expect(failed.error?.contains("claimed 3 times") == true)
        #expect(try catalog.unfinishedWork(kinds: ["embed"]) == 0)
        // Enqueued again, failed work is pending again with its attempts reset.
        #expect(try catalog.enqueue([WorkItemRecord(kind: "embed", target: "1", model: "m")]) == 1)
        #expect(try catalog.failedWork().isEmpty)
        let again = try catalog.claimWork(kinds: ["embed"], worker: "W", limit: 1, lease: 60)
        #expect(again.map(\.id) == [failed.id] && again.first?.attempts == 1 && again.first?.error == nil)
    }

    @Test(arguments: CatalogBackend.allCases)
    func workersAreRecordedWithTheirCounts(_ backend: CatalogBackend) throws {
        guard let (catalog, done) = try backend.open() else { return }
        defer { done() }
        try catalog.saveWorker(WorkerRecord(id: "h:1:a", host: "h", pid: 1, jobs: "ingest"))
        try catalog.enqueue([WorkItemRecord(kind: "ingest", target: "/x/a.png")])
        let claimed = try catalog.claimWork(kinds: ["ingest"], worker: "h:1:a", limit: 5, lease: 60)
        #expect(try catalog.claimedByWorker() == ["h:1:a": 1])
        try catalog.completeWork(claimed.map { WorkOutcome(workID: $0.id ?? 0, ingested: ingested($0.target)) }, worker: "h:1:a")
        try catalog.touchWorker("h:1:a", state: "stopped")
        let worker = try #require(try catalog.workers().first)
        #expect(worker.processed == 1 && worker.failed == 0 && worker.state == "stopped")
    }
}
