import ArgumentParser
import Curation
import Foundation
import VitrineCore

/// `vitrine watermark train|detect|evaluate`.
struct Watermark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Detect watermarks: train a binary detector on generated overlays, score every item, evaluate it.",
        discussion: """
        The detector is a logistic regression (liblinear) on EfficientNet-Lite0 features of the whole picture and of \
        four corner tiles (so a small corner mark is not averaged away). Training images are generated: clean images \
        of the store and copies with text, tiled text or logo-like marks drawn by libvips (fonts of fonts-dejavu-core), \
        opacity 10–60 %, any position and angle. A quarter of the source images (near-duplicate groups kept \
        together) is held out for evaluation.
        """,
        subcommands: [WatermarkTrain.self, WatermarkDetect.self, WatermarkEvaluate.self])
}

struct WatermarkTrain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Generate marked and clean images from the store's items and train a detector (models/watermark/NAME.json).")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Detector name.")
    var name: String = "default"

    @Option(name: .long, help: "Clean source images drawn from the store, at most.")
    var sources: Int = 300

    @Option(name: .long, help: "Marked copies generated per source image.")
    var marks: Int = 1

    @Option(name: .long, help: "Seed of the source draw, the split and the overlays.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Flag at or above this P(watermark) (0…1; default: the lowest from 0.50 up that flags ≤ 5 % of the held-out clean images).")
    var threshold: Double?

    @Option(name: .long, help: "Overlays CSV (path column, relative to the CSV): these images are never used as clean sources.")
    var exclude: String?

    @Option(name: .long, help: "Also write N generated examples and their contact sheet to reports/watermark-examples/.")
    var examples: Int = 0

    func validate() throws {
        guard sources >= 4 else { throw ValidationError("--sources must be at least 4") }
        guard (1...8).contains(marks) else { throw ValidationError("--marks must be within 1…8") }
        if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be within 0…1") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            var options = WatermarkTrainOptions()
            options.name = name
            options.sources = sources
            options.marksPerImage = marks
            options.seed = seed
            options.threshold = threshold
            if let exclude { options.excludedPaths = try WatermarkEvaluate.paths(inCSV: URL(fileURLWithPath: exclude)) }
            let s = try WatermarkJobs.train(catalog: catalog, options: options, threads: common.threads, quiet: common.quiet || common.json,
                                            logger: common.makeLogger("vitrine.watermark"))
            let sheet = examples > 0 ? try WatermarkJobs.writeExamples(catalog: catalog, count: examples, seed: seed, logger: common.makeLogger("vitrine.watermark")) : nil
            if common.json { try printJSON(s); return }
            if let sheet { print("examples: \(sheet)") }
            print("trained watermark detector \(s.name) on \(s.trainImages) images (\(s.sources) source images in all); held out \(s.heldOutImages) images (\(s.groupsKeptTogether) near-duplicate groups kept together), \(s.errors) errors, \(String(format: "%.1f", s.seconds)) s")
            print(String(format: "held-out: precision %.3f  recall %.3f  F1 %.3f  accuracy %.3f  ROC AUC %.3f at P ≥ %.2f",
                         s.heldOut.precision, s.heldOut.recall, s.heldOut.f1, s.heldOut.accuracy, s.heldOut.rocAUC, s.heldOut.threshold))
            print("model: \(s.modelFile)")
        }
    }
}

struct WatermarkDetect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect", abstract: "Score every item with a saved detector; store the scores (resumable) and list flagged items.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Detector name (models/watermark/NAME.json).")
    var model: String = "default"

    @Option(name: .long, help: "Flag at or above this P(watermark) (default: the detector's).")
    var threshold: Double?

    @Option(name: .long, help: "Write every score of this run to FILE.csv (item_id,path,score,flagged).")
    var output: String?

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let (s, scores) = try WatermarkJobs.detect(catalog: catalog, name: model, threshold: threshold, threads: common.threads,
                                                        quiet: common.quiet || common.json, logger: common.makeLogger("vitrine.watermark"))
            if let output {
                var csv = "item_id,path,score,flagged\n"
                for r in scores { csv += "\(r.itemID),\(CSVField.quote(r.path)),\(String(format: "%.4f", r.score)),\(r.flagged)\n" }
                try Data(csv.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            }
            if common.json { try printJSON(s); return }
            print("scored \(s.scored) items with watermark detector \(s.model) (\(s.alreadyScored) already scored, \(s.errors) errors) in \(String(format: "%.1f", s.seconds)) s, \(String(format: "%.1f", s.imagesPerSecond)) img/s; \(s.flagged) flagged at P ≥ \(s.threshold)")
            for r in scores.filter(\.flagged).sorted(by: { $0.score > $1.score }).prefix(20) { print(String(format: "  %.3f  %d  %@", r.score, r.itemID, r.path)) }
            for e in s.errorSamples { print("  error: \(e)") }
        }
    }
}

struct WatermarkEvaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a detector on new marks over its held-out images and on real overlay images; writes reports/watermarks.html.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Detector name (models/watermark/NAME.json).")
    var model: String = "default"

    @Option(name: .long, help: "Overlays CSV (path,overlay_kind,is_true_watermark; paths relative to the CSV), e.g. ../shared/corpus/watermarks_and_overlays.csv.")
    var overlays: String?

    @Option(name: .long, help: "Seed of the evaluation overlays (default: the training seed + 1).")
    var seed: UInt64?

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let e = try WatermarkJobs.evaluate(catalog: catalog, name: model, overlays: overlays.map { URL(fileURLWithPath: $0) }, seed: seed,
                                               threads: common.threads, quiet: common.quiet || common.json, logger: common.makeLogger("vitrine.watermark"))
            if common.json { try printJSON(e); return }
            let m = e.generated
            print("held-out generated: \(m.images) images (\(m.positives) marked, \(m.negatives) clean) from \(e.heldOutSources) sources, seed \(e.seed)")
            print(String(format: "  precision %.3f  recall %.3f  F1 %.3f  accuracy %.3f  ROC AUC %.3f at P ≥ %.2f (TP %d FP %d FN %d TN %d)",
                         m.precision, m.recall, m.f1, m.accuracy, m.rocAUC, m.threshold, m.truePositives, m.falsePositives, m.falseNegatives, m.trueNegatives))
            for g in m.byKind + m.byOpacity { print(String(format: "  recall %-12@ %3d/%3d  %.3f", g.name, g.flagged, g.total, g.recall)) }
            print("  score histogram (0.05 bins) clean:  \(m.cleanHistogram.map(String.init).joined(separator: " "))")
            print("  score histogram (0.05 bins) marked: \(m.markedHistogram.map(String.init).joined(separator: " "))")
            if !e.corpus.isEmpty {
                print("overlay images: \(e.corpusFlagged) of \(e.corpus.count) flagged")
                for r in e.corpus {
                    print("  \(r.score.map { String(format: "%.3f", $0) } ?? "error")  \(r.flagged ? "flagged" : "       ")  \(r.overlayKind)  \(r.path)")
                }
            }
            print("report: \(e.report)")
        }
    }

    /// Absolute paths of an overlays CSV's `path` column (relative to the CSV's folder).
    static func paths(inCSV url: URL) throws -> Set<String> {
        let table = try CSVTable(text: try String(contentsOf: url, encoding: .utf8))
        guard let column = table.column("path") else { throw ValidationError("\(url.path) has no path column") }
        let folder = url.deletingLastPathComponent()
        return Set(table.rows.compactMap { $0.count > column ? folder.appendingPathComponent($0[column]).standardizedFileURL.path : nil })
    }
}
