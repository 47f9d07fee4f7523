import ArgumentParser
import Catalog
import Curation
import Foundation
import Inference

/// The detector models `vitrine detect` accepts.
enum DetectorModelArgument: String, ExpressibleByArgument, CaseIterable {
    case yoloxNano = "yolox-nano"
    case ultraface = "ultraface"
    case ultraface320 = "ultraface-320"
    case ultraface640 = "ultraface-640"

    /// Registry name (`ultraface` is the 320 × 240 model).
    var registryName: String { self == .ultraface ? ModelRegistry.ultraFace320.name : rawValue }
}

struct Detect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Detect objects (YOLOX-nano, 80 COCO classes) or faces (UltraFace) in every readable item.",
        discussion: """
        Each image is decoded from the store (shrink-on-load to twice the model's input), prepared as the model's \
        authors define it (YOLOX: letterbox 416 × 416 padded with 114, BGR 0…255; UltraFace: 320 × 240 or 640 × 480, \
        RGB, (x − 127) / 128), run through OpenCV DNN, decoded and filtered by class-wise non-maximum suppression. \
        Boxes are stored in original pixels with the run (model, sha256, threshold); `reports/detections-MODEL.html` shows a \
        contact sheet of the best crops per class. Running the command again resumes an unfinished run.
        """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Detector: yolox-nano, ultraface (= ultraface-320), ultraface-320, ultraface-640.")
    var model: DetectorModelArgument = .yoloxNano

    @Option(name: .long, help: "Keep detections scoring above this confidence (0…1; default 0.3, 0.7 for UltraFace as its authors use).")
    var minScore: Double?

    @Flag(name: .long, help: "Start a new run even if an unfinished one with the same settings exists.")
    var newRun = false

    @Flag(name: .long, help: "Do not write reports/detections-MODEL.html.")
    var noReport = false

    func validate() throws {
        if let minScore, !(0..<1).contains(minScore) { throw ValidationError("--min-score must be within 0…1 (excluding 1)") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            var options = DetectionOptions()
            options.model = model.registryName
            options.minimumScore = minScore ?? (model == .yoloxNano ? 0.3 : 0.7)
            options.threads = common.threads
            options.newRun = newRun
            options.quiet = common.quiet || common.json
            let summary = try await DetectionJob(catalog: catalog, options: options, logger: common.makeLogger("vitrine.detect")).run()
            var page: URL?
            if !noReport { page = try DetectionReportBuilder.write(catalog: catalog, runID: summary.runID, summary: summary) }
            if common.json {
                try printJSON(DetectOutput(summary: summary, report: page?.path))
                return
            }
            print("run \(summary.runID): \(summary.model) on \(summary.items) items (\(summary.resumed) done before), \(summary.detections) detections in \(summary.itemsWithDetections) items, \(summary.errors) errors; \(String(format: "%.1f", summary.imagesPerSecond)) img/s")
            for (label, n) in summary.detectionsByLabel.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }).prefix(15) {
                print("  \(label): \(n)")
            }
            if let page { print("report: \(page.path)") }
        }
    }
}

struct DetectOutput: Encodable {
    var summary: DetectionSummary
    var report: String?
}
