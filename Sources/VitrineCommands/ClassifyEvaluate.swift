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
        diagram (ECE, 15 bins) and coverage curve pool the out-of-fold predictions.
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
