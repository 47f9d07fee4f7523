import Testing
@testable import VectorIndex

/// SplitMix64 (Steele, Lea, Flood, OOPSLA 2014), so every test sees the same codes.
struct TestGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `count` random codes, then near-duplicates planted at every distance 0...20 (several per
/// distance), then exact duplicates, in shuffled positions.
func plantedCodes(count: Int, seed: UInt64) -> [UInt64] {
    var random = TestGenerator(state: seed)
    var codes = (0..<count).map { _ in random.next() }
    for distance in 0...20 {
        for _ in 0..<12 {
            let base = codes[Int.random(in: 0..<codes.count, using: &random)]
            var mask: UInt64 = 0
            while mask.nonzeroBitCount < distance {
                mask |= 1 << (random.next() & 63)
            }
            codes.append(base ^ mask)
        }
    }
    // A small cluster: one centre and variants within 4 bits of it (pairs up to 8 bits apart).
    let centre = random.next()
    for _ in 0..<30 {
        var mask: UInt64 = 0
        let flips = Int.random(in: 0...4, using: &random)
        while mask.nonzeroBitCount < flips {
            mask |= 1 << (random.next() & 63)
        }
        codes.append(centre ^ mask)
    }
    codes.shuffle(using: &random)
    return codes
}

/// Reference: every pair i < j within `maxDistance`, by direct popcount.
func bruteForcePairs(_ codes: [UInt64], maxDistance: Int) -> [HammingPair] {
    var pairs: [HammingPair] = []
    for i in codes.indices {
        for j in (i + 1)..<codes.count {
            let distance = (codes[i] ^ codes[j]).nonzeroBitCount
            if distance <= maxDistance {
                pairs.append(HammingPair(first: i, second: j, distance: distance))
            }
        }
    }
    return pairs
}

/// Reference range search for one query.
func bruteForceMatches(_ query: UInt64, in codes: [UInt64], maxDistance: Int) -> [HammingMatch] {
    codes.enumerated()
        .map { HammingMatch(id: $0.offset, distance: ($0.element ^ query).nonzeroBitCount) }
        .filter { $0.distance <= maxDistance }
        .sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
}

@Suite struct AllPairsTests {
    static let codes = plantedCodes(count: 3000, seed: 42)

    @Test(arguments: [0, 3, 7, 10, 12, 16])
    func everyMethodMatchesBruteForce(maxDistance: Int) throws {
        let expected = bruteForcePairs(Self.codes, maxDistance: maxDistance)
        #expect(!expected.isEmpty)
        for method in HammingSearchMethod.allCases {
            let pairs = try BinaryHashIndex.allPairs(codes: Self.codes, maxDistance: maxDistance, method: method)
            #expect(pairs == expected, "method \(method) at distance \(maxDistance)")
        }
    }

    /// Every exact multi-hash parameter set the planner may pick finds every pair, including at
    /// exactly its guaranteed distance (the pigeonhole bound is tight there).
    @Test func everyCandidateParameterSetIsExactAtItsGuaranteedDistance() throws {
        let codes = Array(Self.codes.prefix(1200))
        var checked = 0
        for parameters in MultiHashParameters.candidates
        where parameters.guaranteedMaxDistance <= 16 && parameters.probesPerQuery <= 50_000 {
            let distance = parameters.guaranteedMaxDistance
            let pairs = try BinaryHashIndex.allPairs(codes: codes, maxDistance: distance, plan: .multiHash(parameters))
            #expect(pairs == bruteForcePairs(codes, maxDistance: distance), "\(parameters)")
            checked += 1
        }
        #expect(checked >= 10)
    }

    @Test(arguments: [2, 4, 8])
    func threadsDoNotChangeTheResult(threads: Int) throws {
        let single = try BinaryHashIndex.allPairs(codes: Self.codes, maxDistance: 9, method: .multiHash, threads: 1)
        let many = try BinaryHashIndex.allPairs(codes: Self.codes, maxDistance: 9, method: .multiHash, threads: threads)
        #expect(single == many)
    }

    @Test func radiusIsInclusive() throws {
        let a: UInt64 = 0
        let codes: [UInt64] = [a, 0b111, 0b1111, 0b1_1111]  // distances 3, 4, 5 from a
        for method in HammingSearchMethod.allCases {
            let pairs = try BinaryHashIndex.allPairs(codes: codes, maxDistance: 4, method: method)
            #expect(pairs.contains(HammingPair(first: 0, second: 2, distance: 4)), "\(method)")
            #expect(pairs.contains(HammingPair(first: 0, second: 1, distance: 3)), "\(method)")
            #expect(!pairs.contains { $0.first == 0 && $0.second == 3 }, "\(method)")
        }
    }

    @Test func emptyInputGivesNoPairs() throws {
        for method in HammingSearchMethod.allCases {
            #expect(try BinaryHashIndex.allPairs(codes: [], maxDistance: 10, method: method).isEmpty)
        }
    }

    @Test func singleCodeGivesNoPairs() throws {
        for method in HammingSearchMethod.allCases {
            #expect(try BinaryHashIndex.allPairs(codes: [0xDEAD_BEEF], maxDistance: 64, method: method).isEmpty)
        }
    }

    @Test func duplicateCodesPairAtDistanceZero() throws {
        let code: UInt64 = 0x0123_4567_89AB_CDEF
        let codes = [code, 0xFFFF_0000_FFFF_0000, code, code]
        for method in HammingSearchMethod.allCases {
            let pairs = try BinaryHashIndex.allPairs(codes: codes, maxDistance: 0, method: method)
            #expect(pairs == [
                HammingPair(first: 0, second: 2, distance: 0),
                HammingPair(first: 0, second: 3, distance: 0),
                HammingPair(first: 2, second: 3, distance: 0),
            ], "\(method)")
        }
    }

    @Test func distanceAbove64PairsEverything() throws {
        let codes: [UInt64] = [0, .max, 0x5555_5555_5555_5555]
        let pairs = try BinaryHashIndex.allPairs(codes: codes, maxDistance: 100)
        #expect(pairs.map(\.distance) == [64, 32, 32])
    }

    @Test func highBitsAreCompared() throws {
        // Codes that differ only in the top byte: the last multi-hash table keys on those bits.
        let codes: [UInt64] = [0x0100_0000_0000_0000, 0x0300_0000_0000_0000, 0x8000_0000_0000_0000]
        for method in HammingSearchMethod.allCases {
            let pairs = try BinaryHashIndex.allPairs(codes: codes, maxDistance: 1, method: method)
            #expect(pairs == [HammingPair(first: 0, second: 1, distance: 1)], "\(method)")
        }
    }

    @Test func tooManyPairsThrowInsteadOfExhaustingMemory() throws {
        let codes = [UInt64](repeating: 0xABCD, count: 300)  // 44 850 pairs at distance 0
        for method in HammingSearchMethod.allCases {
            do {
                _ = try BinaryHashIndex.allPairs(codes: codes, maxDistance: 0, method: method, maxPairs: 1000)
                Issue.record("expected resultTooLarge for \(method)")
            } catch let error as VectorIndexError {
                #expect(error.code == .resultTooLarge)
            }
            #expect(try BinaryHashIndex.allPairs(codes: codes, maxDistance: 0, method: method).count == 300 * 299 / 2)
        }
    }

    /// Many codes within the distance of each other: batches shrink, the result stays exact.
    @Test func denseMatchesAreFoundAcrossShrinkingBatches() throws {
        var random = TestGenerator(state: 3)
        let codes = (0..<2000).map { _ in UInt64(random.next() & 0xFF) }  // all within 8 bits
        let pairs = try BinaryHashIndex.allPairs(codes: codes, maxDistance: 3, method: .exhaustive)
        #expect(pairs == bruteForcePairs(codes, maxDistance: 3))
    }

    @Test func negativeDistanceThrows() {
        #expect(throws: VectorIndexError.self) {
            try BinaryHashIndex.allPairs(codes: [1, 2], maxDistance: -1)
        }
    }

    @Test func inexactPlanIsRejected() throws {
        let parameters = try MultiHashParameters(tables: 4, bitsPerTable: 16, flips: 1)
        #expect(parameters.guaranteedMaxDistance == 7)
        do {
            _ = try BinaryHashIndex.allPairs(codes: [1, 2], maxDistance: 8, plan: .multiHash(parameters))
            Issue.record("expected an error")
        } catch let error as VectorIndexError {
            #expect(error.code == .invalidArgument)
        }
    }
}

@Suite struct BinaryHashIndexTests {
    static let codes = plantedCodes(count: 2000, seed: 7)

    @Test(arguments: HammingSearchMethod.allCases)
    func rangeSearchMatchesBruteForce(method: HammingSearchMethod) throws {
        let index = BinaryHashIndex(method: method)
        index.add(Array(Self.codes.prefix(1000)))
        index.add(Array(Self.codes.dropFirst(1000)))
        #expect(index.count == Self.codes.count)
        var random = TestGenerator(state: 99)
        let queries = (0..<50).map { _ in Self.codes[Int.random(in: 0..<Self.codes.count, using: &random)] }
            + (0..<20).map { _ in random.next() }
        for maxDistance in [0, 5, 8, 12, 20] {
            let result = try index.rangeSearch(queries: queries, maxDistance: maxDistance)
            #expect(result.queryCount == queries.count)
            #expect(result.offsets.first == 0 && result.offsets.last == result.matchCount)
            for (q, query) in queries.enumerated() {
                #expect(Array(result[query: q]) == bruteForceMatches(query, in: Self.codes, maxDistance: maxDistance),
                        "\(method) distance \(maxDistance) query \(q)")
            }
        }
    }

    @Test func addingAfterASearchKeepsResultsExact() throws {
        for method in HammingSearchMethod.allCases {
            let index = BinaryHashIndex(method: method)
            index.add(Array(Self.codes.prefix(700)))
            let query = Self.codes[800]
            _ = try index.rangeSearch(queries: [query], maxDistance: 6)
            index.add(Array(Self.codes.dropFirst(700)))
            let result = try index.rangeSearch(queries: [query], maxDistance: 6)
            #expect(Array(result[query: 0]) == bruteForceMatches(query, in: Self.codes, maxDistance: 6), "\(method)")
        }
    }

    @Test func concurrentSearchesAndAddsOnOneIndexStayExact() async throws {
        let index = BinaryHashIndex(method: .multiHash)
        index.add(Array(Self.codes.prefix(1500)))
        let queries = Array(Self.codes.prefix(40))
        let expected = queries.map { bruteForceMatches($0, in: Array(Self.codes.prefix(1500)), maxDistance: 6) }
        try await withThrowingTaskGroup(of: [[HammingMatch]].self) { group in
            for task in 0..<8 {
                group.addTask {
                    if task == 0 { index.add(Array(Self.codes.dropFirst(1500))) }  // ids ≥ 1500
                    let result = try index.rangeSearch(queries: queries, maxDistance: 6)
                    return (0..<queries.count).map { q in result[query: q].filter { $0.id < 1500 } }
                }
            }
            for try await matches in group {
                #expect(matches == expected)
            }
        }
        #expect(index.count == Self.codes.count)
    }

    @Test func emptyIndexAndEmptyQueries() throws {
        let index = BinaryHashIndex()
        let result = try index.rangeSearch(queries: [1, 2, 3], maxDistance: 10)
        #expect(result.offsets == [0, 0, 0, 0])
        #expect(result[query: 1].isEmpty)
        #expect(try index.nearest(queries: [1], k: 3) == [[]])
        index.add([5])
        #expect(try index.rangeSearch(queries: [], maxDistance: 3).queryCount == 0)
        #expect(try index.nearest(queries: [], k: 3).isEmpty)
    }

    @Test func tooManyMatchesThrow() throws {
        let index = BinaryHashIndex()
        index.add([UInt64](repeating: 7, count: 100))
        #expect(throws: VectorIndexError.self) {
            try index.rangeSearch(queries: [7, 7, 7], maxDistance: 0, maxMatches: 250)
        }
        #expect(try index.rangeSearch(queries: [7, 7, 7], maxDistance: 0).matchCount == 300)
    }

    @Test func batchSizeFollowsMatchDensity() {
        var sizer = QueryBatchSizer()
        #expect(sizer.size == QueryBatchSizer.minimum)
        sizer.update(matches: 0, queries: 64, seen: 1000, nextSeen: 1000)
        #expect(sizer.size == QueryBatchSizer.minimum * 4)
        for _ in 0..<10 { sizer.update(matches: 0, queries: sizer.size, seen: 1000, nextSeen: 1000) }
        #expect(sizer.size == QueryBatchSizer.maximum)
        // Every query matched every code: 4·10^6 / 10^6 codes = 4 queries, floored at the minimum.
        sizer.update(matches: 8192 * 1_000_000, queries: 8192, seen: 1_000_000, nextSeen: 1_000_000)
        #expect(sizer.size == QueryBatchSizer.minimum)
    }

    @Test func nearestMatchesBruteForce() throws {
        let index = BinaryHashIndex(method: .multiHash)
        index.add(Self.codes)
        var random = TestGenerator(state: 5)
        let queries = (0..<40).map { _ in random.next() } + Array(Self.codes.prefix(10))
        let k = 7
        let neighbours = try index.nearest(queries: queries, k: k)
        #expect(neighbours.count == queries.count)
        for (q, query) in queries.enumerated() {
            let all = Self.codes.map { ($0 ^ query).nonzeroBitCount }
            let expectedDistances = Array(all.sorted().prefix(k))
            #expect(neighbours[q].map(\.distance) == expectedDistances, "query \(q)")
            for match in neighbours[q] {
                #expect(all[match.id] == match.distance)
            }
            #expect(Set(neighbours[q].map(\.id)).count == k)
        }
    }

    @Test func nearestWithKAboveCountReturnsEveryCode() throws {
        let index = BinaryHashIndex()
        index.add([0b0, 0b1, 0b11])
        let neighbours = try index.nearest(queries: [0], k: 10)
        #expect(neighbours == [[
            HammingMatch(id: 0, distance: 0), HammingMatch(id: 1, distance: 1), HammingMatch(id: 2, distance: 2),
        ]])
        #expect(throws: VectorIndexError.self) { try index.nearest(queries: [0], k: 0) }
    }

    @Test func hammingDistanceIsPopcountOfXor() {
        #expect(BinaryHashIndex.hammingDistance(0, 0) == 0)
        #expect(BinaryHashIndex.hammingDistance(0, .max) == 64)
        #expect(BinaryHashIndex.hammingDistance(0b1010, 0b0110) == 2)
    }
}

@Suite struct HammingSearchPlanTests {
    @Test func multiHashParametersAreValidated() throws {
        #expect(throws: VectorIndexError.self) { try MultiHashParameters(tables: 5, bitsPerTable: 16, flips: 0) }
        #expect(throws: VectorIndexError.self) { try MultiHashParameters(tables: 1, bitsPerTable: 64, flips: 0) }
        #expect(throws: VectorIndexError.self) { try MultiHashParameters(tables: 2, bitsPerTable: 8, flips: 9) }
        let parameters = try MultiHashParameters(tables: 3, bitsPerTable: 21, flips: 2)
        #expect(parameters.guaranteedMaxDistance == 8)
        #expect(parameters.probesPerQuery == 3 * (1 + 21 + 210))
    }

    @Test(arguments: 0...64)
    func everyChosenPlanIsExact(maxDistance: Int) {
        for method in HammingSearchMethod.allCases {
            for count in [10, 100_000, 1_000_000] {
                let plan = HammingSearchPlan.choose(method: method, indexCount: count, queryCount: count, maxDistance: maxDistance)
                #expect(plan.isExact(forMaxDistance: maxDistance), "\(method) \(count) \(maxDistance): \(plan)")
                if method == .exhaustive { #expect(plan == .exhaustive) }
                if method == .multiHash { #expect(plan != .exhaustive) }
            }
        }
    }

    @Test func measuredParameterSetsAreValid() {
        for entry in CostModel.measured {
            let p = entry.parameters
            #expect((try? MultiHashParameters(tables: p.tables, bitsPerTable: p.bitsPerTable, flips: p.flips)) == p)
            #expect(entry.secondsPerQuery(seen: 10) > 0)
        }
    }

    @Test func fewQueriesOnALargeIndexDoNotBuildHashTables() {
        let buildCost: (MultiHashParameters) -> Double = { Double(1_000_000 * $0.tables) * CostModel.insertion }
        let one = HammingSearchPlan.choose(method: .automatic, indexCount: 1_000_000, queryCount: 1, maxDistance: 8,
                                           buildSeconds: buildCost)
        #expect(one == .exhaustive)
        let all = HammingSearchPlan.choose(method: .automatic, indexCount: 500_000, queryCount: 1_000_000, maxDistance: 8)
        #expect(all != .exhaustive)
    }

    /// libgomp keeps the thread count per calling thread; a synchronous test stays on one thread.
    @Test func openMPThreadCountIsSetForTheCallingThread() throws {
        let before = FaissBinaryIndex.maxThreads()
        try FaissBinaryIndex.setThreads(3)
        #expect(FaissBinaryIndex.maxThreads() == 3)
        try FaissBinaryIndex.setThreads(max(before, 1))
        #expect(throws: VectorIndexError.self) { try FaissBinaryIndex.setThreads(0) }
    }

    @Test func nativeErrorsCarryTheShimMessage() throws {
        let parameters = MultiHashParameters(uncheckedTables: 1, bitsPerTable: 64, flips: 0)
        do {
            _ = try FaissBinaryIndex(kind: .multiHash(parameters))
            Issue.record("expected the shim to refuse 64-bit keys")
        } catch {
            #expect(error.code == .nativeInvalidArgument)
            #expect(error.underlyingMessage?.contains("bits_per_table=64") == true)
            #expect(error.description.contains("IndexBinaryMultiHash"))
        }
    }
}
