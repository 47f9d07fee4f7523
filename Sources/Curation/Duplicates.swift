import Catalog
import Foundation
import Logging
import VectorIndex
import VitrineCore

/// Defaults for near-duplicate matching, chosen from the pair evaluation of every algorithm
/// and threshold on the shared corpus (468 images, 49 groups, 456 ground-truth pairs;
/// `vitrine duplicates --evaluate neardup_groups.csv`) by one rule, not by single files: the
/// largest threshold whose pair precision is ≥ 0.99 (pHash 10 bits: precision 1.000, recall
/// 0.557; dHash 5 bits: 0.992 / 0.535); where no threshold reaches 0.99, the largest with
/// precision ≥ 0.95 (aHash 2 bits: 0.968 / 0.531), else 0 (wHash: 0.926 / 0.465 at 0 bits).
/// pHash is the default: at 10 bits it finds every resized, thumbnail, recompressed and format
/// variant in the corpus with no false pair. pHash distances are always even (each code has 32
/// ones, split at the median).
public enum DuplicateDefaults {
    public static let algorithm: HashAlgorithm = .phash

    /// Hamming threshold (inclusive, bits of 64) per algorithm.
    public static func threshold(for algorithm: HashAlgorithm) -> Int {
        switch algorithm {
        case .ahash: 2
        case .dhash: 5
        case .phash: 10
        case .whash: 0
        }
    }
}

public struct DuplicateOptions: Sendable {
    public var algorithm: HashAlgorithm = DuplicateDefaults.algorithm
    /// Inclusive Hamming threshold in bits; nil = `DuplicateDefaults.threshold(for:)`.
    public var threshold: Int? = nil
    /// Match under the 8 rotations/mirrors (distance = the minimum over them).
    public var invariant = false
    public var threads = 1
    public init() {}

    public var effectiveThreshold: Int { threshold ?? DuplicateDefaults.threshold(for: algorithm) }
}

/// One item as the duplicate finder sees it.
public struct DuplicateCandidate: Sendable {
    public var id: Int64
    public var sha256: String
    public var pixelSHA256: String?
    public var width: Int
    public var height: Int
    public var format: ImageFormat
    /// Hash of the chosen algorithm; variants[t] for the 8 transforms when stored.
    public var code: UInt64
    public var variants: [UInt64]
    /// Blank/flat images are matched only by exact bytes or identical pixels.
    public var blank: Bool
    /// The ingest run that catalogued it, and where it came from: the keeper's last tie-breaks
    /// (an earlier run first, then the first source path), so that the same files give the same
    /// keeper whatever order a parallel ingest gave them ids in.
    public var ingestRunID: Int64
    public var sourcePath: String

    public init(id: Int64, sha256: String, pixelSHA256: String?, width: Int, height: Int, format: ImageFormat, code: UInt64,
                variants: [UInt64], blank: Bool, ingestRunID: Int64 = 0, sourcePath: String = "") {
        self.ingestRunID = ingestRunID
        self.sourcePath = sourcePath
        self.id = id
        self.sha256 = sha256
        self.pixelSHA256 = pixelSHA256
        self.width = width
        self.height = height
        self.format = format
        self.code = code
        self.variants = variants
        self.blank = blank
    }
}

/// A group of duplicates with its proposed keeper.
public struct DuplicateGroup: Sendable, Codable, Equatable {
    public var kind: DuplicateKind
    public var memberIDs: [Int64]
    public var keeperID: Int64
    public var keeperReason: String
    public var maxDistance: Int
    public var distanceToKeeper: [Int64: Int]
}

/// Number of pairs at Hamming distance ≤ t for t = 0…32 (the curve curators use to choose a threshold).
public struct ThresholdSweep: Sendable, Codable, Equatable {
    public var algorithm: String
    /// `pairs[t]` = pairs at distance ≤ t.
    public var pairs: [Int]
    /// True when counted on a uniform sample of items and scaled by n(n−1)/(s(s−1)).
    public var estimated: Bool
    public var sampleSize: Int
}

public struct DuplicatesSummary: Codable, Sendable {
    public var runID: Int64
    public var algorithm: String
    public var threshold: Int
    public var invariant: Bool
    public var items: Int
    public var blankExcluded: Int
    public var pairs: Int
    public var groups: Int
    public var groupsByKind: [String: Int]
    public var itemsInGroups: Int
    public var sweep: ThresholdSweep
    public var seconds: Double
}

/// Finds exact and near duplicates among the catalogued items and groups them.
///
/// 1. Exact bytes (same SHA-256) and identical decoded pixels (same pixel digest) are linked.
/// 2. Near duplicates: every pair of non-blank items whose hashes are within the threshold,
///    found with a FAISS binary index (`BinaryHashIndex.allPairs`, multi-index hashing where it
///    is exact for the threshold, otherwise exhaustive) — never an n × n matrix. With
///    `invariant`, each item's 8 transformed hashes are queried and the minimum distance kept.
/// 3. Groups are the connected components of these links (union–find); each gets a keeper:
///    the largest pixel area, then the best format (lossless full-colour > lossy > GIF), then
///    the earliest ingest run, then the first source path.
public struct DuplicateFinder: Sendable {
    public let options: DuplicateOptions

    public init(options: DuplicateOptions) { self.options = options }

    /// Loads the candidates from the catalog (items with status ok and hashes).
    public static func candidates(from catalog: Catalog, algorithm: HashAlgorithm) throws -> [DuplicateCandidate] {
        let items = try catalog.items().filter { $0.status == "ok" }
        let hashes = Dictionary(uniqueKeysWithValues: try catalog.hashes().map { ($0.itemID, $0) })
        let quality = Dictionary(uniqueKeysWithValues: try catalog.quality().map { ($0.itemID, $0) })
        let algorithmIndex = HashAlgorithm.allCases.firstIndex(of: algorithm) ?? 0
        var out: [DuplicateCandidate] = []
        for item in items {
            guard let id = item.id, let h = hashes[id], let sha = item.sha256 else { continue }
            let code: Int64
            switch algorithm {
            case .ahash: code = h.ahash
            case .dhash: code = h.dhash
            case .phash: code = h.phash
            case .whash: code = h.whash
            }
            var variants: [UInt64] = []
            if let blob = h.variants, blob.count == 4 * 8 * 8 {
                let bytes = [UInt8](blob)
                for t in 0..<8 {
                    let start = (algorithmIndex * 8 + t) * 8
                    var value: UInt64 = 0
                    for k in 0..<8 { value |= UInt64(bytes[start + k]) << (8 * UInt64(k)) }
                    variants.append(value)
                }
            }
            let blank = quality[id]?.flagList.contains(QualityFlag.blank.rawValue) ?? false
            out.append(DuplicateCandidate(id: id, sha256: sha, pixelSHA256: item.pixelSHA256, width: item.width ?? 0,
                                          height: item.height ?? 0, format: ImageFormat(rawValue: item.format ?? "") ?? .unknown,
                                          code: UInt64(bitPattern: code), variants: variants, blank: blank,
                                          ingestRunID: item.ingestRunID ?? 0, sourcePath: item.sourcePath))
        }
        return out
    }

    /// Near pairs (indices into `candidates`, first < second) within `threshold` bits, blank
    /// items excluded.
    /// - Complexity: one FAISS range search per item (or 8 with `invariant`).
    public func nearPairs(_ candidates: [DuplicateCandidate], threshold: Int) throws -> [HammingPair] {
        let eligible = candidates.indices.filter { !candidates[$0].blank }
        let codes = eligible.map { candidates[$0].code }
        if !options.invariant {
            return try BinaryHashIndex.allPairs(codes: codes, maxDistance: threshold, threads: options.threads)
                .map { HammingPair(first: eligible[$0.first], second: eligible[$0.second], distance: $0.distance) }
        }
        let index = BinaryHashIndex(method: .automatic, threads: options.threads)
        index.add(codes)
        var queries: [UInt64] = [], owners: [Int] = []
        queries.reserveCapacity(codes.count * 8)
        owners.reserveCapacity(codes.count * 8)
        for (position, i) in eligible.enumerated() {
            let variants = candidates[i].variants.count == 8 ? candidates[i].variants : [candidates[i].code]
            queries.append(contentsOf: variants)
            owners.append(contentsOf: Array(repeating: position, count: variants.count))
        }
        var best: [Int64: Int] = [:]  // key = first << 32 | second
        let chunk = 8192
        var start = 0
        while start < queries.count {
            let end = min(queries.count, start + chunk)
            let result = try index.rangeSearch(queries: Array(queries[start..<end]), maxDistance: threshold)
            for q in 0..<(end - start) {
                let position = owners[start + q]
                for match in result[query: q] where match.id != position {
                    let a = min(position, match.id), b = max(position, match.id)
                    let key = Int64(a) << 32 | Int64(b)
                    best[key] = min(best[key] ?? Int.max, match.distance)
                }
            }
            start = end
        }
        return best.map { key, distance in
            HammingPair(first: eligible[Int(key >> 32)], second: eligible[Int(key & 0xFFFF_FFFF)], distance: distance)
        }.sorted { ($0.first, $0.second) < ($1.first, $1.second) }
    }

    /// Groups candidates into duplicate sets from exact, pixel and near links.
    public func group(_ candidates: [DuplicateCandidate], nearPairs: [HammingPair]) -> [DuplicateGroup] {
        var sets = DisjointSets(count: candidates.count)
        var firstBySHA: [String: Int] = [:], firstByPixels: [String: Int] = [:]
        for (i, c) in candidates.enumerated() {
            if let j = firstBySHA[c.sha256] { sets.union(i, j) } else { firstBySHA[c.sha256] = i }
            if let p = c.pixelSHA256 {
                if let j = firstByPixels[p] { sets.union(i, j) } else { firstByPixels[p] = i }
            }
        }
        var maxDistanceByRoot: [Int: Int] = [:]
        for pair in nearPairs { sets.union(pair.first, pair.second) }
        for pair in nearPairs {
            let root = sets.find(pair.first)
            maxDistanceByRoot[root] = max(maxDistanceByRoot[root] ?? 0, pair.distance)
        }
        var groups: [DuplicateGroup] = []
        for component in sets.components() {
            let members = component.map { candidates[$0] }
            let kind: DuplicateKind
            if Set(members.map(\.sha256)).count == 1 {
                kind = .exactBytes
            } else if members.allSatisfy({ $0.pixelSHA256 != nil }) && Set(members.map { $0.pixelSHA256 ?? "" }).count == 1 {
                kind = .identicalPixels
            } else {
                kind = .near
            }
            let (keeper, reason) = Self.keeper(members)
            var distances: [Int64: Int] = [:]
            for m in members {
                if m.sha256 == keeper.sha256 || (m.pixelSHA256 != nil && m.pixelSHA256 == keeper.pixelSHA256) {
                    distances[m.id] = 0
                } else {
                    distances[m.id] = Self.distance(m, keeper, invariant: options.invariant)
                }
            }
            groups.append(DuplicateGroup(kind: kind, memberIDs: members.map(\.id), keeperID: keeper.id, keeperReason: reason,
                                         maxDistance: maxDistanceByRoot[sets.find(component[0])] ?? 0, distanceToKeeper: distances))
        }
        return groups.sorted { $0.memberIDs.count != $1.memberIDs.count ? $0.memberIDs.count > $1.memberIDs.count : $0.keeperID < $1.keeperID }
    }

    static func distance(_ a: DuplicateCandidate, _ b: DuplicateCandidate, invariant: Bool) -> Int {
        if invariant && a.variants.count == 8 {
            return a.variants.map { ($0 ^ b.code).nonzeroBitCount }.min() ?? 64
        }
        return (a.code ^ b.code).nonzeroBitCount
    }

    /// The member to keep: largest pixel area, then the best format (`ImageFormat.keeperRank`:
    /// lossless full-colour, then lossy, then GIF), then the earliest ingest run, then the first
    /// source path (not the item id: a parallel ingest numbers the items of one run in any order).
    static func keeper(_ members: [DuplicateCandidate]) -> (DuplicateCandidate, String) {
        let sorted = members.sorted { a, b in
            let areaA = a.width * a.height, areaB = b.width * b.height
            if areaA != areaB { return areaA > areaB }
            if a.format.keeperRank != b.format.keeperRank { return a.format.keeperRank < b.format.keeperRank }
            if a.ingestRunID != b.ingestRunID { return a.ingestRunID < b.ingestRunID }
            if a.sourcePath != b.sourcePath { return a.sourcePath < b.sourcePath }
            return a.id < b.id
        }
        let keeper = sorted[0]
        let area = keeper.width * keeper.height
        let sameArea = members.filter { $0.width * $0.height == area }
        let reason: String
        if sameArea.count == 1 {
            reason = "largest picture (\(keeper.width) × \(keeper.height) px)"
        } else if sameArea.contains(where: { $0.format.keeperRank > keeper.format.keeperRank }) {
            let kind = keeper.format.keeperRank <= 1 ? "a lossless full-colour format" : "the best format at hand"
            reason = "largest picture (\(keeper.width) × \(keeper.height) px) in \(kind) (\(keeper.format.rawValue.uppercased()))"
        } else {
            let earlier = sameArea.contains { $0.ingestRunID > keeper.ingestRunID }
            reason = "same size as \(sameArea.count - 1) other(s); " + (earlier ? "ingested in an earlier run" : "first by source path")
        }
        return (keeper, reason)
    }

    /// Pairs at distance ≤ t for t = 0…32 among non-blank candidates. Exact (all n(n−1)/2
    /// pairs, popcount) up to `exactLimit` items; above it, counted on a uniform seeded
    /// sample of `exactLimit` items and scaled.
    /// - Complexity: O(min(n, exactLimit)²).
    public static func sweep(_ candidates: [DuplicateCandidate], algorithm: HashAlgorithm, exactLimit: Int = 20_000) -> ThresholdSweep {
        var codes = candidates.filter { !$0.blank }.map(\.code)
        let n = codes.count
        var estimated = false
        if n > exactLimit {
            var generator = SplitMix64(seed: 0x5EED)
            codes.shuffle(using: &generator)
            codes = Array(codes.prefix(exactLimit))
            estimated = true
        }
        var histogram = [Int](repeating: 0, count: 65)
        codes.withUnsafeBufferPointer { c in
            for i in 0..<c.count {
                let a = c[i]
                for j in (i + 1)..<c.count { histogram[(a ^ c[j]).nonzeroBitCount] += 1 }
            }
        }
        var cumulative = [Int](repeating: 0, count: 33)
        var running = 0
        for t in 0...32 {
            running += histogram[t]
            cumulative[t] = running
        }
        if estimated {
            let s = Double(codes.count), total = Double(n)
            let scale = (total * (total - 1)) / (s * (s - 1))
            cumulative = cumulative.map { Int((Double($0) * scale).rounded()) }
        }
        return ThresholdSweep(algorithm: algorithm.rawValue, pairs: cumulative, estimated: estimated, sampleSize: codes.count)
    }

    /// Runs the whole job on the catalog and stores it as a `duplicates` run.
    public func run(catalog: Catalog, logger: Logger = Logger(label: "vitrine.duplicates")) throws -> (DuplicatesSummary, [DuplicateGroup]) {
        let started = Date()
        let threshold = options.effectiveThreshold
        let runID = try catalog.startRun(kind: "duplicates", toolVersion: VitrineVersion.current, config: [
            "algorithm": options.algorithm.rawValue, "threshold": "\(threshold)", "invariant": "\(options.invariant)",
        ])
        let candidates = try Self.candidates(from: catalog, algorithm: options.algorithm)
        let pairs = try nearPairs(candidates, threshold: threshold)
        let groups = group(candidates, nearPairs: pairs)
        try catalog.saveDuplicateGroups(groups.map { g in
            Catalog.NewDuplicateGroup(kind: g.kind.rawValue, algorithm: options.algorithm.rawValue, maxDistance: g.maxDistance,
                                      keeperItemID: g.keeperID, keeperReason: g.keeperReason,
                                      members: g.memberIDs.map { ($0, g.distanceToKeeper[$0] ?? 0) })
        }, runID: runID)
        let sweep = Self.sweep(candidates, algorithm: options.algorithm)
        var byKind: [String: Int] = [:]
        for g in groups { byKind[g.kind.rawValue, default: 0] += 1 }
        let summary = DuplicatesSummary(runID: runID, algorithm: options.algorithm.rawValue, threshold: threshold,
                                        invariant: options.invariant, items: candidates.count,
                                        blankExcluded: candidates.filter(\.blank).count, pairs: pairs.count, groups: groups.count,
                                        groupsByKind: byKind, itemsInGroups: groups.reduce(0) { $0 + $1.memberIDs.count },
                                        sweep: sweep, seconds: Date().timeIntervalSince(started))
        try catalog.finishRun(runID, summary: summary)
        logger.info("duplicates: \(groups.count) groups, \(pairs.count) near pairs at ≤ \(threshold) bits (\(options.algorithm.rawValue))")
        return (summary, groups)
    }
}
