extension BinaryHashIndex {
    /// Every unordered pair of codes within `maxDistance` bits of each other: the self-join behind
    /// near-duplicate detection.
    ///
    /// Returns each pair (i, j) with i < j and popcount(codes[i] ^ codes[j]) ≤ `maxDistance` exactly
    /// once, sorted by `first` then `second`; equal codes (distance 0) at different positions pair.
    /// The result is the same for every method.
    ///
    /// It never builds an n × n matrix. Codes are added to one FAISS index in batches and each batch
    /// is range-searched right after its insertion, keeping matches with a smaller id: a code is
    /// only compared with the codes up to the end of its batch, which halves the work of a full
    /// self-search. Batches hold 64 to 8192 queries, sized from the previous batch's match density
    /// so that one native result stays near 4·10^6 matches; memory is the index (8 bytes per code,
    /// plus the multi-hash tables: about 250 MB for 3 tables over 10^6 codes), one batch's
    /// matches, and the pairs found.
    ///
    /// ## Choosing the method
    ///
    /// Every plan is exact: multi-hash parameters (m tables of b bits, f flips) are only used up to
    /// their pigeonhole bound m·(f+1) − 1 (`MultiHashParameters`; Norouzi, Punjani, Fleet, CVPR
    /// 2012). `.automatic` estimates each exact measured set against exhaustive search
    /// (`HammingSearchPlan.choose`) and picks, for all-pairs over n codes:
    ///
    /// | maxDistance | 10^5 codes       | 10^6 codes       |
    /// |-------------|------------------|------------------|
    /// | 0           | m=1 b=63 f=0     | m=1 b=63 f=0     |
    /// | 1           | m=2 b=32 f=0     | m=2 b=32 f=0     |
    /// | 2           | m=4 b=16 f=0     | m=3 b=21 f=0     |
    /// | 3           | m=4 b=16 f=0     | m=4 b=16 f=0     |
    /// | 4           | m=5 b=12 f=0     | m=3 b=21 f=1     |
    /// | 5           | m=3 b=21 f=1     | m=3 b=21 f=1     |
    /// | 6–7         | m=4 b=16 f=1     | m=3 b=21 f=2     |
    /// | 8           | m=3 b=21 f=2     | m=3 b=21 f=2     |
    /// | 9–11        | exhaustive       | m=3 b=21 f=3     |
    /// | 12–64       | exhaustive       | exhaustive       |
    ///
    /// Measured `allPairs` wall times, `.automatic`, one thread, 2-core development machine shared
    /// with other builds (FAISS 1.7.3, Debian's SSE2 build), 10^5 codes, seconds (pairs found):
    ///
    /// | maxDistance | random codes     | clustered codes     |
    /// |-------------|------------------|---------------------|
    /// | 0           | 0.12 (0)         | 0.24 (20 607)       |
    /// | 1           | 0.30 (0)         | 0.42 (61 461)       |
    /// | 2           | 0.57 (0)         | 0.74 (123 839)      |
    /// | 3           | 0.43 (0)         | 0.50 (208 763)      |
    /// | 4           | 0.54 (0)         | 0.84 (312 971)      |
    /// | 5           | 0.84 (0)         | 1.20 (393 184)      |
    /// | 6           | 1.92 (0)         | 2.74 (449 897)      |
    /// | 7           | 1.97 (0)         | 2.61 (483 295)      |
    /// | 8           | 5.29 (2)         | 6.57 (499 069)      |
    /// | 9–16        | 9.3–10.8 (10 – 1.9·10^5) | 9.6–10.8 (5.0·10^5 – 6.9·10^5) |
    /// | 17–20       | 9.8–15.5 (5.7·10^5 – 9.2·10^6) | 9.7–10.9 (1.1·10^6 – 9.7·10^6) |
    /// | 21–22       | 17–21 (2.0·10^7 – 4.2·10^7) | 12.5–16 (2.1·10^7 – 4.3·10^7) |
    /// | 23–32       | beyond the default 5·10^7 pairs (26 bits: 4.2·10^8 pairs, 158 s) | same |
    ///
    /// Random: uniform codes. Clustered: 10^4 random centres, each code a centre with 0–4 bits
    /// flipped (`SyntheticLayout.clustered(meanClusterSize: 10, maxFlips: 4)`); near-duplicate groups
    /// make FAISS's tables smaller and its candidates mostly true matches, so times stay close.
    /// Exhaustive search costs 9.3–11 s at 10^5 codes whatever the distance (2.0 ns per pair);
    /// the multi-hash sets it beats at 9–11 bits only from about 6·10^5 codes on: at 10^5,
    /// m=4 b=16 f=2 took 12.8 s, m=5 b=12 f=1 (≤ 9 bits) 9.0 s, m=3 b=21 f=3 24–30 s; exact sets
    /// for 12–15 bits took 57–79 s (m=5 b=12 f=2, m=7 b=9 f=1, m=4 b=16 f=3).
    ///
    /// At 10^6 codes (5 % planted near-duplicates, one thread, CPU seconds): m=1 b=63 f=0 2.1,
    /// m=2 b=32 f=0 5.7, m=3 b=21 f=0 8.7, m=4 b=16 f=0 9.2, m=3 b=21 f=1 24, m=3 b=21 f=2 93,
    /// m=3 b=21 f=3 803; m=4 b=16 f=1 226 and m=5 b=12 f=0 134 (their candidate lists, kept in a
    /// per-query `std::unordered_set`, grow with n); m=4 b=16 f=2 did not finish in 1180 s;
    /// exhaustive ≈ 950 (1.9 ns per pair, measured over 3·10^5 codes).
    ///
    /// Threads: at 10^6 codes and 8 bits, two threads took 72 s against 94–144 s for one when the
    /// second core was free, and gained little while other builds held it; the default stays 1
    /// (see `init(method:threads:)`). Memory at 10^6 codes: 258 MB peak RSS for m=3 tables of 21
    /// bits (`benchmarkAllPairs`).
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
