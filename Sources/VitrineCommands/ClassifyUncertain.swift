import ArgumentParser
import Catalog
import Curation
import Foundation
import Imaging

struct ClassifyUncertain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uncertain",
        abstract: "List the items whose labels would help the classifier most (smallest margin between the two best classes; for a multi-label model, the concept closest to p = 0.5) as a CSV and a contact sheet.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Saved classifier name (models/classifiers/NAME.json).")
    var model: String = "default"

    @Option(name: .long, help: "Number of items.")
    var n: Int = 100

    @Option(name: .long, help: "CSV to write (default: STORE/reports/uncertain-MODEL.csv; the contact sheet goes beside it as .png).")
    var output: String?

    func validate() throws {
        guard n >= 1 else { throw ValidationError("--n must be at least 1") }
    }

    struct UncertainSummary: Encodable {
        var csv: String
        var contactSheet: String?
        var items: Int
        var of: Int
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let (_, predictions) = try ClassifierJobs.predict(name: model, catalog: catalog, minimumConfidence: 0, top: 2, store: false,
                                                              logger: common.makeLogger("vitrine.classify"))
            let chosen = Array(predictions.sorted { $0.margin != $1.margin ? $0.margin < $1.margin : $0.itemID < $1.itemID }.prefix(n))
            let csv = output.map { URL(fileURLWithPath: $0) } ?? catalog.store.appendingPathComponent("reports/uncertain-\(model).csv")
            try FileManager.default.createDirectory(at: csv.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(ClassifierJobs.csv(chosen).utf8).write(to: csv, options: .atomic)
            let sheet = csv.deletingPathExtension().appendingPathExtension("png")
            let items = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { i in i.id.map { ($0, i) } })
            let files = chosen.compactMap { items[$0.itemID].map { EmbeddingJob.imagePath($0, catalog: catalog) } }
            let sheetWritten = (try? ImageWriter.contactSheet(of: files, columns: 10, cell: 120, spacing: 6, to: sheet.path)) != nil
            if common.json {
                try printJSON(UncertainSummary(csv: csv.path, contactSheet: sheetWritten ? sheet.path : nil, items: chosen.count, of: predictions.count))
                return
            }
            print("\(chosen.count) items with the smallest margin (of \(predictions.count)):")
            for p in chosen.prefix(10) {
                if p.multiLabel, let u = p.undecided {
                    print(String(format: "  %.3f  %@ (undecided: %@ %.2f)", p.margin, p.path, u.label, u.confidence))
                } else if let second = p.top.dropFirst().first, let first = p.top.first {
                    print(String(format: "  %.3f  %@ (%@ %.2f / %@ %.2f)", p.margin, p.path, first.label, first.confidence, second.label, second.confidence))
                } else {
                    print(String(format: "  %.3f  %@ (%@ %.2f)", p.margin, p.path, p.top.first?.label ?? "-", p.top.first?.confidence ?? 0))
                }
            }
            print("csv: \(csv.path)")
            if sheetWritten { print("contact sheet: \(sheet.path)") }
        }
    }
}
