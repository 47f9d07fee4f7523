import Foundation

/// How a Hamming search finds its matches. Every method returns exactly the same matches; they
/// differ only in time and memory.
public enum HammingSearchMethod: String, Sendable, CaseIterable {
    /// Compares the query with every indexed code (FAISS `IndexBinaryFlat`).
    /// - Complexity: O(queries × codes) popcounts, independent of the distance.
    case exhaustive
    /// Multi-index hashing (FAISS `IndexBinaryMultiHash`) with the cheapest parameters that are
    /// exact for the requested distance (see `MultiHashParameters`), even where exhaustive search
    /// would be cheaper.
    case multiHash
    /// Multi-hash when its estimated cost is below exhaustive search's, else exhaustive.
    /// See `HammingSearchPlan.choose(method:indexCount:queryCount:maxDistance:)`.
    case automatic
}

/// Parameters of multi-index hashing over 64-bit codes (Norouzi, Punjani, Fleet, "Fast Search in
/// Hamming Space with Multi-Index Hashing", CVPR 2012), as FAISS `IndexBinaryMultiHash` implements
/// it: the code is cut into `tables` disjoint substrings of `bitsPerTable` bits (table t keys on
/// code bits `t·b ..< (t+1)·b`, bit i being the bit of value `1 << i`); each table maps a substring
/// to the ids having it. A query probes, in every table, each key within `flips` bits of its own
/// substring, and checks the full distance of every candidate found.
///
/// Exactness (pigeonhole): if two codes differ in at most d bits, the differing bits fall into
/// `tables` disjoint substrings (bits outside every table only lower the count), so at least one
/// substring differs in at most ⌊d / tables⌋ bits. That substring is probed when
/// ⌊d / tables⌋ ≤ `flips`, i.e. when d ≤ tables · (flips + 1) − 1 = `guaranteedMaxDistance`.
/// Pairs farther than that may or may not be found.
public struct MultiHashParameters: Sendable, Hashable, CustomStringConvertible {
    /// Number of hash tables (m), ≥ 1.
    public let tables: Int
    /// Bits of the code each table keys on (b); tables · b ≤ 64.
    public let bitsPerTable: Int
    /// Hamming radius probed around the query's key in each table (FAISS `nflip`), 0 ≤ flips ≤ b.
    public let flips: Int

    /// Validates the parameters against what FAISS `IndexBinaryMultiHash` accepts on 64-bit codes.
    /// (b = 64 is refused because FAISS builds its key mask as `(1 << b) − 1`.)
    /// - Throws: `VectorIndexError.invalidArgument` when tables < 1, b ∉ 1...63, tables · b > 64
    ///   or flips ∉ 0...b.
    public init(tables: Int, bitsPerTable: Int, flips: Int) throws(VectorIndexError) {
        guard tables >= 1, (1...63).contains(bitsPerTable), tables * bitsPerTable <= 64,
              (0...bitsPerTable).contains(flips)
        else {
            throw .invalidArgument(message:
                "multi-hash parameters tables=\(tables) bitsPerTable=\(bitsPerTable) flips=\(flips) are not valid for "
                + "64-bit codes: need tables ≥ 1, 1 ≤ bitsPerTable ≤ 63, tables × bitsPerTable ≤ 64, 0 ≤ flips ≤ bitsPerTable")
        }
        self.tables = tables
        self.bitsPerTable = bitsPerTable
        self.flips = flips
    }

    /// Unvalidated parameters, to exercise the shim's own checks in tests.
    init(uncheckedTables tables: Int, bitsPerTable: Int, flips: Int) {
        self.tables = tables
        self.bitsPerTable = bitsPerTable
        self.flips = flips
    }

    /// Largest Hamming distance (bits) at which no match can be missed: tables · (flips + 1) − 1.
    public var guaranteedMaxDistance: Int { tables * (flips + 1) - 1 }

    /// Hash-table lookups per query: tables · Σ_{j ≤ flips} C(bitsPerTable, j).
    public var probesPerQuery: Double {
        Double(tables) * (0...flips).reduce(0.0) { $0 + binomial(bitsPerTable, $1) }
    }

    /// Expected candidates per query among `indexCount` uniformly random codes:
    /// indexCount · probesPerQuery / 2^bitsPerTable (capped at indexCount). Clustered data gives
    /// more, roughly in proportion to its true matches.
    public func expectedCandidates(indexCount: Int) -> Double {
        min(Double(indexCount), Double(indexCount) * probesPerQuery / Double(sign: .plus, exponent: bitsPerTable, significand: 1))
    }

    public var description: String { "multiHash(tables: \(tables), bitsPerTable: \(bitsPerTable), flips: \(flips))" }

    /// The sets `.multiHash` falls back to beyond the measured ones (`CostModel.measured`): for
    /// each table count m ≤ 16, b = min(63, ⌊64 / m⌋) (the most selective keys) and every flip
    /// count up to the first that covers distance 64 or exceeds 10^6 probes per query.
    static let candidates: [MultiHashParameters] = {
        var all: [MultiHashParameters] = []
        for tables in 1...16 {
            let bits = min(63, 64 / tables)
            for flips in 0...bits {
                guard let parameters = try? MultiHashParameters(tables: tables, bitsPerTable: bits, flips: flips),
                      parameters.probesPerQuery <= 1e6
                else { break }
                all.append(parameters)
                if parameters.guaranteedMaxDistance >= 64 { break }
            }
        }
        return all
    }()
}

/// C(n, k) as a Double (exact for the small values used here).
func binomial(_ n: Int, _ k: Int) -> Double {
    guard k >= 0, k <= n else { return 0 }
    var result = 1.0
    for i in 0..<min(k, n - k) {
        result = result * Double(n - i) / Double(i + 1)
    }
    return result.rounded()
}

/// The concrete search a `HammingSearchMethod` resolves to.
public enum HammingSearchPlan: Sendable, Hashable, CustomStringConvertible {
    case exhaustive
    case multiHash(MultiHashParameters)

    public var description: String {
        switch self {
        case .exhaustive: "exhaustive"
        case .multiHash(let parameters): parameters.description
        }
    }

    /// Whether this plan finds every match within `maxDistance` bits.
    public func isExact(forMaxDistance maxDistance: Int) -> Bool {
        switch self {
        case .exhaustive: true
        case .multiHash(let parameters): parameters.guaranteedMaxDistance >= maxDistance
        }
    }

    /// Resolves a method to a plan that is exact for `maxDistance`.
    ///
    /// `.exhaustive` gives `.exhaustive`. `.multiHash` gives the exact parameter set of least
    /// estimated cost. `.automatic` gives that set when its estimate is below exhaustive search's,
    /// else `.exhaustive`; it only considers the measured sets (`CostModel.measured`, exact up to
    /// 11 bits), so from 12 bits on it is always exhaustive — every exact multi-hash set there
    /// probes or verifies more than a scan costs (measured at 10^5 codes, see `allPairs`).
    ///
    /// Estimates are seconds for one thread, from `allPairs` measurements on the 2-core development
    /// machine (FAISS 1.7.3, Debian's SSE2 build): exhaustive costs 2.0 ns per query and code; a
    /// multi-hash set costs t(n) per query, n being the codes each query sees, interpolated as a
    /// power law through its times at n = 5·10^4 and 5·10^5 (all-pairs over 10^5 and 10^6 codes),
    /// which absorbs the cache misses that make FAISS's hash tables and per-query candidate sets
    /// slower as they grow.
    ///
    /// - Parameters:
    ///   - indexCount: codes each query is compared with (half the codes in `allPairs`).
    ///   - queryCount: number of queries.
    ///   - maxDistance: largest Hamming distance to find, in bits (≥ 0; above 64 acts as 64).
    public static func choose(
        method: HammingSearchMethod, indexCount: Int, queryCount: Int, maxDistance: Int
    ) -> HammingSearchPlan {
        choose(method: method, indexCount: indexCount, queryCount: queryCount, maxDistance: maxDistance,
               buildSeconds: { _ in 0 })
    }

    /// As the public `choose`, adding `buildSeconds(parameters)` to a multi-hash estimate: the
    /// time to build its tables when no index with those parameters exists yet (0 in `allPairs`,
    /// whose measured per-query times already include one insertion per query).
    static func choose(
        method: HammingSearchMethod, indexCount: Int, queryCount: Int, maxDistance: Int,
        buildSeconds: (MultiHashParameters) -> Double
    ) -> HammingSearchPlan {
        let distance = min(max(maxDistance, 0), 64)
        if method == .exhaustive { return .exhaustive }
        let seen = Double(max(indexCount, 1))
        let queries = Double(max(queryCount, 1))
        var best: (parameters: MultiHashParameters, seconds: Double)?
        for entry in CostModel.measured where entry.parameters.guaranteedMaxDistance >= distance {
            let seconds = queries * entry.secondsPerQuery(seen: seen) + buildSeconds(entry.parameters)
            if seconds < best?.seconds ?? .infinity { best = (entry.parameters, seconds) }
        }
        if method == .multiHash {
            if let best { return .multiHash(best.parameters) }
            // Beyond the measured sets: the analytic estimate picks among all valid sets.
            var fallback: (parameters: MultiHashParameters, seconds: Double)?
            for parameters in MultiHashParameters.candidates where parameters.guaranteedMaxDistance >= distance {
                let seconds = CostModel.analyticSecondsPerQuery(parameters, seen: seen)
                if seconds < fallback?.seconds ?? .infinity { fallback = (parameters, seconds) }
            }
            return fallback.map { .multiHash($0.parameters) } ?? .exhaustive
        }
        guard let best, best.seconds < queries * CostModel.exhaustiveSecondsPerQuery(seen: seen) else {
            return .exhaustive
        }
        return .multiHash(best.parameters)
    }
}

/// Time estimates for one thread (FAISS 1.7.3, Debian SSE2 build, 2-core development machine).
enum CostModel {
    /// A multi-hash parameter set with its measured `allPairs` time per query (seconds, CPU, one
    /// thread, FAISS table insertion included) at n = 5·10^4 and n = 5·10^5 codes seen per query.
    struct Measured: Sendable {
        let parameters: MultiHashParameters
        let atFiftyThousand: Double
        let atFiveHundredThousand: Double

        /// Seconds per query when each query sees `seen` codes. From 5·10^4 codes on: power law
        /// through the two measurements, t(n) = t(5·10^4) · (n / 5·10^4)^γ with
        /// γ = log10(t(5·10^5) / t(5·10^4)). Below: linear from `fixedSecondsPerQuery` at n = 0 to
        /// t(5·10^4) (small tables stay in cache, so only the candidates grow with n).
        func secondsPerQuery(seen: Double) -> Double {
            let fixed = CostModel.fixedSecondsPerQuery(parameters)
            if seen < 5e4 {
                return fixed + max(0, atFiftyThousand - fixed) * seen / 5e4
            }
            let exponent = log10(atFiveHundredThousand / atFiftyThousand)
            return atFiftyThousand * pow(seen / 5e4, exponent)
        }
    }

    /// Cost of a multi-hash query that finds no candidate, with tables in cache: 0.2 µs per table
    /// (insertion and set-up) and 18 ns per probe (fitted to runs over 10^3 and 10^4 codes).
    static func fixedSecondsPerQuery(_ parameters: MultiHashParameters) -> Double {
        Double(parameters.tables) * 0.2e-6 + parameters.probesPerQuery * 18e-9
    }

    /// Exhaustive `IndexBinaryFlat::range_search`: seconds per query and code compared
    /// (85.7 s CPU for the 4.5·10^10 pairs of 3·10^5 codes; 10.3–11.0 s for 5·10^9 at 10^5).
    static let pair = 2.0e-9

    /// Building multi-hash tables: seconds per code and table (0.5–1.5 µs measured from 10^5 to
    /// 10^6 codes; node and vector allocation in FAISS's `unordered_map`s).
    static let insertion = 1e-6

    /// Per query of an exhaustive search: 1 µs of set-up plus `pair` per code.
    static func exhaustiveSecondsPerQuery(seen: Double) -> Double { 1e-6 + seen * pair }

    /// The sets `.automatic` chooses from, with their measured times (microseconds per query, see
    /// `BinaryHashIndex.allPairs` for the whole table). 10^5 figures: uniformly random codes,
    /// fastest of one to three runs; 10^6 figures: 5 % planted near-duplicates, one run, CPU time;
    /// the machine was shared with other builds, so figures carry about ±30 %.
    static let measured: [Measured] = [
        entry(1, 63, 0, 0.66, 2.1),
        entry(2, 32, 0, 1.6, 5.7),
        entry(3, 21, 0, 3.3, 8.7),
        entry(4, 16, 0, 2.6, 9.2),
        entry(2, 32, 1, 4.0, 17.7),
        entry(5, 12, 0, 5.1, 134),
        entry(3, 21, 1, 9.5, 24.4),
        entry(4, 16, 1, 15.7, 226),
        entry(3, 21, 2, 50.8, 93),
        entry(4, 16, 2, 128, 1180),  // 10^6: aborted after 1180 s, a lower bound
        entry(3, 21, 3, 244, 803),
    ]

    private static func entry(
        _ tables: Int, _ bits: Int, _ flips: Int, _ microsecondsAt5e4: Double, _ microsecondsAt5e5: Double
    ) -> Measured {
        Measured(parameters: MultiHashParameters(uncheckedTables: tables, bitsPerTable: bits, flips: flips),
                 atFiftyThousand: microsecondsAt5e4 * 1e-6, atFiveHundredThousand: microsecondsAt5e5 * 1e-6)
    }

    /// For sets never measured (only `.multiHash` beyond 11 bits reaches them): per-query insertion
    /// (1 µs per table), probes (100 ns) and candidates (250 ns), the costs seen at 10^6 codes.
    static func analyticSecondsPerQuery(_ parameters: MultiHashParameters, seen: Double) -> Double {
        Double(parameters.tables) * 1e-6 + parameters.probesPerQuery * 100e-9
            + parameters.expectedCandidates(indexCount: Int(seen)) * 250e-9
    }
}
