import ArgumentParser
import Curation
import Catalog
import Foundation
import Inference
import VitrineCore

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job: ingest + hashes + quality + duplicates + report, in one command.")

    @OptionGroup var common: CommonOptions

    @Argument(help: "Folders, image files, or CSV/TSV lists.")
    var sources: [String]

    @OptionGroup var matching: MatchingOptions

    @Option(name: .long, help: "Reject images with more pixels than this (decompression-bomb guard).")
    var maxPixels: Int = 20_000 * 20_000

    @Flag(name: .long, help: "Skip embeddings, clusters, map and similar-item lists.")
    var noEmbeddings = false

    @Option(name: .long, help: "Embedding model for the embedding steps.")
    var model: String = ModelRegistry.efficientNetLite0.name

    /// What the embedding steps produced (nil fields: skipped or failed, see `embeddingProblem`).
    struct EmbeddingSteps: Codable {
        var embedded: Int
        var embeddingErrors: Int
        var clusters: Int?
        var silhouette: Double?
        var clusterPage: String?
        var mapPage: String?
        var similarPage: String?
    }

    @Option(name: .long, help: ArgumentHelp(
        "Watermark step: auto, off, or a detector name.",
        discussion: "auto scores every item with the store's detector `default`, training it first (see `vitrine watermark train`) when the store has none and holds at least \(Analyze.minimumWatermarkSources) readable images. Scoring runs five inferences per image (whole picture and four corner tiles); resumable."))
    var watermarks: String = "auto"

    @Option(name: .long, help: "Clean source images drawn when the watermark step trains a detector.")
    var watermarkSources: Int = 300

    static let minimumWatermarkSources = 40

    /// What the watermark step did.
    struct WatermarkStep: Codable {
        var detector: String
        var trained: Bool
        var heldOutPrecision: Double
        var heldOutRecall: Double
        var scored: Int
        var flagged: Int
        var errors: Int
        var threshold: Double
    }

    @Option(name: .long, help: "Also upscale (ESPCN ×2) every item whose shorter side is below this many pixels (0 = off); see `vitrine upscale`.")
    var upscaleBelow: Int = 0

    struct Summary: Codable {
        var items: Int
        var ingested: Int
        var alreadyInCatalog: Int
        var errors: Int
        var errorsByCode: [String: Int]
        var duplicateGroups: Int
        var duplicatePairs: Int
        var itemsInDuplicateGroups: Int
        var qualityFlags: Int
        var qualityFlagsByKind: [String: Int]
        var report: String
        var sourceProblems: [String]
        var store: String
        var seconds: Double
        var embeddings: EmbeddingSteps?
        var embeddingProblem: String?
        /// Derived images made by `--upscale-below`, when given.
        var upscaled: Int?
        var watermarks: WatermarkStep?
        var watermarkProblem: String?
    }

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("give at least one folder, file or list") }
        guard watermarkSources >= 4 else { throw ValidationError("--watermark-sources must be at least 4") }
        guard !watermarks.isEmpty, !watermarks.contains("/") else { throw ValidationError("--watermarks takes auto, off or a detector name") }
    }

    func run() async throws {
        try await failing {
            let started = Date()
            let catalog = try common.openCatalog()
            var ingestOptions = IngestOptions()
            ingestOptions.threads = common.threads
            ingestOptions.decode.maximumPixels = maxPixels
            ingestOptions.quiet = common.quiet
            let ingest = try await IngestJob(catalog: catalog, options: ingestOptions, logger: common.makeLogger("vitrine.ingest")).run(sources: sources)
            let (duplicates, _) = try DuplicateFinder(options: matching.options).run(catalog: catalog, logger: common.makeLogger("vitrine.duplicates"))
            var steps: EmbeddingSteps?
            var embeddingProblem: String?
            if !noEmbeddings {
                do {
                    let embed = try EmbeddingJob.run(catalog: catalog, model: model, threads: common.threads, indexKind: nil,
                                                     quiet: common.quiet || common.json, logger: common.makeLogger("vitrine.embed"))
                    var s = EmbeddingSteps(embedded: embed.embedded + embed.alreadyEmbedded, embeddingErrors: embed.errors)
                    if s.embedded >= 4 {
                        let clusters = try ClusterJob.run(catalog: catalog, model: model, k: nil, threads: common.threads)
                        s.clusters = clusters.k
                        s.silhouette = clusters.silhouette
                        s.clusterPage = clusters.reportPage
                        s.mapPage = try MapJob.run(catalog: catalog, model: model, labels: nil).page
                        s.similarPage = try SimilarLists.write(search: try SimilaritySearch(catalog: catalog, model: model))
                    }
                    steps = s
                } catch {
                    // The hash/quality/duplicate results stand; the embedding steps are reported as skipped.
                    embeddingProblem = "\(error)"
                    FileHandle.standardError.write(Data("vitrine: embedding steps skipped: \(error)\n".utf8))
                }
            }
            var watermarkStep: WatermarkStep?
            var watermarkProblem: String?
            if watermarks != "off" {
                do {
                    watermarkStep = try runWatermarkStep(catalog: catalog)
                    if watermarkStep == nil { watermarkProblem = "fewer than \(Self.minimumWatermarkSources) readable images to train a detector on" }
                } catch {
                    watermarkProblem = "\(error)"
                    FileHandle.standardError.write(Data("vitrine: watermark step skipped: \(error)\n".utf8))
                }
            }
            var upscaled: Upscale.UpscaleSummary?
            if upscaleBelow > 0 {
                upscaled = try Upscale.upscaleItems(catalog: catalog, model: .espcn, scale: 2, itemIDs: [], below: upscaleBelow,
                                                    quiet: common.quiet || common.json, reportFolder: nil)
            }
            let report = try ReportBuilder(catalog: catalog).write()
            let items = try catalog.items()
            var errorsByCode: [String: Int] = [:]
            for item in items where item.status != "ok" { errorsByCode[item.errorCode ?? "unknown", default: 0] += 1 }
            var flagsByKind: [String: Int] = [:]
            for q in try catalog.quality() { for f in q.flagList { flagsByKind[f, default: 0] += 1 } }
            let summary = Summary(items: items.count, ingested: ingest.processed, alreadyInCatalog: ingest.alreadyDone,
                                  errors: errorsByCode.values.reduce(0, +), errorsByCode: errorsByCode,
                                  duplicateGroups: duplicates.groups, duplicatePairs: duplicates.pairs,
                                  itemsInDuplicateGroups: duplicates.itemsInGroups, qualityFlags: report.qualityFlags,
                                  qualityFlagsByKind: flagsByKind, report: report.report, sourceProblems: ingest.sourceProblems,
                                  store: catalog.store.path,
                                  seconds: Date().timeIntervalSince(started), embeddings: steps, embeddingProblem: embeddingProblem,
                                  upscaled: upscaled?.upscaled, watermarks: watermarkStep, watermarkProblem: watermarkProblem)
            if common.json {
                try printJSON(summary)
            } else {
                print("\(summary.items) items (\(summary.errors) unreadable), \(summary.duplicateGroups) duplicate groups covering \(summary.itemsInDuplicateGroups) items, \(summary.qualityFlags) quality flags")
                for (kind, n) in flagsByKind.sorted(by: { $0.key < $1.key }) { print("  \(kind): \(n)") }
                for problem in ingest.sourceProblems { print("  source problem: \(problem)") }
                if let steps {
                    print("embeddings: \(steps.embedded) items (\(steps.embeddingErrors) errors)\(steps.clusters.map { ", \($0) clusters" } ?? "")\(steps.silhouette.map { String(format: ", silhouette %.3f", $0) } ?? "")")
                    if let page = steps.clusterPage { print("clusters: \(page)") }
                    if let page = steps.mapPage { print("map: \(page)") }
                    if let page = steps.similarPage { print("similar items: \(page)") }
                }
                if let w = watermarkStep {
                    let trained = w.trained ? "trained now; " : ""
                    let errors = w.errors > 0 ? ", \(w.errors) errors" : ""
                    print("watermarks: \(w.flagged) of \(w.scored) items flagged at P ≥ \(String(format: "%.2f", w.threshold)) by detector \(w.detector) (\(trained)held-out precision \(String(format: "%.2f", w.heldOutPrecision)), recall \(String(format: "%.2f", w.heldOutRecall)))\(errors)")
                } else if let problem = watermarkProblem {
                    print("watermarks: skipped (\(problem))")
                }
                if let upscaled { print("upscaled \(upscaled.upscaled) small items (\(upscaled.failed) failed): \(upscaled.report)") }
                print("report: \(summary.report)")
            }
            if ingest.found == 0 && !ingest.sourceProblems.isEmpty { throw ExitCode(1) }
        }
    }

    /// Scores every item with the detector named by `--watermarks` (`default` for auto), training
    /// it first when auto finds none; nil when auto has too few images to train on.
    func runWatermarkStep(catalog: Catalog) throws -> WatermarkStep? {
        let name = watermarks == "auto" ? "default" : watermarks
        let logger = common.makeLogger("vitrine.watermark")
        let quiet = common.quiet || common.json
        var trained = false
        if !FileManager.default.fileExists(atPath: WatermarkDetectorFile.url(store: catalog.store, name: name).path) {
            guard watermarks == "auto" else {
                throw CoreError(.invalidInput, "no watermark detector \(name) in \(catalog.store.path); run `vitrine watermark train --name \(name)`")
            }
            guard try catalog.items().filter({ $0.status == "ok" }).count >= Self.minimumWatermarkSources else { return nil }
            var options = WatermarkTrainOptions()
            options.name = name
            options.sources = watermarkSources
            _ = try WatermarkJobs.train(catalog: catalog, options: options, threads: common.threads, quiet: quiet, logger: logger)
            trained = true
        }
        let file = try WatermarkDetectorFile.read(WatermarkDetectorFile.url(store: catalog.store, name: name))
        let (summary, _) = try WatermarkJobs.detect(catalog: catalog, name: name, threshold: nil, threads: common.threads, quiet: quiet, logger: logger)
        let stored = try WatermarkJobs.storedScores(catalog: catalog, name: name)
        return WatermarkStep(detector: name, trained: trained, heldOutPrecision: file.heldOut.precision, heldOutRecall: file.heldOut.recall,
                             scored: stored.count, flagged: stored.values.filter { $0 >= summary.threshold }.count, errors: summary.errors,
                             threshold: summary.threshold)
    }
}
