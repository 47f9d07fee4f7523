import VitrineCore
import Foundation


/// Stratified k-fold splits.
public enum KFold {
    /// Stratified k-fold **grouped**: every group (e.g. a near-duplicate group) lies wholly in one
    /// fold, so no group is on both sides of a split; folds are balanced per class greedily.
    ///
    /// Groups are shuffled with the seed, then taken largest first; each goes to the fold with
    /// the fewest items of the group's majority class so far (ties: fewest items overall, then
    /// lowest index) — the idea of scikit-learn's `StratifiedGroupKFold`, simplified.
    /// - Parameters:
    ///   - labels: class index per item.
    ///   - groups: group id per item (items sharing an id stay together); same length as `labels`.
    ///   - folds: k ≥ 2.
    /// - Returns: fold index in `0..<k` per item.
    /// - Complexity: O(g log g + g·k) for g groups.
    public static func stratifiedGrouped(labels: [Int], groups: [Int], folds k: Int, seed: UInt64) throws -> [Int] {
        guard labels.count == groups.count else {
            throw LearningError(.invalidInput, "\(labels.count) labels but \(groups.count) group ids")
        }
        guard k >= 2 else { throw LearningError(.invalidInput, "folds must be at least 2, got \(k)") }
        guard let maxLabel = labels.max(), labels.allSatisfy({ $0 >= 0 }) else {
            if labels.isEmpty { return [] }
            throw LearningError(.invalidInput, "class indices must be ≥ 0")
        }
        var members: [Int: [Int]] = [:]
        for (i, g) in groups.enumerated() { members[g, default: []].append(i) }
        var generator = SplitMix64(seed: seed)
        var order = members.keys.sorted()
        order.shuffle(using: &generator)
        // Stable sort by size (largest first) keeps the seeded order among equal sizes.
        let ranked = order.enumerated().sorted { a, b in
            let sa = members[a.element]?.count ?? 0, sb = members[b.element]?.count ?? 0
            return sa != sb ? sa > sb : a.offset < b.offset
        }.map(\.element)
        var perClass = [[Int]](repeating: [Int](repeating: 0, count: maxLabel + 1), count: k)
        var sizes = [Int](repeating: 0, count: k)
        var assignment = [Int](repeating: 0, count: labels.count)
        for g in ranked {
            let items = members[g] ?? []
            var counts: [Int: Int] = [:]
            for i in items { counts[labels[i], default: 0] += 1 }
            let major = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key ?? 0
            var best = 0
            for f in 1..<k where (perClass[f][major], sizes[f]) < (perClass[best][major], sizes[best]) { best = f }
            for i in items {
                assignment[i] = best
                perClass[best][labels[i]] += 1
            }
            sizes[best] += items.count
        }
        return assignment
    }

    /// Plain stratified k-fold: every item its own group (near duplicates may fall on both sides).
    public static func stratified(labels: [Int], folds k: Int, seed: UInt64) throws -> [Int] {
        try stratifiedGrouped(labels: labels, groups: Array(labels.indices), folds: k, seed: seed)
    }
}
