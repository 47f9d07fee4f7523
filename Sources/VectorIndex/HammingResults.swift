/// One indexed code found by a Hamming search.
public struct HammingMatch: Sendable, Hashable {
    /// Id of the indexed code: its position in insertion order, from 0.
    public let id: Int
    /// Hamming distance to the query, in bits (0...64).
    public let distance: Int

    public init(id: Int, distance: Int) {
        self.id = id
        self.distance = distance
    }
}

/// Two codes of one collection within a Hamming distance of each other.
public struct HammingPair: Sendable, Hashable {
    /// Index of the first code in the input array; always less than `second`.
    public let first: Int
    /// Index of the second code in the input array.
    public let second: Int
    /// Hamming distance in bits (0...64).
    public let distance: Int

    public init(first: Int, second: Int, distance: Int) {
        self.first = first
        self.second = second
        self.distance = distance
    }
}

/// The matches of a batch of range queries, in FAISS's flat layout: the matches of query q are
/// `ids[offsets[q] ..< offsets[q + 1]]` with `distances[...]`, sorted by increasing distance,
/// then increasing id.
public struct HammingRangeResult: Sendable, Hashable {
    /// `queryCount + 1` non-decreasing offsets into `ids` and `distances`; `offsets[0] == 0`.
    public let offsets: [Int]
    /// Ids (insertion positions) of the matching indexed codes.
    public let ids: [Int]
    /// Hamming distances in bits, parallel to `ids`.
    public let distances: [Int]

    /// Number of queries.
    public var queryCount: Int { offsets.count - 1 }

    /// Total number of matches over all queries.
    public var matchCount: Int { ids.count }

    /// The matches of one query, by increasing distance then id.
    /// - Precondition: `0 <= query < queryCount`.
    public subscript(query query: Int) -> Matches {
        precondition(query >= 0 && query < queryCount, "query \(query) out of range 0..<\(queryCount)")
        let range = offsets[query]..<offsets[query + 1]
        return Matches(ids: ids[range], distances: distances[range])
    }

    /// The matches of one query, without copying.
    public struct Matches: RandomAccessCollection, Sendable {
        let ids: ArraySlice<Int>
        let distances: ArraySlice<Int>

        public var startIndex: Int { 0 }
        public var endIndex: Int { ids.count }

        public subscript(position: Int) -> HammingMatch {
            HammingMatch(id: ids[ids.startIndex + position], distance: distances[distances.startIndex + position])
        }
    }

    init(offsets: [Int], ids: [Int], distances: [Int]) {
        self.offsets = offsets
        self.ids = ids
        self.distances = distances
    }
}
