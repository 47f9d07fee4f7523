import Catalog
import Foundation
import Imaging
import VitrineCore

/// Pair precision/recall/F1 at one threshold.
public struct PairScores: Codable, Sendable, Equatable {
    public var threshold: Int
    public var truePositives: Int
    public var falsePositives: Int
    public var falseNegatives: Int
    public var precision: Double
    public var recall: Double
    public var f1: Double

    /// Precision = TP / (TP + FP) (1 when nothing is predicted), recall = TP / (TP + FN)
    /// (1 when there is no positive), F1 = their harmonic mean (van Rijsbergen 1979).
    public init(threshold: Int, truePositives tp: Int, falsePositives fp: Int, falseNegatives fn: Int) {
        self.threshold = threshold
        truePositives = tp
        falsePositives = fp
        falseNegatives = fn
        precision = tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp)
        recall = tp + fn == 0 ? 1 : Double(tp) / Double(tp + fn)
        f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    }
}

/// Recall of one relation tag (reference–variant pairs that carry it).
public struct RelationRecall: Codable, Sendable, Equatable {
    public var relation: String
    public var found: Int
    public var total: Int
    public var recall: Double
    /// Variants linked (at the threshold) to at least one other member of their ground-truth
    /// group, not necessarily the reference: a variant that differs from the reference in
    /// framing may still be grouped with siblings that share its framing.
    public var groupedFound: Int
    public var groupedRecall: Double
    /// Variants of this relation not linked to their reference at the threshold (paths as
    /// written in the groups file), so a curator can look at what the hash misses.
    public var missed: [String]
}

/// The evaluation of duplicate detection against ground-truth groups.
public struct DuplicateEvaluation: Codable, Sendable {
    public var algorithm: String
    public var invariant: Bool
    /// The threshold the figures below are given at (the run's, or the default).
    public var threshold: Int
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// Threshold with the highest F1 (ties: the lower threshold).
    public var bestThreshold: Int
    public var bestF1: Double
    public var rows: [PairScores]
    /// At `threshold`, per relation tag (the part before `:`, e.g. `size_variant:half` → `size_variant`).
    public var relationRecall: [RelationRecall]
    public var groundTruthPairs: Int
    public var items: Int
    public var matchedFiles: Int
    /// Ground-truth files not found in the catalog or not decodable; their pairs count as misses.
    public var unmatchedFiles: [String]
}

/// Ground truth read from a groups file.
public struct DuplicateGroundTruth: Sendable {
    /// Group id → candidate indices (nil entries for files not in the catalog).
    public var groups: [String: [Int?]]
    /// (reference, variant, relation tags) for each variant row.
    public var relations: [(reference: Int?, variant: Int?, tags: [String], variantPath: String)]
    /// Group of each relation's variant (candidate indices), for the grouped recall.
    public var relationGroups: [[Int?]] = []
    public var unmatchedFiles: [String]
    public var matchedFiles: Int

    public init(groups: [String: [Int?]], relations: [(reference: Int?, variant: Int?, tags: [String], variantPath: String)],
                unmatchedFiles: [String], matchedFiles: Int) {
        self.groups = groups
        self.relations = relations
        self.unmatchedFiles = unmatchedFiles
        self.matchedFiles = matchedFiles
    }
}

public enum DuplicateEvaluator {
    /// Reads `group_id,path[,role][,relation_tags]` (paths relative to the CSV's own folder)
    /// and matches each file to a candidate by its absolute path, or else by the SHA-256 of
    /// its bytes.
    /// - Throws: `CoreError.invalidInput` when the CSV lacks `group_id` or `path`.
    public static func readGroundTruth(csv: URL, candidates: [DuplicateCandidate], items: [ItemRecord]) throws -> DuplicateGroundTruth {
        let text = try String(contentsOf: csv, encoding: .utf8)
        let table = try CSVTable(text: text)
        guard let groupColumn = table.column("group_id", "group"), let pathColumn = table.column("path", "file") else {
            throw CoreError(.invalidInput, "\(csv.path): needs `group_id` and `path` columns (has \(table.header.joined(separator: ", ")))")
        }
        let roleColumn = table.column("role"), tagColumn = table.column("relation_tags", "relation")
        let base = csv.deletingLastPathComponent()
        var indexByID: [Int64: Int] = [:]
        for (i, c) in candidates.enumerated() { indexByID[c.id] = i }
        var idByPath: [String: Int64] = [:], idsBySHA: [String: [Int64]] = [:], pathByID: [Int64: String] = [:]
        for item in items {
            guard let id = item.id else { continue }
            idByPath[item.sourcePath] = id
            pathByID[id] = item.sourcePath
            if let sha = item.sha256 { idsBySHA[sha, default: []].append(id) }
        }
        var truth = DuplicateGroundTruth(groups: [:], relations: [], unmatchedFiles: [], matchedFiles: 0)
        var references: [String: Int?] = [:]
        var variantRows: [(group: String, index: Int?, tags: [String], path: String)] = []
        for row in table.rows {
            let group = row[groupColumn], raw = row[pathColumn]
            let path = raw.hasPrefix("/") ? URL(fileURLWithPath: raw).standardizedFileURL.path
                : base.appendingPathComponent(raw).standardizedFileURL.path
            var id = idByPath[path]
            if id == nil, let data = try? ImageDecoder.read(path) {
                let sha = ImageAnalyzer.sha256(data)
                let ids = idsBySHA[sha] ?? []
                let name = URL(fileURLWithPath: path).lastPathComponent
                id = ids.first { URL(fileURLWithPath: pathByID[$0] ?? "").lastPathComponent == name } ?? ids.first
            }
            let index = id.flatMap { indexByID[$0] }
            if index == nil { truth.unmatchedFiles.append(raw) } else { truth.matchedFiles += 1 }
            truth.groups[group, default: []].append(index)
            let role = roleColumn.map { row[$0] } ?? ""
            let tags = tagColumn.map { row[$0].split(separator: ";").map { String($0.split(separator: ":").first ?? "") }.filter { !$0.isEmpty } } ?? []
            if role == "reference" { references[group] = index } else { variantRows.append((group, index, tags, raw)) }
        }
        for v in variantRows where !v.tags.isEmpty {
            truth.relations.append((reference: references[v.group] ?? nil, variant: v.index, tags: v.tags, variantPath: v.path))
            truth.relationGroups.append(truth.groups[v.group] ?? [])
        }
        return truth
    }

    /// Pair precision, recall and F1 for thresholds 0…`maxThreshold`.
    ///
    /// Pure: `distance(i, j)` gives the predicted distance of a pair of candidate indices (nil
    /// = never predicted, e.g. a blank image); ground-truth pairs are all pairs within a group;
    /// every other pair is a negative (the groups file is taken as complete). A ground-truth
    /// member missing from the candidates makes its pairs misses.
    /// - Complexity: O(n²) distance calls for n candidates.
    public static func evaluate(count n: Int, truth: DuplicateGroundTruth, maxThreshold: Int = 32, atThreshold: Int,
                                algorithm: String, invariant: Bool, distance: (Int, Int) -> Int?) -> DuplicateEvaluation {
        precondition(maxThreshold >= 0 && maxThreshold <= 64, "threshold range must be within 0…64 bits")
        var positives = Set<Int64>()
        var missingPairs = 0
        for members in truth.groups.values {
            for a in 0..<members.count {
                for b in (a + 1)..<members.count {
                    guard let i = members[a], let j = members[b] else { missingPairs += 1; continue }
                    if i == j { continue }
                    positives.insert(Int64(min(i, j)) << 32 | Int64(max(i, j)))
                }
            }
        }
        var tpHistogram = [Int](repeating: 0, count: maxThreshold + 1)
        var fpHistogram = [Int](repeating: 0, count: maxThreshold + 1)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                guard let d = distance(i, j), d <= maxThreshold else { continue }
                if positives.contains(Int64(i) << 32 | Int64(j)) { tpHistogram[d] += 1 } else { fpHistogram[d] += 1 }
            }
        }
        let totalPositives = positives.count + missingPairs
        var rows: [PairScores] = []
        var tp = 0, fp = 0
        for t in 0...maxThreshold {
            tp += tpHistogram[t]
            fp += fpHistogram[t]
            rows.append(PairScores(threshold: t, truePositives: tp, falsePositives: fp, falseNegatives: totalPositives - tp))
        }
        let best = rows.max { $0.f1 != $1.f1 ? $0.f1 < $1.f1 : $0.threshold > $1.threshold } ?? rows[0]
        let at = rows[min(max(0, atThreshold), maxThreshold)]
        var relationCounts: [String: (found: Int, total: Int)] = [:]
        var groupedCounts: [String: Int] = [:]
        var missed: [String: [String]] = [:]
        for (r, relation) in truth.relations.enumerated() {
            var grouped = false
            if let v = relation.variant, r < truth.relationGroups.count {
                grouped = truth.relationGroups[r].contains { member in
                    guard let m = member, m != v, let d = distance(min(m, v), max(m, v)) else { return false }
                    return d <= atThreshold
                }
            }
            if grouped { for tag in relation.tags { groupedCounts[tag, default: 0] += 1 } }
            var found = false
            if let r = relation.reference, let v = relation.variant, r != v, let d = distance(min(r, v), max(r, v)) {
                found = d <= atThreshold
            }
            for tag in relation.tags {
                var entry = relationCounts[tag] ?? (0, 0)
                entry.total += 1
                if found { entry.found += 1 } else { missed[tag, default: []].append(relation.variantPath) }
                relationCounts[tag] = entry
            }
        }
        let relationRecall = relationCounts.keys.sorted().map { tag in
            let c = relationCounts[tag] ?? (0, 0)
            let grouped = groupedCounts[tag] ?? 0
            return RelationRecall(relation: tag, found: c.found, total: c.total, recall: c.total == 0 ? 0 : Double(c.found) / Double(c.total),
                                  groupedFound: grouped, groupedRecall: c.total == 0 ? 0 : Double(grouped) / Double(c.total),
                                  missed: missed[tag] ?? [])
        }
        return DuplicateEvaluation(algorithm: algorithm, invariant: invariant, threshold: at.threshold, precision: at.precision,
                                   recall: at.recall, f1: at.f1, bestThreshold: best.threshold, bestF1: best.f1, rows: rows,
                                   relationRecall: relationRecall, groundTruthPairs: totalPositives, items: n,
                                   matchedFiles: truth.matchedFiles, unmatchedFiles: truth.unmatchedFiles)
    }

    /// The distance the duplicate finder uses: 0 for identical bytes or pixels, nil when either
    /// item is blank (blank images are only matched exactly), else the Hamming distance
    /// (minimum over the 8 transforms with `invariant`).
    public static func finderDistance(_ candidates: [DuplicateCandidate], invariant: Bool) -> (Int, Int) -> Int? {
        { i, j in
            let a = candidates[i], b = candidates[j]
            if a.sha256 == b.sha256 { return 0 }
            if let p = a.pixelSHA256, p == b.pixelSHA256 { return 0 }
            if a.blank || b.blank { return nil }
            if invariant { return min(DuplicateFinder.distance(a, b, invariant: true), DuplicateFinder.distance(b, a, invariant: true)) }
            return (a.code ^ b.code).nonzeroBitCount
        }
    }
}
