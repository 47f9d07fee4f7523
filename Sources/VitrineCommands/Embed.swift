import ArgumentParser
import Curation
import Foundation
import Inference
import VectorIndex

extension FloatIndexKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

/// Options naming the embedding model and index; shared by the embedding commands.
struct EmbeddingOptions: ParsableArguments {
    @Option(name: .long, help: "Embedding model (registry name): efficientnet-lite0 or efficientnet-lite0-reference.")
    var model: String = ModelRegistry.efficientNetLite0.name

    @Option(name: .long, help: "FAISS index kind: flat, ivf[:LISTS[:NPROBE]], hnsw[:M[:EF]] (default: flat up to 200000 vectors, IVF above; an existing index keeps its kind).")
    var index: FloatIndexKind?

    func validate() throws {
        guard ModelRegistry.all.contains(where: { $0.name == model && $0.embeddingDimension != nil }) else {
            throw ValidationError("--model \(model) is not an embedding model; known: \(ModelRegistry.all.filter { $0.embeddingDimension != nil }.map(\.name).joined(separator: ", "))")
        }
    }
}

struct Embed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Embed every item that lacks an embedding (EfficientNet-Lite0, 1280-d, L2-normalised) and update the FAISS index.",
        discussion: """
        Resumable: each batch is committed to the catalog, a re-run embeds only what is missing. Items that cannot be \
        decoded are recorded with their error and counted. The index in the store's indexes/ gains the new vectors \
        without a rebuild.
        """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var embedding: EmbeddingOptions

    @Option(name: .long, help: "Images per forward pass.")
    var batch: Int = 16

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let summary = try EmbeddingJob.run(catalog: catalog, model: embedding.model, threads: common.threads, batchSize: batch,
                                               indexKind: embedding.index, quiet: common.quiet || common.json,
                                               logger: common.makeLogger("vitrine.embed"))
            if common.json { try printJSON(summary); return }
            print("embedded \(summary.embedded) items with \(summary.model) (\(summary.alreadyEmbedded) already embedded, \(summary.errors) errors) in \(String(format: "%.1f", summary.seconds)) s, \(String(format: "%.1f", summary.imagesPerSecond)) img/s")
            print("index: \(summary.indexKind), \(summary.indexCount) vectors")
        }
    }
}
