import VitrineCore
import COpenBLAS

/// Silhouette coefficients with cosine distance `1 − cos(u, v)` (Rousseeuw, "Silhouettes: a
/// graphical aid to the interpretation and validation of cluster analysis", J. Comput. Appl. Math.
/// 20, 1987): for item i in cluster A, a(i) = mean distance to the other members of A, b(i) = the
/// smallest mean distance to the members of another cluster, s(i) = (b − a) / max(a, b); s(i) = 0
/// for an item alone in its cluster. The overall score is the mean of s(i).
public struct SilhouetteReport: Sendable, Equatable {
    /// s(i) of each item evaluated (all items, or the sample), in `items` order.
    public let values: [Float]
    /// Indices (into the input) of the items evaluated.
    public let items: [Int]
    /// Mean s(i).
    public let overall: Float
    /// Mean s(i) per cluster label (clusters with no evaluated item are absent).
    public let perCluster: [Int: Float]
    /// Sample size when the input was larger than the exact limit; nil when exact.
    public let sampleSize: Int?
}

public enum Silhouette {
    /// Items up to which the silhouette is computed exactly; above, on a seeded uniform sample of
    /// this size (as scikit-learn's `silhouette_score(sample_size:)`).
    public static let exactLimit = 20_000

    /// - Parameters:
    ///   - vectors: `n × dimension` row-major, L2-normalised (so cos = dot product).
    ///   - labels: cluster of each item; at least 2 distinct labels.
    ///   - sampleSize: evaluate on a sample of this many items when n exceeds it.
    /// - Complexity: O(m²·d) with m = min(n, sampleSize), through `cblas_sgemm` in row blocks
    ///   (memory O(block · m)).
    public static func compute(
        _ vectors: [Float], dimension: Int, labels: [Int], sampleSize: Int = exactLimit, seed: UInt64 = 42
    ) throws(VectorIndexError) -> SilhouetteReport {
        guard dimension > 0, vectors.count == labels.count * dimension else {
            throw .invalidArgument(message: "\(vectors.count) floats for \(labels.count) labels of dimension \(dimension)")
        }
        guard Set(labels).count >= 2 else {
            throw .invalidArgument(message: "the silhouette needs at least 2 clusters, got \(Set(labels).count)")
        }
        let n = labels.count
        var items = Array(0..<n)
        var sampled: Int? = nil
        if n > sampleSize {
            var generator = SplitMix64(seed: seed)
            items.shuffle(using: &generator)
            items = Array(items.prefix(sampleSize)).sorted()
            sampled = sampleSize
        }
        let m = items.count
        var subset = [Float](repeating: 0, count: m * dimension)
        for (row, item) in items.enumerated() {
            for j in 0..<dimension { subset[row * dimension + j] = vectors[item * dimension + j] }
        }
        let clusterIds = Array(Set(items.map { labels[$0] })).sorted()
        let clusterIndex = Dictionary(uniqueKeysWithValues: clusterIds.enumerated().map { ($1, $0) })
        let member = items.map { clusterIndex[labels[$0]] ?? 0 }
        var sizes = [Int](repeating: 0, count: clusterIds.count)
        for c in member { sizes[c] += 1 }

        let block = 256
        var values = [Float](repeating: 0, count: m)
        var similarities = [Float](repeating: 0, count: block * m)
        var sums = [Double](repeating: 0, count: clusterIds.count)
        for start in stride(from: 0, to: m, by: block) {
            let rowsInBlock = min(block, m - start)
            subset.withUnsafeBufferPointer { all in
                similarities.withUnsafeMutableBufferPointer { out in
                    guard let base = all.baseAddress, let target = out.baseAddress else { return }
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rowsInBlock), Int32(m), Int32(dimension),
                                1, base + start * dimension, Int32(dimension), base, Int32(dimension), 0, target, Int32(m))
                }
            }
            for r in 0..<rowsInBlock {
                let i = start + r
                for c in 0..<sums.count { sums[c] = 0 }
                for j in 0..<m where j != i {
                    sums[member[j]] += Double(1 - similarities[r * m + j])
                }
                let own = member[i]
                guard sizes[own] > 1 else {
                    values[i] = 0
                    continue
                }
                let a = sums[own] / Double(sizes[own] - 1)
                var b = Double.infinity
                for c in 0..<sums.count where c != own && sizes[c] > 0 { b = min(b, sums[c] / Double(sizes[c])) }
                let denominator = max(a, b)
                values[i] = denominator > 0 ? Float((b - a) / denominator) : 0
            }
        }
        var perClusterSum = [Int: (Double, Int)]()
        for (row, item) in items.enumerated() {
            let entry = perClusterSum[labels[item]] ?? (0, 0)
            perClusterSum[labels[item]] = (entry.0 + Double(values[row]), entry.1 + 1)
        }
        let overall = values.reduce(0.0) { $0 + Double($1) } / Double(max(1, m))
        return SilhouetteReport(
            values: values, items: items, overall: Float(overall),
            perCluster: perClusterSum.mapValues { Float($0.0 / Double($0.1)) }, sampleSize: sampled)
    }
}
