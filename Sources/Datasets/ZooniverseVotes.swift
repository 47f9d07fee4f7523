import Foundation
import VitrineCore

/// Crowd labels from a Zooniverse classification export: votes counted per subject and task,
/// then a consensus label when the majority passes the thresholds.
///
/// - A skipped question (`"value": null`) is no vote (an abstention): shares are computed over
///   real answers only (CASES C34).
/// - Subjects are joined through `subject_ids`, each id looked up in `subject_data`; metadata
///   names match with or without hidden-field prefixes (`#Filename`), and the metadata is kept (C35).
/// - Answers: strings, numbers and booleans are one vote each; an array (multiple choice) gives
///   one vote per element; survey choices (`{"choice": "ZEBRA"}`) vote for their `choice`.
///   Drawing tasks (arrays of marks with `x`/`y`) are not votes and are skipped.
public enum ZooniverseVotes {
    /// Consensus thresholds. Defaults: the top answer needs ≥ 3 votes and a share ≥ 0.5 of the
    /// real answers, and must be the only answer with that count (a tie is no consensus).
    public struct Thresholds: Sendable, Equatable {
        public var minimumVotes = 3
        public var minimumShare = 0.5
        public init(minimumVotes: Int = 3, minimumShare: Double = 0.5) { self.minimumVotes = minimumVotes; self.minimumShare = minimumShare }
    }

    /// The votes of one subject on one task.
    public struct Tally: Sendable, Equatable, Codable {
        public var subjectID: Int64
        public var task: String
        /// Answer → votes.
        public var votes: [String: Int]
        /// Classifications that skipped the question (null), not counted as votes.
        public var abstentions: Int
        /// The consensus answer, or nil ("no consensus", the counts stay in `votes`).
        public var label: String?
        public var share: Double
        /// The subject's metadata (names as exported, `#` prefixes kept).
        public var metadata: [String: JSONValue]
        /// The file name from the metadata (`Filename`, `#Filename`, …) when present.
        public var fileName: String?
    }

    /// Reads and aggregates an export. - Throws: ``DatasetsError`` for a file without
    /// `annotations` / `subject_ids` columns or with malformed JSON cells (naming the row).
    public static func read(_ url: URL, thresholds: Thresholds = Thresholds()) throws -> [Tally] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw DatasetsError(.io, "cannot read \(url.path): \(error)")
        }
        return try aggregate(text: text, what: url.path, thresholds: thresholds)
    }

    public static func aggregate(text: String, what: String, thresholds: Thresholds = Thresholds()) throws -> [Tally] {
        let table = try CSVTable(text: text)
        guard let annotationsColumn = table.column("annotations") else { throw DatasetsError(.malformed, "\(what): no `annotations` column") }
        guard let idsColumn = table.column("subject_ids") else { throw DatasetsError(.malformed, "\(what): no `subject_ids` column") }
        let dataColumn = table.column("subject_data")
        struct Key: Hashable { var subject: Int64; var task: String }
        var tallies: [Key: Tally] = [:]
        var order: [Key] = []
        for (r, row) in table.rows.enumerated() {
            let rowWhat = "\(what) row \(r + 2)"
            let subjects = try ZooniverseFormat.subjects(subjectIDs: row[idsColumn], subjectData: dataColumn.map { row[$0] } ?? "", what: rowWhat)
            let tasks = try JSONValue.parse(row[annotationsColumn].isEmpty ? "[]" : row[annotationsColumn], what: "\(rowWhat): annotations").array ?? []
            for task in tasks {
                let name = task["task"]?.string ?? "T0"
                let answers = votes(task["value"])
                guard let answers else { continue }  // a drawing task
                for subject in subjects {
                    let key = Key(subject: subject.id, task: name)
                    if tallies[key] == nil {
                        order.append(key)
                        let file = ZooniverseFormat.fileNameKeys.lazy.compactMap { ZooniverseFormat.metadataValue(subject.metadata, $0)?.string }.first
                        tallies[key] = Tally(subjectID: subject.id, task: name, votes: [:], abstentions: 0, label: nil, share: 0,
                                             metadata: subject.metadata, fileName: file)
                    }
                    if answers.isEmpty { tallies[key]?.abstentions += 1 }
                    for a in answers { tallies[key]?.votes[a, default: 0] += 1 }
                }
            }
        }
        return order.compactMap { key in
            guard var t = tallies[key] else { return nil }
            let total = t.votes.values.reduce(0, +)
            let sorted = t.votes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            if let top = sorted.first, total > 0 {
                t.share = Double(top.value) / Double(total)
                let tie = sorted.count > 1 && sorted[1].value == top.value
                if !tie, top.value >= thresholds.minimumVotes, t.share >= thresholds.minimumShare { t.label = top.key }
            }
            return t
        }
    }

    /// The votes of one answer value: [] for null (abstention), nil for drawing marks.
    static func votes(_ value: JSONValue?) -> [String]? {
        guard let value else { return [] }
        switch value {
        case .null: return []
        case .string(let s): return [s]
        case .bool(let b): return [b ? "true" : "false"]
        case .int(let i): return ["\(i)"]
        case .double(let d): return [d == d.rounded() && abs(d) < 1e15 ? "\(Int64(d))" : "\(d)"]
        case .array(let items):
            var out: [String] = []
            for item in items {
                if let choice = item["choice"]?.string { out.append(choice); continue }
                if item["x"] != nil || item["tool"] != nil { return nil }
                if let inner = votes(item) { out += inner }
            }
            return out
        case .object(let o):
            if let choice = o["choice"]?.string { return [choice] }
            return nil
        }
    }
}
