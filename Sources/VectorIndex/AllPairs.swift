extension BinaryHashIndex {
    /// Every unordered pair of codes within `maxDistance` bits of each other: the self-join behind
    /// near-duplicate detection.
    ///
    /// Returns each pair (i, j) with i < j and popcount(codes[i] ^ codes[j]) ≤ `maxDistance` exactly
    /// once, sorted by `first` then `second`; equal codes (distance 0) at different positions pair.
    /// The result is the same for every method.
    ///
    /// It never builds an n × n matrix. Codes are added to one FAISS index in batches of 8192 and
    /// each batch is range-searched right after its insertion, keeping matches with a smaller id:
    /// a code is only compared with codes before it, which halves the work of a full self-search,
    /// and native memory stays at the index (8 bytes per code, plus the hash tables) and one batch's
    /// matches.
    ///
    /// `.automatic` — METHOD-TABLE-PLACEHOLDER
    ///
    /// - Parameters:
    ///   - codes: 64-bit codes (bit i = value `1 << i`); positions are the ids in the result.
    ///   - maxDistance: largest Hamming distance in bits, inclusive, ≥ 0 (above 64 acts as 64).
    ///   - method: how to search; see `HammingSearchMethod`.
    ///   - threads: OpenMP threads, ≥ 1 (see `init(method:threads:)` for the default of 1).
    /// - Returns: the pairs, `first < second`, sorted.
    /// - Throws: `VectorIndexError.invalidArgument` for a negative distance; `.native` when FAISS
    ///   fails (out of memory included).
    /// - Complexity: exhaustive n²/2 popcounts; multi-hash n · (probes + candidates/2) hash
    ///   operations (`MultiHashParameters`); plus O(p log p) to sort p pairs. Memory O(n + p).
    public static func allPairs(
        codes: [UInt64], maxDistance: Int, method: HammingSearchMethod = .automatic, threads: Int = 1
    ) throws -> [HammingPair] {
        let plan = HammingSearchPlan.choose(
            method: method, indexCount: codes.count / 2,
            queryCount: codes.count, maxDistance: maxDistance)
        return try allPairs(codes: codes, maxDistance: maxDistance, plan: plan, threads: threads)
    }

    /// `allPairs` with an explicit plan, e.g. hand-picked multi-hash parameters.
    /// - Throws: `VectorIndexError.invalidArgument` when the plan is not exact for `maxDistance`
    ///   (multi-hash `guaranteedMaxDistance` below it) or the distance is negative.
    public static func allPairs(
        codes: [UInt64], maxDistance: Int, plan: HammingSearchPlan, threads: Int = 1
    ) throws -> [HammingPair] {
        precondition(threads >= 1, "allPairs needs threads >= 1, got \(threads)")
        guard maxDistance >= 0 else {
            throw VectorIndexError.invalidArgument(message: "allPairs: maxDistance must be ≥ 0 bits, got \(maxDistance)")
        }
        guard plan.isExact(forMaxDistance: min(maxDistance, 64)) else {
            throw VectorIndexError.invalidArgument(message:
                "allPairs: \(plan) finds every pair only up to its guaranteed distance, below the requested \(maxDistance) bits")
        }
        guard codes.count >= 2 else { return [] }
        let kind: BinaryIndexKind =
            switch plan {
            case .exhaustive: .flat
            case .multiHash(let parameters): .multiHash(parameters)
            }
        let index = try FaissBinaryIndex(kind: kind)
        let radius = min(maxDistance, 64) + 1
        var pairs: [HammingPair] = []
        try codes.withUnsafeBufferPointer { all in
            for start in stride(from: 0, to: all.count, by: queryBatch) {
                let batch = UnsafeBufferPointer(rebasing: all[start..<min(start + queryBatch, all.count)])
                try index.add(batch)
                try index.withRangeSearch(queries: batch, radius: radius, threads: threads) { lims, labels, distances in
                    for q in 0..<batch.count {
                        let second = start + q
                        for r in Int(lims[q])..<Int(lims[q + 1]) where Int(labels[r]) < second {
                            pairs.append(HammingPair(first: Int(labels[r]), second: second, distance: Int(distances[r])))
                        }
                    }
                }
            }
        }
        pairs.sort { ($0.first, $0.second) < ($1.first, $1.second) }
        return pairs
    }
}
