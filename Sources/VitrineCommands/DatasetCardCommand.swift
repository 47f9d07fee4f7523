import ArgumentParser
import Curation
import Datasets
import Foundation

struct DatasetCardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "Write a dataset card (Markdown + HTML): counts per class and split, sizes, rights, providers, duplicates, provenance.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Title of the card.")
    var title: String = "Vitrine dataset"

    @Option(name: .long, help: "Split id (default: the latest split, if any).")
    var split: Int64?

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let splitID = try split ?? catalog.latestSplit()?.id
            let input = try DatasetJobs(catalog: catalog).cardInput(title: title, splitID: splitID)
            let md = catalog.store.appendingPathComponent("reports/dataset-card.md"), html = catalog.store.appendingPathComponent("reports/dataset-card.html")
            try Data(DatasetCard.markdown(input).utf8).write(to: md, options: .atomic)
            try Data(DatasetCard.html(input).utf8).write(to: html, options: .atomic)
            if common.json {
                try printJSON(["markdown": md.path, "html": html.path])
                return
            }
            print("dataset card: \(md.path)")
            print("             \(html.path)")
        }
    }
}
