import COpenBLAS

/// Re-ranking of approximate candidates by the exact inner product of their full vectors (the
/// cosine similarity for L2-normalised vectors), as an IVF-PQ index's codes only approximate it.
/// See `FloatIndexKind.rerankCandidates(k:)`.
public enum ExactRerank {
    /// The `k` candidates with the largest exact inner product with `query`, best first (ties by
    /// id). Candidates without a vector in `vectors` are left out (an item deleted since the index
    /// was written); vectors of another dimension than the query throw `invalidArgument`.
    /// - Parameters:
    ///   - query: one vector of d floats.
    ///   - candidates: ids from an approximate search (their scores are ignored).
    ///   - vectors: the full vectors by id (d floats each, as stored in the catalog).
    public static func rerank(query: [Float], candidates: [Neighbour], vectors: [Int64: [Float]], k: Int) throws(VectorIndexError) -> [Neighbour] {
        var scored: [Neighbour] = []
        scored.reserveCapacity(candidates.count)
        var seen = Set<Int64>()
        for candidate in candidates where seen.insert(candidate.id).inserted {
            guard let vector = vectors[candidate.id] else { continue }
            guard vector.count == query.count else {
                throw .invalidArgument(message: "vector of id \(candidate.id) has \(vector.count) dimensions, the query \(query.count)")
            }
            let score = query.withUnsafeBufferPointer { q in
                vector.withUnsafeBufferPointer { v in cblas_sdot(Int32(query.count), q.baseAddress, 1, v.baseAddress, 1) }
            }
            scored.append(Neighbour(id: candidate.id, score: score))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        return Array(scored.prefix(max(0, k)))
    }
}
