import ArgumentParser
import Curation
import Datasets
import Foundation

extension DetectionProtocol: ExpressibleByArgument {}

struct EvaluateDetections: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detections",
        abstract: "Evaluate object detections as COCO (pycocotools cocoeval) or Pascal VOC (2007 11-point, 2010+ all-point) define it.",
        discussion: """
        --gt and --pred are annotation files (COCO, VOC XML folder, labelme, CSV, detection CSV, W3C) or `store` / \
        `store:SOURCE_ID` for the store's own labels and detections. A COCO results file is matched to a COCO ground \
        truth by image and category ids, as pycocotools does (unknown ids are left out and counted); anything else by \
        image file name and class name. The evaluation is stored as a run.
        """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Ground truth: a file or folder, or `store` / `store:SOURCE_ID`.")
    var gt: String

    @Option(name: .long, help: "Predictions: a file or folder (with scores), or `store` (latest prediction source) / `store:SOURCE_ID`.")
    var pred: String

    @Option(name: .customLong("protocol"), help: "coco, voc07 or voc12.")
    var evaluationProtocol: DetectionProtocol = .coco

    @Option(name: .long, help: "Format of --gt (default: guessed).")
    var gtFormat: AnnotationFormatArgument?

    @Option(name: .long, help: "Format of --pred (default: guessed).")
    var predFormat: AnnotationFormatArgument?

    @Flag(name: .long, help: "Write an HTML report with per-class precision-recall curves (SVG) to the store's reports/.")
    var report = false

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog()
            let gtSide = try DetectionSide.parse(gt, format: gtFormat?.format)
            let predSide = try DetectionSide.parse(pred, format: predFormat?.format)
            let reportURL = report ? catalog.store.appendingPathComponent("reports/detections-\(evaluationProtocol.rawValue).html") : nil
            let s = try DetectionEvaluationJob.run(gt: gtSide, pred: predSide, protocol: evaluationProtocol, catalog: catalog, reportURL: reportURL, gtText: gt, predText: pred)
            if common.json { try printJSON(s); return }
            let r = s.result
            print("\(r.protocolName): \(r.images) images, \(r.groundTruths) ground-truth objects, \(r.detections) detections (matched by \(s.matchedBy); left out: \(s.predictionsWithUnknownImage) on unknown images, \(s.predictionsWithUnknownCategory) of unknown classes)")
            let names = r.protocolName == "coco" ? DetectionEvaluationResult.cocoStatNames : ["mAP"]
            for (name, value) in zip(names, r.stats) { print("  \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) \(value <= -1 ? "-1" : String(format: "%.4f", value))") }
            print("per class (AP / AP@0.5\(r.protocolName == "coco" ? " / AP@0.75" : "")):")
            for c in r.perClass {
                let figures = [c.ap, c.ap50] + (c.ap75.map { [$0] } ?? [])
                print("  \(c.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(figures.map { $0 <= -1 ? "-1" : String(format: "%.4f", $0) }.joined(separator: " / "))  (\(c.groundTruths) GT, \(c.detections) detections)")
            }
            if let path = s.report { print("report: \(path)") }
        }
    }
}
