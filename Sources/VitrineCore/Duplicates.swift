/// How the members of a duplicate group are related.
public enum DuplicateKind: String, Sendable, Codable, CaseIterable {
    /// Identical bytes (same SHA-256 of the file).
    case exactBytes = "exact_bytes"
    /// Identical decoded pixels in different files (e.g. the same picture as PNG and TIFF).
    case identicalPixels = "identical_pixels"
    /// Perceptual hashes within the Hamming threshold.
    case near
}

/// Union–find (disjoint sets) with path halving and union by size, over `0..<count`.
/// Used to turn duplicate pairs into groups (connected components).
/// - Complexity: near O(1) amortised per operation (inverse Ackermann).
public struct DisjointSets: Sendable {
    private var parent: [Int]
    private var size: [Int]

    public init(count: Int) {
        parent = Array(0..<count)
        size = Array(repeating: 1, count: count)
    }

    public mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x {
            parent[x] = parent[parent[x]]
            x = parent[x]
        }
        return x
    }

    /// Joins the sets of `a` and `b`; returns false when they were already one.
    @discardableResult
    public mutating func union(_ a: Int, _ b: Int) -> Bool {
        var ra = find(a), rb = find(b)
        if ra == rb { return false }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = ra
        size[ra] += size[rb]
        return true
    }

    /// Sets with at least `minimumSize` members, each sorted, ordered by their smallest member.
    public mutating func components(minimumSize: Int = 2) -> [[Int]] {
        var byRoot: [Int: [Int]] = [:]
        for i in 0..<parent.count { byRoot[find(i), default: []].append(i) }
        return byRoot.values.filter { $0.count >= minimumSize }.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }
}
