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
    /// - Throws: `VectorIndexError.invalidArgument` when tables < 1, b ∉ 1...63, tables · b > 64,
    ///   flips ∉ 0...b, or a table's key would not fit FAISS's 8-byte read ((t·b mod 8) + b > 64).
    public init(tables: Int, bitsPerTable: Int, flips: Int) throws(VectorIndexError) {
        guard tables >= 1, (1...63).contains(bitsPerTable), tables * bitsPerTable <= 64,
              (0...bitsPerTable).contains(flips),
              (0..<tables).allSatisfy({ ($0 * bitsPerTable) % 8 + bitsPerTable <= 64 })
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

    /// The parameter sets the planner chooses from: for each table count m, b = ⌊64 / m⌋ (the most
    /// selective keys) and every flip count up to the one that first covers distance 64.
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

/// The concrete search a `HammingSearchMethod` resolves to for given sizes and distance.
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
    /// `.exhaustive` gives `.exhaustive`; `.multiHash` gives the exact multi-hash parameters of
    /// least estimated cost; `.automatic` gives whichever of the two is cheaper. The estimate is a
    /// cost model fitted to measurements of FAISS 1.7.3 on the 2-core development machine (one
    /// thread; see `BinaryHashIndex.allPairs` for the figures):
    /// exhaustive = queries · codes · 1.6 ns; multi-hash = codes · tables · 60 ns (inserting)
    /// + queries · (probes · 40 ns + candidates · 40 ns), candidates as for random codes.
    ///
    /// - Parameters:
    ///   - indexCount: codes searched by each query.
    ///   - queryCount: number of queries.
    ///   - maxDistance: largest Hamming distance to find, in bits (≥ 0; above 64 acts as 64).
    public static func choose(
        method: HammingSearchMethod, indexCount: Int, queryCount: Int, maxDistance: Int
    ) -> HammingSearchPlan {
        choose(method: method, indexCount: indexCount, insertedCount: indexCount,
               queryCount: queryCount, maxDistance: maxDistance)
    }

    /// As the public `choose`, but with the number of codes inserted into the index apart from
    /// the number each query sees (they differ in `allPairs`, where a query only sees earlier
    /// codes: on average half of them).
    static func choose(
        method: HammingSearchMethod, indexCount: Int, insertedCount: Int, queryCount: Int, maxDistance: Int
    ) -> HammingSearchPlan {
        let distance = min(max(maxDistance, 0), 64)
        if method == .exhaustive { return .exhaustive }
        var best: (plan: MultiHashParameters, cost: Double)?
        for parameters in MultiHashParameters.candidates where parameters.guaranteedMaxDistance >= distance {
            let cost = CostModel.multiHash(parameters, indexCount: indexCount, insertedCount: insertedCount,
                                           queryCount: queryCount)
            if best == nil || cost < best?.cost ?? .infinity {
                best = (parameters, cost)
            }
        }
        guard let best else { return .exhaustive }
        if method == .multiHash { return .multiHash(best.plan) }
        let exhaustive = CostModel.exhaustive(indexCount: indexCount, queryCount: queryCount)
        return best.cost < exhaustive ? .multiHash(best.plan) : .exhaustive
    }
}

/// Seconds estimated for one thread; constants measured with FAISS 1.7.3 (Debian, SSE2 build).
enum CostModel {
    /// Per code–query distance of `IndexBinaryFlat::range_search`.
    static let pair = 2.1e-9
    /// Per code and table inserted into `IndexBinaryMultiHash`.
    static let insert = 100e-9
    /// Per hash-table lookup.
    static let probe = 60e-9
    /// Per candidate (insert into FAISS's per-query `unordered_set`, then one popcount).
    static let candidate = 70e-9

    static func exhaustive(indexCount: Int, queryCount: Int) -> Double {
        Double(queryCount) * Double(indexCount) * pair
    }

    static func multiHash(
        _ parameters: MultiHashParameters, indexCount: Int, insertedCount: Int, queryCount: Int
    ) -> Double {
        Double(insertedCount) * Double(parameters.tables) * insert
            + Double(queryCount) * (parameters.probesPerQuery * probe
                + parameters.expectedCandidates(indexCount: indexCount) * candidate)
    }
}
