import Catalog
import Curation
import Foundation
import Testing
import VectorIndex

/// IVF-PQ codes only approximate cosines (p99 error ≈ 0.1–0.2 on 1280-d vectors): `vitrine similar`,
/// the similar lists and the embedding pair finder re-rank the index's candidates with the
/// vectors stored in the catalog, so they report exact cosines and find what brute force finds.
@Suite("IVF-PQ re-ranking")
struct RerankTests {
    @Test func ivfpqAnswersAreReRankedWithTheStoredVectors() throws {
        let store = try TemporaryFolder("vitrine-store")
        let catalog = try Catalog(store: store.url)
        let (d, n) = (64, 1200)
        var state: UInt64 = 0x5EED
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Double(state >> 11) / Double(1 << 53)) * 2 - 1
        }
        func normalised(_ v: [Float]) -> [Float] {
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / norm }
        }
        func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        // Every tenth vector has a near copy right after it (cosine ≈ 0.999); the rest are random.
        var vectors: [[Float]] = []
        for i in 0..<n {
            vectors.append(normalised(i % 10 == 1 ? vectors[i - 1].map { $0 + 0.01 * next() } : (0..<d).map { _ in next() }))
        }
        let ids = try catalog.save((0..<n).map {
            Catalog.IngestedItem(item: ItemRecord(sourceKind: "file", sourcePath: "/x/\($0).png", status: "ok"), hashes: nil, quality: nil)
        })
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let model = EmbeddingDuplicates.defaultModel
        let run = try catalog.startRun(kind: "embed", toolVersion: "test", config: [:])
        try catalog.saveEmbeddings(zip(ids, vectors).map { EmbeddingRecord(itemID: $0, model: model, modelSHA256: "s", vector: $1, errorMessage: nil, runID: run) })
        let kind = FloatIndexKind.ivfpq(lists: 4, m: 8, probes: 4)
        let search = try SimilaritySearch(catalog: catalog, model: model, kind: kind)
        #expect(search.meta.kind == kind)

        var hits = 0, asked = 0
        for q in stride(from: 0, to: n, by: 37) {
            let found = try search.neighbours(of: vectors[q], k: 5, excluding: ids[q])
            #expect(found.count == 5)
            for f in found {
                let exact = dot(vectors[try #require(position[f.itemID])], vectors[q])
                #expect(abs(f.cosine - exact) < 1e-5, "item \(f.itemID): \(f.cosine) reported, \(exact) exact")
            }
            #expect(found.map(\.cosine) == found.map(\.cosine).sorted(by: >))
            let scores = vectors.map { dot($0, vectors[q]) }
            let truth = (0..<n).filter { $0 != q }.sorted { scores[$0] > scores[$1] }.prefix(5).map { ids[$0] }
            hits += Set(found.map(\.itemID)).intersection(truth).count
            asked += 5
            if q % 10 == 0 { #expect(found.first?.itemID == ids[q + 1], "the near copy of \(q) comes first") }
        }
        #expect(Double(hits) / Double(asked) >= 0.9, "recall@5 after re-ranking: \(hits)/\(asked)")

        // Pairs at cosine ≥ 0.95: exactly the near copies, with exact cosines.
        let pairs = try EmbeddingDuplicates.pairs(search: search, threshold: 0.95)
        let expected = Set(stride(from: 0, to: n, by: 10).map { [ids[$0], ids[$0 + 1]].sorted() })
        #expect(Set(pairs.map { [$0.a, $0.b] }) == expected)
        #expect(pairs.count == expected.count, "each pair once")
        for p in pairs {
            let exact = dot(vectors[try #require(position[p.a])], vectors[try #require(position[p.b])])
            #expect(abs(p.cosine - exact) < 1e-5)
        }
    }

    @Test func rerankKeepsTheBestAndSkipsUnknownIDs() throws {
        let query: [Float] = [1, 0]
        let candidates = [Neighbour(id: 1, score: 0.9), Neighbour(id: 2, score: 0.8), Neighbour(id: 3, score: 0.7), Neighbour(id: 2, score: 0.8)]
        let vectors: [Int64: [Float]] = [1: [0, 1], 2: [0.6, 0.8]]
        let out = try ExactRerank.rerank(query: query, candidates: candidates, vectors: vectors, k: 5)
        #expect(out == [Neighbour(id: 2, score: 0.6), Neighbour(id: 1, score: 0)])
        #expect(throws: VectorIndexError.self) { try ExactRerank.rerank(query: [1, 0, 0], candidates: candidates, vectors: vectors, k: 1) }
        #expect(FloatIndexKind.flat.rerankCandidates(k: 10) == nil)
        #expect(FloatIndexKind.ivfpq(lists: 8, m: 8, probes: 2).rerankCandidates(k: 5) == 100)
        #expect(FloatIndexKind.ivfpq(lists: 8, m: 8, probes: 2).rerankCandidates(k: 20) == 200)
    }
}
