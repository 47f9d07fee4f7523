import ArgumentParser
import Catalog
import Curation
import Foundation
import Imaging
import Inference
import VitrineCore

/// `vitrine quality`: no-reference quality checks (BRISQUE, variance of the Laplacian) of the
/// catalog's items; the flags join the quality flags the report shows.
struct Quality: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score items with BRISQUE and the variance of the Laplacian; flag low_quality and blurry ones in the catalog and report.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "BRISQUE score (0–100, lower is better) above which an item is flagged low_quality.")
    var brisque: Double = NoReferenceQuality.Thresholds().brisque

    @Option(name: .long, help: "Variance of the Laplacian (at 512 px) below which an item is flagged blurry.")
    var sharpness: Double = NoReferenceQuality.Thresholds().sharpness

    struct Summary: Encodable {
        var runID: Int64
        var scored: Int
        var failed: Int
        var lowQuality: Int
        var blurry: Int
        var thresholds: NoReferenceQuality.Thresholds
        var errors: [String: String]
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            var thresholds = NoReferenceQuality.Thresholds()
            thresholds.brisque = brisque
            thresholds.sharpness = sharpness
            let quality = try NoReferenceQuality(locator: ModelLocator(storeModels: catalog.absolute("models")), thresholds: thresholds)
            let items = try catalog.items().filter { $0.status == "ok" && $0.id != nil }
            let runID = try catalog.startRun(kind: "no-reference-quality", toolVersion: VitrineVersion.current, config: [
                "brisqueModel": ModelRegistry.brisqueModel.name, "brisqueSHA256": quality.modelSHA256,
                "brisqueThreshold": "\(brisque)", "sharpnessThreshold": "\(sharpness)", "measureSide": "\(thresholds.measureSide)",
            ])
            let progress = ProgressReporter(label: "quality", total: items.count, quiet: common.quiet || common.json)
            var summary = Summary(runID: runID, scored: 0, failed: 0, lowQuality: 0, blurry: 0, thresholds: thresholds, errors: [:])
            for item in items {
                let id = item.id ?? 0
                let source = item.storedPath.map { catalog.absolute($0).path } ?? item.sourcePath
                do {
                    let scores = try quality.scores(try Resampling.decodeRGBA(path: source))
                    let flags = quality.flags(for: scores)
                    try catalog.saveNoReferenceQuality(
                        NoReferenceQualityRecord(itemID: id, brisque: scores.brisque, laplacianVariance: scores.laplacianVariance, runID: runID),
                        flags: flags, replacing: [QualityFlag.lowQuality.rawValue, QualityFlag.blurry.rawValue])
                    summary.scored += 1
                    if flags.contains(QualityFlag.lowQuality.rawValue) { summary.lowQuality += 1 }
                    if flags.contains(QualityFlag.blurry.rawValue) { summary.blurry += 1 }
                    progress.advance()
                } catch {
                    summary.failed += 1
                    summary.errors["\(id)"] = "\(source): \(error)"
                    progress.advance(errors: 1)
                }
            }
            progress.finish()
            try catalog.finishRun(runID, status: summary.failed == 0 ? "finished" : "finished-with-errors", summary: summary)
            if common.json { try printJSON(summary) } else {
                print("quality: scored \(summary.scored) items, \(summary.lowQuality) low_quality (BRISQUE > \(brisque)), \(summary.blurry) blurry (Laplacian variance < \(sharpness)), \(summary.failed) failed")
                for (id, message) in summary.errors.sorted(by: { $0.key < $1.key }) { print("item \(id): \(message)") }
            }
            if summary.failed > 0 { throw ExitCode(1) }
        }
    }
}
