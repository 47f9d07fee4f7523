import ArgumentParser
import Curation
import Foundation
import Inference
import VitrineCore

struct ClassifyTrain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier (liblinear L2R_LR on the stored embeddings, C by inner CV, temperature-scaled) and save it as models/classifiers/NAME.json.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Labels CSV (path|item_id|url, label|category); files not in the catalog are ingested.")
    var labels: String

    @Option(name: .long, help: "Vocabulary CSV (uri,label[,lang][,broader]); default: the 20 Europeana-pilot AAT concepts (other labels get urn:vitrine:label: URIs).")
    var vocabulary: String?

    @Option(name: .long, help: "Name of the saved model.")
    var name: String = "default"

    @Option(name: .long, help: "Classes with fewer embedded items are left out.")
    var minPerClass: Int = 10

    @Option(name: .long, help: "Embedding model (registry name).")
    var model: String = ModelRegistry.efficientNetLite0.name

    @Flag(name: .long, help: ArgumentHelp(
        "Multi-label mode: every distinct label of an item is a positive; one binary model per concept (one-vs-rest).",
        discussion: "An item gets several labels from several CSV rows or several choices of a Label Studio task. Without the flag the first label of each item is used."))
    var multiLabel = false

    func validate() throws {
        guard !name.isEmpty, !name.contains("/") else { throw ValidationError("--name must be a plain file name") }
        guard minPerClass >= 1 else { throw ValidationError("--min-per-class must be at least 1") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog()
            let vocab = try vocabulary.map { try Vocabulary.readCSV(URL(fileURLWithPath: $0)) } ?? Vocabulary.europeanaPilot
            var ingest = IngestOptions()
            ingest.threads = common.threads
            ingest.quiet = common.quiet || common.json
            let s = try await ClassifierJobs.train(labels: URL(fileURLWithPath: labels), vocabulary: vocab, name: name, catalog: catalog, model: model,
                                                   minimumPerClass: minPerClass, multiLabel: multiLabel, ingest: ingest, threads: common.threads,
                                                   quiet: common.quiet || common.json, logger: common.makeLogger("vitrine.classify"))
            if common.json { try printJSON(s); return }
            if s.multiLabel {
                print("trained \(s.name) (multi-label, one-vs-rest) on \(s.items) items (\(s.itemsWithSeveralLabels) with several concepts) in \(s.classes.count) concepts in \(String(format: "%.1f", s.seconds)) s: C \(s.C), inner-CV micro F1 \(String(format: "%.3f", s.innerAccuracy))")
            } else {
                print("trained \(s.name) on \(s.items) items in \(s.classes.count) classes in \(String(format: "%.1f", s.seconds)) s: C \(s.C), temperature \(String(format: "%.3f", s.temperature)), inner-CV accuracy \(String(format: "%.3f", s.innerAccuracy))")
                if s.itemsWithSeveralLabels > 0 {
                    print("note: \(s.itemsWithSeveralLabels) items carry several labels; their first was used (--multi-label trains one model per concept)")
                }
            }
            print("model: \(s.modelFile)")
        }
    }
}
