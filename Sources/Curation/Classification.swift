import Catalog
import Datasets
import Foundation
import Inference
import Learning
import Logging
import VitrineCore

/// One labelled catalog item.
public struct LabelledItem: Sendable, Equatable {
    public var itemID: Int64
    public var label: String
    public init(itemID: Int64, label: String) { self.itemID = itemID; self.label = label }
}

/// What reading a label file found.
public struct LabelImport: Sendable, Codable, Equatable {
    public var rows: Int
    public var matched: Int
    public var ingested: Int
    /// Rows whose image is not on disk / not in the catalog / failed to ingest (path or id).
    public var unmatched: [String]
    public var sourceID: Int64?

    /// One line for error messages: how many label rows reached a readable item, with examples
    /// of those that did not (a URL that could not be fetched, a missing file).
    public var matchNote: String {
        guard !unmatched.isEmpty else { return "\(matched) label rows matched a readable item" }
        let examples = unmatched.prefix(3).joined(separator: ", ")
        return "\(matched) label rows matched a readable item, \(unmatched.count) did not (e.g. \(examples))"
    }
}

/// Reading classification labels into the catalog (CSV: a `path`, `item_id` or `url` column and
/// a `label` or `category` column; paths are relative to the CSV's own folder; files and URLs not
/// yet in the catalog are ingested through ``IngestJob``). The labels are stored as one
/// annotation source of the given origin (`ground_truth`, `metadata`, `crowd`, `curator`).
public enum ClassificationLabels {
    /// The origins a label can have (`annotationSource.kind`).
    public static let origins = ["ground_truth", "metadata", "crowd", "curator", "prediction"]

    /// Reads labels from a CSV, an image-folder tree (`class/xyz.jpg`: the first-level folder
    /// is the label; origin `ground_truth`) or a Zooniverse classification export (a CSV with
    /// `subject_ids`: the consensus label per subject of its first task, the file from the
    /// subject's `Filename` metadata relative to the export's folder; origin `crowd`; subjects
    /// without consensus are left out and counted in `unmatched`), or a Label Studio JSON export
    /// (each task's image from `data` — a URL is ingested, a path is relative to the export's
    /// folder — and every choice of its annotations that were not cancelled; origin `curator`).
    public static func importLabels(_ url: URL, catalog: Catalog, ingest: IngestOptions, logger: Logger) async throws -> ([LabelledItem], LabelImport) {
        let url = url.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw CoreError(.invalidInput, "no labels at \(url.path)")
        }
        if isDirectory.boolValue {
            var lines = "path,label\n"
            let base = url.path.hasSuffix("/") ? url.path : url.path + "/"
            let files = FileManager.default.enumerator(atPath: url.path)?.compactMap { $0 as? String }.sorted() ?? []
            for f in files where f.contains("/") && !f.hasPrefix(".") {
                var d: ObjCBool = false
                guard FileManager.default.fileExists(atPath: base + f, isDirectory: &d), !d.boolValue else { continue }
                lines += "\(CSVField.quote(base + f)),\(CSVField.quote(String(f.split(separator: "/")[0])))\n"
            }
            return try await importCSV(url, text: lines, format: "folders", catalog: catalog, origin: "ground_truth", ingest: ingest, logger: logger)
        }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw CoreError(.invalidInput, "cannot read the labels \(url.path): \(error)")
        }
        if LabelStudioExport.looksLikeExport(text) {
            let tasks = try LabelStudioExport.tasks(Data(text.utf8), what: url.path)
            var lines = "path,url,label\n"
            for task in tasks {
                guard let image = task.image else { continue }
                let remote = image.hasPrefix("http://") || image.hasPrefix("https://")
                for choice in task.choices {
                    lines += "\(remote ? "" : CSVField.quote(image)),\(remote ? CSVField.quote(image) : ""),\(CSVField.quote(choice))\n"
                }
            }
            return try await importCSV(url, text: lines, format: "labelstudio", catalog: catalog, origin: "curator", ingest: ingest, logger: logger)
        }
        if text.prefix(2000).split(separator: "\n").first?.contains("subject_ids") == true {
            let tallies = try ZooniverseVotes.aggregate(text: text, what: url.path)
            let firstTask = tallies.first?.task
            var lines = "path,label\n"
            for t in tallies where t.task == firstTask {
                guard let label = t.label, let file = t.fileName else { continue }
                lines += "\(CSVField.quote(file)),\(CSVField.quote(label))\n"
            }
            return try await importCSV(url, text: lines, format: "zooniverse", catalog: catalog, origin: "crowd", ingest: ingest, logger: logger)
        }
        return try await importCSV(url, text: text, format: "csv", catalog: catalog, origin: "ground_truth", ingest: ingest, logger: logger)
    }

    static func importCSV(_ url: URL, text: String, format: String, catalog: Catalog, origin: String, ingest: IngestOptions,
                          logger: Logger) async throws -> ([LabelledItem], LabelImport) {
        let table = try CSVTable(text: text)
        guard let labelColumn = table.column("label", "category") else {
            throw CoreError(.invalidInput, "\(url.path): needs a `label` or `category` column (has \(table.header.joined(separator: ", ")))")
        }
        let pathColumn = table.column("path", "file"), idColumn = table.column("item_id"), urlColumn = table.column("url")
        guard pathColumn != nil || idColumn != nil || urlColumn != nil else {
            throw CoreError(.invalidInput, "\(url.path): needs a `path`, `item_id` or `url` column (has \(table.header.joined(separator: ", ")))")
        }
        let base = url.deletingLastPathComponent()
        var keyed: [(key: String, label: String, isID: Bool)] = []
        for row in table.rows {
            let label = row[labelColumn].trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty else { continue }
            if let c = idColumn, !row[c].isEmpty { keyed.append((row[c], label, true)); continue }
            if let c = pathColumn, !row[c].isEmpty {
                let raw = row[c]
                let path = raw.hasPrefix("/") ? URL(fileURLWithPath: raw).standardizedFileURL.path : base.appendingPathComponent(raw).standardizedFileURL.path
                keyed.append((path, label, false)); continue
            }
            if let c = urlColumn, !row[c].isEmpty { keyed.append((row[c], label, false)) }
        }
        var states = try catalog.sourceStates()
        let missing = Array(Set(keyed.filter { !$0.isID && states[$0.key] == nil }.map(\.key))).sorted()
        var ingested = 0
        if !missing.isEmpty {
            let existing = missing.filter { $0.contains("://") || FileManager.default.fileExists(atPath: $0) }
            if !existing.isEmpty {
                let summary = try await IngestJob(catalog: catalog, options: ingest, logger: logger).run(sources: existing)
                ingested = summary.ok
                states = try catalog.sourceStates()
            }
        }
        let okIDs = Set(try catalog.items().filter { $0.status == "ok" }.compactMap(\.id))
        var items: [LabelledItem] = [], unmatched: [String] = []
        for k in keyed {
            let id = k.isID ? Int64(k.key) : states[k.key]?.id
            if let id, okIDs.contains(id) { items.append(LabelledItem(itemID: id, label: k.label)) } else { unmatched.append(k.key) }
        }
        var records: [AnnotationRecord] = []
        for item in items { records.append(AnnotationRecord(sourceID: 0, itemID: item.itemID, categoryID: 0)) }
        let sourceID = try catalog.saveAnnotations(
            source: AnnotationSourceRecord(name: url.lastPathComponent, kind: origin, format: format, path: url.path),
            annotations: records, categoryNames: items.map(\.label))
        return (items, LabelImport(rows: table.rows.count, matched: items.count, ingested: ingested, unmatched: unmatched, sourceID: sourceID))
    }
}

/// Embeddings of labelled items, embedding the ones that lack one first.
public enum ClassificationData {
    /// Embeds what is missing (all items of the store lacking an embedding for the model), then
    /// returns the vector of each labelled item that has one (items whose image failed are left out).
    public static func embeddings(for items: [LabelledItem], catalog: Catalog, model: String, embedMissing: Bool, threads: Int,
                                  quiet: Bool, logger: Logger) throws -> (vectors: [Int64: [Float]], embeddedNow: Int) {
        let done = try catalog.embeddedItemIDs(model: model)
        let lacking = items.filter { !done.contains($0.itemID) }
        var embeddedNow = 0
        if !lacking.isEmpty {
            guard embedMissing else {
                throw CoreError(.invalidInput, "\(Set(lacking.map(\.itemID)).count) labelled items have no \(model) embedding; run `vitrine embed --model \(model)` first")
            }
            embeddedNow = try EmbeddingJob.run(catalog: catalog, model: model, threads: threads, quiet: quiet, logger: logger).embedded
        }
        var vectors: [Int64: [Float]] = [:]
        for record in try catalog.embeddings(model: model) where record.vector != nil { vectors[record.itemID] = record.floats }
        return (vectors, embeddedNow)
    }

    /// The concepts of each embedded labelled item, for multi-label (one-vs-rest) training: every
    /// distinct label an item carries (several rows of a CSV, several choices of a Label Studio
    /// task), classes with at least `minimumPerClass` items and at least one item without them
    /// kept, items left with none dropped.
    /// - Returns: classes (sorted), item ids with their concept-index sets (first appearance
    ///   order), the per-label item counts, and how many items carry two or more kept concepts.
    public static func labelSets(_ labelled: [LabelledItem], vectors: [Int64: [Float]], minimumPerClass: Int)
        -> (classes: [String], ids: [Int64], sets: [Set<Int>], counts: [String: Int], multiLabelled: Int) {
        var order: [Int64] = [], labelsOf: [Int64: Set<String>] = [:]
        for item in labelled where vectors[item.itemID] != nil {
            if labelsOf[item.itemID] == nil { order.append(item.itemID) }
            labelsOf[item.itemID, default: []].insert(item.label)
        }
        var counts: [String: Int] = [:]
        for id in order { for label in labelsOf[id] ?? [] { counts[label, default: 0] += 1 } }
        // A concept every item carries has no negatives: nothing to learn, and it would inflate
        // micro F1; it is left out (and reported in `counts` with the others left out).
        let classes = counts.filter { $0.value >= minimumPerClass && $0.value < order.count }.keys.sorted()
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($0.element, $0.offset) })
        var ids: [Int64] = [], sets: [Set<Int>] = []
        for id in order {
            let set = Set((labelsOf[id] ?? []).compactMap { index[$0] })
            guard !set.isEmpty else { continue }
            ids.append(id); sets.append(set)
        }
        return (classes, ids, sets, counts, sets.filter { $0.count >= 2 }.count)
    }

    /// Near-duplicate group id per item (from the perceptual hashes, the `vitrine duplicates`
    /// defaults); items in no group get their own id. - Returns: group ids and how many groups
    /// have two or more of the given items (kept together by the grouped k-fold).
    public static func duplicateGroups(itemIDs: [Int64], catalog: Catalog) throws -> (groups: [Int], keptTogether: Int) {
        let finder = DuplicateFinder(options: DuplicateOptions())
        let candidates = try DuplicateFinder.candidates(from: catalog, algorithm: finder.options.algorithm)
        let groups = finder.group(candidates, nearPairs: try finder.nearPairs(candidates, threshold: finder.options.effectiveThreshold))
        var groupOf: [Int64: Int] = [:]
        for (g, group) in groups.enumerated() { for id in group.memberIDs { groupOf[id] = g } }
        var next = groups.count
        var ids: [Int] = []
        var counts: [Int: Int] = [:]
        for id in itemIDs {
            if let g = groupOf[id] { ids.append(g); counts[g, default: 0] += 1 } else { ids.append(next); next += 1 }
        }
        return (ids, counts.values.filter { $0 >= 2 }.count)
    }
}
