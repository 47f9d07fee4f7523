import Catalog
import Foundation
import Inference
import Learning
import Logging
import VitrineCore

/// Mean ± std over folds of one figure.
public struct FoldFigure: Sendable, Codable, Equatable {
    public var mean: Double
    public var std: Double
    public var perFold: [Double]
    init(_ values: [Double]) {
        let (m, s) = Evaluation.meanAndStd(values)
        mean = m; std = s; perFold = values
    }
}

/// The result of one k-fold scheme (grouped by near duplicates, or plain).
public struct KFoldResult: Sendable, Codable, Equatable {
    public var scheme: String
    public var folds: Int
    public var accuracy: FoldFigure
    public var macroPrecision: FoldFigure
    public var macroRecall: FoldFigure
    public var macroF1: FoldFigure
    public var microPrecision: FoldFigure
    public var microRecall: FoldFigure
    public var microF1: FoldFigure
    public var expectedCalibrationError: FoldFigure
    /// Figures over the pooled out-of-fold predictions: confusion matrix, per-class table.
    public var pooled: ClassificationMetrics
    /// ECE of the pooled out-of-fold predictions before temperature scaling (T = 1).
    public var pooledUncalibratedECE: Double
    public var pooledECE: Double
    public var reliability: [ReliabilityBin]
    public var coverage: [CoveragePoint]
    /// C and temperature chosen in each fold.
    public var chosenC: [Double]
    public var temperatures: [Double]
    public var trainingSeconds: Double
    public var predictionsPerSecond: Double
    /// Largest off-diagonal cells: true → predicted, count.
    public var topConfusions: [Confusion]
}

public struct Confusion: Sendable, Codable, Equatable {
    public var truth: String
    public var predicted: String
    public var count: Int
    /// Item ids (up to 6) of this confusion, for thumbnails.
    public var examples: [Int64]
}

/// What `vitrine classify evaluate` reports (stored as a `classification-evaluation` run).
public struct ClassificationEvaluationResult: Sendable, Codable, Equatable {
    public var runID: Int64
    public var labels: String
    public var embeddingModel: String
    public var embeddingModelSHA256: String
    public var classes: [String]
    /// Classes left out for having fewer than `minimumPerClass` embedded items, with their count.
    public var classesLeftOut: [String: Int]
    public var minimumPerClass: Int
    public var items: Int
    public var itemsWithoutEmbedding: Int
    public var embeddedNow: Int
    public var labelRows: Int
    public var unmatchedRows: Int
    /// Near-duplicate groups with ≥ 2 evaluated items (each kept wholly in one fold by the grouped scheme).
    public var groupsKeptTogether: Int
    public var itemsInGroups: Int
    public var seed: UInt64
    public var grouped: KFoldResult
    public var plain: KFoldResult
    public var seconds: Double
}

/// Stratified k-fold evaluation of the embedding + logistic-regression classifier, each fold
/// trained from scratch (C by inner CV, temperature on inner held-out predictions), once with
/// folds grouped by near-duplicate group and once plain, to show the leakage.
public enum ClassificationEvaluationJob {
    public struct Options: Sendable {
        public var folds = 10
        public var minimumPerClass = 10
        public var seed: UInt64 = 42
        public var model = ModelRegistry.efficientNetLite0.name
        public var embedMissing = true
        public var training = TrainingOptions()
        public init() {}
    }

    public static func run(labels url: URL, catalog: Catalog, options: Options, ingest: IngestOptions, threads: Int, quiet: Bool,
                           logger: Logger) async throws -> ClassificationEvaluationResult {
        let started = Date()
        let descriptor = try ModelRegistry.descriptor(named: options.model)
        let (labelled, imported) = try await ClassificationLabels.importLabels(url, catalog: catalog, ingest: ingest, logger: logger)
        let (vectors, embeddedNow) = try ClassificationData.embeddings(for: labelled, catalog: catalog, model: descriptor.name,
                                                                       embedMissing: options.embedMissing, threads: threads, quiet: quiet, logger: logger)
        // One label per item: the first row wins when a file is listed twice.
        var seen = Set<Int64>()
        let usable = labelled.filter { vectors[$0.itemID] != nil && seen.insert($0.itemID).inserted }
        var counts: [String: Int] = [:]
        for item in usable { counts[item.label, default: 0] += 1 }
        let classes = counts.filter { $0.value >= options.minimumPerClass }.keys.sorted()
        guard classes.count >= 2 else {
            throw CoreError(.invalidInput, "\(url.path): fewer than two classes with ≥ \(options.minimumPerClass) embedded items (\(counts)); \(imported.matchNote)")
        }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($0.element, $0.offset) })
        let kept = usable.filter { index[$0.label] != nil }
        let rows = kept.compactMap { vectors[$0.itemID] }
        let y = kept.compactMap { index[$0.label] }
        let ids = kept.map(\.itemID)
        let (groups, together) = try ClassificationData.duplicateGroups(itemIDs: ids, catalog: catalog)
        var groupSizes: [Int: Int] = [:]
        for g in groups { groupSizes[g, default: 0] += 1 }
        let runID = try catalog.startRun(kind: "classification-evaluation", toolVersion: VitrineVersion.current, config: [
            "labels": url.path, "folds": "\(options.folds)", "seed": "\(options.seed)", "minimumPerClass": "\(options.minimumPerClass)",
            "model": descriptor.name, "modelSHA256": descriptor.sha256, "classifier": "liblinear L2R_LR one-vs-rest, balanced class weights",
            "cGrid": options.training.cGrid.map { "\($0)" }.joined(separator: ","), "innerFolds": "\(options.training.innerFolds)",
        ])
        let progress = ProgressReporter(label: "classify evaluate", total: 2 * options.folds, unit: "fold", quiet: quiet)
        let groupedFolds = try KFold.stratifiedGrouped(labels: y, groups: groups, folds: options.folds, seed: options.seed)
        let plainFolds = try KFold.stratified(labels: y, folds: options.folds, seed: options.seed)
        let grouped = try evaluate(scheme: "grouped", rows: rows, labels: y, ids: ids, classes: classes, folds: groupedFolds, k: options.folds,
                                   training: options.training, progress: progress)
        let plain = try evaluate(scheme: "plain", rows: rows, labels: y, ids: ids, classes: classes, folds: plainFolds, k: options.folds,
                                 training: options.training, progress: progress)
        progress.finish()
        let result = ClassificationEvaluationResult(
            runID: runID, labels: url.path, embeddingModel: descriptor.name, embeddingModelSHA256: descriptor.sha256, classes: classes,
            classesLeftOut: counts.filter { $0.value < options.minimumPerClass }, minimumPerClass: options.minimumPerClass,
            items: kept.count, itemsWithoutEmbedding: labelled.filter { vectors[$0.itemID] == nil }.count, embeddedNow: embeddedNow,
            labelRows: imported.rows, unmatchedRows: imported.unmatched.count, groupsKeptTogether: together,
            itemsInGroups: groups.filter { (groupSizes[$0] ?? 0) >= 2 }.count, seed: options.seed, grouped: grouped, plain: plain,
            seconds: Date().timeIntervalSince(started))
        try catalog.finishRun(runID, summary: result)
        return result
    }

    /// Trains and tests one fold assignment. Pure apart from the progress ticks.
    public static func evaluate(scheme: String, rows: [[Float]], labels: [Int], ids: [Int64], classes: [String], folds: [Int], k: Int,
                                training: TrainingOptions, progress: ProgressReporter? = nil) throws -> KFoldResult {
        let n = classes.count
        var perFold: [ClassificationMetrics] = [], eces: [Double] = []
        var truth: [Int] = [], predicted: [Int] = [], confidence: [Double] = [], rawConfidence: [Double] = [], pooledIDs: [Int64] = []
        var chosenC: [Double] = [], temperatures: [Double] = []
        var trainSeconds = 0.0, predictSeconds = 0.0, predictions = 0
        for f in 0..<k {
            let train = labels.indices.filter { folds[$0] != f }, test = labels.indices.filter { folds[$0] == f }
            guard !train.isEmpty, !test.isEmpty else { progress?.advance(); continue }
            let t0 = Date()
            let model = try LogisticRegression.fit(rows: train.map { rows[$0] }, labels: train.map { labels[$0] }, classes: classes, options: training)
            let t1 = Date()
            let p = try model.probabilities(test.map { rows[$0] })
            predictSeconds += Date().timeIntervalSince(t1)
            trainSeconds += t1.timeIntervalSince(t0)
            predictions += test.count
            var uncalibrated = model
            uncalibrated.temperature = 1
            let raw = try uncalibrated.probabilities(test.map { rows[$0] })
            var foldPredicted: [Int] = [], foldConfidence: [Double] = [], foldCorrect: [Bool] = []
            for (r, i) in test.enumerated() {
                let c = LogisticRegression.argmax(p, row: r, width: n)
                foldPredicted.append(c)
                foldConfidence.append(min(1, max(0, p[r * n + c])))
                foldCorrect.append(c == labels[i])
                rawConfidence.append(min(1, max(0, raw[r * n + LogisticRegression.argmax(raw, row: r, width: n)])))
            }
            let foldTruth = test.map { labels[$0] }
            perFold.append(try Evaluation.metrics(truth: foldTruth, predicted: foldPredicted, labels: classes))
            eces.append(try Evaluation.expectedCalibrationError(confidences: foldConfidence, correct: foldCorrect).ece)
            truth += foldTruth
            predicted += foldPredicted
            confidence += foldConfidence
            pooledIDs += test.map { ids[$0] }
            chosenC.append(model.C)
            temperatures.append(model.temperature)
            progress?.advance()
        }
        let pooled = try Evaluation.metrics(truth: truth, predicted: predicted, labels: classes)
        let correct = zip(truth, predicted).map { $0 == $1 }
        let (ece, bins) = try Evaluation.expectedCalibrationError(confidences: confidence, correct: correct)
        let rawCorrect = correct  // argmax is unchanged by temperature scaling
        let rawECE = try Evaluation.expectedCalibrationError(confidences: rawConfidence, correct: rawCorrect).ece
        var confusions: [Confusion] = []
        for t in 0..<n { for q in 0..<n where t != q && pooled.confusion[t][q] > 0 {
            let examples = truth.indices.filter { truth[$0] == t && predicted[$0] == q }.prefix(6).map { pooledIDs[$0] }
            confusions.append(Confusion(truth: classes[t], predicted: classes[q], count: pooled.confusion[t][q], examples: Array(examples)))
        } }
        confusions.sort { $0.count != $1.count ? $0.count > $1.count : ($0.truth, $0.predicted) < ($1.truth, $1.predicted) }
        return KFoldResult(
            scheme: scheme, folds: k, accuracy: FoldFigure(perFold.map(\.accuracy)), macroPrecision: FoldFigure(perFold.map(\.macroPrecision)),
            macroRecall: FoldFigure(perFold.map(\.macroRecall)), macroF1: FoldFigure(perFold.map(\.macroF1)),
            microPrecision: FoldFigure(perFold.map(\.microPrecision)), microRecall: FoldFigure(perFold.map(\.microRecall)),
            microF1: FoldFigure(perFold.map(\.microF1)), expectedCalibrationError: FoldFigure(eces), pooled: pooled,
            pooledUncalibratedECE: rawECE, pooledECE: ece, reliability: bins, coverage: try Evaluation.coverageCurve(confidences: confidence, correct: correct),
            chosenC: chosenC, temperatures: temperatures, trainingSeconds: trainSeconds,
            predictionsPerSecond: predictSeconds > 0 ? Double(predictions) / predictSeconds : 0, topConfusions: Array(confusions.prefix(10)))
    }
}

/// One k-fold scheme of a multi-label evaluation.
public struct MultiLabelKFoldResult: Sendable, Codable, Equatable {
    public var scheme: String
    public var folds: Int
    public var microPrecision: FoldFigure
    public var microRecall: FoldFigure
    public var microF1: FoldFigure
    public var macroF1: FoldFigure
    public var subsetAccuracy: FoldFigure
    public var hammingLoss: FoldFigure
    /// Figures over the pooled out-of-fold decisions (p ≥ 0.5 per concept), per-label table.
    public var pooled: MultiLabelMetrics
    public var chosenC: [Double]
    public var trainingSeconds: Double
    public var predictionsPerSecond: Double
}

/// What `vitrine classify evaluate --multi-label` reports (a `classification-evaluation` run).
public struct MultiLabelEvaluationResult: Sendable, Codable, Equatable {
    public var runID: Int64
    public var labels: String
    public var embeddingModel: String
    public var classes: [String]
    public var classesLeftOut: [String: Int]
    public var minimumPerClass: Int
    public var items: Int
    /// Items with two or more of the evaluated concepts.
    public var itemsWithSeveralLabels: Int
    public var groupsKeptTogether: Int
    public var seed: UInt64
    public var grouped: MultiLabelKFoldResult
    public var plain: MultiLabelKFoldResult
    public var seconds: Double
}

extension ClassificationEvaluationJob {
    /// Multi-label k-fold evaluation: each fold trains the one-vs-rest model from scratch
    /// (``LogisticRegression/fitOneVsRest(rows:labelSets:classes:options:)``) and a concept is
    /// predicted when its calibrated probability is ≥ 0.5. Folds are stratified by each item's
    /// first concept (in class order) and, in the grouped scheme, keep near-duplicate groups whole.
    public static func runMultiLabel(labels url: URL, catalog: Catalog, options: Options, ingest: IngestOptions, threads: Int, quiet: Bool,
                                     logger: Logger) async throws -> MultiLabelEvaluationResult {
        let started = Date()
        let descriptor = try ModelRegistry.descriptor(named: options.model)
        let (labelled, imported) = try await ClassificationLabels.importLabels(url, catalog: catalog, ingest: ingest, logger: logger)
        let (vectors, _) = try ClassificationData.embeddings(for: labelled, catalog: catalog, model: descriptor.name,
                                                             embedMissing: options.embedMissing, threads: threads, quiet: quiet, logger: logger)
        let data = ClassificationData.labelSets(labelled, vectors: vectors, minimumPerClass: options.minimumPerClass)
        guard !data.classes.isEmpty, data.ids.count >= options.folds else {
            throw CoreError(.invalidInput, "\(url.path): \(data.ids.count) items in \(data.classes.count) concepts with ≥ \(options.minimumPerClass) embedded items; too few for \(options.folds) folds; \(imported.matchNote)")
        }
        let rows = data.ids.compactMap { vectors[$0] }
        let strata = data.sets.map { $0.min() ?? 0 }
        let (groups, together) = try ClassificationData.duplicateGroups(itemIDs: data.ids, catalog: catalog)
        let runID = try catalog.startRun(kind: "classification-evaluation", toolVersion: VitrineVersion.current, config: [
            "labels": url.path, "folds": "\(options.folds)", "seed": "\(options.seed)", "minimumPerClass": "\(options.minimumPerClass)",
            "model": descriptor.name, "modelSHA256": descriptor.sha256, "classifier": "liblinear L2R_LR binary per concept (multi-label)",
        ])
        let progress = ProgressReporter(label: "classify evaluate", total: 2 * options.folds, unit: "fold", quiet: quiet)
        let groupedFolds = try KFold.stratifiedGrouped(labels: strata, groups: groups, folds: options.folds, seed: options.seed)
        let plainFolds = try KFold.stratified(labels: strata, folds: options.folds, seed: options.seed)
        let grouped = try evaluateMultiLabel(scheme: "grouped", rows: rows, sets: data.sets, classes: data.classes, folds: groupedFolds,
                                             k: options.folds, training: options.training, progress: progress)
        let plain = try evaluateMultiLabel(scheme: "plain", rows: rows, sets: data.sets, classes: data.classes, folds: plainFolds,
                                           k: options.folds, training: options.training, progress: progress)
        progress.finish()
        let result = MultiLabelEvaluationResult(
            runID: runID, labels: url.path, embeddingModel: descriptor.name, classes: data.classes,
            classesLeftOut: data.counts.filter { !data.classes.contains($0.key) }, minimumPerClass: options.minimumPerClass,
            items: data.ids.count, itemsWithSeveralLabels: data.multiLabelled, groupsKeptTogether: together, seed: options.seed,
            grouped: grouped, plain: plain, seconds: Date().timeIntervalSince(started))
        try catalog.finishRun(runID, summary: result)
        return result
    }

    /// Trains and tests one fold assignment of a multi-label problem. Pure apart from progress.
    public static func evaluateMultiLabel(scheme: String, rows: [[Float]], sets: [Set<Int>], classes: [String], folds: [Int], k: Int,
                                          training: TrainingOptions, progress: ProgressReporter? = nil) throws -> MultiLabelKFoldResult {
        let n = classes.count
        var perFold: [MultiLabelMetrics] = [], truth: [Set<Int>] = [], predicted: [Set<Int>] = [], chosenC: [Double] = []
        var trainSeconds = 0.0, predictSeconds = 0.0, predictions = 0
        for f in 0..<k {
            let train = rows.indices.filter { folds[$0] != f }, test = rows.indices.filter { folds[$0] == f }
            guard !train.isEmpty, !test.isEmpty else { progress?.advance(); continue }
            let t0 = Date()
            let model = try LogisticRegression.fitOneVsRest(rows: train.map { rows[$0] }, labelSets: train.map { sets[$0] }, classes: classes, options: training)
            let t1 = Date()
            let p = try model.probabilities(test.map { rows[$0] })
            predictSeconds += Date().timeIntervalSince(t1)
            trainSeconds += t1.timeIntervalSince(t0)
            predictions += test.count
            let foldPredicted = test.indices.map { r in Set((0..<n).filter { p[r * n + $0] >= 0.5 }) }
            let foldTruth = test.map { sets[$0] }
            perFold.append(try Evaluation.multiLabelMetrics(truth: foldTruth, predicted: foldPredicted, labels: classes))
            truth += foldTruth
            predicted += foldPredicted
            chosenC.append(model.C)
            progress?.advance()
        }
        return MultiLabelKFoldResult(
            scheme: scheme, folds: k, microPrecision: FoldFigure(perFold.map(\.microPrecision)), microRecall: FoldFigure(perFold.map(\.microRecall)),
            microF1: FoldFigure(perFold.map(\.microF1)), macroF1: FoldFigure(perFold.map(\.macroF1)),
            subsetAccuracy: FoldFigure(perFold.map(\.subsetAccuracy)), hammingLoss: FoldFigure(perFold.map(\.hammingLoss)),
            pooled: try Evaluation.multiLabelMetrics(truth: truth, predicted: predicted, labels: classes), chosenC: chosenC,
            trainingSeconds: trainSeconds, predictionsPerSecond: predictSeconds > 0 ? Double(predictions) / predictSeconds : 0)
    }
}
