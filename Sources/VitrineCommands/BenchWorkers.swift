import ArgumentParser
import Catalog
import Foundation
import TestPostgres

/// The `vitrine` executable of this process (to start workers with).
private func ownExecutable() -> URL { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath() }

/// Runs a `vitrine` command to completion. - Returns: its status.
@discardableResult
private func runVitrine(_ arguments: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = ownExecutable()
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}

/// `vitrine bench workers`: ingest and embedding throughput with 1, 2, 4 worker processes
/// against one PostgreSQL catalog, beside one `vitrine ingest`/`embed` process with as many
/// threads on SQLite (the same work without the queue).
struct WorkersBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers",
        abstract: "Ingest and embed throughput with 1, 2, 4 `vitrine worker` processes on one PostgreSQL catalog, against one process with as many threads on SQLite.",
        discussion: """
            Starts a throwaway PostgreSQL server on 127.0.0.1 (Debian's postgresql package), makes a database per \
            run, enqueues the images, starts N workers with one thread each and times them until the queue is done. \
            The limit is the machine's cores: past them, more workers share the same CPUs.
            """)

    @Argument(help: "Folder of images (default: ../shared/corpus/images).")
    var folder: String = "../shared/corpus/images"

    @Option(name: .long, help: "Worker counts to measure, comma-separated.")
    var workers: String = "1,2,4"

    @Option(name: .long, help: "Work items per claim.")
    var batch: Int = 8

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    struct Row: Codable {
        var workers: Int
        var items: Int
        var ingestSeconds: Double, ingestPerSecond: Double, ingestSpeedup: Double
        var embedSeconds: Double, embedPerSecond: Double, embedSpeedup: Double
        /// One process with `workers` threads on SQLite, same images.
        var singleProcessIngestPerSecond: Double, singleProcessEmbedPerSecond: Double
    }
    struct Result: Codable { var cores: Int; var folder: String; var rows: [Row] }

    func run() async throws {
        try await failing {
            let counts = workers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
            guard !counts.isEmpty else { throw ValidationError("--workers takes counts such as 1,2,4") }
            guard FileManager.default.fileExists(atPath: folder) else { throw ValidationError("no folder \(folder)") }
            let server = try ThrowawayPostgres()
            defer { server.stop() }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-bench-workers-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            var rows: [Row] = []
            for n in counts {
                let url = try server.makeDatabase("bench\(n)")
                let store = ["--store", url, "--images", scratch.appendingPathComponent("pg\(n)").path]
                guard try runVitrine(["enqueue", "ingest", folder] + store) == 0 else { throw ValidationError("enqueue failed") }
                let ingest = try timeWorkers(n, kind: "ingest", store: store)
                guard try runVitrine(["enqueue", "embed"] + store) == 0 else { throw ValidationError("enqueue embed failed") }
                let embed = try timeWorkers(n, kind: "embed", store: store)
                let catalog = try Catalog.open(url, images: scratch.appendingPathComponent("pg\(n)").path)
                let items = try catalog.items().count
                let embedded = try catalog.embeddedItemIDs(model: "efficientnet-lite0").count
                // The same work in one process with n threads, on SQLite.
                let sqlite = scratch.appendingPathComponent("sqlite\(n)").path
                var t = Date()
                try runVitrine(["ingest", folder, "--store", sqlite, "--threads", "\(n)", "--quiet"])
                let singleIngest = Date().timeIntervalSince(t)
                t = Date()
                try runVitrine(["embed", "--store", sqlite, "--threads", "\(n)", "--quiet"])
                let singleEmbed = Date().timeIntervalSince(t)
                let base = rows.first
                rows.append(Row(workers: n, items: items, ingestSeconds: ingest, ingestPerSecond: Double(items) / ingest,
                                ingestSpeedup: base.map { $0.ingestSeconds / ingest } ?? 1,
                                embedSeconds: embed, embedPerSecond: Double(embedded) / embed,
                                embedSpeedup: base.map { $0.embedSeconds / embed } ?? 1,
                                singleProcessIngestPerSecond: Double(items) / singleIngest,
                                singleProcessEmbedPerSecond: Double(embedded) / singleEmbed))
                if !json, let r = rows.last {
                    print(String(format: "%d worker(s), %d items: ingest %.1f items/s (×%.2f vs 1 worker; one process, %d threads, SQLite: %.1f/s), embed %.1f items/s (×%.2f; one process: %.1f/s)",
                                 r.workers, r.items, r.ingestPerSecond, r.ingestSpeedup, n, r.singleProcessIngestPerSecond,
                                 r.embedPerSecond, r.embedSpeedup, r.singleProcessEmbedPerSecond))
                }
            }
            let result = Result(cores: ProcessInfo.processInfo.activeProcessorCount, folder: folder, rows: rows)
            if json { try printJSON(result) } else { print("cores: \(result.cores) (workers beyond the cores share them)") }
        }
    }

    /// Starts `n` workers (one thread each) and waits for all. - Returns: wall seconds.
    func timeWorkers(_ n: Int, kind: String, store: [String]) throws -> Double {
        let started = Date()
        var processes: [Process] = []
        for _ in 0..<n {
            let p = Process()
            p.executableURL = ownExecutable()
            p.arguments = ["worker", "--jobs", kind, "--threads", "1", "--batch", "\(batch)", "--exit-when-idle", "--quiet", "--poll", "0.2"] + store
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            processes.append(p)
        }
        for p in processes { p.waitUntilExit() }
        guard processes.allSatisfy({ $0.terminationStatus == 0 }) else { throw ValidationError("a \(kind) worker failed") }
        return Date().timeIntervalSince(started)
    }
}

/// `vitrine bench queue`: claim latency on a queue of 10^7 synthetic work items.
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Claim latency (FOR UPDATE SKIP LOCKED, batches of 16) on a PostgreSQL queue of --rows synthetic work items, full, half done and nearly done, against a queue of 1000.",
        discussion: "Starts a throwaway PostgreSQL server on 127.0.0.1; rows are made with generate_series.")

    @Option(name: .long, help: "Work items in the large queue.")
    var rows: Int = 10_000_000

    @Option(name: .long, help: "Claims timed at each point.")
    var claims: Int = 200

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    struct Point: Codable { var queue: Int; var done: Int; var medianMilliseconds: Double; var p95Milliseconds: Double }
    struct Result: Codable { var rows: Int; var fillSeconds: Double; var points: [Point] }

    func run() async throws {
        try await failing {
            guard rows >= 1000 else { throw ValidationError("--rows must be at least 1000") }
            let server = try ThrowawayPostgres()
            defer { server.stop() }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-bench-queue-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            var points: [Point] = []
            var fillSeconds = 0.0
            for size in [1000, rows] {
                let url = try server.makeDatabase("queue")
                let database = String(url.split(separator: "/").last ?? "")
                let catalog = try Catalog.open(url, images: scratch.path)
                let t = Date()
                _ = try server.psql(database, """
                    INSERT INTO workitem (kind, target, model, status, attempts, enqueuedat)
                    SELECT 'embed', g::text, 'efficientnet-lite0', 'pending', 0, now() FROM generate_series(1, \(size)) g;
                    INSERT INTO workpending (id, kind) SELECT id, kind FROM workitem;
                    ANALYZE workitem; ANALYZE workpending
                    """)
                if size == rows { fillSeconds = Date().timeIntervalSince(t) }
                var done = 0
                for fraction in size == rows ? [0.0, 0.5, 0.9999] : [0.0] {
                    let target = Int(Double(size) * fraction)
                    if target > done {
                        // As if workers had claimed and finished the oldest `target` items.
                        _ = try server.psql(database, "UPDATE workitem SET status = 'done' WHERE id <= \(target) AND status = 'pending'")
                        _ = try server.psql(database, "DELETE FROM workpending WHERE id <= \(target)")
                        _ = try server.psql(database, "VACUUM ANALYZE workitem")
                        _ = try server.psql(database, "VACUUM ANALYZE workpending")
                        done = target
                    }
                    var times: [Double] = []
                    for c in 0..<claims {
                        let started = Date()
                        _ = try catalog.claimWork(kinds: ["embed"], worker: "bench-\(c % 4)", limit: 16, lease: 300)
                        times.append(Date().timeIntervalSince(started) * 1000)
                    }
                    times.sort()
                    points.append(Point(queue: size, done: done, medianMilliseconds: times[times.count / 2],
                                        p95Milliseconds: times[min(times.count - 1, times.count * 95 / 100)]))
                    if !json, let p = points.last {
                        print(String(format: "queue %d, %d done: claim of 16 median %.2f ms, p95 %.2f ms", p.queue, p.done, p.medianMilliseconds, p.p95Milliseconds))
                    }
                }
            }
            let result = Result(rows: rows, fillSeconds: fillSeconds, points: points)
            if json { try printJSON(result) } else { print(String(format: "(%d rows made in %.0f s)", rows, fillSeconds)) }
        }
    }
}
