import VitrineCore
/// One item to split: its id, its label (for stratification) and its near-duplicate group.
public struct SplitCandidate: Sendable, Equatable {
    public var itemID: Int64
    /// The item's class (e.g. its most frequent annotation class); nil when it has none.
    public var label: String?
    /// Near-duplicate group id; members of a group always land in the same subset.
    public var group: Int64?

    public init(itemID: Int64, label: String?, group: Int64?) {
        self.itemID = itemID
        self.label = label
        self.group = group
    }
}

/// Seeded, stratified dataset splits that keep near-duplicate groups whole.
///
/// Items of one duplicate group form a unit. Units are grouped by stratum (the most frequent
/// label among their members, ties by name; one stratum when not stratifying), shuffled with
/// SplitMix64 from `seed` (Fisher–Yates), placed largest first, each in the subset furthest
/// below its target (`fraction × stratum size`, in items; ties to the earlier subset). The same
/// input and seed give the same split on every platform.
/// - Complexity: O(n log n + n · s) for n items and s subsets.
public enum DatasetSplitter {
    /// - Parameters:
    ///   - fractions: subset names and fractions (e.g. train 0.8, val 0.1, test 0.1); they must
    ///     be ≥ 0 and sum to 1 (± 1e-9).
    /// - Returns: item id → subset name, for every candidate.
    /// - Throws: `DatasetsError.invalidInput` for bad fractions or repeated item ids.
    public static func split(_ candidates: [SplitCandidate], fractions: [(name: String, fraction: Double)], seed: UInt64, stratify: Bool) throws -> [Int64: String] {
        guard !fractions.isEmpty, fractions.allSatisfy({ $0.fraction >= 0 && $0.fraction.isFinite }),
              abs(fractions.reduce(0) { $0 + $1.fraction } - 1) < 1e-9 else {
            throw DatasetsError(.invalidInput, "split fractions \(fractions.map(\.fraction)) must be non-negative and sum to 1")
        }
        guard Set(candidates.map(\.itemID)).count == candidates.count else { throw DatasetsError(.invalidInput, "item ids repeat in the split input") }
        // Units: duplicate groups, else single items.
        var units: [[SplitCandidate]] = []
        var unitOfGroup: [Int64: Int] = [:]
        for c in candidates.sorted(by: { $0.itemID < $1.itemID }) {
            if let g = c.group, let u = unitOfGroup[g] { units[u].append(c); continue }
            if let g = c.group { unitOfGroup[g] = units.count }
            units.append([c])
        }
        func stratum(_ unit: [SplitCandidate]) -> String {
            guard stratify else { return "" }
            var counts: [String: Int] = [:]
            for c in unit { counts[c.label ?? "", default: 0] += 1 }
            return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.first?.key ?? ""
        }
        let strata = Dictionary(grouping: units.indices, by: { stratum(units[$0]) })
        var rng = SplitMix64(seed: seed)
        var result: [Int64: String] = [:]
        for key in strata.keys.sorted() {
            var members = strata[key] ?? []
            if members.count > 1 {
                for i in stride(from: members.count - 1, to: 0, by: -1) {
                    let j = Int(rng.next() % UInt64(i + 1))
                    members.swapAt(i, j)
                }
            }
            let order = members.enumerated().sorted { units[$0.element].count != units[$1.element].count ? units[$0.element].count > units[$1.element].count : $0.offset < $1.offset }.map(\.element)
            let total = Double(order.reduce(0) { $0 + units[$1].count })
            var filled = [Double](repeating: 0, count: fractions.count)
            for u in order {
                var best = 0, bestDeficit = -Double.infinity
                for (s, f) in fractions.enumerated() {
                    let deficit = f.fraction * total - filled[s]
                    if deficit > bestDeficit + 1e-12 { best = s; bestDeficit = deficit }
                }
                filled[best] += Double(units[u].count)
                for c in units[u] { result[c.itemID] = fractions[best].name }
            }
        }
        return result
    }
}

