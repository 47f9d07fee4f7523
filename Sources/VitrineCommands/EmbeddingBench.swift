import ArgumentParser
import Catalog
import Curation
import Foundation
import Imaging
import Inference
import VectorIndex
import VitrineCore

struct EmbedBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Decode + preprocess + EfficientNet-Lite0 inference over a folder: images/s on N threads.")

    @Argument(help: "Folder of images.")
    var folder: String

    @Option(name: .long, help: "OpenCV threads (and decoding threads).")
    var threads: Int = 1

    @Option(name: .long, help: "Images to embed (the first N files, sorted).")
    var limit: Int = 200

    @Option(name: .long, help: "Model registry name.")
    var model: String = ModelRegistry.efficientNetLite0.name

    @Option(name: .long, help: "Images per forward pass.")
    var batch: Int = 16

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    struct Result: Codable {
        var images: Int
        var errors: Int
        var seconds: Double
        var imagesPerSecond: Double
        var threads: Int
        var model: String
    }

    func run() async throws {
        try await failing {
            let files = Array(SourceScanner.scan([folder]).entries.map(\.location).sorted().prefix(limit))
            let locator = ModelLocator(storeModels: nil)
            let embedder = try Embedder(model: try ModelRegistry.descriptor(named: model), locator: locator)
            Network.threads = threads
            let inputs: [Data] = files.compactMap { try? ImageDecoder.read($0) }
            // Warm-up: one forward pass allocates OpenCV's buffers.
            if let first = files.first { _ = try? embedder.embed(file: first) }
            let started = Date()
            var images = 0, errors = 0
            for start in stride(from: 0, to: inputs.count, by: batch) {
                let chunk = Array(inputs[start..<min(start + batch, inputs.count)])
                var tensors: [Float] = []
                var count = 0
                for (i, data) in chunk.enumerated() {
                    do {
                        let decoded = try ImageDecoder.decode(data, path: files[start + i])
                        tensors += try embedder.input(for: decoded.full ?? decoded.thumbnail)
                        count += 1
                    } catch { errors += 1 }
                }
                if count > 0 { _ = try embedder.embed(inputs: tensors, count: count) }
                images += count
            }
            let seconds = Date().timeIntervalSince(started)
            let result = Result(images: images, errors: errors, seconds: seconds, imagesPerSecond: Double(images) / seconds, threads: threads, model: model)
            if json { try printJSON(result) } else {
                print(String(format: "%d images in %.2f s: %.1f img/s (%d threads)", images, seconds, result.imagesPerSecond, threads))
            }
        }
    }
}

struct KNNBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knn",
        abstract: "Float kNN (FAISS, inner product) on random or real-like unit vectors: build time, queries/s, recall@10 against exact search.",
        discussion: """
            Random: uniform in [-1, 1]^d, L2-normalised. Real-like (--base-store): each vector is a stored \
            embedding of that store (round robin) plus uniform noise of norm --noise, L2-normalised, so the \
            set keeps the clusters of a real collection. Queries are indexed vectors plus noise of norm 0.05·√(d/3).
            """)

    @Option(name: .long, help: "Vectors in the index.")
    var count: Int = 100_000

    @Option(name: .long, help: "Dimension.")
    var dimension: Int = 1280

    @Option(name: .long, help: "Queries (perturbed copies of indexed vectors).")
    var queries: Int = 200

    @Option(name: .long, help: "Index kind: flat, ivf[:LISTS[:NPROBE]], hnsw[:M[:EF]], ivfpq[:LISTS[:M[:NPROBE]]], or auto (the kind `vitrine embed` chooses for --count).")
    var kind: String = "flat"

    @Option(name: .long, help: "Store whose embeddings seed real-like vectors (default: random vectors).")
    var baseStore: String?

    @Option(name: .long, help: "Embedding model of --base-store.")
    var model: String = ModelRegistry.efficientNetLite0.name

    @Option(name: .long, help: "Norm of the noise added to each base embedding (real-like vectors).")
    var noise: Double = 0.5

    @Option(name: .long, help: "OpenMP threads for FAISS.")
    var threads: Int = 1

    @Option(name: .long, help: "IVF-PQ: candidates re-ranked by their exact vectors for 10 results (default: what `vitrine similar` uses, 100).")
    var rerank: Int?

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    struct Result: Codable {
        var count: Int
        var dimension: Int
        var kind: String
        var vectors: String
        var buildSeconds: Double
        var singleQueryMilliseconds: Double
        var batchedQueriesPerSecond: Double
        var recallAt10: Double
        var peakRSSBytes: Int
        var threads: Int
        var trainSeconds: Double
        var indexBytes: Int
        var bytesPerVector: Double
        /// Bytes per vector beyond the quantisers, and the index at 5·10^7 vectors (quantisers once,
        /// codes and ids for each vector).
        var projectedBytesAt5e7: Double
        /// IVF-PQ: recall@10 after re-ranking `rerankCandidates(k: 10)` candidates by their exact
        /// vectors, the time per query of search + re-ranking, and the 99th percentile of
        /// |approximate − exact| cosine over the approximate top 10.
        var rerankedRecallAt10: Double?
        var rerankedQueryMilliseconds: Double?
        var scoreErrorP99: Double?
        var rerankCandidates: Int?
    }

    func run() async throws {
        try await failing {
            var dimension = dimension
            var state: UInt64 = 0x5EED
            func next() -> Float {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Double(state >> 11) / Double(1 << 53)) * 2 - 1
            }
            guard let kind = kind == "auto" ? FloatIndexKind.chosen(forCount: count, dimension: dimension) : FloatIndexKind(parsing: kind) else {
                throw ValidationError("--kind must be flat, ivf[:LISTS[:NPROBE]], hnsw[:M[:EF]], ivfpq[:LISTS[:M[:NPROBE]]] or auto")
            }
            if let rerank, rerank < 10 { throw ValidationError("--rerank must be at least 10 (the results asked for)") }
            var base: [[Float]] = []
            if let baseStore {
                let catalog = try Catalog(store: URL(fileURLWithPath: baseStore), mustExist: true)
                base = try catalog.embeddings(model: model).map(\.floats)
                guard let first = base.first else { throw ValidationError("no \(model) embeddings in \(baseStore)") }
                dimension = first.count
            }
            var vectors = [Float](repeating: 0, count: count * dimension)
            let noiseScale = Float(noise / (Double(dimension) / 3).squareRoot())  // uniform[-1,1] has variance 1/3
            for i in 0..<count {
                var norm: Float = 0
                for j in 0..<dimension {
                    let v = base.isEmpty ? next() : base[i % base.count][j] + noiseScale * next()
                    vectors[i * dimension + j] = v
                    norm += v * v
                }
                let s = 1 / norm.squareRoot()
                for j in 0..<dimension { vectors[i * dimension + j] *= s }
            }
            var query = [Float](repeating: 0, count: queries * dimension)
            for q in 0..<queries {
                let source = (q * 7919) % count
                for j in 0..<dimension { query[q * dimension + j] = vectors[source * dimension + j] + 0.05 * next() }
            }
            let ids = (0..<count).map(Int64.init)
            let started = Date()
            let index = try FloatVectorIndex(dimension: dimension, kind: kind)
            var trainSeconds = 0.0
            if !index.isTrained {
                // An evenly spaced sample, as `vitrine embed` trains.
                let size = kind.trainingSampleSize(forCount: count)
                let step = max(1, count / max(1, size))
                var sample = [Float]()
                sample.reserveCapacity(size * dimension)
                for i in stride(from: 0, to: count, by: step).prefix(size) { sample += vectors[(i * dimension)..<((i + 1) * dimension)] }
                try index.train(sample, threads: threads)
                trainSeconds = Date().timeIntervalSince(started)
            }
            for start in stride(from: 0, to: count, by: 65_536) {
                let end = min(count, start + 65_536)
                try index.add(Array(vectors[(start * dimension)..<(end * dimension)]), ids: Array(ids[start..<end]), threads: threads)
            }
            let build = Date().timeIntervalSince(started)
            // What the index takes (its file: codes, ids, lists, quantisers), per vector.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-knn-\(UUID().uuidString).faiss")
            try index.write(to: file.path)
            let indexBytes = ((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber) ?? nil)?.intValue ?? 0
            try? FileManager.default.removeItem(at: file)
            // What does not grow with the count: the coarse centroids and the PQ codebooks (float32).
            let fixed: Int = {
                switch kind {
                case .ivf(let lists, _): return lists * dimension * 4
                case .ivfpq(let lists, _, _): return min(indexBytes, lists * dimension * 4 + 256 * dimension * 4)
                default: return 0
                }
            }()
            var single = 0.0
            for q in 0..<min(queries, 50) {
                let t = Date()
                _ = try index.search(Array(query[(q * dimension)..<((q + 1) * dimension)]), k: 10, threads: threads)
                single += Date().timeIntervalSince(t)
            }
            single /= Double(min(queries, 50))
            let t = Date()
            let found = try index.search(query, k: 10, threads: threads)
            let batched = Double(queries) / Date().timeIntervalSince(t)
            var recall = 1.0
            var reranked: (recall: Double, milliseconds: Double, scoreErrorP99: Double)?
            if kind != .flat {
                let exact = try FloatVectorIndex(dimension: dimension, kind: .flat)
                try exact.add(vectors, ids: ids, threads: threads)
                let truth = try exact.search(query, k: 10, threads: threads)
                func recallOf(_ found: [[Neighbour]]) -> Double {
                    var hit = 0
                    for (a, b) in zip(found, truth) { hit += Set(a.map(\.id)).intersection(b.map(\.id)).count }
                    return Double(hit) / Double(queries * 10)
                }
                recall = recallOf(found)
                if let candidates = kind.rerankCandidates(k: 10).map({ rerank ?? $0 }) {
                    // As `vitrine similar` answers: the candidates re-ranked by their exact vectors.
                    func vector(_ id: Int64) -> [Float] { Array(vectors[(Int(id) * dimension)..<((Int(id) + 1) * dimension)]) }
                    let t = Date()
                    var answers: [[Neighbour]] = []
                    for q in 0..<queries {
                        let one = Array(query[(q * dimension)..<((q + 1) * dimension)])
                        let hits = try index.search(one, k: candidates, threads: threads)[0]
                        answers.append(try ExactRerank.rerank(query: one, candidates: hits, vectors: Dictionary(hits.map { ($0.id, vector($0.id)) }, uniquingKeysWith: { a, _ in a }), k: 10))
                    }
                    let ms = Date().timeIntervalSince(t) * 1000 / Double(max(1, queries))
                    // The codes' score error on the approximate top 10 (what the duplicate finder's margin covers).
                    var errors: [Double] = []
                    for (q, hits) in found.enumerated() {
                        let exactScores = try ExactRerank.rerank(query: Array(query[(q * dimension)..<((q + 1) * dimension)]), candidates: hits,
                                                                 vectors: Dictionary(hits.map { ($0.id, vector($0.id)) }, uniquingKeysWith: { a, _ in a }), k: hits.count)
                        let byID = Dictionary(exactScores.map { ($0.id, $0.score) }, uniquingKeysWith: { a, _ in a })
                        for hit in hits { if let e = byID[hit.id] { errors.append(Double(abs(e - hit.score))) } }
                    }
                    errors.sort()
                    let p99 = errors.isEmpty ? 0 : errors[min(errors.count - 1, Int(Double(errors.count) * 0.99))]
                    reranked = (recallOf(answers), ms, p99)
                }
            }
            let result = Result(count: count, dimension: dimension, kind: kind.description,
                                vectors: base.isEmpty ? "random" : "real-like (\(base.count) embeddings + noise \(noise))", buildSeconds: build,
                                singleQueryMilliseconds: single * 1000, batchedQueriesPerSecond: batched, recallAt10: recall,
                                peakRSSBytes: peakRSS(), threads: threads, trainSeconds: trainSeconds, indexBytes: indexBytes,
                                bytesPerVector: Double(indexBytes - fixed) / Double(max(1, count)),
                                projectedBytesAt5e7: Double(fixed) + Double(indexBytes - fixed) / Double(max(1, count)) * 5e7,
                                rerankedRecallAt10: reranked?.recall, rerankedQueryMilliseconds: reranked?.milliseconds,
                                scoreErrorP99: reranked?.scoreErrorP99,
                                rerankCandidates: reranked == nil ? nil : kind.rerankCandidates(k: 10).map { rerank ?? $0 })
            if json { try printJSON(result) } else {
                print(String(format: "%@ %@ %d × %d: build %.2f s (train %.2f s), single query %.2f ms, batched %.0f queries/s, recall@10 %.3f, peak RSS %.0f MB",
                             kind.description, result.vectors, count, dimension, build, trainSeconds, single * 1000, batched, recall, Double(result.peakRSSBytes) / 1e6))
                print(String(format: "index %.1f MB = quantisers + %.1f bytes/vector; at 5·10^7 vectors: %.2f GB",
                             Double(indexBytes) / 1e6, result.bytesPerVector, result.projectedBytesAt5e7 / 1e9))
                if let reranked, let candidates = kind.rerankCandidates(k: 10).map({ rerank ?? $0 }) {
                    print(String(format: "re-ranked (%d candidates, exact vectors): recall@10 %.3f, %.2f ms/query; approximate cosine error p99 %.4f",
                                 candidates, reranked.recall, reranked.milliseconds, reranked.scoreErrorP99))
                }
            }
        }
    }
}

struct QualityBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embedding-quality",
        abstract: "Leave-one-out k-NN category accuracy (near-duplicate group members excluded) and the silhouette of the categories.")

    @Option(name: .long, help: "Store with embeddings of the corpus.")
    var store: String

    @Option(name: .long, help: "Labels CSV (path,category; paths relative to the CSV).")
    var labels: String

    @Option(name: .long, help: "Near-duplicate groups CSV (group_id,path; paths relative to the CSV).")
    var groups: String

    @Option(name: .long, help: "Neighbours that vote.")
    var k: Int = 5

    @Option(name: .long, help: "Model registry name.")
    var model: String = ModelRegistry.efficientNetLite0.name

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    struct Result: Codable {
        var items: Int
        var categories: Int
        var k: Int
        var leaveOneOutAccuracy: Double
        var categorySilhouette: Double
    }

    func run() async throws {
        try await failing {
            let catalog = try Catalog(store: URL(fileURLWithPath: store), mustExist: true)
            func table(_ path: String, _ column: String) throws -> [String: String] {
                let url = URL(fileURLWithPath: path)
                let t = try CSVTable(text: try String(contentsOf: url, encoding: .utf8))
                guard let p = t.column("path"), let c = t.column(column) else { throw ValidationError("\(path) needs path and \(column)") }
                var out: [String: String] = [:]
                for row in t.rows { out[url.deletingLastPathComponent().appendingPathComponent(row[p]).standardizedFileURL.path] = row[c] }
                return out
            }
            let category = try table(labels, "category")
            let group = try table(groups, "group_id")
            let paths = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { i in i.id.map { ($0, URL(fileURLWithPath: i.sourcePath).standardizedFileURL.path) } })
            let records = try catalog.embeddings(model: model).filter { paths[$0.itemID].flatMap { category[$0] } != nil }
            let d = records.first?.dimension ?? 0
            let vectors = records.flatMap(\.floats)
            let cats = records.map { category[paths[$0.itemID] ?? ""] ?? "" }
            let grps = records.map { group[paths[$0.itemID] ?? ""] }
            let index = try FloatVectorIndex(dimension: d, kind: .flat)
            try index.add(vectors, ids: (0..<records.count).map(Int64.init))
            let found = try index.search(vectors, k: min(records.count, k + 30))
            var correct = 0
            for (i, hits) in found.enumerated() {
                let voters = hits.filter { $0.id != Int64(i) && (grps[i] == nil || grps[Int($0.id)] != grps[i]) }.prefix(k)
                var votes: [String: Float] = [:]
                for v in voters { votes[cats[Int(v.id)], default: 0] += 1 + v.score * 1e-3 }
                if votes.max(by: { $0.value < $1.value })?.key == cats[i] { correct += 1 }
            }
            let names = Array(Set(cats)).sorted()
            let labelsIndex = cats.map { names.firstIndex(of: $0) ?? 0 }
            let silhouette = try Silhouette.compute(vectors, dimension: d, labels: labelsIndex)
            let result = Result(items: records.count, categories: names.count, k: k,
                                leaveOneOutAccuracy: Double(correct) / Double(max(1, records.count)), categorySilhouette: Double(silhouette.overall))
            if json { try printJSON(result) } else {
                print(String(format: "%d items, %d categories: leave-one-out %d-NN accuracy %.3f (group members excluded); silhouette of the categories %.3f",
                             result.items, result.categories, k, result.leaveOneOutAccuracy, result.categorySilhouette))
            }
        }
    }
}
