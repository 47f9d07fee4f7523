import Foundation

/// An index of 64-bit binary codes (perceptual hashes) searched by Hamming distance, backed by
/// FAISS binary indexes (`IndexBinaryFlat`, `IndexBinaryMultiHash`).
///
/// Codes are `UInt64` values; bit i of a code is the bit of value `1 << i`. They reach FAISS as 8
/// little-endian bytes, whose bit string FAISS reads least significant bit first, so FAISS's bit i
/// is the code's bit i on every host; multi-hash table t keys on bits `t·b ..< (t+1)·b`. Hamming
/// distance itself does not depend on bit order. Ids are insertion positions, from 0.
///
/// Every search is exact whatever the method: the method only decides how fast. The index keeps
/// its codes (8 bytes each) and builds the FAISS index a search needs on first use, then keeps it
/// up to date as codes are added (at most one flat and one multi-hash index at a time).
///
/// `@unchecked Sendable`: all mutable state (the codes and the native FAISS indexes, which are not
/// thread-safe for concurrent `add`) is read and written only while holding `lock`, so instances can
/// be shared between tasks. Searches from several tasks therefore run one at a time; use `threads`
/// for parallelism within a search. Calls block their thread: from async code, run them where
/// blocking is allowed (a bounded task group in the CLI, a dedicated pool in a server).
public final class BinaryHashIndex: @unchecked Sendable {
    /// How searches find their matches (never changes which matches are found).
    public let method: HammingSearchMethod
    /// OpenMP threads FAISS uses within one search, ≥ 1.
    public let threads: Int

    private let lock = NSLock()
    private var codes: [UInt64] = []
    private var flat: FaissBinaryIndex?
    private var multiHash: FaissBinaryIndex?

    /// Creates an empty index.
    /// - Parameters:
    ///   - method: how range searches run (`.automatic` chooses per search from the index size,
    ///     the number of queries and the distance).
    ///   - threads: OpenMP threads per search. Default 1: Hamming search uses no BLAS, but the
    ///     rest of Vitrine runs OpenBLAS and several searches in parallel, which oversubscribe
    ///     the cores (DESIGN.md). Raise it for one large search on an otherwise idle machine: two
    ///     threads ran all-pairs over 10^6 codes at 8 bits in 72 s instead of 94–144 s.
    /// - Precondition: `threads >= 1`.
    public init(method: HammingSearchMethod = .automatic, threads: Int = 1) {
        precondition(threads >= 1, "BinaryHashIndex needs threads >= 1, got \(threads)")
        self.method = method
        self.threads = threads
    }

    /// Number of indexed codes.
    public var count: Int {
        lock.withLock { codes.count }
    }

    /// Appends codes; they get ids `count ..< count + codes.count`.
    /// - Complexity: O(n), plus O(n · tables) hash insertions when a multi-hash index is built.
    public func add(_ newCodes: [UInt64]) {
        guard !newCodes.isEmpty else { return }
        lock.withLock {
            codes.append(contentsOf: newCodes)
            // Keep the built native indexes in step; one that fails to grow is dropped and
            // rebuilt (and its error thrown) by the next search that needs it.
            newCodes.withUnsafeBufferPointer { buffer in
                if let index = flat, (try? index.add(buffer)) == nil { flat = nil }
                if let index = multiHash, (try? index.add(buffer)) == nil { multiHash = nil }
            }
        }
    }

    /// Finds, for each query, every indexed code within `maxDistance` bits (inclusive).
    ///
    /// - Parameters:
    ///   - queries: 64-bit codes, same bit convention as the index.
    ///   - maxDistance: largest Hamming distance in bits to report, ≥ 0 (values above 64 act as 64).
    ///   - maxMatches: stop with `.resultTooLarge` once more matches than this are found.
    /// - Returns: one match list per query, sorted by distance then id.
    /// - Throws: `VectorIndexError.invalidArgument` for a negative distance; `.resultTooLarge`
    ///   beyond `maxMatches`; `.native` when FAISS fails.
    /// - Complexity: exhaustive O(queries × count); multi-hash O(queries × (probes + candidates)),
    ///   see `MultiHashParameters`, plus building the tables on first use (≈ 1 µs per code and
    ///   table), which `.automatic` weighs against the number of queries. Queries run in batches
    ///   of 64–8192 sized to keep one native result near 4·10^6 matches.
    public func rangeSearch(
        queries: [UInt64], maxDistance: Int, maxMatches: Int = BinaryHashIndex.defaultResultLimit
    ) throws -> HammingRangeResult {
        guard maxDistance >= 0 else {
            throw VectorIndexError.invalidArgument(message: "rangeSearch: maxDistance must be ≥ 0 bits, got \(maxDistance)")
        }
        return try lock.withLock {
            var offsets = [0]
            offsets.reserveCapacity(queries.count + 1)
            var ids: [Int] = []
            var distances: [Int] = []
            guard !queries.isEmpty, !codes.isEmpty else {
                return HammingRangeResult(offsets: [Int](repeating: 0, count: queries.count + 1), ids: [], distances: [])
            }
            // A few queries against many codes do not pay for building hash tables.
            let built = multiHash?.kind
            let plan = HammingSearchPlan.choose(
                method: method, indexCount: codes.count, queryCount: queries.count, maxDistance: maxDistance,
                buildSeconds: { [count = codes.count] parameters in
                    built == .multiHash(parameters) ? 0 : Double(count * parameters.tables) * CostModel.insertion
                })
            let index = try nativeIndex(for: plan)
            let radius = min(maxDistance, 64) + 1
            var scratch: [HammingMatch] = []
            var sizer = QueryBatchSizer()
            try queries.withUnsafeBufferPointer { all in
                var start = 0
                while start < all.count {
                    let end = min(start + sizer.size, all.count)
                    let batch = UnsafeBufferPointer(rebasing: all[start..<end])
                    let matches = try index.withRangeSearch(queries: batch, radius: radius, threads: threads) {
                        lims, labels, dists in
                        for q in 0..<batch.count {
                            scratch.removeAll(keepingCapacity: true)
                            for r in Int(lims[q])..<Int(lims[q + 1]) {
                                scratch.append(HammingMatch(id: Int(labels[r]), distance: Int(dists[r])))
                            }
                            scratch.sort { ($0.distance, $0.id) < ($1.distance, $1.id) }
                            for match in scratch {
                                ids.append(match.id)
                                distances.append(match.distance)
                            }
                            offsets.append(ids.count)
                        }
                        return labels.count
                    }
                    guard ids.count <= maxMatches else {
                        throw VectorIndexError.resultTooLarge(message:
                            "rangeSearch: more than \(maxMatches) matches within \(maxDistance) bits for the first \(end) of "
                            + "\(all.count) queries in \(codes.count) codes; lower maxDistance or raise maxMatches")
                    }
                    sizer.update(matches: matches, queries: batch.count, seen: codes.count, nextSeen: codes.count)
                    start = end
                }
            }
            return HammingRangeResult(offsets: offsets, ids: ids, distances: distances)
        }
    }

    /// Finds the `k` indexed codes nearest to each query by Hamming distance.
    ///
    /// Always exhaustive (FAISS `IndexBinaryFlat::search`), whatever `method`: multi-hash only
    /// sees candidates within its guaranteed distance, so its neighbours are not exact in general.
    /// - Parameters:
    ///   - queries: 64-bit codes.
    ///   - k: neighbours per query, ≥ 1.
    /// - Returns: per query, min(k, count) matches by increasing distance then id. Among codes tied
    ///   at the k-th distance, FAISS decides which are kept.
    /// - Throws: `VectorIndexError.invalidArgument` for k < 1; `.native` when FAISS fails.
    /// - Complexity: O(queries × count × log k).
    public func nearest(queries: [UInt64], k: Int) throws -> [[HammingMatch]] {
        guard k >= 1 else {
            throw VectorIndexError.invalidArgument(message: "nearest: k must be ≥ 1, got \(k)")
        }
        return try lock.withLock {
            guard !codes.isEmpty else { return Array(repeating: [], count: queries.count) }
            let index = try nativeIndex(for: .exhaustive)
            let width = min(k, codes.count)
            var result: [[HammingMatch]] = []
            result.reserveCapacity(queries.count)
            try queries.withUnsafeBufferPointer { all in
                // Keep each native result (queries × k slots) near 4·10^6 slots.
                let step = max(1, min(Self.queryBatch, Int(QueryBatchSizer.matchBudget) / width))
                for start in stride(from: 0, to: all.count, by: step) {
                    let batch = UnsafeBufferPointer(rebasing: all[start..<min(start + step, all.count)])
                    let (labels, distances) = try index.nearest(queries: batch, k: width, threads: threads)
                    for q in 0..<batch.count {
                        var row: [HammingMatch] = []
                        row.reserveCapacity(width)
                        for slot in q * width..<(q + 1) * width where labels[slot] >= 0 {
                            row.append(HammingMatch(id: Int(labels[slot]), distance: Int(distances[slot])))
                        }
                        row.sort { ($0.distance, $0.id) < ($1.distance, $1.id) }
                        result.append(row)
                    }
                }
            }
            return result
        }
    }

    /// Hamming distance between two 64-bit codes: the number of differing bits (popcount of
    /// a XOR b), in 0...64.
    /// - Complexity: O(1).
    public static func hammingDistance(_ a: UInt64, _ b: UInt64) -> Int {
        (a ^ b).nonzeroBitCount
    }

    /// Queries per native k-NN call (its result is queries × k, bounded by the caller's k).
    static let queryBatch = 8192

    /// The native index a plan needs, built from `codes` on first use. Caller holds `lock`.
    private func nativeIndex(for plan: HammingSearchPlan) throws -> FaissBinaryIndex {
        switch plan {
        case .exhaustive:
            if let flat { return flat }
            let index = try FaissBinaryIndex(kind: .flat)
            try codes.withUnsafeBufferPointer { try index.add($0) }
            flat = index
            return index
        case .multiHash(let parameters):
            if let multiHash, multiHash.kind == .multiHash(parameters) { return multiHash }
            multiHash = nil  // free the old tables before building new ones
            let index = try FaissBinaryIndex(kind: .multiHash(parameters))
            try codes.withUnsafeBufferPointer { try index.add($0) }
            multiHash = index
            return index
        }
    }
}
