import Catalog
import Foundation
import Imaging
import Inference
import Logging
import VitrineCore

/// Options of a detection run.
public struct DetectionOptions: Sendable {
    /// Registry name: `yolox-nano`, `ultraface-320` or `ultraface-640`.
    public var model: String = ModelRegistry.yoloxNano.name
    /// Detections scoring at or below this confidence (0…1) are not kept.
    public var minimumScore: Double = 0.3
    /// Images processed at once, each worker with its own network (OpenCV runs one thread each).
    public var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Items written per transaction (what a killed run can lose and redo).
    public var batchSize = 32
    /// Start a new run even when an unfinished one with the same settings exists.
    public var newRun = false
    public var quiet = false

    public init() {}
}

/// What a detection run did.
public struct DetectionSummary: Codable, Sendable, Equatable {
    public var runID: Int64
    public var model: String
    public var modelSHA256: String
    public var minimumScore: Double
    /// Readable items of the catalog, and those this run had already done before (resumed).
    public var items: Int
    public var resumed: Int
    public var processed: Int
    public var errors: Int
    public var errorsByCode: [String: Int]
    /// Items with at least one detection, and detections per class.
    public var itemsWithDetections: Int
    public var detections: Int
    public var detectionsByLabel: [String: Int]
    public var seconds: Double
    /// Images per second of this invocation (decode + preprocessing + inference + decoding).
    public var imagesPerSecond: Double
}

/// `vitrine detect`: runs an object or face detector over every readable item of the catalog and
/// stores each detection (class, score, box in original pixels) as an annotation of the run's
/// `prediction` source (model, sha256, threshold), so that `vitrine evaluate detections` and
/// `vitrine dataset export` see it like any other labels.
///
/// Resumable: each item's outcome is committed in batches; running the same command again
/// continues the latest unfinished run with the same settings. One unreadable item is recorded
/// with its error and the batch goes on.
public struct DetectionJob: Sendable {
    public let catalog: Catalog
    public let options: DetectionOptions
    public let logger: Logger

    public init(catalog: Catalog, options: DetectionOptions = DetectionOptions(), logger: Logger = Logger(label: "vitrine.detect")) {
        self.catalog = catalog
        self.options = options
        self.logger = logger
    }

    struct Outcome: Sendable {
        var worker: Int
        var item: DetectionItemRecord
        var detections: [NewDetection]
    }

    public func run() async throws -> DetectionSummary {
        let started = Date()
        let model = try ModelRegistry.descriptor(named: options.model)
        let locator = ModelLocator(storeModels: catalog.store.appendingPathComponent("models"))
        let modelFile = try locator.locate(model)
        let modelSHA = try ModelLocator.sha256(of: modelFile)
        let workers = max(1, options.threads)
        Network.threads = 0  // one sequential OpenCV per worker: workers, not OpenCV threads, use the cores
        var detectors: [Detector] = []
        for _ in 0..<workers { detectors.append(try Detector(model: model, locator: locator)) }

        let config = [
            "model": model.name, "modelSHA256": modelSHA, "minimumScore": "\(options.minimumScore)",
            "iouThreshold": "\(detectors[0].iouThreshold)",
        ]
        let runID: Int64
        var done: Set<Int64> = []
        if !options.newRun, let unfinished = try catalog.unfinishedRun(kind: "detect", config: config), let id = unfinished.id {
            runID = id
            done = try catalog.detectedItemIDs(runID: id)
            logger.info("detect: resuming run \(id) (\(done.count) items already done)")
        } else {
            runID = try catalog.startRun(kind: "detect", toolVersion: VitrineVersion.current, config: config)
        }
        let sourceID = try catalog.predictionSource(runID: runID, model: model.name, modelSHA256: modelSHA, modelPath: modelFile.path)
        let items = try catalog.items().filter { $0.status == "ok" && $0.storedPath != nil }
        let todo = items.filter { item in item.id.map { !done.contains($0) } ?? false }
        let progress = ProgressReporter(label: "detect \(model.name)", total: todo.count, quiet: options.quiet)
        var summary = DetectionSummary(
            runID: runID, model: model.name, modelSHA256: modelSHA, minimumScore: options.minimumScore,
            items: items.count, resumed: items.count - todo.count, processed: 0, errors: 0, errorsByCode: [:],
            itemsWithDetections: 0, detections: 0, detectionsByLabel: [:], seconds: 0, imagesPerSecond: 0)

        let store = catalog.store
        let minimumScore = options.minimumScore
        var pending: [(item: DetectionItemRecord, detections: [NewDetection])] = []
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var iterator = todo.makeIterator()
            var free = Array(0..<workers)
            func schedule() {
                while let worker = free.popLast() {
                    guard let item = iterator.next() else { free.append(worker); return }
                    let detector = detectors[worker]
                    group.addTask {
                        Self.process(item, worker: worker, detector: detector, store: store, runID: runID, minimumScore: minimumScore)
                    }
                }
            }
            schedule()
            while let outcome = try await group.next() {
                try Task.checkCancellation()
                free.append(outcome.worker)
                schedule()
                summary.processed += 1
                if outcome.item.status == "ok" {
                    if !outcome.detections.isEmpty { summary.itemsWithDetections += 1 }
                } else {
                    summary.errors += 1
                    summary.errorsByCode[outcome.item.errorCode ?? "unknown", default: 0] += 1
                    logger.debug("item \(outcome.item.itemID): \(outcome.item.errorMessage ?? "error")")
                }
                progress.advance(1, errors: outcome.item.status == "ok" ? 0 : 1)
                pending.append((outcome.item, outcome.detections))
                if pending.count >= options.batchSize {
                    try catalog.saveDetectionBatch(sourceID: sourceID, pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        if !pending.isEmpty { try catalog.saveDetectionBatch(sourceID: sourceID, pending) }
        progress.finish()
        let all = try catalog.detections(runID: runID)
        summary.detections = all.count
        summary.detectionsByLabel = all.reduce(into: [:]) { $0[$1.label, default: 0] += 1 }
        let outcomes = try catalog.detectionItems(runID: runID)
        summary.itemsWithDetections = outcomes.filter { $0.detections > 0 }.count
        summary.errors = outcomes.filter { $0.status != "ok" }.count
        summary.errorsByCode = outcomes.filter { $0.status != "ok" }.reduce(into: [:]) { $0[$1.errorCode ?? "unknown", default: 0] += 1 }
        summary.seconds = Date().timeIntervalSince(started)
        summary.imagesPerSecond = summary.seconds > 0 ? Double(summary.processed) / summary.seconds : 0
        try catalog.finishRun(runID, summary: summary)
        return summary
    }

    /// Decodes one stored original (shrink-on-load to twice the model's input) and detects in it.
    static func process(_ item: ItemRecord, worker: Int, detector: Detector, store: URL, runID: Int64, minimumScore: Double) -> Outcome {
        let itemID = item.id ?? 0
        guard let stored = item.storedPath else {
            return Outcome(worker: worker, item: DetectionItemRecord(runID: runID, itemID: itemID, status: "error", detections: 0,
                                                                     errorCode: "missing", errorMessage: "the item has no stored image"), detections: [])
        }
        let path = store.appendingPathComponent(stored).path
        do {
            var decode = DecodeOptions()
            decode.thumbnailSide = detector.workingSide
            decode.fullResolutionPixels = 0
            let decoded = try ImageDecoder.decode(contentsOf: path, options: decode)
            let found = try detector.detect(
                decoded.thumbnail, originalWidth: decoded.header.width, originalHeight: decoded.header.height,
                minimumScore: minimumScore)
            let records = found.map { d in
                NewDetection(itemID: itemID, className: d.label, score: d.score, x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height)
            }
            return Outcome(worker: worker, item: DetectionItemRecord(runID: runID, itemID: itemID, status: "ok", detections: records.count), detections: records)
        } catch let error as ImagingError {
            return Outcome(worker: worker, item: DetectionItemRecord(runID: runID, itemID: itemID, status: "error", detections: 0,
                                                                     errorCode: error.code.rawValue, errorMessage: "\(item.sourcePath): \(error)"), detections: [])
        } catch let error as InferenceError {
            return Outcome(worker: worker, item: DetectionItemRecord(runID: runID, itemID: itemID, status: "error", detections: 0,
                                                                     errorCode: error.code.rawValue, errorMessage: "\(item.sourcePath): \(error)"), detections: [])
        } catch {
            return Outcome(worker: worker, item: DetectionItemRecord(runID: runID, itemID: itemID, status: "error", detections: 0,
                                                                     errorCode: "unknown", errorMessage: "\(item.sourcePath): \(error)"), detections: [])
        }
    }
}
