import ArgumentParser
import Curation
import Foundation
import Inference

struct Similar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Nearest neighbours of an item or an image file by cosine similarity of embeddings (FAISS).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var embedding: EmbeddingOptions

    @Argument(help: "An item id of the catalog, or an image file (embedded on the fly).")
    var query: String

    @Option(name: .long, help: "Number of neighbours.")
    var k: Int = 10

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let search = try SimilaritySearch(catalog: catalog, model: embedding.model, kind: embedding.index)
            let answer = try search.query(query, k: k) {
                try Embedder(model: search.model, locator: EmbeddingJob.locator(catalog: catalog))
            }
            if common.json { try printJSON(answer); return }
            print("\(answer.neighbours.count) nearest of \(answer.query) (\(answer.model), \(answer.index) index of \(answer.indexCount) vectors, \(String(format: "%.2f", answer.milliseconds)) ms):")
            for n in answer.neighbours { print(String(format: "  %.4f  %6lld  %@", n.cosine, n.itemID, n.path)) }
        }
    }
}
