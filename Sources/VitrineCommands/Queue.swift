import ArgumentParser
import Catalog
import Curation
import Foundation
import Harvest
import Inference

extension WorkKind: ExpressibleByArgument {}

/// `vitrine enqueue`: puts work on the catalog's queue for `vitrine worker` processes.
struct Enqueue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put work on the queue for `vitrine worker`: ingest or harvest sources, embed the items that lack a vector, detect objects in them or label them with a classifier.",
        discussion: """
        `vitrine enqueue ingest SOURCE…` adds one work item per image the folders, files and CSV/TSV lists name (as \
        `vitrine ingest` reads them; hashes and quality are part of ingest); `vitrine enqueue embed --model M` one per \
        item without a vector for M; `vitrine enqueue detect --model M --min-score S` makes (or continues) the detection \
        run with those settings and adds one per item it has not done; `vitrine enqueue classify --model NAME` does the same \
        for a saved classifier (a `classify predict` run over the items embedded with its embedding model). Enqueueing \
        the same work twice adds nothing. `vitrine enqueue harvest iiif URL…` (one work item per manifest or collection), \
        `harvest urls LIST…` (one per list) and `harvest europeana --query Q [--qf F…]` queue harvests that workers run \
        one source at a time, as `vitrine harvest` does (workers read EUROPEANA_API_KEY from their own environment). \
        Usually with a PostgreSQL --store and --images, which every worker shares.
        """)

    @OptionGroup var common: CommonOptions

    @Argument(help: "Kind of work: ingest, embed, detect, classify or harvest.")
    var kind: WorkKind

    @Argument(help: "ingest: folders, image files or CSV/TSV lists; harvest: iiif URL…, urls LIST…, or europeana.")
    var sources: [String] = []

    @OptionGroup(title: "Harvest options (enqueue harvest)") var harvestOptions: EnqueueHarvestOptions

    @Option(name: .long, help: "embed: registry name of the embedding model (default efficientnet-lite0); detect: of the detector (default yolox-nano; ultraface-320, ultraface-640); classify: the saved classifier's name (default `default`).")
    var model: String?

    @Option(name: .long, help: "detect: detections scoring at or below this confidence (0…1) are not kept.")
    var minScore: Double = 0.3

    @Option(name: .long, help: "classify: below this calibrated confidence the item is uncertain (0…1).")
    var minConfidence: Double = 0.5

    @Option(name: .long, help: "classify: classes kept per item.")
    var top: Int = 3

    @Flag(name: .long, help: "detect, classify: start a new run even when an unfinished one with the same settings exists.")
    var newRun = false

    struct Summary: Codable {
        var kind: String; var found: Int; var added: Int; var alreadyQueued: Int; var problems: [String]; var store: String
        /// detect: the detection run the work adds to.
        var runID: Int64?
    }

    func validate() throws {
        if kind == .ingest && sources.isEmpty { throw ValidationError("enqueue ingest needs at least one folder, file or list") }
        if kind == .embed && !sources.isEmpty { throw ValidationError("enqueue embed takes no sources (it queues every item without a vector)") }
        if kind == .harvest {
            guard let source = sources.first.flatMap(HarvestSpec.Source.init(rawValue:)) else {
                throw ValidationError("enqueue harvest takes iiif URL…, urls LIST… or europeana --query Q")
            }
            if source == .europeana && sources.count > 1 { throw ValidationError("enqueue harvest europeana takes no sources (give --query, --qf)") }
            if source != .europeana && sources.count < 2 { throw ValidationError("enqueue harvest \(source.rawValue) needs at least one \(source == .iiif ? "manifest or collection" : "list")") }
        }
        if (kind == .detect || kind == .classify) && !sources.isEmpty {
            throw ValidationError("enqueue \(kind.rawValue) takes no sources (it queues every item the run has not done)")
        }
        guard (0...1).contains(minConfidence) else { throw ValidationError("--min-confidence must be within 0…1") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        guard (0...1).contains(minScore) else { throw ValidationError("--min-score must be in 0…1") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog()
            let summary: Summary
            switch kind {
            case .ingest:
                let r = try WorkEnqueue.ingest(sources: sources, catalog: catalog)
                summary = Summary(kind: kind.rawValue, found: r.found, added: r.added, alreadyQueued: r.found - r.added, problems: r.problems, store: catalog.location)
            case .embed:
                let r = try WorkEnqueue.embed(model: model ?? ModelRegistry.efficientNetLite0.name, catalog: catalog)
                summary = Summary(kind: kind.rawValue, found: r.candidates, added: r.added, alreadyQueued: r.candidates - r.added, problems: [], store: catalog.location)
            case .detect:
                var options = DetectionOptions()
                options.model = model ?? ModelRegistry.yoloxNano.name
                options.minimumScore = minScore
                options.newRun = newRun
                let r = try WorkEnqueue.detect(options: options, catalog: catalog)
                summary = Summary(kind: kind.rawValue, found: r.candidates, added: r.added, alreadyQueued: r.candidates - r.added, problems: [],
                                  store: catalog.location, runID: r.runID)
            case .harvest:
                let specs = harvestOptions.specs(sources)
                let r = try WorkEnqueue.harvest(specs, catalog: catalog)
                summary = Summary(kind: kind.rawValue, found: r.found, added: r.added, alreadyQueued: r.found - r.added, problems: [], store: catalog.location)
            case .classify:
                let r = try WorkEnqueue.classify(classifier: model ?? "default", minimumConfidence: minConfidence, top: top, newRun: newRun, catalog: catalog)
                summary = Summary(kind: kind.rawValue, found: r.candidates, added: r.added, alreadyQueued: r.candidates - r.added, problems: [],
                                  store: catalog.location, runID: r.runID)
            }
            if common.json { try printJSON(summary); return }
            for problem in summary.problems { FileHandle.standardError.write(Data("vitrine: \(problem)\n".utf8)) }
            print("enqueued \(summary.added) \(summary.kind) work items (\(summary.found) found, \(summary.alreadyQueued) already queued) on \(summary.store)"
                  + (summary.runID.map { " for run \($0)" } ?? ""))
        }
    }
}

/// `vitrine worker`: processes queued work until stopped (or until none is left).
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Claim and process queued work (ingest, embed, detect, classify, harvest) from a shared catalog; run any number of them, on any number of machines.",
        discussion: """
        Each worker claims a batch with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL; one write transaction on SQLite), \
        processes it and commits the results and the items' state in one transaction. A worker killed mid-batch leaves \
        its claims to run out after --lease seconds; they are then claimed again. A result is stored once: a worker whose \
        lease ran out and whose items another worker took drops its outcome. An item claimed \
        \(WorkQueue.maximumAttempts) times without finishing is marked failed with the reason.
        """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Job kinds to take, comma-separated: ingest,embed,detect,classify,harvest (default: all). Hashes and quality are part of ingest.")
    var jobs: String = WorkKind.allCases.map(\.rawValue).joined(separator: ",")

    @Option(name: .long, help: "Work items claimed at once.")
    var batch: Int = 16

    @Option(name: .long, help: "Seconds a claim lasts before another worker may take it.")
    var lease: Double = 300

    @Flag(name: .long, help: "Stop when the queue has nothing left for this worker (default: wait for more).")
    var exitWhenIdle = false

    @Option(name: .long, help: "Seconds between looks at an empty queue.")
    var poll: Double = 2

    @Option(name: .long, help: "Decoding limit in pixels for ingest (larger images are refused as too large).")
    var maxPixels: Int = 200_000_000

    func kinds() throws -> [WorkKind] {
        let names = jobs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let kinds = names.compactMap(WorkKind.init(rawValue:))
        guard !names.isEmpty, kinds.count == names.count else {
            var hint = ""
            if names.contains("hash") { hint += "; hashes and quality are computed by ingest work" }
            throw ValidationError("--jobs takes \(WorkKind.allCases.map(\.rawValue).joined(separator: ", ")) (comma-separated); got \(jobs)\(hint)")
        }
        return kinds
    }

    func validate() throws {
        _ = try kinds()
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard lease >= 1 else { throw ValidationError("--lease must be at least 1 second") }
        guard poll > 0 else { throw ValidationError("--poll must be positive") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog()
            var options = WorkerOptions()
            options.jobs = try kinds()
            options.batchSize = batch
            options.lease = lease
            options.exitWhenIdle = exitWhenIdle
            options.poll = poll
            options.threads = common.threads
            options.ingest.threads = common.threads
            options.ingest.decode.maximumPixels = maxPixels
            options.ingest.quiet = true
            let worker = Worker(catalog: catalog, options: options, logger: common.makeLogger("vitrine.worker"))
            let summary = try await worker.run()
            if common.json { try printJSON(summary); return }
            print("worker \(summary.worker): \(summary.committed) work items committed (\(summary.failed) failed, \(summary.superseded) superseded) in \(summary.batches) batches, \(String(format: "%.1f", summary.seconds)) s, \(String(format: "%.1f", summary.itemsPerSecond)) items/s")
        }
    }
}

/// `vitrine status`: the queue by job kind and the workers.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the work queue (pending, claimed, done, failed per job kind) and each worker's progress.")

    @OptionGroup var common: CommonOptions

    struct WorkerLine: Codable {
        var id: String, host: String, pid: Int, jobs: String, state: String
        var processed: Int, failed: Int, claimed: Int
        var startedAt: Date, lastSeenAt: Date, secondsSinceSeen: Double
    }
    struct Summary: Codable {
        var store: String; var queue: [WorkCounts]; var workers: [WorkerLine]; var failed: [String]
        /// Catalogued items by status: an unreadable image is an `error` item (its work is done).
        var items: [String: Int]
    }

    /// A running worker not seen for this long (seconds) was killed or cut off.
    static let lostAfter: Double = 600

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let claims = try catalog.claimedByWorker()
            let now = Date()
            let workers = try catalog.workers().map { w in
                WorkerLine(id: w.id, host: w.host, pid: w.pid, jobs: w.jobs, state: w.state, processed: w.processed, failed: w.failed,
                           claimed: claims[w.id] ?? 0, startedAt: w.startedAt, lastSeenAt: w.lastSeenAt,
                           secondsSinceSeen: now.timeIntervalSince(w.lastSeenAt))
            }
            let failed = try catalog.failedWork().map { "\($0.kind) \($0.target): \($0.error ?? "failed")" }
            let summary = Summary(store: catalog.location, queue: try catalog.workCounts(), workers: workers, failed: failed,
                                  items: try catalog.itemStatusCounts())
            if common.json { try printJSON(summary); return }
            print("queue on \(summary.store)")
            if summary.queue.isEmpty { print("  (empty: see `vitrine enqueue`)") }
            for q in summary.queue {
                let name = q.model.isEmpty ? q.kind : "\(q.kind) \(q.model)"
                let percent = q.total > 0 ? 100 * Double(q.done + q.failed) / Double(q.total) : 0
                print("  \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(q.pending) pending, \(q.claimed) claimed, \(q.done) done, \(q.failed) failed (\(String(format: "%.1f", percent)) % finished)")
            }
            let errorItems = summary.items["error"] ?? 0
            print("items: \(summary.items["ok"] ?? 0) ok, \(errorItems) error\(errorItems > 0 ? " (unreadable images, failed downloads: see `vitrine report`)" : "")")
            if !workers.isEmpty { print("workers") }
            for w in workers {
                let state = w.state == "running" && w.secondsSinceSeen > Self.lostAfter ? "lost (running, but not seen for \(Int(w.secondsSinceSeen / 60)) min: killed or cut off)" : w.state
                print("  \(w.id) [\(w.jobs)] \(state), \(w.processed) done, \(w.failed) failed, \(w.claimed) claimed now, last seen \(Int(w.secondsSinceSeen)) s ago")
            }
            if !failed.isEmpty { print("failed work (first \(failed.count))") }
            for line in failed { print("  \(line)") }
        }
    }
}

/// The options of `vitrine enqueue harvest` (those of `vitrine harvest`, kept with each work item).
struct EnqueueHarvestOptions: ParsableArguments {
    @Option(name: .long, help: "europeana: search query (Solr syntax).")
    var query: String = "*:*"

    @Option(name: .long, help: "europeana: query refinement, repeatable, e.g. `TYPE:IMAGE`.")
    var qf: [String] = []

    @Option(name: .long, help: "europeana: reusability open, restricted or permission (repeatable).")
    var reusability: [String] = []

    @Option(name: .long, help: "europeana: records per page, 1…100.")
    var rows: Int = 100

    @Option(name: .long, help: "europeana: API base URL, for mirrors and tests.")
    var baseURL: String = "https://api.europeana.eu"

    @Flag(name: .long, help: "europeana: read each record from the Record API too.")
    var fullRecords = false

    @Option(name: .long, help: "iiif: how deep collections are walked.")
    var maxDepth: Int = 8

    @OptionGroup(title: "Download options") var download: HarvestOptionGroup

    func validate() throws {
        guard (1...100).contains(rows) else { throw ValidationError("--rows must be 1…100 (the Search API's limit)") }
        guard maxDepth >= 0 else { throw ValidationError("--max-depth must not be negative") }
    }

    /// One spec per source (`iiif URL…`, `urls LIST…`) or the one Europeana search.
    func specs(_ sources: [String]) -> [HarvestSpec] {
        guard let source = sources.first.flatMap(HarvestSpec.Source.init(rawValue:)) else { return [] }
        func spec(_ location: String) -> HarvestSpec {
            var query: EuropeanaSearchQuery?
            if source == .europeana {
                var q = EuropeanaSearchQuery(query: self.query)
                q.qf = qf
                q.reusability = reusability
                q.rows = rows
                query = q
            }
            var s = HarvestSpec(source: source, location: location, query: query)
            s.maxDepth = maxDepth
            s.fullRecords = fullRecords
            s.settings = download.settings
            return s
        }
        if source == .europeana { return [spec(baseURL)] }
        // Files are queued by absolute path: a worker runs elsewhere.
        return sources.dropFirst().map { $0.contains("://") ? spec($0) : spec(URL(fileURLWithPath: $0).standardizedFileURL.path) }
    }
}
