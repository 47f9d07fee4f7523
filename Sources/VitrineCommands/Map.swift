import ArgumentParser
import Curation
import Foundation

struct Map: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the collection as a 2-D map: PCA of the embeddings, thumbnails placed by coordinates (pannable, zoomable HTML).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var embedding: EmbeddingOptions

    @Option(name: .long, help: "Colour by the category column of this CSV (path,category; paths relative to the CSV) instead of by the latest clustering.")
    var labels: String?

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let summary = try MapJob.run(catalog: catalog, model: embedding.model, labels: labels.map { URL(fileURLWithPath: $0) })
            if common.json { try printJSON(summary); return }
            print("map of \(summary.items) items (PCA: \(summary.explainedVariance.map { String(format: "%.1f %%", 100 * $0) }.joined(separator: ", ")) of the variance), coloured by \(summary.colouredBy)")
            print("page: \(summary.page)")
            print("coordinates: \(summary.coordinatesCSV)")
        }
    }
}
