import Catalog
import Crypto
import Datasets
import Foundation
import Imaging
import Inference
import Learning
import Logging
import Reports
import VitrineCore

public struct WatermarkTrainOptions: Sendable, Equatable {
    public var name = "default"
    /// Clean source images drawn from the store (seeded shuffle), at most.
    public var sources = 300
    /// Marked copies generated per source image (each source also gives its clean picture).
    public var marksPerImage = 1
    /// Folds of the grouped split; one fold is held out (4: a quarter).
    public var folds = 4
    public var seed: UInt64 = 42
    /// Flag at or above this P(watermark); nil: ``defaultThreshold(cleanScores:)`` on the
    /// held-out clean images.
    public var threshold: Double? = nil
    /// The held-out false-positive rate the default threshold allows.
    public static let targetFalsePositiveRate = 0.05
    /// Image paths never used as clean sources (e.g. the rows of an overlays CSV).
    public var excludedPaths: Set<String> = []
    /// Inverse regularisation strengths tried by 3-fold cross-validation.
    public var cGrid: [Double] = [1, 10, 100, 1000]
    public init() {}
}

public struct WatermarkTrainSummary: Sendable, Codable, Equatable {
    public var runID: Int64
    public var name: String
    public var modelFile: String
    public var sources: Int
    public var trainImages: Int
    public var heldOutImages: Int
    /// Near-duplicate groups (≥ 2 sources) kept on one side of the split.
    public var groupsKeptTogether: Int
    public var errors: Int
    public var C: Double
    public var temperature: Double
    public var heldOut: WatermarkMetrics
    public var seconds: Double
    public var imagesPerSecond: Double
}

public struct WatermarkScore: Sendable, Codable, Equatable {
    public var itemID: Int64
    public var path: String
    public var score: Double
    public var flagged: Bool
}

public struct WatermarkDetectSummary: Sendable, Codable, Equatable {
    public var runID: Int64
    public var model: String
    public var items: Int
    public var scored: Int
    public var alreadyScored: Int
    public var flagged: Int
    public var errors: Int
    /// First errors, `path: message` (all are in the log).
    public var errorSamples: [String]
    public var threshold: Double
    public var sourceID: Int64
    public var seconds: Double
    public var imagesPerSecond: Double
}

/// One row of an overlays CSV (`path,overlay_kind,is_true_watermark,…`) with its score.
public struct WatermarkCorpusRow: Sendable, Codable, Equatable {
    public var path: String
    public var overlayKind: String
    public var isTrueWatermark: String
    public var score: Double?
    public var flagged: Bool
    public var error: String?
}

public struct WatermarkEvaluation: Sendable, Codable, Equatable {
    public var model: String
    public var runID: Int64
    public var seed: UInt64
    public var heldOutSources: Int
    public var generated: WatermarkMetrics
    public var corpus: [WatermarkCorpusRow]
    public var corpusFlagged: Int
    public var corpusFlaggedByKind: [String: Int]
    public var corpusTotalByKind: [String: Int]
    public var report: String
    public var seconds: Double
}

/// `vitrine watermark train|detect|evaluate`: a binary detector (logistic regression on
/// EfficientNet-Lite0 features of the whole picture and of four corner tiles) trained on clean
/// images of the store and copies of them with generated overlays.
public enum WatermarkJobs {
    /// The annotation-source name of a detector's scores.
    public static func sourceName(_ model: String) -> String { "watermark:\(model)" }

    // MARK: train

    public static func train(catalog: Catalog, options: WatermarkTrainOptions, threads: Int, quiet: Bool, logger: Logger) throws -> WatermarkTrainSummary {
        let started = Date()
        let descriptor = ModelRegistry.efficientNetLite0
        let embedder = try Embedder(model: descriptor, locator: EmbeddingJob.locator(catalog: catalog))
        Network.threads = threads
        let excluded = Set(options.excludedPaths.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        var rng = SplitMix64(seed: options.seed)
        let candidates = try catalog.items()
            .filter { $0.status == "ok" && $0.id != nil && !excluded.contains(URL(fileURLWithPath: $0.sourcePath).standardizedFileURL.path) }
            .shuffled(using: &rng)
        let sources = Array(candidates.prefix(max(1, options.sources)))
        guard sources.count >= options.folds else {
            throw CoreError(.invalidInput, "watermark train needs at least \(options.folds) clean images in \(catalog.store.path); it has \(sources.count)")
        }
        let ids = sources.compactMap(\.id)
        let (groups, kept) = try ClassificationData.duplicateGroups(itemIDs: ids, catalog: catalog)
        let fold = try KFold.stratifiedGrouped(labels: [Int](repeating: 0, count: ids.count), groups: groups, folds: options.folds, seed: options.seed)
        let runID = try catalog.startRun(kind: "watermark-train", toolVersion: VitrineVersion.current, config: [
            "name": options.name, "sources": "\(sources.count)", "marksPerImage": "\(options.marksPerImage)", "seed": "\(options.seed)",
            "folds": "\(options.folds)", "views": WatermarkViews.description, "model": descriptor.name, "modelSHA256": descriptor.sha256,
            "classifier": "liblinear L2R_LR, balanced class weights, C by 3-fold CV, temperature scaling",
        ])
        let progress = ProgressReporter(label: "watermark train", total: sources.count, quiet: quiet)
        let generated = try generate(sources: sources, catalog: catalog, embedder: embedder, marks: options.marksPerImage, seed: options.seed,
                                     progress: progress, logger: logger)
        progress.finish()
        let heldOutIDs = Set(zip(ids, fold).filter { $0.1 == 0 }.map(\.0))
        let train = generated.samples.filter { !heldOutIDs.contains($0.itemID) }
        let held = generated.samples.filter { heldOutIDs.contains($0.itemID) }
        guard Set(train.map(\.marked)).count == 2, !held.isEmpty else {
            throw CoreError(.invalidInput, "watermark train: too few readable images in \(catalog.store.path) (\(generated.errors) errors)")
        }
        // The features are unit-norm embeddings (components ≈ 0.03): useful weights are large, so
        // the regularisation grid reaches further than classification's {0.1, 1, 10}.
        var training = TrainingOptions()
        training.cGrid = options.cGrid
        training.seed = options.seed
        let classifier = try LogisticRegression.fit(rows: train.map(\.feature), labels: train.map { $0.marked ? 1 : 0 },
                                                    classes: ["clean", "watermark"], options: training)
        var file = WatermarkDetectorFile(
            version: WatermarkDetectorFile.currentVersion, name: options.name, embeddingModel: descriptor.name, embeddingModelSHA256: descriptor.sha256,
            views: WatermarkViews.description, classifier: classifier, threshold: options.threshold ?? 0.5, seed: options.seed,
            marksPerImage: options.marksPerImage, trainItemIDs: ids.filter { !heldOutIDs.contains($0) }.sorted(), heldOutItemIDs: heldOutIDs.sorted(),
            heldOut: WatermarkMetrics.compute(scores: [], marked: [], overlays: [], threshold: options.threshold ?? 0.5),
            createdAt: Date(), toolVersion: VitrineVersion.current)
        let scores = try file.scores(held.map(\.feature))
        file.threshold = options.threshold ?? Self.defaultThreshold(cleanScores: zip(scores, held).filter { !$0.1.marked }.map(\.0))
        file.heldOut = WatermarkMetrics.compute(scores: scores, marked: held.map(\.marked), overlays: held.map(\.overlay), threshold: file.threshold)
        let url = WatermarkDetectorFile.url(store: catalog.store, name: options.name)
        try file.write(to: url)
        let seconds = Date().timeIntervalSince(started)
        let summary = WatermarkTrainSummary(
            runID: runID, name: options.name, modelFile: url.path, sources: sources.count, trainImages: train.count, heldOutImages: held.count,
            groupsKeptTogether: kept, errors: generated.errors, C: classifier.C, temperature: classifier.temperature, heldOut: file.heldOut,
            seconds: seconds, imagesPerSecond: seconds > 0 ? Double(generated.samples.count) / seconds : 0)
        try catalog.finishRun(runID, summary: summary)
        logger.info("watermark train: \(train.count) training and \(held.count) held-out images; held-out precision \(file.heldOut.precision), recall \(file.heldOut.recall)")
        return summary
    }

    /// Writes `count` generated training examples (marked copies of the first sources of the
    /// seeded draw) as PNGs under `STORE/reports/watermark-examples/` and a contact sheet of them.
    /// - Returns: the contact sheet's path.
    public static func writeExamples(catalog: Catalog, count: Int, seed: UInt64, logger: Logger) throws -> String {
        var rng = SplitMix64(seed: seed)
        let items = try catalog.items().filter { $0.status == "ok" && $0.id != nil }.shuffled(using: &rng).prefix(max(1, count))
        let folder = catalog.store.appendingPathComponent("reports/watermark-examples")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var files: [String] = []
        for item in items {
            do {
                let base = try WatermarkViews.working(try Embedder.decodeForEmbedding(EmbeddingJob.imagePath(item, catalog: catalog)))
                var overlayRNG = SplitMix64(seed: seed ^ (UInt64(bitPattern: item.id ?? 0) &* 0x9E37_79B9_7F4A_7C15))
                let overlay = WatermarkOverlay.random(using: &overlayRNG)
                let path = folder.appendingPathComponent("item-\(item.id ?? 0)-\(overlay.kind.rawValue).png").path
                try ImageWriter.save(try overlay.rendered(on: base), to: path)
                files.append(path)
            } catch {
                logger.warning("watermark examples: \(item.sourcePath): \(error)")
            }
        }
        let sheet = folder.appendingPathComponent("contact-sheet.png").path
        try ImageWriter.contactSheet(of: files, columns: 6, cell: 240, to: sheet)
        return sheet
    }

    struct Sample {
        var itemID: Int64
        var marked: Bool
        var overlay: WatermarkOverlay?
        var feature: [Float]
    }

    /// For each source item: its clean working picture and `marks` marked copies (overlays drawn
    /// from a generator seeded by `seed` and the item id, so a run is reproducible), as features.
    static func generate(sources: [ItemRecord], catalog: Catalog, embedder: Embedder, marks: Int, seed: UInt64,
                         progress: ProgressReporter, logger: Logger) throws -> (samples: [Sample], errors: Int) {
        var samples: [Sample] = [], errors = 0
        let batch = 4
        for start in stride(from: 0, to: sources.count, by: batch) {
            let chunk = Array(sources[start..<min(start + batch, sources.count)])
            let slots = Slots<[(PixelBuffer, WatermarkOverlay?)]>(count: chunk.count)
            DispatchQueue.concurrentPerform(iterations: chunk.count) { i in
                let item = chunk[i]
                slots.set(i, Result {
                    let base = try WatermarkViews.working(try Embedder.decodeForEmbedding(EmbeddingJob.imagePath(item, catalog: catalog)))
                    var rng = SplitMix64(seed: seed ^ (UInt64(bitPattern: item.id ?? 0) &* 0x9E37_79B9_7F4A_7C15))
                    var out: [(PixelBuffer, WatermarkOverlay?)] = [(base, nil)]
                    for _ in 0..<marks {
                        let overlay = WatermarkOverlay.random(using: &rng)
                        out.append((try overlay.rendered(on: base), overlay))
                    }
                    return out
                })
            }
            var pictures: [(Int64, PixelBuffer, WatermarkOverlay?)] = []
            var failed = 0
            for (i, item) in chunk.enumerated() {
                switch slots.get(i) {
                case .success(let list): pictures += list.map { (item.id ?? 0, $0.0, $0.1) }
                case .failure(let error):
                    failed += 1
                    logger.warning("watermark: \(item.sourcePath): \(error)")
                case nil: failed += 1
                }
            }
            let features = try Self.features(pictures.map(\.1), embedder: embedder)
            for (p, feature) in zip(pictures, features) { samples.append(Sample(itemID: p.0, marked: p.2 != nil, overlay: p.2, feature: feature)) }
            errors += failed
            progress.advance(chunk.count, errors: failed)
        }
        return (samples, errors)
    }

    /// `WatermarkViews.feature` of each picture: views and network inputs made in parallel, one
    /// forward pass for the batch (5 views per picture).
    static func features(_ pictures: [PixelBuffer], embedder: Embedder) throws -> [[Float]] {
        guard !pictures.isEmpty else { return [] }
        let slots = Slots<(inputs: [Float], views: Int)>(count: pictures.count)
        DispatchQueue.concurrentPerform(iterations: pictures.count) { i in
            slots.set(i, Result {
                let views = try WatermarkViews.views(pictures[i])
                var inputs: [Float] = []
                for view in views { inputs += try embedder.uncroppedInput(for: view, name: "watermark view") }
                return (inputs, views.count)
            })
        }
        var inputs: [Float] = [], counts: [Int] = []
        for i in 0..<pictures.count {
            guard let result = slots.get(i) else { throw CoreError(.invalidInput, "watermark: no views for picture \(i)") }
            let value = try result.get()
            inputs += value.inputs
            counts.append(value.views)
        }
        let vectors = try embedder.embed(inputs: inputs, count: counts.reduce(0, +)).map(\.vector)
        var out: [[Float]] = [], offset = 0
        for n in counts {
            out.append(WatermarkViews.feature(Array(vectors[offset..<(offset + n)])))
            offset += n
        }
        return out
    }

    // MARK: detect

    /// Scores every readable item of the store with a saved detector and stores the scores as a
    /// `prediction` annotation source (`watermark:NAME`, category `watermark`, `score` = P(watermark),
    /// `extra.flagged`). Resumable: a re-run with the same detector file scores only the items it
    /// lacks; items that fail are counted and logged, and retried by the next run.
    /// The default flagging threshold: the smallest score, on a 0.01 grid from 0.5 up, at which at
    /// most ``WatermarkTrainOptions/targetFalsePositiveRate`` (5 %) of the held-out clean images
    /// would be flagged — on a collection that is mostly clean the flags are then a short review
    /// list rather than a fifth of it (a Neyman–Pearson operating point; the held-out figures
    /// are reported at it, so they are slightly optimistic: the same images choose and measure).
    /// No clean scores: 0.5.
    public static func defaultThreshold(cleanScores: [Double]) -> Double {
        guard !cleanScores.isEmpty else { return 0.5 }
        for step in 50...100 {
            let t = Double(step) / 100
            let flagged = cleanScores.filter { $0 >= t }.count
            if Double(flagged) <= WatermarkTrainOptions.targetFalsePositiveRate * Double(cleanScores.count) { return t }
        }
        return 1
    }

    public static func detect(catalog: Catalog, name: String, threshold: Double?, threads: Int, batchSize: Int = 8, quiet: Bool,
                              logger: Logger) throws -> (WatermarkDetectSummary, [WatermarkScore]) {
        let started = Date()
        let url = WatermarkDetectorFile.url(store: catalog.store, name: name)
        let file = try WatermarkDetectorFile.read(url)
        let sha = (try? Data(contentsOf: url)).map { SHA256.hash(data: $0).map { String(format: "%02x", $0) }.joined() } ?? ""
        let cut = threshold ?? file.threshold
        let embedder = try Embedder(model: try ModelRegistry.descriptor(named: file.embeddingModel), locator: EmbeddingJob.locator(catalog: catalog))
        Network.threads = threads
        let runID = try catalog.startRun(kind: "watermark-detect", toolVersion: VitrineVersion.current, config: [
            "model": name, "modelFile": url.path, "modelSHA256": sha, "threshold": "\(cut)", "views": file.views,
        ])
        let existing = try catalog.annotationSources().last { $0.name == sourceName(name) && $0.kind == "prediction" && $0.modelSHA256 == sha }
        let sourceID: Int64
        var done = Set<Int64>()
        if let existing, let id = existing.id {
            sourceID = id
            done = Set(try catalog.annotations(sourceIDs: [id]).map(\.itemID))
        } else {
            sourceID = try catalog.saveAnnotations(
                source: AnnotationSourceRecord(name: sourceName(name), kind: "prediction", format: "model", path: url.path, model: sourceName(name),
                                               modelSHA256: sha, runID: runID),
                annotations: [], categoryNames: [])
        }
        let items = try catalog.items().filter { $0.status == "ok" && $0.id != nil }
        let todo = items.filter { !done.contains($0.id ?? 0) }
        let progress = ProgressReporter(label: "watermark detect", total: todo.count, quiet: quiet)
        var scores: [WatermarkScore] = [], errors = 0, samples: [String] = []
        for start in stride(from: 0, to: todo.count, by: max(1, batchSize)) {
            let chunk = Array(todo[start..<min(start + max(1, batchSize), todo.count)])
            let slots = Slots<PixelBuffer>(count: chunk.count)
            DispatchQueue.concurrentPerform(iterations: chunk.count) { i in
                slots.set(i, Result { try WatermarkViews.working(try Embedder.decodeForEmbedding(EmbeddingJob.imagePath(chunk[i], catalog: catalog))) })
            }
            var good: [(ItemRecord, PixelBuffer)] = []
            for (i, item) in chunk.enumerated() {
                switch slots.get(i) {
                case .success(let picture): good.append((item, picture))
                case .failure(let error):
                    errors += 1
                    if samples.count < 20 { samples.append("\(item.sourcePath): \(error)") }
                    logger.warning("watermark detect: \(item.sourcePath): \(error)")
                case nil: errors += 1
                }
            }
            let values = try file.scores(try features(good.map(\.1), embedder: embedder))
            var annotations: [AnnotationRecord] = []
            for ((item, _), score) in zip(good, values) {
                let id = item.id ?? 0
                scores.append(WatermarkScore(itemID: id, path: item.sourcePath, score: score, flagged: score >= cut))
                var a = AnnotationRecord(sourceID: sourceID, itemID: id, categoryID: 0)
                a.score = score
                a.extra = try Datasets.JSONValue.serialize(.object(["flagged": .bool(score >= cut), "threshold": .double(cut)]))
                annotations.append(a)
            }
            try catalog.appendAnnotations(sourceID: sourceID, annotations: annotations, categoryNames: annotations.map { _ in "watermark" })
            progress.advance(chunk.count, errors: chunk.count - good.count)
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(started)
        let summary = WatermarkDetectSummary(
            runID: runID, model: name, items: items.count, scored: scores.count, alreadyScored: done.count,
            flagged: scores.filter(\.flagged).count, errors: errors, errorSamples: samples, threshold: cut, sourceID: sourceID,
            seconds: seconds, imagesPerSecond: seconds > 0 ? Double(scores.count) / seconds : 0)
        try catalog.finishRun(runID, summary: summary)
        return (summary, scores)
    }

    /// The latest stored scores of a detector, by item id (empty when it never ran).
    public static func storedScores(catalog: Catalog, name: String = "default") throws -> [Int64: Double] {
        guard let source = try catalog.annotationSources().last(where: { $0.name == sourceName(name) && $0.kind == "prediction" }), let id = source.id else {
            return [:]
        }
        var out: [Int64: Double] = [:]
        for a in try catalog.annotations(sourceIDs: [id]) { out[a.itemID] = a.score ?? 0 }
        return out
    }

    // MARK: evaluate

    /// Evaluates a saved detector on freshly generated marks over its held-out source images
    /// (never seen in training; `seed` draws other overlays than training did) and, with
    /// `overlays`, on real images listed in an overlays CSV (`path` relative to the CSV's folder,
    /// `overlay_kind`, `is_true_watermark`). Writes `STORE/reports/watermarks.html`.
    public static func evaluate(catalog: Catalog, name: String, overlays: URL?, seed: UInt64?, threads: Int, quiet: Bool,
                                logger: Logger) throws -> WatermarkEvaluation {
        let started = Date()
        let url = WatermarkDetectorFile.url(store: catalog.store, name: name)
        let file = try WatermarkDetectorFile.read(url)
        let embedder = try Embedder(model: try ModelRegistry.descriptor(named: file.embeddingModel), locator: EmbeddingJob.locator(catalog: catalog))
        Network.threads = threads
        let evaluationSeed = seed ?? (file.seed &+ 1)
        let runID = try catalog.startRun(kind: "watermark-evaluate", toolVersion: VitrineVersion.current, config: [
            "model": name, "seed": "\(evaluationSeed)", "overlays": overlays?.path ?? "",
        ])
        let held = Set(file.heldOutItemIDs)
        let sources = try catalog.items().filter { $0.id.map(held.contains) ?? false }
        let progress = ProgressReporter(label: "watermark evaluate", total: sources.count, quiet: quiet)
        let generated = try generate(sources: sources, catalog: catalog, embedder: embedder, marks: file.marksPerImage, seed: evaluationSeed,
                                     progress: progress, logger: logger)
        progress.finish()
        let scores = try file.scores(generated.samples.map(\.feature))
        let metrics = WatermarkMetrics.compute(scores: scores, marked: generated.samples.map(\.marked), overlays: generated.samples.map(\.overlay),
                                               threshold: file.threshold)
        var rows: [WatermarkCorpusRow] = []
        if let overlays {
            let table = try CSVTable(text: try String(contentsOf: overlays, encoding: .utf8))
            guard let pathColumn = table.column("path") else { throw CoreError(.invalidInput, "\(overlays.path): no path column") }
            let kindColumn = table.column("overlay_kind"), truthColumn = table.column("is_true_watermark")
            let folder = overlays.deletingLastPathComponent()
            for row in table.rows where pathColumn < row.count {
                let path = folder.appendingPathComponent(row[pathColumn]).path
                var out = WatermarkCorpusRow(path: row[pathColumn], overlayKind: kindColumn.flatMap { $0 < row.count ? row[$0] : nil } ?? "",
                                             isTrueWatermark: truthColumn.flatMap { $0 < row.count ? row[$0] : nil } ?? "", score: nil, flagged: false, error: nil)
                do {
                    let picture = try WatermarkViews.working(try Embedder.decodeForEmbedding(path))
                    let score = try file.scores(try features([picture], embedder: embedder))[0]
                    out.score = score
                    out.flagged = score >= file.threshold
                } catch {
                    out.error = "\(error)"
                    logger.warning("watermark evaluate: \(path): \(error)")
                }
                rows.append(out)
            }
        }
        var flaggedByKind: [String: Int] = [:], totalByKind: [String: Int] = [:]
        for row in rows {
            totalByKind[row.overlayKind, default: 0] += 1
            if row.flagged { flaggedByKind[row.overlayKind, default: 0] += 1 }
        }
        let reportURL = catalog.store.appendingPathComponent("reports/watermarks.html")
        var evaluation = WatermarkEvaluation(
            model: name, runID: runID, seed: evaluationSeed, heldOutSources: sources.count, generated: metrics, corpus: rows,
            corpusFlagged: rows.filter(\.flagged).count, corpusFlaggedByKind: flaggedByKind, corpusTotalByKind: totalByKind,
            report: reportURL.path, seconds: 0)
        evaluation.seconds = Date().timeIntervalSince(started)
        try FileManager.default.createDirectory(at: reportURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(WatermarkReport.html(reportInput(evaluation, file: file)).utf8).write(to: reportURL, options: .atomic)
        try catalog.finishRun(runID, summary: evaluation)
        return evaluation
    }

    static func reportInput(_ e: WatermarkEvaluation, file: WatermarkDetectorFile) -> WatermarkReportInput {
        func figures(_ m: WatermarkMetrics) -> WatermarkReportInput.Figures {
            .init(images: m.images, positives: m.positives, negatives: m.negatives, tp: m.truePositives, fp: m.falsePositives,
                  fn: m.falseNegatives, tn: m.trueNegatives, accuracy: m.accuracy, precision: m.precision, recall: m.recall, f1: m.f1,
                  rocAUC: m.rocAUC, cleanHistogram: m.cleanHistogram, markedHistogram: m.markedHistogram,
                  byKind: m.byKind.map { .init(name: $0.name, total: $0.total, flagged: $0.flagged) },
                  byOpacity: m.byOpacity.map { .init(name: $0.name, total: $0.total, flagged: $0.flagged) },
                  sweep: m.sweep.map { [$0.threshold, $0.precision, $0.recall, $0.f1] })
        }
        return WatermarkReportInput(
            model: e.model, views: file.views, threshold: file.threshold, seed: e.seed, heldOutSources: e.heldOutSources,
            trainSources: file.trainItemIDs.count, training: figures(file.heldOut), evaluation: figures(e.generated),
            corpus: e.corpus.map { .init(path: $0.path, kind: $0.overlayKind, truth: $0.isTrueWatermark, score: $0.score, flagged: $0.flagged, error: $0.error) },
            toolVersion: VitrineVersion.current, generatedAt: Date())
    }
}

/// Results of a `concurrentPerform`, one slot per iteration. `@unchecked Sendable`: each slot is
/// written by exactly one iteration and read after `concurrentPerform` returns; the lock makes
/// the hand-over explicit.
final class Slots<T>: @unchecked Sendable {
    private var values: [Result<T, any Error>?]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<T, any Error>) {
        lock.lock()
        values[i] = value
        lock.unlock()
    }
    func get(_ i: Int) -> Result<T, any Error>? {
        lock.lock()
        defer { lock.unlock() }
        return values[i]
    }
}
