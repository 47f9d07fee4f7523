import ArgumentParser
import Catalog
import Curation
import Foundation
import Inference
import Learning
import Reports

struct ClassifyEvaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Stratified k-fold evaluation grouped by near-duplicate group, beside a plain k-fold; writes an HTML report.",
        discussion: """
        Labels come from a CSV with a `path`, `item_id` or `url` column and a `label` or `category` column (paths relative \
        to the CSV); files not yet in the catalog are ingested, items without an embedding are embedded first. Each fold \
        trains liblinear L2R_LR from scratch (balanced class weights, C by 3-fold inner CV over 0.1, 1, 10, temperature \
        scaling on the inner held-out predictions). Figures are mean ± std over folds; the confusion matrix, reliability \
        diagram (ECE, 15 bins) and coverage curve pool the out-of-fold predictions. With --multi-label: one binary model \
        per concept, a concept predicted at p ≥ 0.5; micro/macro P, R, F1, subset accuracy and Hamming loss, a \
        per-concept table (no confusion matrix or calibration curves) in reports/classification-evaluation-multilabel.html.
        """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Labels CSV (path|item_id|url, label|category).")
    var labels: String

    @Option(name: .long, help: "Number of folds (k ≥ 2).")
    var folds: Int = 10

    @Option(name: .long, help: "Classes with fewer embedded items are left out.")
    var minPerClass: Int = 10

    @Option(name: .long, help: "Seed of the fold assignment.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Embedding model (registry name).")
    var model: String = ModelRegistry.efficientNetLite0.name

    @Flag(name: .long, help: "Do not embed items that lack an embedding; fail and ask for `vitrine embed` instead.")
    var noEmbed = false

    @Flag(name: .long, help: "Multi-label evaluation (one-vs-rest, a concept is predicted at p ≥ 0.5): micro/macro F1, subset accuracy, Hamming loss, per-label table.")
    var multiLabel = false

    func validate() throws {
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        guard minPerClass >= 1 else { throw ValidationError("--min-per-class must be at least 1") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog()
            var options = ClassificationEvaluationJob.Options()
            options.folds = folds
            options.minimumPerClass = minPerClass
            options.seed = seed
            options.model = model
            options.embedMissing = !noEmbed
            var ingest = IngestOptions()
            ingest.threads = common.threads
            ingest.quiet = common.quiet || common.json
            if multiLabel {
                let result = try await ClassificationEvaluationJob.runMultiLabel(
                    labels: URL(fileURLWithPath: labels), catalog: catalog, options: options, ingest: ingest, threads: common.threads,
                    quiet: common.quiet || common.json, logger: common.makeLogger("vitrine.classify"))
                let report = try Self.writeMultiLabelReport(result, catalog: catalog)
                if common.json { try printJSON(result); return }
                print("\(result.items) items (\(result.itemsWithSeveralLabels) with several concepts) in \(result.classes.count) concepts (≥ \(result.minimumPerClass) items each; \(result.classesLeftOut.count) left out), \(options.folds)-fold multi-label, \(result.groupsKeptTogether) near-duplicate groups kept together")
                for r in [result.grouped, result.plain] {
                    print(String(format: "%@: micro F1 %.3f ± %.3f (P %.3f, R %.3f)  macro F1 %.3f ± %.3f  subset accuracy %.3f  Hamming loss %.4f  train %.1f s",
                                 r.scheme, r.microF1.mean, r.microF1.std, r.microPrecision.mean, r.microRecall.mean, r.macroF1.mean, r.macroF1.std,
                                 r.subsetAccuracy.mean, r.hammingLoss.mean, r.trainingSeconds))
                }
                print("concept                    P      R      F1   support (grouped, pooled)")
                for c in result.grouped.pooled.perLabel {
                    print("\(c.label.padding(toLength: 24, withPad: " ", startingAt: 0)) \(String(format: "%.3f  %.3f  %.3f  %4d", c.precision, c.recall, c.f1, c.support))")
                }
                print("report: \(report.path)")
                return
            }
            let result = try await ClassificationEvaluationJob.run(labels: URL(fileURLWithPath: labels), catalog: catalog, options: options, ingest: ingest,
                                                                  threads: common.threads, quiet: common.quiet || common.json,
                                                                  logger: common.makeLogger("vitrine.classify"))
            let report = try Self.writeReport(result, catalog: catalog)
            if common.json { try printJSON(result); return }
            print("\(result.items) items in \(result.classes.count) classes (≥ \(result.minimumPerClass) each; \(result.classesLeftOut.count) classes left out), \(options.folds)-fold, \(result.groupsKeptTogether) near-duplicate groups (\(result.itemsInGroups) items) kept together")
            for r in [result.grouped, result.plain] {
                print(String(format: "%@: accuracy %.3f ± %.3f  macro F1 %.3f ± %.3f  micro F1 %.3f  ECE %.3f (uncalibrated %.3f)  train %.1f s  %.0f predictions/s",
                             r.scheme, r.accuracy.mean, r.accuracy.std, r.macroF1.mean, r.macroF1.std, r.microF1.mean, r.pooledECE,
                             r.pooledUncalibratedECE, r.trainingSeconds, r.predictionsPerSecond))
            }
            print("class                      P      R      F1   support (grouped, pooled)")
            for c in result.grouped.pooled.perClass {
                print("\(c.label.padding(toLength: 24, withPad: " ", startingAt: 0)) \(String(format: "%.3f  %.3f  %.3f  %4d", c.precision, c.recall, c.f1, c.support))")
            }
            print("report: \(report.path)")
        }
    }

    /// `reports/classification-evaluation-multilabel.html`: figures per scheme and the per-label table.
    static func writeMultiLabelReport(_ r: MultiLabelEvaluationResult, catalog: Catalog) throws -> URL {
        func e(_ s: String) -> String { HTMLText.escape(s) }
        var html = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Multi-label classification evaluation — Vitrine</title>"
        html += "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}</style>"
        html += "<h1>Multi-label classification evaluation</h1><p>Labels \(e(r.labels)); embeddings \(e(r.embeddingModel)); \(r.items) items, \(r.itemsWithSeveralLabels) with several concepts; \(r.classes.count) concepts with ≥ \(r.minimumPerClass) items; \(r.grouped.folds)-fold (seed \(r.seed)); \(r.groupsKeptTogether) near-duplicate groups kept together in the grouped scheme. One binary liblinear L2R_LR per concept, a concept predicted at calibrated p ≥ 0.5. Run \(r.runID), Vitrine \(e(VitrineVersion.current)).</p>"
        html += "<table><tr><th>scheme</th><th>micro P</th><th>micro R</th><th>micro F1</th><th>macro F1</th><th>subset accuracy</th><th>Hamming loss</th></tr>"
        for k in [r.grouped, r.plain] {
            func f(_ x: FoldFigure) -> String { String(format: "%.3f ± %.3f", x.mean, x.std) }
            html += "<tr><td>\(e(k.scheme))</td><td>\(f(k.microPrecision))</td><td>\(f(k.microRecall))</td><td>\(f(k.microF1))</td><td>\(f(k.macroF1))</td><td>\(f(k.subsetAccuracy))</td><td>\(String(format: "%.4f ± %.4f", k.hammingLoss.mean, k.hammingLoss.std))</td></tr>"
        }
        html += "</table><h2>Per concept (grouped scheme, pooled out-of-fold decisions)</h2><table><tr><th>concept</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>"
        for c in r.grouped.pooled.perLabel {
            html += "<tr><td>\(e(c.label))</td><td>\(String(format: "%.3f", c.precision))</td><td>\(String(format: "%.3f", c.recall))</td><td>\(String(format: "%.3f", c.f1))</td><td>\(c.support)</td></tr>"
        }
        html += "</table></html>\n"
        let folder = catalog.store.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("classification-evaluation-multilabel.html")
        try Data(html.utf8).write(to: url, options: .atomic)
        return url
    }

    static func writeReport(_ r: ClassificationEvaluationResult, catalog: Catalog) throws -> URL {
        let items = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { i in i.id.map { ($0, i) } })
        func thumb(_ id: Int64) -> String? {
            guard let item = items[id] else { return nil }
            if let stored = item.storedPath { return "../" + stored }
            return URL(fileURLWithPath: item.sourcePath).absoluteString
        }
        func scheme(_ k: KFoldResult) -> ClassificationReportInput.Scheme {
            ClassificationReportInput.Scheme(
                name: k.scheme,
                figures: [("accuracy", k.accuracy), ("macro precision", k.macroPrecision), ("macro recall", k.macroRecall), ("macro F1", k.macroF1),
                          ("micro precision", k.microPrecision), ("micro recall", k.microRecall), ("micro F1", k.microF1),
                          ("ECE (15 bins)", k.expectedCalibrationError)].map { .init(name: $0.0, mean: $0.1.mean, std: $0.1.std) },
                confusion: k.pooled.confusion,
                perClass: k.pooled.perClass.map { .init(label: $0.label, precision: $0.precision, recall: $0.recall, f1: $0.f1, support: $0.support) },
                reliability: k.reliability.map { [$0.lower, $0.upper, Double($0.count), $0.confidence, $0.accuracy] },
                ece: k.pooledECE, uncalibratedECE: k.pooledUncalibratedECE,
                coverage: k.coverage.map { [$0.threshold, $0.coverage, $0.accuracy] },
                topConfusions: k.topConfusions.map { .init(truth: $0.truth, predicted: $0.predicted, count: $0.count, thumbnails: $0.examples.compactMap(thumb)) })
        }
        let input = ClassificationReportInput(
            title: "Classification evaluation", generatedAt: Date(), toolVersion: VitrineVersion.current, runID: r.runID, labels: r.labels,
            embeddingModel: r.embeddingModel, classes: r.classes, items: r.items, folds: r.grouped.folds, groupsKeptTogether: r.groupsKeptTogether,
            itemsInGroups: r.itemsInGroups, schemes: [scheme(r.grouped), scheme(r.plain)])
        let folder = catalog.store.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("classification-evaluation.html")
        try Data(ClassificationReport.html(input).utf8).write(to: url, options: .atomic)
        return url
    }
}
