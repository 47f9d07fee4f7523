import ArgumentParser
import Curation
import Foundation

/// `--k N` or `--k auto`.
enum ClusterCount: ExpressibleByArgument, Equatable {
    case fixed(Int)
    case auto
    init?(argument: String) {
        if argument == "auto" { self = .auto } else if let n = Int(argument), n >= 2 { self = .fixed(n) } else { return nil }
    }
}

struct Cluster: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cluster the embeddings (spherical k-means, FAISS) and score them with the cosine silhouette.",
        discussion: """
        Writes reports/clusters/index.html (silhouette plot, a contact sheet per cluster with the items nearest its \
        centre first, outliers with negative silhouette flagged) and a membership CSV. The silhouette is exact up to \
        20000 items, computed on a uniform sample of 20000 above (the sample size is stated).
        """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var embedding: EmbeddingOptions

    @Option(name: .long, help: "Number of clusters (≥ 2), or auto: the best silhouette among 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40.")
    var k: ClusterCount = .auto

    @Option(name: .long, help: "Random seed of k-means.")
    var seed: Int = 1234

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let requested: Int? = if case .fixed(let n) = k { n } else { nil }
            let summary = try ClusterJob.run(catalog: catalog, model: embedding.model, k: requested, seed: seed, threads: common.threads)
            if common.json { try printJSON(summary); return }
            print("k = \(summary.k) clusters of \(summary.items) items; silhouette \(String(format: "%.3f", summary.silhouette))\(summary.silhouetteSampleSize.map { " (sample of \($0))" } ?? " (exact)")")
            if summary.silhouetteByK.count > 1 {
                print("silhouette by k: " + summary.silhouetteByK.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }.map { "\($0.key): \(String(format: "%.3f", $0.value))" }.joined(separator: "  "))
            }
            for c in summary.clusters {
                print("  cluster \(c.cluster): \(c.size) items, silhouette \(String(format: "%.3f", c.silhouette)), \(c.outliers) outliers")
            }
            print("membership: \(summary.membershipCSV)")
            print("report: \(summary.reportPage)")
        }
    }
}
