import Catalog
import Foundation
import TestPostgres
import Testing

/// Issue 9 acceptance: the same analysis on SQLite and on PostgreSQL, and workers sharing one
/// PostgreSQL catalog, one of them killed mid-batch.
@Suite("vitrine on PostgreSQL, end to end", .serialized)
struct ScaleOutEndToEndTests {
    static let categories = ["ceramics", "building", "print", "drawing"]

    func sources(_ corpus: URL) -> [String] { Self.categories.map { corpus.appendingPathComponent("images/\($0)").path } }

    /// Duplicate groups as (keeper, members) by source path, and clusters as a partition of source paths.
    func outcome(_ catalog: Catalog) throws -> (duplicates: Set<String>, clusters: Set<Set<String>>, silhouette: String) {
        let paths = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { item in item.id.map { ($0, item.sourcePath) } })
        let duplicateRun = try #require(try catalog.latestRun(kind: "duplicates"))
        let duplicates = Set(try catalog.duplicateGroups(runID: try #require(duplicateRun.id)).map { group, members in
            "\(group.kind) \(group.algorithm) keeper=\(paths[group.keeperItemID] ?? "?") " + members.compactMap { paths[$0.itemID] }.sorted().joined(separator: " | ")
        })
        let clusterRun = try #require(try catalog.latestRun(kind: "cluster"))
        let assignments = try catalog.clusterAssignments(runID: try #require(clusterRun.id))
        let clusters = Set(Dictionary(grouping: assignments, by: \.cluster).values.map { Set($0.compactMap { paths[$0.itemID] }) })
        let silhouette = assignments.compactMap(\.silhouette).reduce(0, +) / Double(max(1, assignments.compactMap(\.silhouette).count))
        return (duplicates, clusters, String(format: "%.4f", silhouette))
    }

    @Test func analyzeGivesTheSameDuplicatesAndClustersOnSQLiteAndPostgreSQL() throws {
        guard let corpus = CLI.corpus else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared corpus is missing under CI")
            return
        }
        guard let server = try ThrowawayPostgres.forTests() else { return }
        let sqliteStore = temporaryURL("vitrine-e2e-sqlite"), images = temporaryURL("vitrine-e2e-pg-images")
        defer { for url in [sqliteStore, images] { try? FileManager.default.removeItem(at: url) } }
        let url = try server.makeDatabase("analyze")
        let onSQLite = try CLI.run(["analyze"] + sources(corpus) + ["--store", sqliteStore.path, "--json", "--quiet", "--watermarks", "off"])
        #expect(onSQLite.status == 0, "\(onSQLite.stderr)")
        let onPostgres = try CLI.run(["analyze"] + sources(corpus) + ["--store", url, "--images", images.path, "--json", "--quiet", "--watermarks", "off"])
        #expect(onPostgres.status == 0, "\(onPostgres.stderr)")
        let a = try CLI.json(onSQLite), b = try CLI.json(onPostgres)
        for key in ["items", "ingested", "errors", "duplicateGroups", "duplicatePairs", "itemsInDuplicateGroups", "qualityFlags"] {
            #expect("\(a[key] ?? "nil")" == "\(b[key] ?? "nil")", "\(key)")
        }
        #expect((a["duplicateGroups"] as? Int ?? 0) > 0)
        let sqlite = try outcome(try Catalog(store: sqliteStore, mustExist: true))
        let postgres = try outcome(try Catalog.open(url, images: images.path))
        #expect(!sqlite.duplicates.isEmpty && sqlite.clusters.count > 1)
        #expect(sqlite.duplicates == postgres.duplicates)
        #expect(sqlite.clusters == postgres.clusters)
        #expect(sqlite.silhouette == postgres.silhouette)
        // The report and the stored files are in the --images folder.
        #expect(FileManager.default.fileExists(atPath: images.appendingPathComponent("reports/index.html").path))
    }

    /// Four workers on 127.0.0.1 share one queue; one is killed (SIGKILL) while it holds a
    /// batch. Its claims run out after the lease and are taken over: every work item ends done,
    /// each committed exactly once (the workers' committed counts add up to the queue), and no
    /// item, vector or file is stored twice.
    @Test func killingAWorkerMidBatchLosesNothingAndDoublesNothing() async throws {
        guard let corpus = CLI.corpus else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared corpus is missing under CI")
            return
        }
        guard let server = try ThrowawayPostgres.forTests() else { return }
        let images = temporaryURL("vitrine-e2e-workers")
        defer { try? FileManager.default.removeItem(at: images) }
        let url = try server.makeDatabase("workers")
        let database = String(url.split(separator: "/").last ?? "")
        let store = ["--store", url, "--images", images.path]

        let enqueue = try CLI.run(["enqueue", "ingest"] + sources(corpus) + store + ["--json"])
        #expect(enqueue.status == 0, "\(enqueue.stderr)")
        let queued = try #require(try CLI.json(enqueue)["added"] as? Int)
        #expect(queued >= 80)
        let again = try CLI.run(["enqueue", "ingest"] + sources(corpus) + store + ["--json"])
        #expect(try CLI.json(again)["added"] as? Int == 0)  // enqueueing twice adds nothing

        for (kind, phase) in [("ingest", 1), ("embed", 2)] {
            if kind == "embed" {
                let e = try CLI.run(["enqueue", "embed"] + store + ["--json"])
                #expect(e.status == 0, "\(e.stderr)")
            }
            let total = Int(try server.psql(database, "SELECT count(*) FROM workitem WHERE kind = '\(kind)'").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect(total >= 80)
            let victimLog = images.appendingPathComponent("victim-\(phase).log")
            @Sendable func startWorker(batch: Int, log: URL? = nil) throws -> Process {
                let p = Process()
                p.executableURL = CLI.binary
                p.arguments = ["worker", "--jobs", kind, "--batch", "\(batch)", "--lease", "3", "--poll", "0.3", "--threads", "1",
                               "--exit-when-idle", "--quiet", "--json"] + store
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                if let log {
                    try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
                    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                    p.standardError = try FileHandle(forWritingTo: log)
                }
                try p.run()
                return p
            }
            // The worker to kill starts first, with larger batches, and is killed once it holds one;
            // the other three start at the same moment. All on a thread of its own, polling the
            // claims in this process: on a loaded machine the test's task (Swift's 2-thread
            // cooperative pool, shared with blocking tests) or a psql per poll could wait long
            // enough for the victim to finish the whole queue between two looks.
            let watcher = try Catalog.open(url, images: images.path)
            let run = KillRun()
            try await onOwnThread {
                let victim = try startWorker(batch: 12, log: victimLog)
                run.victim = victim
                run.workers = [victim]
                func held() throws -> Int {
                    try watcher.claimedByWorker().first { $0.key.contains(":\(victim.processIdentifier):") }?.value ?? 0
                }
                let deadline = Date().addingTimeInterval(120)
                while try held() == 0 && Date() < deadline && victim.isRunning { Thread.sleep(forTimeInterval: 0.002) }
                for _ in 0..<3 { run.workers.append(try startWorker(batch: 4)) }
                kill(victim.processIdentifier, SIGKILL)
                victim.waitUntilExit()
                run.held = try held()  // what it held when it died (taken over only after the 3 s lease)
            }
            let (held, workers) = (run.held, run.workers)
            let victim = try #require(run.victim)
            for p in workers { p.waitUntilExit() }
            let victimError = (try? String(contentsOf: victimLog, encoding: .utf8)) ?? ""
            #expect(held > 0, "phase \(phase): the worker to kill never held a batch (exit \(victim.terminationStatus): \(victimError.suffix(600)))")
            #expect(victim.terminationReason == .uncaughtSignal, "phase \(phase): \(victimError.suffix(600))")
            for p in workers.dropFirst() { #expect(p.terminationStatus == 0) }

            func count(_ sql: String) throws -> Int { try self.count(server, database, sql) }
            #expect(try count("SELECT count(*) FROM workitem WHERE kind = '\(kind)' AND status <> 'done'") == 0)
            // Committed exactly once: what the workers committed adds up to the queue, and the killed
            // worker's batch was claimed twice.
            #expect(try count("SELECT coalesce(sum(processed + failed), 0) FROM worker WHERE jobs = '\(kind)'") == total)
            #expect(try count("SELECT count(*) FROM workitem WHERE kind = '\(kind)' AND attempts > 1") >= held)
        }
        let items = try count(server, database, "SELECT count(*) FROM item")
        #expect(items == queued)
        #expect(try count(server, database, "SELECT count(DISTINCT sourcepath) FROM item") == items)
        let vectors = try count(server, database, "SELECT count(*) FROM embedding WHERE vector IS NOT NULL")
        let okItems = try count(server, database, "SELECT count(*) FROM item WHERE status = 'ok'")
        #expect(vectors == okItems)
        // Nothing was left claimed, the stored copies are one per checksum, and status reads it all.
        let status = try CLI.run(["status"] + store + ["--json"])
        #expect(status.status == 0, "\(status.stderr)")
        let queue = try #require(try CLI.json(status)["queue"] as? [[String: Any]])
        #expect(queue.allSatisfy { ($0["pending"] as? Int) == 0 && ($0["claimed"] as? Int) == 0 })
        let root = images.appendingPathComponent("images")
        // Stored copies, one per checksum; a worker killed between writing a copy's temporary file
        // and renaming it leaves that hidden `.…tmp` file, which no item names (not counted).
        let stored = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { path in
            guard !(path as NSString).lastPathComponent.hasPrefix(".") else { return false }
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isFolder) && !isFolder.boolValue
        }
        let checksums = try count(server, database, "SELECT count(DISTINCT sha256) FROM item WHERE storedpath IS NOT NULL")
        #expect(stored.count == checksums)
    }

    func count(_ server: ThrowawayPostgres, _ database: String, _ sql: String) throws -> Int {
        Int(try server.psql(database, sql).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}

/// What the kill-a-worker phase hands from its thread to the test.
private final class KillRun: @unchecked Sendable {
    var victim: Process?
    var workers: [Process] = []
    var held = 0
}

/// Runs blocking code on a thread of its own (not Swift's cooperative pool).
private func onOwnThread(_ body: @escaping @Sendable () throws -> Void) async throws {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
        Thread.detachNewThread { c.resume(with: Result { try body() }) }
    }
}
