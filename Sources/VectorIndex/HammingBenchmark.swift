import VitrineCore

extension BinaryHashIndex {
    /// How synthetic benchmark codes are laid out.
    public enum SyntheticLayout: Sendable, Hashable {
        /// Uniformly random codes, except that each code after the first is, with probability
        /// `fraction`, a copy of a uniformly chosen earlier code with 1...`maxFlips` distinct bits
        /// flipped (uniform count): planted near-duplicates among unrelated images.
        case planted(fraction: Double, maxFlips: Int)
        /// count / `meanClusterSize` random centres; each code is a uniformly chosen centre with
        /// 0...`maxFlips` distinct bits flipped: a collection made mostly of near-duplicate groups
        /// (codes of one cluster are within 2 · maxFlips bits of each other).
        case clustered(meanClusterSize: Int, maxFlips: Int)
    }

    /// Deterministic synthetic 64-bit codes for benchmarks.
    /// - Parameters:
    ///   - count: number of codes, ≥ 0.
    ///   - seed: SplitMix64 seed; the same seed gives the same codes.
    ///   - layout: see `SyntheticLayout`.
    /// - Complexity: O(count).
    public static func syntheticCodes(count: Int, seed: UInt64, layout: SyntheticLayout) -> [UInt64] {
        var random = SplitMix64(seed: seed)
        func flipMask(_ bits: Int) -> UInt64 {
            var mask: UInt64 = 0
            while mask.nonzeroBitCount < min(bits, 64) {
                mask |= 1 << (random.next() & 63)
            }
            return mask
        }
        var codes: [UInt64] = []
        codes.reserveCapacity(max(count, 0))
        switch layout {
        case .planted(let fraction, let maxFlips):
            for i in 0..<max(count, 0) {
                if i > 0, maxFlips >= 1, Double.random(in: 0..<1, using: &random) < fraction {
                    let base = codes[Int.random(in: 0..<i, using: &random)]
                    codes.append(base ^ flipMask(Int.random(in: 1...maxFlips, using: &random)))
                } else {
                    codes.append(random.next())
                }
            }
        case .clustered(let meanClusterSize, let maxFlips):
            let centres = (0..<max(1, count / max(meanClusterSize, 1))).map { _ in random.next() }
            for _ in 0..<max(count, 0) {
                let centre = centres[Int.random(in: 0..<centres.count, using: &random)]
                codes.append(centre ^ flipMask(Int.random(in: 0...max(maxFlips, 0), using: &random)))
            }
        }
        return codes
    }

    /// Times `allPairs` on synthetic codes; the `vitrine bench` command reports it.
    ///
    /// Generation is not timed. Reference figures, 10^6 codes, default layout, seed 1, release
    /// build, FAISS 1.7.3, on the 2-core development machine while other builds ran (times vary
    /// by about ±30 % with that load); peak RSS of the whole process from `/usr/bin/time -v`:
    ///
    /// | maxDistance | plan            | threads | seconds | pairs  | peak RSS |
    /// |-------------|-----------------|---------|---------|--------|----------|
    /// | 8           | m=3 b=21 f=2    | 1       | 94–144  | 52 806 | 258 MB   |
    /// | 8           | m=3 b=21 f=2    | 2       | 72      | 52 806 | 259 MB   |
    /// | 10          | m=3 b=21 f=3    | 1       | 917     | 59 158 | 259 MB   |
    /// | 10          | m=3 b=21 f=3    | 2       | 542     | 59 158 | 259 MB   |
    ///
    /// Exhaustive search would take ≈ 950 s at one thread for either distance.
    ///
    /// - Parameters:
    ///   - count: number of codes (10^6 for the reference figures).
    ///   - maxDistance: inclusive Hamming distance in bits.
    ///   - seed: seed of `syntheticCodes`.
    ///   - method, threads: passed to `allPairs`.
    ///   - layout: default: 5 % planted near-duplicates at 1...8 bits.
    /// - Returns: wall-clock seconds of `allPairs` and the number of pairs it found.
    /// - Throws: whatever `allPairs` throws.
    public static func benchmarkAllPairs(
        count: Int, maxDistance: Int, seed: UInt64, method: HammingSearchMethod = .automatic,
        threads: Int = 1, layout: SyntheticLayout = .planted(fraction: 0.05, maxFlips: 8)
    ) throws -> (seconds: Double, pairs: Int) {
        let codes = syntheticCodes(count: count, seed: seed, layout: layout)
        let clock = ContinuousClock()
        var pairs = 0
        let elapsed = try clock.measure {
            pairs = try allPairs(codes: codes, maxDistance: maxDistance, method: method, threads: threads).count
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return (seconds, pairs)
    }
}
