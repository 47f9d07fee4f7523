import Catalog
import Foundation
import Reports
import Imaging
import Inference
import VectorIndex
import VitrineCore

/// One neighbour of a query: an item and its cosine similarity in [−1, 1].
public struct SimilarItem: Codable, Sendable, Equatable {
    public var itemID: Int64
    public var path: String
    public var cosine: Float
}

/// The answer of `vitrine similar`.
public struct SimilarAnswer: Codable, Sendable {
    public var query: String
    public var model: String
    public var index: String
    public var indexCount: Int
    public var milliseconds: Double
    public var neighbours: [SimilarItem]
}

/// Similar-image search over a store's embedding index.
public final class SimilaritySearch: Sendable {
    public let catalog: Catalog
    public let model: ModelDescriptor
    public let index: FloatVectorIndex
    public let meta: EmbeddingIndexFile
    private let paths: [Int64: String]

    /// Opens (and incrementally updates) the index of `model`.
    public init(catalog: Catalog, model: String, kind: FloatIndexKind? = nil) throws {
        self.catalog = catalog
        self.model = try ModelRegistry.descriptor(named: model)
        (index, meta) = try EmbeddingIndex.open(catalog: catalog, model: model, kind: kind)
        var paths: [Int64: String] = [:]
        for item in try catalog.items() { if let id = item.id { paths[id] = item.sourcePath } }
        self.paths = paths
    }

    /// The stored vector of an item.
    public func vector(itemID: Int64) throws -> [Float] {
        guard let record = try catalog.embeddings(model: model.name).first(where: { $0.itemID == itemID }) else {
            throw CoreError(.invalidInput, "item \(itemID) has no \(model.name) embedding in \(catalog.store.path)")
        }
        return record.floats
    }

    /// The k nearest items of a vector, excluding `excluding`, by cosine similarity. With an IVF-PQ
    /// index (approximate scores) the `FloatIndexKind.rerankCandidates(k:)` best candidates are
    /// re-ranked by the exact cosine of their vectors read from the catalog, so the cosines
    /// returned are exact whatever the index.
    public func neighbours(of vector: [Float], k: Int, excluding: Int64? = nil) throws -> [SimilarItem] {
        let wanted = k + (excluding == nil ? 0 : 1)
        let candidates = meta.kind.rerankCandidates(k: wanted)
        var hits = try index.search(vector, k: candidates ?? wanted)[0]
        if candidates != nil {
            let records = try catalog.embeddings(model: model.name, itemIDs: hits.map(\.id))
            let vectors = Dictionary(records.map { ($0.itemID, $0.floats) }, uniquingKeysWith: { a, _ in a })
            hits = try ExactRerank.rerank(query: vector, candidates: hits, vectors: vectors, k: wanted)
        }
        return hits.filter { $0.id != excluding }.prefix(k).map {
            SimilarItem(itemID: $0.id, path: paths[$0.id] ?? "?", cosine: $0.score)
        }
    }

    /// Answers a query given as an item id or an image file (embedded on the fly).
    public func query(_ query: String, k: Int, embedder: () throws -> Embedder) throws -> SimilarAnswer {
        var vector: [Float]
        var excluded: Int64?
        if let id = Int64(query), !FileManager.default.fileExists(atPath: query) {
            vector = try self.vector(itemID: id)
            excluded = id
        } else {
            vector = try embedder().embed(file: query).vector
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let found = try neighbours(of: vector, k: k, excluding: excluded)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        return SimilarAnswer(query: query, model: model.name, index: meta.kind.description, indexCount: index.count,
                             milliseconds: ms, neighbours: found)
    }
}

/// One file's answer to "is this already in the collection?".
public struct LookupAnswer: Codable, Sendable {
    public struct Match: Codable, Sendable, Equatable {
        public var itemID: Int64
        public var path: String
        /// `exact_bytes`, `identical_pixels`, `phash` (Hamming bits in `distance`), `embedding`
        /// (cosine in `cosine`).
        public var method: String
        public var distance: Int?
        public var cosine: Float?
    }
    public var file: String
    public var sha256: String?
    public var error: String?
    /// True when an exact, pixel, pHash (≤ threshold) or embedding (≥ cosine threshold) match exists.
    public var found: Bool
    public var matches: [Match]
    public var milliseconds: Double
}

public enum Lookup {
    /// Checks files against a store: same SHA-256, same decoded pixels, pHash within
    /// `DuplicateDefaults.threshold(for: .phash)` bits, nearest embeddings with cosine ≥
    /// `EmbeddingDuplicates.defaultCosine` (the top 3 shown whatever their cosine).
    public static func run(catalog: Catalog, files: [String], search: SimilaritySearch?, embedder: Embedder?) throws -> [LookupAnswer] {
        let items = try catalog.items()
        let byID = Dictionary(uniqueKeysWithValues: items.compactMap { i in i.id.map { ($0, i) } })
        let hashes = try catalog.hashes()
        let phashThreshold = DuplicateDefaults.threshold(for: .phash)
        return files.map { file in
            let started = DispatchTime.now().uptimeNanoseconds
            var answer = LookupAnswer(file: file, sha256: nil, error: nil, found: false, matches: [], milliseconds: 0)
            do {
                let data = try ImageDecoder.read(file)
                let analysis = ImageAnalyzer.analyze(data, name: file)
                answer.sha256 = analysis.sha256
                for item in items where item.sha256 == analysis.sha256 {
                    answer.matches.append(.init(itemID: item.id ?? 0, path: item.sourcePath, method: "exact_bytes", distance: 0, cosine: nil))
                }
                if let pixels = analysis.pixelSHA256 {
                    for item in items where item.pixelSHA256 == pixels && item.sha256 != analysis.sha256 {
                        answer.matches.append(.init(itemID: item.id ?? 0, path: item.sourcePath, method: "identical_pixels", distance: 0, cosine: nil))
                    }
                }
                if let error = analysis.error { throw error }
                if let p = analysis.hashes?.values[.phash] {
                    let near = hashes.map { ($0.itemID, (UInt64(bitPattern: $0.phash) ^ p).nonzeroBitCount) }
                        .filter { $0.1 <= phashThreshold }.sorted { $0.1 < $1.1 }.prefix(10)
                    for (id, d) in near {
                        answer.matches.append(.init(itemID: id, path: byID[id]?.sourcePath ?? "?", method: "phash", distance: d, cosine: nil))
                    }
                }
                if let search, let embedder {
                    let vector = try embedder.embed(file: file).vector
                    for hit in try search.neighbours(of: vector, k: 3) {
                        answer.matches.append(.init(itemID: hit.itemID, path: hit.path, method: "embedding", distance: nil, cosine: hit.cosine))
                    }
                }
                answer.found = answer.matches.contains { $0.method != "embedding" || ($0.cosine ?? 0) >= EmbeddingDuplicates.defaultCosine }
            } catch {
                answer.error = "\(error)"
            }
            answer.milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            return answer
        }
    }
}

/// Why an embedding duplicate evaluation cannot run.
public enum EmbeddingDuplicatesError: Error, CustomStringConvertible {
    /// The catalog holds no vector for the model (run `vitrine embed --model NAME` first).
    case noEmbeddings(model: String)

    public var description: String {
        switch self {
        case .noEmbeddings(let model): return "no item has an embedding for \(model); run `vitrine embed --model \(model)` first"
        }
    }
}

/// Near duplicates by embedding: pairs with cosine similarity ≥ a threshold, found by FAISS range
/// search over the store's index.
public enum EmbeddingDuplicates {
    /// Default cosine threshold: the loosest threshold whose pair precision on the shared corpus's
    /// near-duplicate groups (456 pairs, 467 items) is ≥ 0.90 — a review list in which at most one
    /// pair in ten is wrong (hash thresholds, which propose keepers, use ≥ 0.99). Measured:
    /// `efficientnet-lite0-copy` 0.80 (precision 0.906, recall 0.678), `efficientnet-lite0` 0.79
    /// (at 0.80: precision 0.922, recall 0.621); see README.
    public static let defaultCosine: Float = 0.80

    /// The embedding model `vitrine duplicates --method embedding` uses unless told otherwise: the
    /// copy-detection descriptor (luma + mirror, see `ModelRegistry.efficientNetLite0Copy`).
    public static let defaultModel = "efficientnet-lite0-copy"

    /// Cosine thresholds are evaluated in steps of 0.01: "distance" t means cosine ≥ 1 − t/100.
    /// The tolerance (10⁻⁴ of a step's 10⁻²) absorbs Float rounding, so that `Float(0.78)` =
    /// 0.77999997 falls in the 0.78 step, not 0.77.
    public static func bucket(_ cosine: Float) -> Int { max(0, Int(((1 - Double(cosine)) * 100 - 1e-4).rounded(.up))) }

    public struct Pair: Codable, Sendable, Equatable {
        public var a: Int64
        public var b: Int64
        public var cosine: Float
    }

    /// Items flagged `blank` (near-uniform): as in the hash finder, they are matched only
    /// exactly (CASES.md C20) — a flat white and a flat dark page embed alike (cosine ≈ 0.9 with
    /// the luma-based copy descriptor), so embeddings would group unrelated blank pages.
    public static func blankItemIDs(_ catalog: Catalog) throws -> Set<Int64> {
        Set(try catalog.quality().filter { $0.flagList.contains(QualityFlag.blank.rawValue) }.map(\.itemID))
    }

    /// Neighbours per item the IVF-PQ pair search keeps after exact re-ranking: its codes' score
    /// error (p99 0.21 on real-like 1280-d vectors, `vitrine bench knn`) makes a range search at
    /// the threshold miss pairs, so each item's `rerankCandidates(k: 32)` nearest candidates are
    /// checked against the stored vectors instead; an item with more near copies than this keeps
    /// its 32 nearest (the others still join its group through them).
    static let pqNeighbours = 32

    /// Every pair of non-blank items with cosine ≥ `threshold` (each pair once, a < b); cosines
    /// are exact whatever the index (IVF-PQ candidates are checked against the stored vectors).
    public static func pairs(search: SimilaritySearch, threshold: Float) throws -> [Pair] {
        let blank = try blankItemIDs(search.catalog)
        let records = try search.catalog.embeddings(model: search.model.name).filter { !blank.contains($0.itemID) }
        let position = Dictionary(records.enumerated().map { ($1.itemID, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [Pair] = []
        for start in stride(from: 0, to: records.count, by: 1024) {
            let chunk = Array(records[start..<min(start + 1024, records.count)])
            let found: [[Neighbour]]
            let symmetric = search.meta.kind.rerankCandidates(k: pqNeighbours) == nil  // a range search finds each pair from both ends
            if let candidates = search.meta.kind.rerankCandidates(k: pqNeighbours) {
                // IVF-PQ (approximate scores): nearest candidates, exact cosines from the stored vectors.
                found = try search.index.search(chunk.flatMap(\.floats), k: candidates).enumerated().map { row, hits in
                    let vectors = Dictionary(hits.compactMap { h in position[h.id].map { (h.id, records[$0].floats) } }, uniquingKeysWith: { a, _ in a })
                    return try ExactRerank.rerank(query: chunk[row].floats, candidates: hits, vectors: vectors, k: pqNeighbours)
                }
            } else {
                // FAISS returns scores strictly above the radius; step just below the threshold.
                found = try search.index.rangeSearch(chunk.flatMap(\.floats), threshold: threshold.nextDown)
            }
            for (row, hits) in found.enumerated() {
                let a = chunk[row].itemID
                for hit in hits where (symmetric ? hit.id > a : hit.id != a) && hit.score >= threshold && !blank.contains(hit.id) {
                    out.append(Pair(a: min(a, hit.id), b: max(a, hit.id), cosine: hit.score))
                }
            }
        }
        // A pair found from both ends (kNN lists are not symmetric) is kept once.
        var seen = Set<[Int64]>()
        out = out.filter { seen.insert([$0.a, $0.b]).inserted }
        return out.sorted { $0.cosine != $1.cosine ? $0.cosine > $1.cosine : ($0.a, $0.b) < ($1.a, $1.b) }
    }

    /// Connected components of the pairs (items linked by a chain of near pairs), largest first.
    public static func groups(_ pairs: [Pair]) -> [[Int64]] {
        var parent: [Int64: Int64] = [:]
        func find(_ x: Int64) -> Int64 {
            var x = x
            while let p = parent[x], p != x { x = p }
            return x
        }
        for pair in pairs {
            if parent[pair.a] == nil { parent[pair.a] = pair.a }
            if parent[pair.b] == nil { parent[pair.b] = pair.b }
            let ra = find(pair.a), rb = find(pair.b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        var members: [Int64: [Int64]] = [:]
        for id in parent.keys { members[find(id), default: []].append(id) }
        return members.values.map { $0.sorted() }.sorted { $0.count != $1.count ? $0.count > $1.count : $0[0] < $1[0] }
    }

    /// Evaluates embedding near duplicates against ground-truth groups: pair precision/recall/F1
    /// for cosine thresholds 1.00, 0.99, … 0.36 (rows' `threshold` t = cosine ≥ 1 − t/100) and
    /// recall per relation at `cosine` (nil: `defaultCosine`, the threshold a run without
    /// `--evaluate` uses, so the figures describe what users get). Exact copies (same bytes or
    /// pixels) count as cosine 1; blank items match only exactly, as in ``pairs(search:threshold:)``.
    /// - Throws: `EmbeddingDuplicatesError.noEmbeddings` when no item has a vector for `model`.
    public static func evaluate(catalog: Catalog, model: String, csv: URL, cosine: Float?) throws -> DuplicateEvaluation {
        let candidates = try DuplicateFinder.candidates(from: catalog, algorithm: .phash)
        let truth = try DuplicateEvaluator.readGroundTruth(csv: csv, candidates: candidates, items: try catalog.items())
        let vectors = Dictionary(uniqueKeysWithValues: try catalog.embeddings(model: model).map { ($0.itemID, $0.floats) })
        guard !vectors.isEmpty else { throw EmbeddingDuplicatesError.noEmbeddings(model: model) }
        let rows = candidates.map { vectors[$0.id] }
        let distance: (Int, Int) -> Int? = { i, j in
            let a = candidates[i], b = candidates[j]
            if a.sha256 == b.sha256 { return 0 }
            if let p = a.pixelSHA256, p == b.pixelSHA256 { return 0 }
            if a.blank || b.blank { return nil }
            guard let u = rows[i], let v = rows[j] else { return nil }
            var dot: Float = 0
            for k in 0..<min(u.count, v.count) { dot += u[k] * v[k] }
            return bucket(dot)
        }
        let at = bucket(cosine ?? defaultCosine)
        return DuplicateEvaluator.evaluate(count: candidates.count, truth: truth, maxThreshold: 64, atThreshold: at,
                                           algorithm: "embedding:\(model)", invariant: false, distance: distance)
    }
}

/// The similar-item lists of a whole store (each item's nearest neighbours), as an HTML page.
public enum SimilarLists {
    /// Writes `reports/similar/index.html` with the `k` nearest neighbours of every item (batched
    /// FAISS search). - Returns: the page's path.
    public static func write(search: SimilaritySearch, k: Int = 5) throws -> String {
        let catalog = search.catalog
        let records = try catalog.embeddings(model: search.model.name)
        let position = Dictionary(records.enumerated().map { ($1.itemID, $0) }, uniquingKeysWith: { a, _ in a })
        func vectors(_ ids: [Int64]) -> [Int64: [Float]] {
            Dictionary(ids.compactMap { id in position[id].map { (id, records[$0].floats) } }, uniquingKeysWith: { a, _ in a })
        }
        let items = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { i in i.id.map { ($0, i) } })
        let folder = catalog.store.appendingPathComponent("reports/similar")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var html = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Similar items — Vitrine</title>"
        html += "<style>body{font-family:system-ui,sans-serif;margin:2em}.row{display:flex;gap:8px;align-items:center;margin:6px 0;border-bottom:1px solid #eee}.row img{width:72px;height:72px;object-fit:cover}.q{border:3px solid #4e79a7}figure{margin:0;font-size:11px;text-align:center}</style>"
        html += "<h1>Similar items (\(HTMLText.escape(search.model.name)), cosine similarity)</h1><p>\(records.count) items, \(k) nearest each, \(HTMLText.escape(search.meta.kind.description)) index. <a href=\"../clusters/index.html\">clusters</a> · <a href=\"../map/index.html\">map</a></p>"
        func image(_ id: Int64, _ caption: String, query: Bool) -> String {
            let item = items[id]
            let name = HTMLText.escape(URL(fileURLWithPath: item?.sourcePath ?? "?").lastPathComponent)
            let src = item?.thumbnailPath.map { "../../\(HTMLText.escape($0))" } ?? ""
            return "<figure><img src=\"\(src)\" title=\"\(name)\" alt=\"\(name)\"\(query ? " class=\"q\"" : "")><figcaption>\(caption)</figcaption></figure>"
        }
        for start in stride(from: 0, to: records.count, by: 256) {
            let chunk = Array(records[start..<min(start + 256, records.count)])
            let rerank = search.meta.kind.rerankCandidates(k: k + 1)
            var found = try search.index.search(chunk.flatMap(\.floats), k: rerank ?? k + 1)
            if rerank != nil {  // IVF-PQ: exact cosines of the candidates (see SimilaritySearch.neighbours)
                found = try found.enumerated().map { row, hits in
                    try ExactRerank.rerank(query: chunk[row].floats, candidates: hits, vectors: vectors(hits.map(\.id)), k: k + 1)
                }
            }
            for (row, hits) in found.enumerated() {
                let id = chunk[row].itemID
                html += "<div class=\"row\" id=\"item\(id)\">" + image(id, "item \(id)", query: true)
                for hit in hits.filter({ $0.id != id }).prefix(k) { html += image(hit.id, String(format: "%.3f", hit.score), query: false) }
                html += "</div>"
            }
        }
        let page = folder.appendingPathComponent("index.html")
        try Data((html + "</html>\n").utf8).write(to: page)
        return page.path
    }
}
