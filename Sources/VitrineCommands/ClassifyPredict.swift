import ArgumentParser
import Curation
import Datasets
import Foundation
import VitrineCore

struct ClassifyPredict: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict every embedded item with a saved classifier; store the labels (origin prediction) and export CSV, JSON or W3C Web Annotations.",
        discussion: """
        Items whose best calibrated confidence is below --min-confidence are marked uncertain instead of being forced \
        into a class. --output FILE writes .csv, .json or .jsonld (a W3C AnnotationPage, motivation classifying, body \
        the concept URI).
        """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Saved classifier name (models/classifiers/NAME.json).")
    var model: String = "default"

    @Option(name: .long, help: "Below this calibrated confidence the item is uncertain (0…1).")
    var minConfidence: Double = 0.5

    @Option(name: .long, help: "Classes kept per item.")
    var top: Int = 3

    @Option(name: .long, help: "Write the predictions to FILE (.csv, .jsonld for W3C Web Annotations, anything else: JSON).")
    var output: String?

    func validate() throws {
        guard (0...1).contains(minConfidence) else { throw ValidationError("--min-confidence must be within 0…1") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            if let output { try Self.checkOutput(URL(fileURLWithPath: output)) }
            let (summary, predictions) = try ClassifierJobs.predict(name: model, catalog: catalog, minimumConfidence: minConfidence, top: top,
                                                                    logger: common.makeLogger("vitrine.classify"))
            if let output { try Self.write(predictions, model: model, to: URL(fileURLWithPath: output)) }
            if common.json { try printJSON(summary); return }
            print("\(summary.items) items predicted with \(summary.model) (\(String(format: "%.0f", summary.predictionsPerSecond)) predictions/s); \(summary.uncertain) uncertain below \(summary.minimumConfidence)")
            for (label, n) in summary.perClass.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) { print("  \(label): \(n)") }
            if let output { print("written: \(output)") }
        }
    }

    /// Fails before any prediction is made when FILE's folder does not exist.
    static func checkOutput(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        let folder = url.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CoreError(.invalidInput, "cannot write \(url.path): no folder \(folder.path)")
        }
    }

    static func write(_ predictions: [ItemPrediction], model: String, to url: URL) throws {
        let data: Data
        switch url.pathExtension.lowercased() {
        case "csv": data = Data(ClassifierJobs.csv(predictions).utf8)
        case "jsonld": data = Data(try JSONValue.serialize(ClassifierJobs.webAnnotations(predictions, model: model), pretty: true).utf8)
        default:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            data = try encoder.encode(predictions)
        }
        try data.write(to: url, options: .atomic)
    }
}
