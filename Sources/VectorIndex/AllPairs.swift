extension BinaryHashIndex {
    /// Every unordered pair of codes within `maxDistance` bits of each other: the self-join behind
    /// near-duplicate detection.
    ///
    /// Returns each pair (i, j) with i < j and popcount(codes[i] ^ codes[j]) ≤ `maxDistance` exactly
    /// once, sorted by `first` then `second`; equal codes (distance 0) at different positions pair.
    /// The result is the same for every method.
    ///
    /// It never builds an n × n matrix. Codes are added to one FAISS index in batches and each batch
    /// is range-searched right after its insertion, keeping matches with a smaller id: a code is only
    /// compared with codes before it, which halves the work of a full self-search. Batches hold 64 to
    /// 8192 queries, sized from the previous batch's match density so that one native result stays
    /// near 4·10^6 matches; memory is the index (8 bytes per code, plus the multi-hash tables: about
    /// 250 MB for 3 tables over 10^6 codes), one batch's matches, and the pairs found.
    ///
    /// `.automatic` — METHOD-TABLE-PLACEHOLDER
    ///
    /// - Parameters:
    ///   - codes: 64-bit codes (bit i = value `1 << i`); positions are the ids in the result.
    ///   - maxDistance: largest Hamming distance in bits, inclusive, ≥ 0 (above 64 acts as 64).
    ///   - method: how to search; see `HammingSearchMethod`.
    ///   - threads: OpenMP threads, ≥ 1 (see `init(method:threads:)` for the default of 1).
    ///   - maxPairs: stop with `.resultTooLarge` once more pairs than this are found.
    /// - Returns: the pairs, `first < second`, sorted.
    /// - Throws: `VectorIndexError.invalidArgument` for a negative distance; `.resultTooLarge`
    ///   beyond `maxPairs`; `.native` when FAISS fails (out of memory included).
    /// - Complexity: exhaustive n²/2 popcounts; multi-hash n · (probes + candidates/2) hash
    ///   operations (`MultiHashParameters`); plus O(p log p) to sort p pairs. Memory O(n + p).
    public static func allPairs(
        codes: [UInt64], maxDistance: Int, method: HammingSearchMethod = .automatic, threads: Int = 1,
        maxPairs: Int = defaultResultLimit
    ) throws -> [HammingPair] {
        let plan = HammingSearchPlan.choose(
            method: method, indexCount: codes.count / 2, queryCount: codes.count, maxDistance: maxDistance)
        return try allPairs(codes: codes, maxDistance: maxDistance, plan: plan, threads: threads, maxPairs: maxPairs)
    }

    /// `allPairs` with an explicit plan, e.g. hand-picked multi-hash parameters.
    /// - Throws: `VectorIndexError.invalidArgument` when the plan is not exact for `maxDistance`
    ///   (multi-hash `guaranteedMaxDistance` below it) or the distance is negative;
    ///   `.resultTooLarge` beyond `maxPairs` pairs; `.native` when FAISS fails.
    public static func allPairs(
        codes: [UInt64], maxDistance: Int, plan: HammingSearchPlan, threads: Int = 1,
        maxPairs: Int = defaultResultLimit
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
        var sizer = QueryBatchSizer()
        try codes.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let end = min(start + sizer.size, all.count)
                let batch = UnsafeBufferPointer(rebasing: all[start..<end])
                try index.add(batch)
                let matches = try index.withRangeSearch(queries: batch, radius: radius, threads: threads) {
                    lims, labels, distances in
                    for q in 0..<batch.count {
                        let second = start + q
                        for r in Int(lims[q])..<Int(lims[q + 1]) where Int(labels[r]) < second {
                            pairs.append(HammingPair(first: Int(labels[r]), second: second, distance: Int(distances[r])))
                        }
                    }
                    return labels.count
                }
                guard pairs.count <= maxPairs else {
                    throw VectorIndexError.resultTooLarge(message:
                        "allPairs: more than \(maxPairs) pairs within \(maxDistance) bits among the first \(end) of \(all.count) codes; "
                        + "lower maxDistance or raise maxPairs (each pair takes 24 bytes)")
                }
                sizer.update(matches: matches, queries: batch.count, seen: end, nextSeen: end + sizer.size * 4)
                start = end
            }
        }
        pairs.sort { ($0.first, $0.second) < ($1.first, $1.second) }
        return pairs
    }

    /// Default cap on the pairs of `allPairs` and the matches of `rangeSearch`: 5·10^7 (1.2 GB of
    /// `HammingPair`s). Near-duplicate thresholds on real collections stay far below it; a distance
    /// that pairs random codes (above ~20 bits for 64-bit codes) reaches it.
    public static let defaultResultLimit = 50_000_000
}
