import Catalog
import Foundation
import Harvest
import Inference
import Learning
import Logging
import VitrineCore

/// The kinds of queued work a `vitrine worker` takes.
public enum WorkKind: String, CaseIterable, Sendable {
    /// Read (or download) one source, store it, hash it, measure its quality: what `vitrine
    /// ingest` does for one file or list row.
    case ingest
    /// Embed one item with one registry model (`vitrine embed` for one item).
    case embed
    /// Run an object or face detector on one item, into the detection run made when the work was
    /// enqueued (`vitrine detect` for one item).
    case detect
    /// Label one item with a saved classifier (`vitrine classify predict` for one item), into the
    /// classification run made when the work was enqueued.
    case classify
    /// Harvest one source — a Europeana search, a IIIF manifest or collection, a URL list — as
    /// `vitrine harvest` does (one source at a time per worker, with the harvest's own per-host
    /// limits; the claim is renewed while it runs; a harvest taken over resumes where it stopped).
    case harvest
}

/// One harvest to queue (`vitrine enqueue harvest europeana|iiif|urls`): the source and the
/// harvest options. A Europeana API key is never queued: each worker reads `EUROPEANA_API_KEY`.
public struct HarvestSpec: Codable, Sendable, Equatable {
    public enum Source: String, Codable, Sendable { case europeana, iiif, urls }
    public var source: Source
    /// iiif: a manifest or collection URL (or file); urls: the CSV/TSV list; europeana: the API base URL.
    public var location: String
    public var query: EuropeanaSearchQuery?
    /// iiif: how deep collections are walked.
    public var maxDepth = 8
    /// europeana: read each record from the Record API too.
    public var fullRecords = false
    /// Sizes, limits and the fetcher's politeness, as `vitrine harvest` takes them.
    public var settings = HarvestSettings()

    public init(source: Source, location: String, query: EuropeanaSearchQuery? = nil) {
        self.source = source
        self.location = location
        self.query = query
    }

    /// The work item's target: what makes two harvests the same.
    var key: String {
        switch source {
        case .iiif, .urls: return "\(source.rawValue) \(location)"
        case .europeana:
            let q = query.map { ([$0.query] + $0.qf + $0.reusability + [$0.sort ?? "", $0.theme ?? ""]).joined(separator: "|") } ?? ""
            return "europeana \(location) \(q)"
        }
    }

    /// The harvest options of these settings (ingest on `threads` cores, quiet).
    public func options(threads: Int) -> HarvestOptions {
        var o = settings.options(threads: threads, quiet: true)
        o.fullRecords = fullRecords
        return o
    }
}

/// What `vitrine enqueue` puts on the queue.
public enum WorkEnqueue {
    /// One `ingest` work item per image the sources name (folders walked, CSV/TSV lists read,
    /// as `vitrine ingest` does), with the list row's metadata. - Returns: (found, added, problems).
    public static func ingest(sources: [String], catalog: Catalog) throws -> (found: Int, added: Int, problems: [String]) {
        let scan = SourceScanner.scan(sources, excluding: catalog.store)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let items = scan.entries.map { entry in
            let payload = (try? encoder.encode(Payload(kind: entry.kind, metadata: entry.metadata))).map { String(decoding: $0, as: UTF8.self) }
            return WorkItemRecord(kind: WorkKind.ingest.rawValue, target: entry.location, payload: payload)
        }
        return (items.count, try catalog.enqueue(items), scan.problems)
    }

    /// One `embed` work item per `ok` item that has no vector for `model` yet. - Returns: (candidates, added).
    public static func embed(model: String, catalog: Catalog) throws -> (candidates: Int, added: Int) {
        let descriptor = try ModelRegistry.descriptor(named: model)
        let done = try catalog.embeddedItemIDs(model: descriptor.name)
        let todo = try catalog.items().compactMap { $0.status == "ok" ? $0.id : nil }.filter { !done.contains($0) }
        let items = todo.map { WorkItemRecord(kind: WorkKind.embed.rawValue, target: "\($0)", model: descriptor.name) }
        return (items.count, try catalog.enqueue(items))
    }

    /// One `detect` work item per readable item that the detection run with these settings
    /// (model, sha256, minimum score, NMS IoU: the configuration `vitrine detect` records) has not
    /// done. The run and its prediction source are made here (or the latest unfinished one with
    /// the same settings is continued, as `vitrine detect` does), so the workers only add
    /// outcomes to it; the work items' model is `MODEL run RUNID`.
    /// - Returns: the run, the items to do and those added (not already queued).
    public static func detect(options: DetectionOptions, catalog: Catalog) throws -> (runID: Int64, candidates: Int, added: Int) {
        let model = try ModelRegistry.descriptor(named: options.model)
        let locator = ModelLocator(storeModels: catalog.store.appendingPathComponent("models"))
        let file = try locator.locate(model)
        let sha = try ModelLocator.sha256(of: file)
        // The configuration `vitrine detect` records, without loading the network here.
        guard let iou = Detector.iouThreshold(for: model) else {
            throw InferenceError(.unknownModel, "model \(model.name) is not a detector (use yolox-nano, ultraface-320 or ultraface-640)")
        }
        let config = ["model": model.name, "modelSHA256": sha, "minimumScore": "\(options.minimumScore)", "iouThreshold": "\(iou)"]
        let runID: Int64
        if !options.newRun, let unfinished = try catalog.unfinishedRun(kind: "detect", config: config), let id = unfinished.id {
            runID = id
        } else {
            runID = try catalog.startRun(kind: "detect", toolVersion: VitrineVersion.current, config: config)
        }
        let sourceID = try catalog.predictionSource(runID: runID, model: model.name, modelSHA256: sha, modelPath: file.path)
        let done = try catalog.detectedItemIDs(runID: runID)
        let todo = try catalog.items().filter { $0.status == "ok" && $0.storedPath != nil }.compactMap(\.id).filter { !done.contains($0) }
        let payload = try String(decoding: JSONEncoder().encode(DetectPayload(runID: runID, sourceID: sourceID, model: model.name,
                                                                              minimumScore: options.minimumScore)), as: UTF8.self)
        let key = runKey(model: model.name, runID: runID)
        let items = todo.map { WorkItemRecord(kind: WorkKind.detect.rawValue, target: "\($0)", model: key, payload: payload) }
        return (runID, items.count, try catalog.enqueue(items))
    }

    /// The work items' model of a run's work (detection, classification): `MODEL run RUNID`.
    static func runKey(model: String, runID: Int64) -> String { "\(model) run \(runID)" }

    /// One `classify` work item per item embedded with the classifier's embedding model that the
    /// classification run with these settings has not labelled. The run (kind
    /// `classifier-predict`, the configuration `vitrine classify predict` records) and its
    /// prediction source `classifier:NAME` are made here (or the latest unfinished one with the
    /// same settings, classifier file included, is continued); the work items' model is `NAME run RUNID`.
    /// - Returns: the run, the items to do and those added.
    public static func classify(classifier name: String, minimumConfidence: Double, top: Int, newRun: Bool = false,
                                catalog: Catalog) throws -> (runID: Int64, candidates: Int, added: Int) {
        let (url, file, sha) = try ClassifierJobs.classifier(name: name, catalog: catalog)
        let config = ["model": name, "modelFile": url.path, "modelSHA256": sha, "embeddingModel": file.embeddingModel,
                      "minimumConfidence": "\(minimumConfidence)", "top": "\(top)"]
        let runID: Int64
        if !newRun, let unfinished = try catalog.unfinishedRun(kind: "classifier-predict", config: config), let id = unfinished.id {
            runID = id
        } else {
            runID = try catalog.startRun(kind: "classifier-predict", toolVersion: VitrineVersion.current, config: config)
        }
        let sourceID = try catalog.predictionSource(runID: runID, model: name, modelSHA256: sha, modelPath: url.path, name: "classifier:\(name)")
        let done = try catalog.annotatedItemIDs(sourceID: sourceID)
        let todo = try catalog.embeddedItemIDs(model: file.embeddingModel).filter { !done.contains($0) }.sorted()
        let payload = try String(decoding: JSONEncoder().encode(ClassifyPayload(runID: runID, sourceID: sourceID, classifier: name, sha256: sha,
                                                                                minimumConfidence: minimumConfidence, top: top)), as: UTF8.self)
        let key = runKey(model: name, runID: runID)
        let items = todo.map { WorkItemRecord(kind: WorkKind.classify.rawValue, target: "\($0)", model: key, payload: payload) }
        return (runID, items.count, try catalog.enqueue(items))
    }

    /// One `harvest` work item per source. - Returns: (sources, added).
    public static func harvest(_ specs: [HarvestSpec], catalog: Catalog) throws -> (found: Int, added: Int) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for spec in specs where spec.source != .europeana && !spec.location.contains("://") {
            guard FileManager.default.fileExists(atPath: spec.location) else {
                throw CoreError(.invalidInput, "\(spec.location): no such file (a \(spec.source == .urls ? "URL list" : "manifest or collection") to harvest)")
            }
        }
        let items = try specs.map { spec in
            WorkItemRecord(kind: WorkKind.harvest.rawValue, target: spec.key, payload: String(decoding: try encoder.encode(spec), as: UTF8.self))
        }
        // A source harvested before is harvested again (what is new; the options given now).
        return (items.count, try catalog.enqueue(items, requeueDone: true))
    }

    struct ClassifyPayload: Codable {
        var runID: Int64; var sourceID: Int64; var classifier: String; var sha256: String; var minimumConfidence: Double; var top: Int
    }

    struct Payload: Codable { var kind: String; var metadata: [String: String] }
    struct DetectPayload: Codable { var runID: Int64; var sourceID: Int64; var model: String; var minimumScore: Double }
}

public struct WorkerOptions: Sendable {
    public var jobs: [WorkKind] = WorkKind.allCases
    /// Work items claimed at once.
    public var batchSize = 16
    /// Seconds a claim lasts; a killed worker's batch is claimed again after it.
    public var lease: TimeInterval = 300
    /// Stop when no work of `jobs` is pending or claimed (else wait `poll` seconds and look
    /// again, for ever).
    public var exitWhenIdle = false
    public var poll: TimeInterval = 2
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var ingest = IngestOptions()
    public var quiet = false
    /// The Europeana API key of queued Europeana harvests (never queued): `EUROPEANA_API_KEY`.
    public var europeanaAPIKey = ProcessInfo.processInfo.environment["EUROPEANA_API_KEY"]
    public init() {}
}

public struct WorkerSummary: Codable, Sendable {
    public var worker: String
    public var batches: Int
    public var committed: Int
    public var failed: Int
    /// Outcomes dropped because the item's lease had run out and another worker had it.
    public var superseded: Int
    public var seconds: Double
    public var itemsPerSecond: Double
}

/// A worker process: claims batches of queued work (`Catalog.claimWork`), processes them and
/// commits each batch's results with the work items' new state in one transaction
/// (`Catalog.completeWork`). Any number of workers, on any number of machines, share one
/// PostgreSQL catalog (or, on one machine, a SQLite store).
public final class Worker: Sendable {
    public let catalog: Catalog
    public let options: WorkerOptions
    public let id: String
    let logger: Logger

    public init(catalog: Catalog, options: WorkerOptions, logger: Logger) {
        self.catalog = catalog
        self.options = options
        self.logger = logger
        let host = ProcessInfo.processInfo.hostName
        id = "\(host):\(getpid()):\(UUID().uuidString.prefix(6).lowercased())"
    }

    public func run() async throws -> WorkerSummary {
        let started = Date()
        try catalog.saveWorker(WorkerRecord(id: id, host: ProcessInfo.processInfo.hostName, pid: Int(getpid()),
                                            jobs: options.jobs.map(\.rawValue).joined(separator: ",")))
        let runID = try catalog.startRun(kind: "worker", toolVersion: VitrineVersion.current, config: [
            "worker": id, "jobs": options.jobs.map(\.rawValue).joined(separator: ","), "batch": "\(options.batchSize)",
            "lease": "\(options.lease)", "threads": "\(options.threads)",
        ])
        logger.info("worker \(id): jobs \(options.jobs.map(\.rawValue).joined(separator: ",")), batches of \(options.batchSize), lease \(Int(options.lease)) s, catalog \(catalog.location)")
        Network.threads = options.threads
        var embedders: [String: (ModelDescriptor, Embedder)] = [:]
        var detectors: [String: Detector] = [:]
        var classifiers: [String: (file: ClassifierModelFile, sha256: String)] = [:]
        let fetcher = HTTPFetcher()
        var summary = WorkerSummary(worker: id, batches: 0, committed: 0, failed: 0, superseded: 0, seconds: 0, itemsPerSecond: 0)
        do {
            while true {
                try Task.checkCancellation()
                // Batches of the short kinds; a harvest (one source, minutes to hours) is claimed
                // alone, and only when nothing else is waiting, so that no worker sits on several.
                let batchKinds = options.jobs.filter { $0 != .harvest }.map(\.rawValue)
                var claimed = batchKinds.isEmpty ? [] : try catalog.claimWork(kinds: batchKinds, worker: id, limit: options.batchSize, lease: options.lease)
                if claimed.isEmpty && options.jobs.contains(.harvest) {
                    claimed = try catalog.claimWork(kinds: [WorkKind.harvest.rawValue], worker: id, limit: 1, lease: options.lease)
                }
                if claimed.isEmpty {
                    // Idle: stop when nothing is left, not while another worker's claims may
                    // still run out and need taking over.
                    if options.exitWhenIdle, try catalog.unfinishedWork(kinds: options.jobs.map(\.rawValue)) == 0 { break }
                    try catalog.touchWorker(id)
                    try await Task.sleep(nanoseconds: UInt64(options.poll * 1e9))
                    continue
                }
                var outcomes: [WorkOutcome] = []
                let ingest = claimed.filter { $0.kind == WorkKind.ingest.rawValue }
                if !ingest.isEmpty { outcomes += try await self.ingest(ingest, runID: runID, fetcher: fetcher) }
                for (model, items) in Dictionary(grouping: claimed.filter { $0.kind == WorkKind.embed.rawValue }, by: \.model) {
                    outcomes += try embed(items, model: model, runID: runID, embedders: &embedders)
                }
                let detect = Dictionary(grouping: claimed.filter { $0.kind == WorkKind.detect.rawValue }, by: \.model)
                for (_, items) in detect { outcomes += try self.detect(items, detectors: &detectors) }
                let classify = Dictionary(grouping: claimed.filter { $0.kind == WorkKind.classify.rawValue }, by: \.model)
                for (_, items) in classify { outcomes += self.classify(items, classifiers: &classifiers) }
                for item in claimed where item.kind == WorkKind.harvest.rawValue { outcomes.append(await harvest(item)) }
                for item in claimed where WorkKind(rawValue: item.kind) == nil {
                    if let workID = item.id { outcomes.append(WorkOutcome(workID: workID, error: "unknown work kind \(item.kind)")) }
                }
                let committed = Set(try catalog.completeWork(outcomes, worker: id))
                summary.batches += 1
                summary.committed += committed.count
                summary.failed += outcomes.filter { $0.error != nil && committed.contains($0.workID) }.count
                summary.superseded += outcomes.count - committed.count
                logger.info("worker \(id): batch \(summary.batches): \(committed.count) of \(claimed.count) committed (\(summary.committed) so far)")
                for (key, items) in detect { try finishDetectionRunIfDone(key: key, payload: items.first?.payload) }
                for (key, items) in classify { try finishClassificationRunIfDone(key: key, payload: items.first?.payload) }
            }
        } catch {
            await fetcher.shutdown()
            try? catalog.touchWorker(id, state: "stopped")
            throw error
        }
        await fetcher.shutdown()
        summary.seconds = Date().timeIntervalSince(started)
        summary.itemsPerSecond = summary.seconds > 0 ? Double(summary.committed) / summary.seconds : 0
        try catalog.touchWorker(id, state: "stopped")
        try catalog.finishRun(runID, summary: summary)
        return summary
    }

    /// Ingests claimed sources, `threads` at a time, as `vitrine ingest` does (an unreadable
    /// source becomes an `error` item, which is its result).
    func ingest(_ claimed: [WorkItemRecord], runID: Int64, fetcher: HTTPFetcher) async throws -> [WorkOutcome] {
        let decoder = JSONDecoder()
        let work = claimed.compactMap { w in w.id.map { (id: $0, target: w.target, payload: w.payload) } }
        let entries = work.map { w -> SourceEntry in
            let payload = w.payload.flatMap { try? decoder.decode(WorkEnqueue.Payload.self, from: Data($0.utf8)) }
            return SourceEntry(kind: payload?.kind ?? "file", location: w.target, metadata: payload?.metadata ?? [:])
        }
        var ingestOptions = options.ingest
        ingestOptions.threads = options.threads
        var outcomes: [WorkOutcome] = []
        try await IngestJob.process(entries, store: catalog.store, runID: runID, options: ingestOptions, fetcher: fetcher) { i, item in
            // The store's fault (a full or unmounted shared folder) is the work's failure, shown by
            // `vitrine status` and queued again by the next `vitrine enqueue ingest`; the image's
            // own faults (truncated, not an image, a 404) are its result, an error item.
            if item.item.errorCode == IngestJob.storeFailedCode {
                outcomes.append(WorkOutcome(workID: work[i].id, error: "\(item.item.sourcePath): \(item.item.errorMessage ?? "cannot store the original")"))
            } else {
                outcomes.append(WorkOutcome(workID: work[i].id, ingested: item))
            }
        }
        return outcomes
    }

    /// Embeds claimed items with one model; a missing item or an unreadable file is that work
    /// item's error, a model that cannot be loaded fails the whole group.
    func embed(_ claimed: [WorkItemRecord], model name: String, runID: Int64,
               embedders: inout [String: (ModelDescriptor, Embedder)]) throws -> [WorkOutcome] {
        func failAll(_ message: String) -> [WorkOutcome] { Self.failAll(claimed, message) }
        let pair: (ModelDescriptor, Embedder)
        if let cached = embedders[name] {
            pair = cached
        } else {
            do {
                let model = try ModelRegistry.descriptor(named: name)
                pair = (model, try Embedder(model: model, locator: EmbeddingJob.locator(catalog: catalog)))
                embedders[name] = pair
            } catch {
                return failAll("cannot load model \(name): \(error)")
            }
        }
        var outcomes: [WorkOutcome] = []
        var items: [(Int64, ItemRecord)] = []
        let known = try Self.items(claimed, catalog)
        for work in claimed {
            guard let workID = work.id else { continue }
            guard let itemID = Int64(work.target), let item = known[itemID] else {
                outcomes.append(WorkOutcome(workID: workID, error: "no item \(work.target) in the catalog"))
                continue
            }
            items.append((workID, item))
        }
        do {
            let records = try EmbeddingJob.embed(items.map(\.1), embedder: pair.1, model: pair.0, runID: runID, catalog: catalog, logger: logger)
            let byItem = Dictionary(records.map { ($0.itemID, $0) }, uniquingKeysWith: { a, _ in a })
            for (workID, item) in items {
                if let record = item.id.flatMap({ byItem[$0] }) {
                    outcomes.append(WorkOutcome(workID: workID, embedding: record))
                } else {
                    outcomes.append(WorkOutcome(workID: workID, error: "item \(item.id ?? 0) was not embedded"))
                }
            }
        } catch {
            outcomes += items.map { WorkOutcome(workID: $0.0, error: "inference failed: \(error)") }
        }
        return outcomes
    }

    /// Detects in claimed items of one detection run (one network per model, OpenCV's own
    /// threads); an unreadable image is that item's outcome in the run, as in `vitrine detect`.
    func detect(_ claimed: [WorkItemRecord], detectors: inout [String: Detector]) throws -> [WorkOutcome] {
        func failAll(_ message: String) -> [WorkOutcome] { Self.failAll(claimed, message) }
        guard let payload: WorkEnqueue.DetectPayload = Self.decoded(claimed.first?.payload) else {
            return failAll("detect work without its run (payload missing or unreadable)")
        }
        let detector: Detector
        if let cached = detectors[payload.model] {
            detector = cached
        } else {
            do {
                let model = try ModelRegistry.descriptor(named: payload.model)
                detector = try Detector(model: model, locator: ModelLocator(storeModels: catalog.store.appendingPathComponent("models")))
                detectors[payload.model] = detector
            } catch {
                return failAll("cannot load model \(payload.model): \(error)")
            }
        }
        var outcomes: [WorkOutcome] = []
        let known = try Self.items(claimed, catalog)
        for work in claimed {
            guard let workID = work.id else { continue }
            guard let itemID = Int64(work.target), let item = known[itemID] else {
                outcomes.append(WorkOutcome(workID: workID, error: "no item \(work.target) in the catalog"))
                continue
            }
            let outcome = DetectionJob.process(item, worker: 0, detector: detector, store: catalog.store, runID: payload.runID,
                                               minimumScore: payload.minimumScore)
            outcomes.append(WorkOutcome(workID: workID, detection: DetectionOutcome(sourceID: payload.sourceID, item: outcome.item,
                                                                                    detections: outcome.detections)))
        }
        return outcomes
    }

    /// Marks a detection run finished, with `vitrine detect`'s summary, once none of its work is
    /// pending or claimed (several workers may do it; the summary is the same).
    func finishDetectionRunIfDone(key: String, payload text: String?) throws {
        guard try catalog.unfinishedWork(kind: WorkKind.detect.rawValue, model: key) == 0,
              let payload: WorkEnqueue.DetectPayload = Self.decoded(text),
              let run = try catalog.run(id: payload.runID), run.status != "finished" else { return }
        let outcomes = try catalog.detectionItems(runID: payload.runID)
        let all = try catalog.detections(runID: payload.runID)
        let errors = outcomes.filter { $0.status != "ok" }
        let seconds = Date().timeIntervalSince(run.startedAt)
        let summary = DetectionSummary(
            runID: payload.runID, model: payload.model, modelSHA256: (Self.decoded(run.config) as [String: String]?)?["modelSHA256"] ?? "",
            minimumScore: payload.minimumScore, items: outcomes.count, resumed: 0, processed: outcomes.count, errors: errors.count,
            errorsByCode: errors.reduce(into: [:]) { $0[$1.errorCode ?? "unknown", default: 0] += 1 },
            itemsWithDetections: outcomes.filter { $0.detections > 0 }.count, detections: all.count,
            detectionsByLabel: all.reduce(into: [:]) { $0[$1.label, default: 0] += 1 }, seconds: seconds,
            imagesPerSecond: seconds > 0 ? Double(outcomes.count) / seconds : 0)
        try catalog.finishRun(payload.runID, summary: summary)
        logger.info("worker \(id): detection run \(payload.runID) finished: \(outcomes.count) items, \(all.count) detections")
    }

    /// Labels claimed items of one classification run with its classifier (the file is checked
    /// against the sha256 recorded at enqueue time: a retrained classifier fails the work rather
    /// than mixing two models in one run). An item without a usable vector is that work item's error.
    func classify(_ claimed: [WorkItemRecord], classifiers: inout [String: (file: ClassifierModelFile, sha256: String)]) -> [WorkOutcome] {
        func failAll(_ message: String) -> [WorkOutcome] { Self.failAll(claimed, message) }
        guard let payload: WorkEnqueue.ClassifyPayload = Self.decoded(claimed.first?.payload) else {
            return failAll("classify work without its run (payload missing or unreadable)")
        }
        let model: (file: ClassifierModelFile, sha256: String)
        if let cached = classifiers[payload.classifier] {
            model = cached
        } else {
            do {
                let loaded = try ClassifierJobs.classifier(name: payload.classifier, catalog: catalog)
                model = (loaded.file, loaded.sha256)
                classifiers[payload.classifier] = model
            } catch {
                return failAll("cannot load classifier \(payload.classifier): \(error)")
            }
        }
        guard model.sha256 == payload.sha256 else {
            return failAll("classifier \(payload.classifier) changed since run \(payload.runID) was enqueued (sha256 \(model.sha256.prefix(12)), the run's \(payload.sha256.prefix(12)))")
        }
        let work = claimed.compactMap { w in w.id.map { (id: $0, itemID: Int64(w.target)) } }
        let records: [EmbeddingRecord]
        do {
            records = try catalog.embeddings(model: model.file.embeddingModel, itemIDs: work.compactMap(\.itemID))
                .filter { $0.dimension == model.file.classifier.dimension }
        } catch {
            return failAll("cannot read the embeddings: \(error)")
        }
        let rows: [Double]
        do { rows = try model.file.classifier.probabilities(records.map(\.floats)) } catch { return failAll("classifier failed: \(error)") }
        let k = model.file.classifier.classes.count
        var byItem: [Int64: [Double]] = [:]
        for (r, record) in records.enumerated() { byItem[record.itemID] = Array(rows[(r * k)..<((r + 1) * k)]) }
        return work.map { w in
            guard let itemID = w.itemID, let row = byItem[itemID] else {
                return WorkOutcome(workID: w.id, error: "item \(w.itemID.map(String.init) ?? "?") has no \(model.file.embeddingModel) vector of dimension \(model.file.classifier.dimension)")
            }
            let prediction = ClassifierJobs.prediction(row: row, itemID: itemID, path: "", file: model.file,
                                                       minimumConfidence: payload.minimumConfidence, top: payload.top)
            do {
                let (annotations, names) = try ClassifierJobs.annotations(prediction)
                return WorkOutcome(workID: w.id, labels: LabelOutcome(sourceID: payload.sourceID, annotations: annotations, categoryNames: names))
            } catch {
                return WorkOutcome(workID: w.id, error: "item \(itemID): \(error)")
            }
        }
    }

    /// Marks a classification run finished, with `vitrine classify predict`'s summary (counted from
    /// its stored labels), once none of its work is pending or claimed.
    func finishClassificationRunIfDone(key: String, payload text: String?) throws {
        guard try catalog.unfinishedWork(kind: WorkKind.classify.rawValue, model: key) == 0,
              let payload: WorkEnqueue.ClassifyPayload = Self.decoded(text),
              let run = try catalog.run(id: payload.runID), run.status != "finished" else { return }
        let names = Dictionary(try catalog.categories().compactMap { c in c.id.map { ($0, c.name) } }, uniquingKeysWith: { a, _ in a })
        let annotations = try catalog.annotations(sourceIDs: [payload.sourceID])
        struct Extra: Decodable { var rank: Int?; var uncertain: Bool? }
        func extra(_ a: AnnotationRecord) -> Extra? { Self.decoded(a.extra) }
        var perClass: [String: Int] = [:]
        var uncertain = 0
        let multiLabel = (try? ClassifierJobs.classifier(name: payload.classifier, catalog: catalog).file.classifier.isMultiLabel) ?? false
        for (_, labels) in Dictionary(grouping: annotations, by: \.itemID) {
            let isUncertain = labels.contains { extra($0)?.uncertain == true }
            if isUncertain { uncertain += 1 }
            if multiLabel && !isUncertain {
                for a in labels { perClass[names[a.categoryID] ?? "?", default: 0] += 1 }
            } else {
                let best = labels.min { (extra($0)?.rank ?? 1) < (extra($1)?.rank ?? 1) }
                perClass[isUncertain ? "uncertain" : best.flatMap { names[$0.categoryID] } ?? "?", default: 0] += 1
            }
        }
        let items = Set(annotations.map(\.itemID)).count
        let seconds = Date().timeIntervalSince(run.startedAt)
        let summary = ClassifierPredictSummary(runID: payload.runID, model: payload.classifier, items: items, uncertain: uncertain,
                                               minimumConfidence: payload.minimumConfidence, perClass: perClass, sourceID: payload.sourceID,
                                               seconds: seconds, predictionsPerSecond: seconds > 0 ? Double(items) / seconds : 0)
        try catalog.finishRun(payload.runID, summary: summary)
        logger.info("worker \(id): classification run \(payload.runID) finished: \(items) items, \(uncertain) uncertain")
    }

    /// The items that claimed work targets (by id), in one catalog read. A failed read throws: the
    /// batch is not committed and its claims run out, to be claimed again.
    static func items(_ claimed: [WorkItemRecord], _ catalog: Catalog) throws -> [Int64: ItemRecord] {
        let ids = claimed.compactMap { Int64($0.target) }
        let items = try catalog.items(ids: ids)
        return Dictionary(items.compactMap { i in i.id.map { ($0, i) } }, uniquingKeysWith: { a, _ in a })
    }

    /// Runs one queued harvest with `HarvestJob` (its pages are saved as it goes, as by `vitrine
    /// harvest`), renewing the claim every third of the lease meanwhile. A harvest that fails
    /// (a search page that cannot be had after retries, no API key) is that work item's error.
    func harvest(_ work: WorkItemRecord) async -> WorkOutcome {
        guard let workID = work.id else { return WorkOutcome(workID: 0, error: "work item without id") }
        guard let spec: HarvestSpec = Self.decoded(work.payload) else {
            return WorkOutcome(workID: workID, error: "harvest work without its source (payload missing or unreadable)")
        }
        let (catalog, worker, lease, logger) = (self.catalog, self.id, options.lease, self.logger)
        let renewal = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(0.2, lease / 3) * 1e9))
                if Task.isCancelled { break }
                do {
                    try catalog.renewClaims([workID], worker: worker, lease: lease)
                    try catalog.touchWorker(worker)
                } catch {
                    logger.warning("worker \(worker): cannot renew the claim of harvest \(spec.key): \(error)")
                }
            }
        }
        defer { renewal.cancel() }
        let job = HarvestJob(catalog: catalog, options: spec.options(threads: options.threads), logger: logger)
        do {
            let summary: HarvestSummary
            switch spec.source {
            case .iiif: summary = try await job.iiif([spec.location], maxDepth: spec.maxDepth)
            case .urls: summary = try await job.urls(spec.location)
            case .europeana:
                guard let key = options.europeanaAPIKey, !key.isEmpty else {
                    return WorkOutcome(workID: workID, error: "set EUROPEANA_API_KEY in the environment of the worker (keys are never queued)")
                }
                guard let query = spec.query else { return WorkOutcome(workID: workID, error: "Europeana harvest work without its query") }
                summary = try await job.europeana(query, apiKey: key, base: spec.location)
            }
            logger.info("worker \(worker): harvest \(spec.key): \(summary.records) records, \(summary.stored) stored, \(summary.errors) errors (run \(summary.runID))")
            // No record at all and errors: the source itself could not be read (a manifest that
            // is HTML or a 404, a server down) — the work failed; enqueueing again retries it.
            if summary.records == 0 && summary.errors > 0 {
                let codes = summary.errorsByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                return WorkOutcome(workID: workID, error: "the source could not be read (\(codes.isEmpty ? "\(summary.errors) errors" : codes); run \(summary.runID))")
            }
            return WorkOutcome(workID: workID)
        } catch {
            return WorkOutcome(workID: workID, error: "\(error)")
        }
    }

    /// Every claimed work item failed with `message`.
    static func failAll(_ claimed: [WorkItemRecord], _ message: String) -> [WorkOutcome] {
        claimed.compactMap { $0.id.map { WorkOutcome(workID: $0, error: message) } }
    }

    /// A work item's JSON payload; nil when there is none or it does not decode.
    static func decoded<T: Decodable>(_ payload: String?) -> T? {
        payload.flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }
}
