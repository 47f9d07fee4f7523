import VitrineCore
import Foundation
import Testing

@testable import VectorIndex

private func randomUnitVectors(_ n: Int, _ d: Int, seed: UInt64) -> [Float] {
    var generator = SplitMix64(seed: seed)
    var out = [Float](repeating: 0, count: n * d)
    for i in 0..<n {
        var norm: Float = 0
        for j in 0..<d {
            let v = Float(Double(generator.next() % 2_000_001) / 1_000_000 - 1)
            out[i * d + j] = v
            norm += v * v
        }
        for j in 0..<d { out[i * d + j] /= norm.squareRoot() }
    }
    return out
}

/// Unit vectors around `centres` directions (blob c's items = centre + small noise).
private func blobs(centres: [[Float]], perBlob: Int, noise: Float, seed: UInt64) -> (vectors: [Float], labels: [Int]) {
    var generator = SplitMix64(seed: seed)
    var vectors: [Float] = []
    var labels: [Int] = []
    for (c, centre) in centres.enumerated() {
        for _ in 0..<perBlob {
            var v = centre.map { $0 + noise * Float(Double(generator.next() % 2_000_001) / 1_000_000 - 1) }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = v.map { $0 / norm }
            vectors += v
            labels.append(c)
        }
    }
    return (vectors, labels)
}

@Suite struct FloatIndexTests {
    @Test func flatSearchFindsTheVectorItselfFirstWithTheCallersIds() throws {
        let d = 16
        let vectors = randomUnitVectors(200, d, seed: 1)
        let index = try FloatVectorIndex(dimension: d, kind: .flat)
        try index.add(vectors, ids: (0..<200).map { Int64(1000 + $0 * 3) })
        let results = try index.search(Array(vectors[(5 * d)..<(6 * d)]), k: 3)
        #expect(results[0].first?.id == 1015)
        #expect(abs((results[0].first?.score ?? 0) - 1) < 1e-5)
        #expect(results[0].count == 3)
    }

    @Test func vectorAddedAfterTheIndexWasWrittenIsFoundWithoutARebuild() throws {
        let d = 8
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-float-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("index.faiss").path
        let first = randomUnitVectors(50, d, seed: 2)
        let index = try FloatVectorIndex(dimension: d, kind: .flat)
        try index.add(first, ids: (0..<50).map(Int64.init))
        try index.write(to: path)
        let reread = try FloatVectorIndex(contentsOf: path)
        #expect(reread.count == 50)
        let newcomer = randomUnitVectors(1, d, seed: 99)
        try reread.add(newcomer, ids: [777])
        #expect(reread.count == 51)
        #expect(try reread.search(newcomer, k: 1)[0].first?.id == 777)
    }

    @Test func flatAndHNSWGiveTheSameNeighboursOnASmallSet() throws {
        let d = 12
        let vectors = randomUnitVectors(300, d, seed: 3)
        let ids = (0..<300).map(Int64.init)
        let flat = try FloatVectorIndex(dimension: d, kind: .flat)
        let hnsw = try FloatVectorIndex(dimension: d, kind: .hnsw(m: 16, efSearch: 300))
        try flat.add(vectors, ids: ids)
        try hnsw.add(vectors, ids: ids)
        let queries = Array(vectors[0..<(20 * d)])
        let a = try flat.search(queries, k: 5)
        let b = try hnsw.search(queries, k: 5)
        #expect(a.map { $0.map(\.id) } == b.map { $0.map(\.id) })
    }

    @Test func ivfNeedsTrainingThenSearchesWithTheCallersIds() throws {
        let d = 8
        let vectors = randomUnitVectors(2000, d, seed: 4)
        let index = try FloatVectorIndex(dimension: d, kind: .ivf(lists: 16, probes: 16))
        #expect(!index.isTrained)
        try index.train(vectors)
        try index.add(vectors, ids: (0..<2000).map { Int64($0) + 10 })
        #expect(try index.search(Array(vectors[0..<d]), k: 1)[0].first?.id == 10)
    }

    @Test func rangeSearchReturnsEveryVectorAboveTheThreshold() throws {
        let d = 4
        let vectors: [Float] = [1, 0, 0, 0, 0.8, 0.6, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0]
        let index = try FloatVectorIndex(dimension: d, kind: .flat)
        try index.add(vectors, ids: [1, 2, 3, 4])
        let found = try index.rangeSearch([1, 0, 0, 0], threshold: 0.5)
        #expect(found[0].map(\.id) == [1, 2])
    }

    @Test func indexKindIsChosenBySize() {
        #expect(FloatIndexKind.chosen(forCount: 1000) == .flat)
        #expect(FloatIndexKind.chosen(forCount: 200_000) == .flat)
        if case .ivf = FloatIndexKind.chosen(forCount: 1_000_000) {} else { Issue.record("10^6 should be IVF") }
        #expect(FloatIndexKind(parsing: "hnsw:32:64") == .hnsw(m: 32, efSearch: 64))
        #expect(FloatIndexKind(parsing: "bogus") == nil)
        // Above 2·10^6 vectors full vectors no longer fit a laptop: IVF-PQ, 64 codes for 1280-d.
        #expect(FloatIndexKind.chosen(forCount: 50_000_000) == .ivfpq(lists: 28_284, m: 64, probes: 32))
        if case .ivfpq(_, let m, _) = FloatIndexKind.chosen(forCount: 3_000_000, dimension: 1000) { #expect(1000 % m == 0 && m == 50) } else {
            Issue.record("3·10^6 should be IVF-PQ")
        }
        #expect(FloatIndexKind(parsing: "ivfpq:4096:64:16") == .ivfpq(lists: 4096, m: 64, probes: 16))
        #expect(FloatIndexKind(parsing: "ivfpq") == .ivfpq(lists: 1024, m: 64, probes: 32))
        #expect(FloatIndexKind.ivfpq(lists: 28_284, m: 64, probes: 32).trainingSampleSize(forCount: 50_000_000) == 1_000_000)
        #expect(FloatIndexKind.ivf(lists: 1024, probes: 32).trainingSampleSize(forCount: 50_000) == 50_000)
        #expect(FloatIndexKind.flat.trainingSampleSize(forCount: 50_000) == 0)
    }

    /// IVF-PQ on clustered vectors: the query's own vector is found first, recall@10 against
    /// exact search is high, and the index survives a write and read with its kind's parameters.
    @Test func ivfpqFindsNeighboursFromCompressedCodes() throws {
        let d = 64
        var generator = SplitMix64(seed: 11)
        let centres: [[Float]] = (0..<20).map { _ in (0..<d).map { _ in Float(Double(generator.next() % 2_000_001) / 1_000_000 - 1) } }
        let (vectors, _) = blobs(centres: centres, perBlob: 200, noise: 0.6, seed: 12)
        let n = vectors.count / d
        let kind = FloatIndexKind.ivfpq(lists: 16, m: 16, probes: 8)
        let index = try FloatVectorIndex(dimension: d, kind: kind)
        #expect(!index.isTrained)
        try index.train(vectors)
        try index.add(vectors, ids: (0..<n).map { Int64($0 + 1000) })
        let exact = try FloatVectorIndex(dimension: d, kind: .flat)
        try exact.add(vectors, ids: (0..<n).map { Int64($0 + 1000) })
        let queries = Array(vectors.prefix(50 * d))
        let found = try index.search(queries, k: 10), truth = try exact.search(queries, k: 10)
        var hits = 0
        for (a, b) in zip(found, truth) { hits += Set(a.map(\.id)).intersection(b.map(\.id)).count }
        #expect(Double(hits) / 500 > 0.5)
        #expect(zip(found, 0..<50).filter { $0.0.first?.id == Int64($0.1 + 1000) }.count >= 40)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ivfpq-\(UUID().uuidString).faiss")
        defer { try? FileManager.default.removeItem(at: file) }
        try index.write(to: file.path)
        let bytes = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber).intValue
        #expect(bytes < n * d * 4 / 4)  // codes: 16 bytes + id per vector, not 256 bytes of floats
        let read = try FloatVectorIndex(contentsOf: file.path)
        try read.apply(kind)
        #expect(try read.search(queries, k: 10).map { $0.map(\.id) } == found.map { $0.map(\.id) })
    }
}

@Suite struct ClusteringTests {
    /// Hand-computed example (cosine distance): unit vectors at angles 0°, 0°, 90°, 90° + 180°…
    /// Items p0 = (1,0), p1 = (0.8,0.6) in cluster 0; p2 = (0,1), p3 = (−0.6,0.8) in cluster 1.
    /// Distances 1 − cos: d01 = 0.2, d02 = 1, d03 = 1.6, d12 = 0.4, d13 = 1 − (−0.48+0.48) = 1,
    /// d23 = 0.2. s(p0): a = 0.2, b = (1 + 1.6)/2 = 1.3 → 1.1/1.3; s(p1): a = 0.2, b = 0.7 → 0.5/0.7;
    /// s(p2): a = 0.2, b = 0.7 → 0.5/0.7; s(p3): a = 0.2, b = 1.3 → 1.1/1.3.
    @Test func silhouetteMatchesTheHandComputedTextbookValues() throws {
        let vectors: [Float] = [1, 0, 0.8, 0.6, 0, 1, -0.6, 0.8]
        let report = try Silhouette.compute(vectors, dimension: 2, labels: [0, 0, 1, 1])
        let expected: [Float] = [1.1 / 1.3, 0.5 / 0.7, 0.5 / 0.7, 1.1 / 1.3]
        for (value, want) in zip(report.values, expected) { #expect(abs(value - want) < 1e-5) }
        #expect(abs(report.overall - expected.reduce(0, +) / 4) < 1e-5)
        #expect(report.sampleSize == nil)
    }

    @Test func singletonClusterHasSilhouetteZero() throws {
        let report = try Silhouette.compute([1, 0, 0.8, 0.6, 0, 1], dimension: 2, labels: [0, 0, 1])
        #expect(report.values[2] == 0)
    }

    @Test func wellSeparatedBlobsScoreAboveSevenTenthsAndASplitBlobLess() throws {
        let d = 8
        var centres: [[Float]] = []
        for c in 0..<3 { var v = [Float](repeating: 0, count: d); v[c] = 1; centres.append(v) }
        let data = blobs(centres: centres, perBlob: 40, noise: 0.15, seed: 7)
        let separated = try Silhouette.compute(data.vectors, dimension: d, labels: data.labels)
        #expect(separated.overall > 0.7)
        // Split blob 0 in two arbitrary halves: its items are as close to each other half as to their own.
        let split = data.labels.enumerated().map { $0.element == 0 && $0.offset % 2 == 1 ? 3 : $0.element }
        let worse = try Silhouette.compute(data.vectors, dimension: d, labels: split)
        #expect(worse.overall < separated.overall)
        #expect((worse.perCluster[3] ?? 1) < 0.2)
    }

    @Test func sphericalKMeansRecoversSeparatedBlobs() throws {
        let d = 8
        var centres: [[Float]] = []
        for c in 0..<4 { var v = [Float](repeating: 0, count: d); v[c] = 1; centres.append(v) }
        let data = blobs(centres: centres, perBlob: 30, noise: 0.1, seed: 8)
        let result = try SphericalKMeans.cluster(data.vectors, dimension: d, k: 4)
        // Each true blob maps to one cluster.
        for blob in 0..<4 {
            let assigned = Set((0..<120).filter { data.labels[$0] == blob }.map { result.assignment[$0] })
            #expect(assigned.count == 1)
        }
        #expect(Set(result.assignment).count == 4)
    }

    @Test func sampledSilhouetteStatesItsSampleSize() throws {
        let d = 4
        let data = blobs(centres: [[1, 0, 0, 0], [0, 1, 0, 0]], perBlob: 60, noise: 0.1, seed: 9)
        let report = try Silhouette.compute(data.vectors, dimension: d, labels: data.labels, sampleSize: 50)
        #expect(report.sampleSize == 50)
        #expect(report.values.count == 50)
        #expect(report.overall > 0.7)
    }

    @Test func pcaFindsTheDirectionOfLargestVariance() throws {
        // Points spread along (1, 1, 0) with tiny noise on z.
        var vectors: [Float] = []
        for i in 0..<50 { let t = Float(i - 25); vectors += [t, t, Float(i % 3) * 0.01] }
        let (coordinates, variances) = try PCA.project(vectors, dimension: 3, outputDimension: 2)
        #expect(coordinates.count == 100)
        #expect(variances[0] > 100 * variances[1])
        // First coordinate is ±(t − mean t)·√2, mean t = −0.5.
        #expect(abs(abs(coordinates[0]) - 24.5 * Float(2).squareRoot()) < 0.05)
    }
}
