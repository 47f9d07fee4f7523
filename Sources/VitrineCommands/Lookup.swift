import ArgumentParser
import Curation
import Foundation
import Inference

struct Lookup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Is this image already in the collection? Exact bytes, identical pixels, pHash and embedding matches in one answer.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var embedding: EmbeddingOptions

    @Argument(help: "Image files to look up.")
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one image file") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let search = try? SimilaritySearch(catalog: catalog, model: embedding.model, kind: embedding.index)
            let embedder = try search.map { try Embedder(model: $0.model, locator: EmbeddingJob.locator(catalog: catalog)) }
            let answers = try Curation.Lookup.run(catalog: catalog, files: files, search: search, embedder: embedder)
            if common.json { try printJSON(answers); return }
            for a in answers {
                if let error = a.error { print("\(a.file): error: \(error)"); continue }
                print("\(a.file): \(a.found ? "already in the collection" : "not found") (\(String(format: "%.1f", a.milliseconds)) ms)")
                for m in a.matches {
                    let how = m.cosine.map { String(format: "cosine %.4f", $0) } ?? "distance \(m.distance ?? 0)"
                    print("  \(m.method.padding(toLength: 16, withPad: " ", startingAt: 0)) \(how)  \(m.itemID)  \(m.path)")
                }
            }
            if search == nil && !common.quiet {
                FileHandle.standardError.write(Data("vitrine: no embeddings in the store; run `vitrine embed` for embedding matches\n".utf8))
            }
        }
    }
}
