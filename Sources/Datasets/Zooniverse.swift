import Foundation
import VitrineCore

/// Zooniverse (Panoptes) classification exports: one CSV row per classification, with JSON
/// cells `annotations` (the tasks and their values), `subject_data` (`{"<subject id>": {metadata}}`)
/// and `subject_ids`.
///
/// Rectangle marks of drawing tasks (`{x, y, width, height}` with no `r`, `rx`, `x1`…) become
/// boxes: negative width/height are normalised (the corner moved), zero-area boxes dropped and
/// counted; other shapes (circles, ellipses, lines, points…) are counted as `droppedShapes`.
/// `subject_data` is joined on the `subject_ids` value (several ids per row supported) and
/// metadata names are matched with or without the hidden-field prefixes `#`, `//`, `!` and
/// surrounding spaces (CASES C35); the original metadata is kept in the image's
/// `extra["subject_data"]`. A `null` answer is no answer (C34).
public enum ZooniverseFormat {
    /// What an import counted besides the boxes.
    public struct Counts: Sendable, Equatable, Codable {
        public var classifications = 0
        public var rectangles = 0
        public var zeroAreaDropped = 0
        public var droppedShapes = 0
        public var negativeSizesNormalised = 0
        public init() {}
    }

    /// Metadata names tried for the image file name, in order.
    public static let fileNameKeys = ["Filename", "filename", "file_name", "image_name", "image", "IMG_COLOR", "IMG_BW"]

    /// The value of a metadata field whose name, stripped of `#`, `//`, `!` prefixes and
    /// trimmed, equals `name` (case-insensitive).
    public static func metadataValue(_ metadata: [String: JSONValue], _ name: String) -> JSONValue? {
        let wanted = normalisedName(name)
        for key in metadata.keys.sorted() where normalisedName(key) == wanted { return metadata[key] }
        return nil
    }

    static func normalisedName(_ name: String) -> String {
        var s = name.trimmingCharacters(in: .whitespaces)
        var changed = true
        while changed {
            changed = false
            for prefix in ["//", "#", "!"] where s.hasPrefix(prefix) {
                s = String(s.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
                changed = true
            }
        }
        return s.lowercased()
    }

    /// The subjects of a row: each id of `subject_ids` (separated by `;` or `,`) with its
    /// metadata from `subject_data`.
    public static func subjects(subjectIDs: String, subjectData: String, what: String) throws -> [(id: Int64, metadata: [String: JSONValue])] {
        let data = subjectData.isEmpty ? JSONValue.object([:]) : try JSONValue.parse(subjectData, what: "\(what): subject_data")
        let table = data.object ?? [:]
        var result: [(id: Int64, metadata: [String: JSONValue])] = []
        for part in subjectIDs.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }) {
            guard let id = Int64(part) else { continue }
            result.append((id, table[String(id)]?.object ?? [:]))
        }
        if result.isEmpty {
            for (key, value) in table.sorted(by: { $0.key < $1.key }) { if let id = Int64(key) { result.append((id, value.object ?? [:])) } }
        }
        return result
    }

    /// Reads a classification export into boxes.
    public static func read(_ url: URL) throws -> (Dataset, Counts) {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw DatasetsError(.io, "cannot read \(url.path)", underlying: error) }
        return try read(text: text, what: url.path)
    }

    public static func read(text: String, what: String) throws -> (Dataset, Counts) {
        let table: CSVTable
        do { table = try CSVTable(text: text) } catch { throw DatasetsError(.malformed, "\(what) is not valid CSV", underlying: error) }
        guard let annotationsColumn = table.column("annotations") else { throw DatasetsError(.malformed, "\(what): no `annotations` column") }
        let idsColumn = table.column("subject_ids"), dataColumn = table.column("subject_data")
        let classificationColumn = table.column("classification_id"), userColumn = table.column("user_name")
        var dataset = Dataset()
        var counts = Counts()
        var imageIndex: [Int64: Int] = [:]
        for (rowIndex, row) in table.rows.enumerated() {
            let rowWhat = "\(what): row \(rowIndex + 2)"
            counts.classifications += 1
            let subjects = try subjects(subjectIDs: idsColumn.map { row[$0] } ?? "", subjectData: dataColumn.map { row[$0] } ?? "", what: rowWhat)
            for subject in subjects where imageIndex[subject.id] == nil {
                var fileName = "subject_\(subject.id)"
                for key in fileNameKeys { if let v = metadataValue(subject.metadata, key)?.string, !v.isEmpty { fileName = v; break } }
                imageIndex[subject.id] = dataset.images.count
                dataset.images.append(DatasetImage(id: subject.id, fileName: fileName, extra: ["subject_data": .object(subject.metadata)]))
            }
            guard let imageID = subjects.first?.id else { continue }
            let tasks = try JSONValue.parse(row[annotationsColumn].isEmpty ? "[]" : row[annotationsColumn], what: "\(rowWhat): annotations").array ?? []
            for task in tasks {
                guard let marks = task["value"]?.array else { continue }  // null = no answer; strings/numbers are question answers
                for mark in marks {
                    guard let m = mark.object else { continue }
                    let isRectangle = m["width"]?.number != nil && m["height"]?.number != nil && m["x"]?.number != nil && m["y"]?.number != nil
                        && m["r"] == nil && m["rx"] == nil && m["x1"] == nil
                    if !isRectangle {
                        if m["x"] != nil || m["r"] != nil || m["x1"] != nil || m["points"] != nil || m["rx"] != nil { counts.droppedShapes += 1 }
                        continue
                    }
                    var x = m["x"]?.number ?? 0, y = m["y"]?.number ?? 0, w = m["width"]?.number ?? 0, h = m["height"]?.number ?? 0
                    if w < 0 || h < 0 { counts.negativeSizesNormalised += 1 }
                    if w < 0 { x += w; w = -w }
                    if h < 0 { y += h; h = -h }
                    guard w > 0 && h > 0 else { counts.zeroAreaDropped += 1; continue }
                    counts.rectangles += 1
                    let label = m["tool_label"]?.string ?? "\(task["task"]?.string ?? "T")/tool \(m["tool"]?.integer ?? 0)"
                    var extra: [String: JSONValue] = ["task": task["task"] ?? .null]
                    if let c = classificationColumn { extra["classification_id"] = .string(row[c]) }
                    if let u = userColumn { extra["user_name"] = .string(row[u]) }
                    dataset.annotations.append(DatasetAnnotation(id: Int64(dataset.annotations.count + 1), imageID: imageID,
                                                                 categoryID: dataset.category(named: label),
                                                                 box: BoundingBox(x: x, y: y, width: w, height: h), extra: extra))
                }
            }
        }
        if counts.zeroAreaDropped > 0 { dataset.warnings.append("\(what): dropped \(counts.zeroAreaDropped) zero-area rectangle(s)") }
        if counts.droppedShapes > 0 { dataset.warnings.append("\(what): \(counts.droppedShapes) non-rectangle mark(s) not imported as boxes") }
        return (dataset, counts)
    }

    /// A classification export of the boxes (one row per classification and subject), which
    /// `read` reads back to the same dataset.
    public static func text(_ dataset: Dataset) throws -> String {
        let names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var lines = ["classification_id,user_name,annotations,subject_data,subject_ids"]
        struct Group: Hashable { var image: Int64; var classification: String; var user: String; var task: String }
        var order: [Group] = []
        var groups: [Group: [DatasetAnnotation]] = [:]
        for a in dataset.annotations where a.box != nil {
            let g = Group(image: a.imageID, classification: a.extra["classification_id"]?.text ?? "", user: a.extra["user_name"]?.text ?? "",
                          task: a.extra["task"]?.string ?? "T0")
            if groups[g] == nil { order.append(g) }
            groups[g, default: []].append(a)
        }
        let images = Dictionary(dataset.images.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var written = Set<Int64>()
        for g in order {
            let marks: [JSONValue] = (groups[g] ?? []).compactMap { a in
                guard let b = a.box?.xywh else { return nil }
                return .object(["x": .double(b.x), "y": .double(b.y), "width": .double(b.width), "height": .double(b.height),
                                "tool": .int(0), "tool_label": .string(names[a.categoryID] ?? "\(a.categoryID)")])
            }
            let annotations = JSONValue.array([.object(["task": .string(g.task), "value": .array(marks)])])
            let metadata = images[g.image]?.extra["subject_data"] ?? .object(["Filename": .string(images[g.image]?.fileName ?? "")])
            let subjectData = JSONValue.object([String(g.image): metadata])
            written.insert(g.image)
            lines.append([CSVField.quote(g.classification), CSVField.quote(g.user), CSVField.quote(try JSONValue.serialize(annotations)),
                          CSVField.quote(try JSONValue.serialize(subjectData)), String(g.image)].joined(separator: ","))
        }
        for image in dataset.images where !written.contains(image.id) {
            let metadata = image.extra["subject_data"] ?? .object(["Filename": .string(image.fileName)])
            lines.append(["", "", "[]", CSVField.quote(try JSONValue.serialize(.object([String(image.id): metadata]))), String(image.id)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Consensus of a question task per subject: the fraction of real answers for each
    /// value. `null` values are abstentions (counted apart, never votes; CASES C34).
    public struct QuestionConsensus: Sendable, Equatable, Codable {
        public var subjectID: Int64
        public var task: String
        public var votes: [String: Int]
        public var abstentions: Int
        /// votes / (number of real answers); empty when there is none.
        public var fractions: [String: Double]
    }

    public static func questionConsensus(text: String, what: String) throws -> [QuestionConsensus] {
        let table: CSVTable
        do { table = try CSVTable(text: text) } catch { throw DatasetsError(.malformed, "\(what) is not valid CSV", underlying: error) }
        guard let annotationsColumn = table.column("annotations") else { throw DatasetsError(.malformed, "\(what): no `annotations` column") }
        let idsColumn = table.column("subject_ids"), dataColumn = table.column("subject_data")
        struct Key: Hashable { var subject: Int64; var task: String }
        var votes: [Key: [String: Int]] = [:], abstentions: [Key: Int] = [:]
        var order: [Key] = []
        for (rowIndex, row) in table.rows.enumerated() {
            let rowWhat = "\(what): row \(rowIndex + 2)"
            guard let subject = try subjects(subjectIDs: idsColumn.map { row[$0] } ?? "", subjectData: dataColumn.map { row[$0] } ?? "", what: rowWhat).first?.id else { continue }
            for task in try JSONValue.parse(row[annotationsColumn].isEmpty ? "[]" : row[annotationsColumn], what: rowWhat).array ?? [] {
                let key = Key(subject: subject, task: task["task"]?.string ?? "")
                if votes[key] == nil && abstentions[key] == nil { order.append(key) }
                switch task["value"] {
                case nil, .null?: abstentions[key, default: 0] += 1
                case .array?, .object?: continue
                case let value?: votes[key, default: [:]][value.text, default: 0] += 1
                }
            }
        }
        return order.map { key in
            let v = votes[key] ?? [:]
            let total = v.values.reduce(0, +)
            return QuestionConsensus(subjectID: key.subject, task: key.task, votes: v, abstentions: abstentions[key] ?? 0,
                                     fractions: total == 0 ? [:] : v.mapValues { Double($0) / Double(total) })
        }
    }
}
