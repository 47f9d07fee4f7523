import Catalog
import Curation
import Foundation
import Hummingbird

// The query layer of the REST API and the web pages: filters, pages, item details, groups,
// clusters, runs, feedback. Every function answers Codable values; errors are `Problem`s that
// name the parameter or id.

/// One image-level label of an item: `concept` (category name), `label` (display text, the same
/// name), `origin` (`ground_truth`, `crowd`, `prediction`, `curator`), `confidence` in [0, 1] or nil.
public struct LabelSummary: Codable, Sendable, Equatable {
    public var concept: String
    public var label: String
    public var origin: String
    public var confidence: Double?
}

/// An item in a list: ids, EDM fields, pixel size, thumbnail (IIIF Image URL) and manifest links.
public struct ItemSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String?
    public var creator: String?
    public var provider: String?
    public var dataProvider: String?
    public var rights: String?
    public var width: Int?
    public var height: Int?
    public var thumbnail: String
    public var manifest: String
    public var labels: [LabelSummary]
}

/// `GET /api/items` answer.
public struct ItemPage: Codable, Sendable {
    public var items: [ItemSummary]
    public var nextCursor: String?
}

/// The filters of `GET /api/items` (all optional, combined with AND).
public struct ItemFilter: Sendable, Equatable {
    public var concept: String?
    public var origin: String?
    public var minConfidence: Double?
    public var maxConfidence: Double?
    public var rights: String?
    public var provider: String?
    public var dataProvider: String?
    /// `RUNID:CLUSTER` or `CLUSTER` (latest cluster run).
    public var cluster: String?
    public var duplicateGroup: Int64?
    /// A `QualityFlag` raw value (e.g. `blank`).
    public var quality: String?
    /// true: flagged by the watermark detector (table `watermark_score`); false: not flagged.
    public var watermark: Bool?
    /// Full-text query over title, creator, description: FTS5 syntax on SQLite, `websearch_to_tsquery` on PostgreSQL (`PostgresTextSearch`).
    public var q: String?

    public init() {}

    /// The parameter names, for documentation and for the IIIF search collection.
    public static let parameterNames = ["concept", "origin", "minConfidence", "maxConfidence", "rights", "provider", "dataProvider",
                                        "cluster", "duplicateGroup", "quality", "watermark", "q"]

    /// Parses the query parameters; 400 naming the parameter when a value is malformed.
    public init(parameters: [String: String]) throws {
        // NUL cannot be stored or compared in PostgreSQL text (SQLite would just not match): a 400.
        var nul: String?
        func text(_ name: String) -> String? {
            guard let v = parameters[name], !v.isEmpty else { return nil }
            if v.contains("\u{0}") { nul = nul ?? name }
            return v
        }
        func number(_ name: String) throws -> Double? {
            guard let raw = text(name) else { return nil }
            guard let v = Double(raw), v.isFinite else { throw Problem.badParameter(name, raw, "a number") }
            return v
        }
        concept = text("concept"); origin = text("origin"); rights = text("rights"); provider = text("provider")
        dataProvider = text("dataProvider"); quality = text("quality")
        // A query of spaces only is no query (as an empty one).
        q = text("q").flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        minConfidence = try number("minConfidence"); maxConfidence = try number("maxConfidence")
        if let c = text("cluster") {
            let parts = c.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2, parts.allSatisfy({ Int64($0) != nil }) else { throw Problem.badParameter("cluster", c, "CLUSTER or RUNID:CLUSTER (integers)") }
            cluster = c
        }
        if let g = text("duplicateGroup") {
            guard let v = Int64(g) else { throw Problem.badParameter("duplicateGroup", g, "an integer group id") }
            duplicateGroup = v
        }
        if let w = text("watermark") {
            switch w.lowercased() {
            case "true", "1", "yes": watermark = true
            case "false", "0", "no": watermark = false
            default: throw Problem.badParameter("watermark", w, "true or false")
            }
        }
        if let name = nul {
            throw Problem(.badRequest, title: "Invalid parameter", detail: "parameter '\(name)' contains a NUL character")
        }
        if let min = minConfidence, let max = maxConfidence, min > max {
            throw Problem(.badRequest, title: "Invalid parameter", detail: "minConfidence (\(min)) is above maxConfidence (\(max))")
        }
    }
}

extension Problem {
    static func badParameter(_ name: String, _ value: String, _ expected: String) -> Problem {
        Problem(.badRequest, title: "Invalid parameter", detail: "parameter '\(name)' is '\(value)'; expected \(expected)")
    }
    static func notFound(_ what: String) -> Problem {
        Problem(.notFound, title: "Not found", detail: "\(what) does not exist")
    }
}

/// One detection (box in original pixels, x, y, w, h) of a detection run.
public struct DetectionSummary: Codable, Sendable, Equatable {
    public var category: String
    public var score: Double?
    public var x: Double
    public var y: Double
    public var w: Double
    public var h: Double
    public var source: String
    public var runID: Int64?
}

/// `GET /api/items/{id}` answer.
public struct ItemDetail: Codable, Sendable {
    public var item: ItemSummary
    public var date: String?
    public var landingPage: String?
    public var originalURL: String?
    public var format: String?
    public var sourcePath: String
    /// The item's `metadata` JSON object (strings), if any.
    public var metadata: [String: String]?
    /// Labels with origin ground_truth, crowd or curator.
    public var labels: [LabelSummary]
    /// Labels of origin prediction, with their model and run.
    public var predictions: [PredictionSummary]
    public var detections: [DetectionSummary]
    public var qualityFlags: [String]
    public var duplicateGroup: DuplicateGroupSummary?
    public var cluster: ClusterMembership?
}

public struct PredictionSummary: Codable, Sendable, Equatable {
    public var concept: String
    public var confidence: Double?
    public var model: String?
    public var runID: Int64?
}

public struct ClusterMembership: Codable, Sendable, Equatable {
    public var runID: Int64
    public var cluster: Int
    public var silhouette: Double?
}

/// A duplicate group (table `duplicateGroup`): `maxDistance` is the threshold of `algorithm`
/// (Hamming bits for hashes).
public struct DuplicateGroupSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var runID: Int64
    public var kind: String
    public var algorithm: String
    public var maxDistance: Int
    public var keeperItemID: Int64
    public var keeperReason: String
    public var size: Int
}

public struct DuplicateMemberSummary: Codable, Sendable, Equatable {
    public var item: ItemSummary
    public var distanceToKeeper: Int
}

public struct DuplicateGroupDetail: Codable, Sendable {
    public var group: DuplicateGroupSummary
    public var members: [DuplicateMemberSummary]
}

public struct ClusterSummary: Codable, Sendable, Equatable {
    public var runID: Int64
    public var cluster: Int
    public var size: Int
    public var meanSilhouette: Double?
}

public struct ClusterDetail: Codable, Sendable {
    public var cluster: ClusterSummary
    public var items: [ItemSummary]
}

/// A stored run: kind, tool version, config and summary (JSON text as stored), times.
public struct RunSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var toolVersion: String
    public var status: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var config: String
    public var summary: String?
}

public struct SimilarNeighbour: Codable, Sendable {
    public var item: ItemSummary
    public var cosine: Float
}

public struct SimilarPage: Codable, Sendable {
    public var itemID: Int64
    public var model: String
    public var neighbours: [SimilarNeighbour]
}

/// One point of `vitrine map` (`reports/map/coordinates.csv`).
public struct MapPoint: Codable, Sendable, Equatable {
    public var id: Int64
    public var x: Double
    public var y: Double
    public var colourKey: String
    public var thumbnail: String
}

public struct DuplicateFeedback: Codable, Sendable {
    public var itemA: Int64
    public var itemB: Int64
    public var groupID: Int64?
    /// `confirm` or `reject`.
    public var verdict: String
    public var who: String?
}

public struct LabelFeedback: Codable, Sendable {
    public var itemID: Int64
    public var concept: String
    /// `accept` or `correct` (then `correctedConcept` is required).
    public var verdict: String
    public var correctedConcept: String?
    public var who: String?
}

public struct SimilarFeedback: Codable, Sendable {
    public var itemID: Int64
    public var similarItemID: Int64
    public var relevant: Bool
    public var who: String?
}

/// The answer of a feedback write: the stored row's id and time.
public struct FeedbackReceipt: Codable, Sendable {
    public var id: Int64
    public var createdAt: Date
}

/// Measured precision of a duplicate algorithm at a threshold: of the judged pairs whose distance
/// is ≤ `threshold` (Hamming bits of the algorithm's hash; for other algorithms the larger
/// distance-to-keeper of the pair), the share confirmed.
public struct ThresholdPrecision: Codable, Sendable, Equatable {
    public var algorithm: String
    public var threshold: Int
    public var pairs: Int
    public var confirmed: Int
    public var precision: Double
}

/// The query layer over a server's catalog.
public struct Queries: Sendable {
    public let state: ServerState
    public init(state: ServerState) { self.state = state }


    /// The IIIF Image API size that fits an image of `width`×`height` px into a `box`×`box` square:
    /// `!box,box` when the image is larger than the box in either dimension, else `max` — a `!w,h` box
    /// that would scale the image up is a 400 without `^` (Image API 3.0 §4.2). Unknown sizes get the box.
    public static func fittedSize(box: Int, width: Int?, height: Int?) -> String {
        guard let width, let height, width <= box, height <= box else { return "!\(box),\(box)" }
        return "max"
    }

    /// IIIF Image path (relative to the base URL) of an item fitted into a `box` px square (300 px thumbnails).
    public static func thumbnailPath(_ id: Int64, width: Int?, height: Int?, box: Int = 300) -> String {
        "/iiif/3/\(id)/full/\(fittedSize(box: box, width: width, height: height))/0/default.jpg"
    }
    public static func manifestPath(_ id: Int64) -> String { "/iiif/manifests/\(id)" }

    /// Opaque cursor of an item id (base64 of its decimal text).
    public static func cursor(after id: Int64) -> String { Data(String(id).utf8).base64EncodedString() }
    /// Decodes a cursor; 400 naming `cursor` when it is not one of ours.
    public static func decodeCursor(_ cursor: String) throws -> Int64 {
        guard let data = Data(base64Encoded: cursor), let id = Int64(String(decoding: data, as: UTF8.self)) else {
            throw Problem.badParameter("cursor", cursor, "a cursor returned as nextCursor")
        }
        return id
    }

    func read<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        do { return try state.catalog.sqlRead(body) } catch let p as Problem { throw p } catch {
            throw Problem(.internalServerError, title: "Catalog error", detail: "\(error)")
        }
    }

    func write<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        do { return try state.catalog.sqlWrite(body) } catch let p as Problem { throw p } catch {
            throw Problem(.internalServerError, title: "Catalog error", detail: "\(error)")
        }
    }

    /// One page of items matching `filter`, by increasing id after `cursor`.
    /// - Throws: 400 when `limit` is outside 1…`maxPageSize`, the cursor is malformed, the FTS query
    ///   is invalid, or `watermark` is used on a store without `watermark_score`.
    public func listItems(filter: ItemFilter, limit: Int, cursor: String?, baseURL: String = "") throws -> ItemPage {
        let maxPage = state.configuration.maxPageSize
        guard limit >= 1, limit <= maxPage else {
            throw Problem.badParameter("limit", String(limit), "1…\(maxPage) (maxPageSize)")
        }
        let after = try cursor.map(Self.decodeCursor) ?? 0
        return try read { db in
            var clauses = ["item.status = 'ok'", "item.id > ?"]
            var args: [(any Sendable)?] = [after]
            if filter.concept != nil || filter.origin != nil || filter.minConfidence != nil || filter.maxConfidence != nil {
                var sub = "SELECT a.itemID FROM annotation a JOIN category c ON c.id = a.categoryID JOIN annotationSource s ON s.id = a.sourceID WHERE a.boxForm IS NULL"
                if let c = filter.concept { sub += " AND c.name = ?"; args.append(c) }
                if let o = filter.origin { sub += " AND s.kind = ?"; args.append(o) }
                if let v = filter.minConfidence { sub += " AND coalesce(a.score, 1.0) >= ?"; args.append(v) }
                if let v = filter.maxConfidence { sub += " AND coalesce(a.score, 1.0) <= ?"; args.append(v) }
                clauses.append("item.id IN (\(sub))")
            }
            if let v = filter.rights { clauses.append("item.rights = ?"); args.append(v) }
            if let v = filter.provider { clauses.append("item.provider = ?"); args.append(v) }
            if let v = filter.dataProvider { clauses.append("item.dataProvider = ?"); args.append(v) }
            if let c = filter.cluster {
                let parts = c.split(separator: ":").compactMap { Int64($0) }
                let runID: Int64
                if parts.count == 2 { runID = parts[0] } else {
                    guard let latest = try db.value(Int64.self, "SELECT max(runID) FROM clusterAssignment") else {
                        throw Problem(.badRequest, title: "Invalid parameter", detail: "parameter 'cluster': the store has no cluster run")
                    }
                    runID = latest
                }
                clauses.append("item.id IN (SELECT itemID FROM clusterAssignment WHERE runID = ? AND cluster = ?)")
                args.append(runID); args.append(parts[parts.count - 1])
            }
            if let g = filter.duplicateGroup { clauses.append("item.id IN (SELECT itemID FROM duplicateMember WHERE groupID = ?)"); args.append(g) }
            if let f = filter.quality {
                // `quality.flags` is a comma-separated list (QualityRecord).
                clauses.append("item.id IN (SELECT itemID FROM quality WHERE ',' || flags || ',' LIKE ?)"); args.append("%,\(f),%")
            }
            if let w = filter.watermark {
                guard try db.tableExists("watermark_score") else {
                    throw Problem(.badRequest, title: "Invalid parameter",
                                  detail: "parameter 'watermark': this store has no watermark scores (table watermark_score); run the watermark detector first")
                }
                clauses.append("item.id \(w ? "" : "NOT ") IN (SELECT item_id FROM watermark_score WHERE flagged = 1)")
            }
            if let q = filter.q {
                switch db.dialect {
                case .sqlite:
                    if (try? db.rows("SELECT rowid FROM itemText WHERE itemText MATCH ? LIMIT 1", [q])) != nil {
                        clauses.append("item.id IN (SELECT rowid FROM itemText WHERE itemText MATCH ?)")
                        args.append(q)
                    } else {
                        // Text that is not an FTS5 query (`O'Brien`, an unbalanced quote, `-word`,
                        // `*`): its plain words, `-word` excluding as in PostgreSQL's web search syntax.
                        let (wanted, unwanted) = Self.plainWords(q)
                        guard wanted != nil || unwanted != nil else { return ItemPage(items: [], nextCursor: nil) }
                        if let wanted { clauses.append("item.id IN (SELECT rowid FROM itemText WHERE itemText MATCH ?)"); args.append(wanted) }
                        if let unwanted { clauses.append("item.id NOT IN (SELECT rowid FROM itemText WHERE itemText MATCH ?)"); args.append(unwanted) }
                    }
                // The expression the GIN index of PostgresTextSearch covers.
                case .postgres:
                    clauses.append("\(PostgresTextSearch.document("item")) @@ \(PostgresTextSearch.query("?"))")
                    args.append(q)
                }
            }
            let sql = "SELECT * FROM item WHERE \(clauses.joined(separator: " AND ")) ORDER BY item.id LIMIT ?"
            args.append(limit + 1)
            let rows: [SQLRow]
            do { rows = try db.rows(sql, args) } catch where filter.q != nil && "\(error)".contains("fts5") {
                throw Problem.badParameter("q", filter.q ?? "", "an FTS5 query")
            }
            let page = rows.prefix(limit)
            let items = try page.map { try Self.summary($0, db: db, baseURL: baseURL) }
            let next = rows.count > limit ? try page.last.map { Self.cursor(after: try $0["id"]) } : nil
            return ItemPage(items: items, nextCursor: next)
        }
    }

    /// A text as FTS5 queries of its plain words: each run of letters and digits a quoted term,
    /// punctuation dropped as FTS5's tokenizer drops it. `wanted`: the words of the
    /// whitespace-separated parts not starting with `-` (ANDed); `unwanted`: those of the parts
    /// starting with `-` (ORed: an item with any of them is left out). nil where there is none.
    static func plainWords(_ text: String) -> (wanted: String?, unwanted: String?) {
        func words(_ parts: [Substring]) -> [String] {
            parts.flatMap { $0.split { !($0.isLetter || $0.isNumber) } }.map { "\"\($0)\"" }
        }
        let parts = text.split(whereSeparator: \.isWhitespace)
        let wanted = words(parts.filter { !$0.hasPrefix("-") })
        let unwanted = words(parts.filter { $0.hasPrefix("-") }.map { $0.dropFirst() })
        return (wanted.isEmpty ? nil : wanted.joined(separator: " "), unwanted.isEmpty ? nil : unwanted.joined(separator: " OR "))
    }

    static func labels(_ db: SQLConnection, itemID: Int64) throws -> [(LabelSummary, String?, Int64?)] {
        try db.rows("""
            SELECT c.name, s.kind, a.score, s.model, s.runID FROM annotation a JOIN category c ON c.id = a.categoryID
            JOIN annotationSource s ON s.id = a.sourceID WHERE a.itemID = ? AND a.boxForm IS NULL ORDER BY a.id
            """, [itemID]).map { row in
            let name: String = try row[0]
            return try (LabelSummary(concept: name, label: name, origin: row[1], confidence: row[2]), row[3], row[4])
        }
    }

    static func summary(_ row: SQLRow, db: SQLConnection, baseURL: String) throws -> ItemSummary {
        let id: Int64 = try row["id"]
        return ItemSummary(id: id, title: row["title"], creator: row["creator"], provider: row["provider"], dataProvider: row["dataProvider"],
                           rights: row["rights"], width: row["width"], height: row["height"],
                           thumbnail: baseURL + thumbnailPath(id, width: row["width"], height: row["height"]), manifest: baseURL + manifestPath(id),
                           labels: try labels(db, itemID: id).map(\.0))
    }

    static func itemRow(_ db: SQLConnection, _ id: Int64) throws -> SQLRow {
        guard let row = try db.row("SELECT * FROM item WHERE id = ?", [id]) else { throw Problem.notFound("item \(id)") }
        return row
    }

    static func group(_ row: SQLRow) throws -> DuplicateGroupSummary {
        try DuplicateGroupSummary(id: row["id"], runID: row["runID"], kind: row["kind"], algorithm: row["algorithm"], maxDistance: row["maxDistance"],
                              keeperItemID: row["keeperItemID"], keeperReason: row["keeperReason"], size: row["size"])
    }

    /// One item with everything known about it; 404 naming the id.
    public func itemDetail(id: Int64, baseURL: String = "") throws -> ItemDetail {
        try read { db in
            let row = try Self.itemRow(db, id)
            let all = try Self.labels(db, itemID: id)
            let detections = try db.rows("""
                SELECT c.name, a.score, a.boxForm, a.v0, a.v1, a.v2, a.v3, s.name AS sname, s.runID FROM annotation a
                JOIN category c ON c.id = a.categoryID JOIN annotationSource s ON s.id = a.sourceID
                WHERE a.itemID = ? AND a.boxForm IS NOT NULL ORDER BY a.id
                """, [id]).map { r -> DetectionSummary in
                let form: String = try r["boxForm"]
                let v: [Double] = [r["v0"] ?? 0, r["v1"] ?? 0, r["v2"] ?? 0, r["v3"] ?? 0]
                let (w, h) = form == "corners" ? (v[2] - v[0], v[3] - v[1]) : (v[2], v[3])
                return try DetectionSummary(category: r[0], score: r[1], x: v[0], y: v[1], w: w, h: h, source: r["sname"], runID: r["runID"])
            }
            let flagsText = try db.value(String.self, "SELECT flags FROM quality WHERE itemID = ?", [id])
            let flags = (flagsText ?? "").split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
            let group = try db.row("""
                SELECT g.* FROM duplicateGroup g JOIN duplicateMember m ON m.groupID = g.id WHERE m.itemID = ? ORDER BY g.runID DESC, g.id LIMIT 1
                """, [id]).map(Self.group)
            let cluster = try db.row("SELECT runID, cluster, silhouette FROM clusterAssignment WHERE itemID = ? ORDER BY runID DESC LIMIT 1",
                                           [id]).map { try ClusterMembership(runID: $0[0], cluster: $0[1], silhouette: $0[2]) }
            let metadataText: String? = row["metadata"]
            let metadata = metadataText.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) }
            return try ItemDetail(item: try Self.summary(row, db: db, baseURL: baseURL), date: row["date"], landingPage: row["landingPage"],
                              originalURL: row["originalURL"], format: row["format"], sourcePath: row["sourcePath"], metadata: metadata,
                              labels: all.filter { $0.0.origin != "prediction" }.map(\.0),
                              predictions: all.filter { $0.0.origin == "prediction" }.map { PredictionSummary(concept: $0.0.concept, confidence: $0.0.confidence, model: $0.1, runID: $0.2) },
                              detections: detections, qualityFlags: flags, duplicateGroup: group, cluster: cluster)
        }
    }

    /// Summaries of the given ids, in the given order (unknown ids are skipped).
    public func summaries(ids: [Int64], baseURL: String = "") throws -> [ItemSummary] {
        try read { db in
            try ids.compactMap { id in try db.row("SELECT * FROM item WHERE id = ?", [id]).map { try Self.summary($0, db: db, baseURL: baseURL) } }
        }
    }

    /// Duplicate groups of the latest duplicates run (all runs when `runID` is nil and … newest first).
    public func duplicateGroups(limit: Int = 1000) throws -> [DuplicateGroupSummary] {
        try read { db in
            try db.rows("SELECT * FROM duplicateGroup ORDER BY runID DESC, id LIMIT ?", [limit]).map(Self.group)
        }
    }

    /// One duplicate group with its members (keeper first); 404 naming the group id.
    public func duplicateGroup(id: Int64, baseURL: String = "") throws -> DuplicateGroupDetail {
        try read { db in
            guard let row = try db.row("SELECT * FROM duplicateGroup WHERE id = ?", [id]) else { throw Problem.notFound("duplicate group \(id)") }
            let group = try Self.group(row)
            let members = try db.rows("""
                SELECT i.*, m.distanceToKeeper AS dk FROM duplicateMember m JOIN item i ON i.id = m.itemID WHERE m.groupID = ?
                ORDER BY (i.id = ?) DESC, m.distanceToKeeper, i.id
                """, [id, group.keeperItemID]).map { try DuplicateMemberSummary(item: try Self.summary($0, db: db, baseURL: baseURL), distanceToKeeper: $0["dk"]) }
            return DuplicateGroupDetail(group: group, members: members)
        }
    }

    /// Clusters of every stored cluster run, newest run first.
    public func clusters() throws -> [ClusterSummary] {
        try read { db in
            try db.rows("SELECT runID, cluster, count(*), avg(silhouette) FROM clusterAssignment GROUP BY runID, cluster ORDER BY runID DESC, cluster")
                .map { try ClusterSummary(runID: $0[0], cluster: $0[1], size: $0[2], meanSilhouette: $0[3]) }
        }
    }

    /// One cluster's items (by decreasing similarity to the centroid); 404 naming run and cluster.
    public func cluster(runID: Int64, cluster: Int, limit: Int = 1000, baseURL: String = "") throws -> ClusterDetail {
        try read { db in
            let rows = try db.rows("""
                SELECT i.*, a.silhouette AS sil FROM clusterAssignment a JOIN item i ON i.id = a.itemID WHERE a.runID = ? AND a.cluster = ?
                ORDER BY a.centroidSimilarity DESC, i.id LIMIT ?
                """, [runID, cluster, limit])
            guard !rows.isEmpty else { throw Problem.notFound("cluster \(cluster) of run \(runID)") }
            let sils = rows.compactMap { $0["sil"] as Double? }
            let summary = ClusterSummary(runID: runID, cluster: cluster, size: rows.count, meanSilhouette: sils.isEmpty ? nil : sils.reduce(0, +) / Double(sils.count))
            return ClusterDetail(cluster: summary, items: try rows.map { try Self.summary($0, db: db, baseURL: baseURL) })
        }
    }

    static func run(_ row: SQLRow) throws -> RunSummary {
        try RunSummary(id: row["id"], kind: row["kind"], toolVersion: row["toolVersion"], status: row["status"], startedAt: row["startedAt"],
                   finishedAt: row["finishedAt"], config: row["config"], summary: row["summary"])
    }

    /// Stored runs, newest first; `kind` filters (e.g. `classifier-evaluate`, `cluster`).
    public func runs(kind: String? = nil) throws -> [RunSummary] {
        try read { db in
            if let kind { return try db.rows("SELECT * FROM run WHERE kind = ? ORDER BY id DESC", [kind]).map(Self.run) }
            return try db.rows("SELECT * FROM run ORDER BY id DESC").map(Self.run)
        }
    }

    /// One run; 404 naming the id.
    public func run(id: Int64) throws -> RunSummary {
        try read { db in
            guard let row = try db.row("SELECT * FROM run WHERE id = ?", [id]) else { throw Problem.notFound("run \(id)") }
            return try Self.run(row)
        }
    }

    /// The model of the store's embeddings (the most used one), nil when nothing is embedded.
    public func embeddingModel() throws -> String? {
        try read { db in try db.value(String.self, "SELECT model FROM embedding WHERE vector IS NOT NULL GROUP BY model ORDER BY count(*) DESC LIMIT 1") }
    }

    /// Map coordinates written by `vitrine map` (`reports/map/coordinates.csv`); empty when absent.
    public func mapPoints(baseURL: String = "") throws -> [MapPoint] {
        let url = state.configuration.store.appendingPathComponent("reports/map/coordinates.csv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        // Pixel sizes, so each map thumbnail (96 px) asks for a size the image can give.
        let sizes: [Int64: (Int?, Int?)] = (try? read { db in
            var out: [Int64: (Int?, Int?)] = [:]
            for row in try db.rows("SELECT id, width, height FROM item") { out[try row["id"]] = (row["width"], row["height"]) }
            return out
        }) ?? [:]
        var points: [MapPoint] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = Self.csvFields(String(line))
            guard fields.count >= 5, let id = Int64(fields[0]), let x = Double(fields[2]), let y = Double(fields[3]) else { continue }
            let size = sizes[id] ?? (nil, nil)
            points.append(MapPoint(id: id, x: x, y: y, colourKey: fields[4],
                                   thumbnail: baseURL + Self.thumbnailPath(id, width: size.0, height: size.1, box: 96)))
        }
        return points
    }

    static func csvFields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" { if chars.first == "\"" { current.append("\""); chars = chars.dropFirst() } else { quoted = false } } else { current.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { fields.append(current); current = "" } else { current.append(c) }
        }
        fields.append(current)
        return fields
    }

    // MARK: feedback

    static func requireItem(_ db: SQLConnection, _ id: Int64, _ field: String) throws {
        guard try db.value(Bool.self, "SELECT count(*) > 0 FROM item WHERE id = ?", [id]) == true else {
            throw Problem(.notFound, title: "Not found", detail: "\(field): item \(id) does not exist")
        }
    }

    /// Stores a duplicate verdict; 400 on a bad verdict, 404 naming unknown items or group.
    /// 400 when a text field of a body holds a NUL character (PostgreSQL text cannot store one).
    static func requireText(_ fields: [(String, String?)]) throws {
        for (name, value) in fields where value?.contains("\u{0}") == true {
            throw Problem(.badRequest, title: "Invalid body", detail: "'\(name)' contains a NUL character")
        }
    }

    public func recordDuplicateFeedback(_ f: DuplicateFeedback) throws -> FeedbackReceipt {
        try Self.requireText([("verdict", f.verdict), ("who", f.who)])
        guard ["confirm", "reject"].contains(f.verdict) else { throw Problem.badParameter("verdict", f.verdict, "confirm or reject") }
        guard f.itemA != f.itemB else { throw Problem(.badRequest, title: "Invalid body", detail: "itemA and itemB are both \(f.itemA)") }
        let now = Date()
        return try write { db in
            try Self.requireItem(db, f.itemA, "itemA"); try Self.requireItem(db, f.itemB, "itemB")
            if let g = f.groupID, try db.value(Bool.self, "SELECT count(*) > 0 FROM duplicateGroup WHERE id = ?", [g]) != true {
                throw Problem.notFound("groupID: duplicate group \(g)")
            }
            let id = try db.insert("INSERT INTO duplicateFeedback(itemA, itemB, groupID, verdict, who, createdAt) VALUES (?,?,?,?,?,?)",
                                   [f.itemA, f.itemB, f.groupID, f.verdict, f.who, now])
            return FeedbackReceipt(id: id, createdAt: now)
        }
    }

    /// Stores a label verdict and writes the accepted (or corrected) concept as a label of origin
    /// `curator` (annotation source `curator`, confidence 1). 400 on a bad verdict, 404 on an unknown item.
    public func recordLabelFeedback(_ f: LabelFeedback) throws -> FeedbackReceipt {
        try Self.requireText([("concept", f.concept), ("verdict", f.verdict), ("correctedConcept", f.correctedConcept), ("who", f.who)])
        guard !f.concept.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Problem(.badRequest, title: "Invalid body", detail: "'concept' is empty")
        }
        guard ["accept", "correct"].contains(f.verdict) else { throw Problem.badParameter("verdict", f.verdict, "accept or correct") }
        let final: String
        if f.verdict == "correct" {
            guard let c = f.correctedConcept, !c.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw Problem(.badRequest, title: "Invalid body", detail: "verdict 'correct' needs 'correctedConcept'")
            }
            final = c
        } else { final = f.concept }
        let now = Date()
        return try write { db in
            try Self.requireItem(db, f.itemID, "itemID")
            let receipt = FeedbackReceipt(id: try db.insert("INSERT INTO labelFeedback(itemID, concept, verdict, correctedConcept, who, createdAt) VALUES (?,?,?,?,?,?)",
                                                            [f.itemID, f.concept, f.verdict, f.correctedConcept, f.who, now]), createdAt: now)
            var sourceID = try db.value(Int64.self, "SELECT id FROM annotationSource WHERE kind = 'curator' AND name = 'curator'")
            if sourceID == nil {
                sourceID = try db.insert("INSERT INTO annotationSource(name, kind, format, path, importedAt) VALUES ('curator', 'curator', 'feedback', '', ?)", [now])
            }
            try db.execute("INSERT INTO category(name) VALUES (?) ON CONFLICT DO NOTHING", [final])
            guard let categoryID = try db.value(Int64.self, "SELECT id FROM category WHERE name = ?", [final]) else {
                throw Problem(.internalServerError, title: "Catalog error", detail: "category '\(final)' was not created")
            }
            try db.execute("DELETE FROM annotation WHERE sourceID = ? AND itemID = ? AND boxForm IS NULL AND categoryID = ?", [sourceID, f.itemID, categoryID])
            try db.execute("INSERT INTO annotation(sourceID, itemID, categoryID, score, isCrowd, difficult, truncated) VALUES (?,?,?,1.0,?,?,?)",
                           [sourceID, f.itemID, categoryID, false, false, false])
            return receipt
        }
    }

    /// Stores a similar-item relevance verdict; 404 naming unknown items.
    public func recordSimilarFeedback(_ f: SimilarFeedback) throws -> FeedbackReceipt {
        try Self.requireText([("who", f.who)])
        guard f.itemID != f.similarItemID else { throw Problem(.badRequest, title: "Invalid body", detail: "itemID and similarItemID are both \(f.itemID)") }
        let now = Date()
        return try write { db in
            try Self.requireItem(db, f.itemID, "itemID"); try Self.requireItem(db, f.similarItemID, "similarItemID")
            let id = try db.insert("INSERT INTO similarFeedback(itemID, similarItemID, relevant, who, createdAt) VALUES (?,?,?,?,?)",
                                   [f.itemID, f.similarItemID, f.relevant, f.who, now])
            return FeedbackReceipt(id: id, createdAt: now)
        }
    }

    /// Measured precision of each (algorithm, threshold) from duplicate verdicts: the latest verdict
    /// of each pair counts; a pair's algorithm is that of its group (given, or the latest group holding both).
    public func duplicatePrecision() throws -> [ThresholdPrecision] {
        try read { db in
            let rows = try db.rows("""
                SELECT f.itemA, f.itemB, f.verdict, g.algorithm, ma.distanceToKeeper AS da, mb.distanceToKeeper AS db
                FROM duplicateFeedback f
                JOIN duplicateGroup g ON g.id = coalesce(f.groupID, (SELECT x.groupID FROM duplicateMember x JOIN duplicateMember y ON y.groupID = x.groupID
                     WHERE x.itemID = f.itemA AND y.itemID = f.itemB ORDER BY x.groupID DESC LIMIT 1))
                LEFT JOIN duplicateMember ma ON ma.groupID = g.id AND ma.itemID = f.itemA
                LEFT JOIN duplicateMember mb ON mb.groupID = g.id AND mb.itemID = f.itemB
                WHERE f.id IN (SELECT max(id) FROM duplicateFeedback GROUP BY CASE WHEN itemA < itemB THEN itemA ELSE itemB END, CASE WHEN itemA < itemB THEN itemB ELSE itemA END)
                """)
            var judged: [String: [(Int, Bool)]] = [:]
            for r in rows {
                let algorithm: String = try r["algorithm"]
                var distance = max(r["da"] as Int? ?? 0, r["db"] as Int? ?? 0)
                if ["ahash", "dhash", "phash", "whash"].contains(algorithm),
                   let a = try db.value(Int64.self, "SELECT \(algorithm) FROM imageHash WHERE itemID = ?", [r["itemA"] as Int64]),
                   let b = try db.value(Int64.self, "SELECT \(algorithm) FROM imageHash WHERE itemID = ?", [r["itemB"] as Int64]) {
                    distance = (UInt64(bitPattern: a) ^ UInt64(bitPattern: b)).nonzeroBitCount
                }
                judged[algorithm, default: []].append((distance, (try r["verdict"] as String) == "confirm"))
            }
            var out: [ThresholdPrecision] = []
            for (algorithm, pairs) in judged.sorted(by: { $0.key < $1.key }) {
                for t in Set(pairs.map(\.0)).sorted() {
                    let within = pairs.filter { $0.0 <= t }
                    let confirmed = within.filter(\.1).count
                    out.append(ThresholdPrecision(algorithm: algorithm, threshold: t, pairs: within.count, confirmed: confirmed,
                                                  precision: Double(confirmed) / Double(within.count)))
                }
            }
            return out
        }
    }
}

extension Queries {
    /// The `k` nearest items of an item by cosine over its stored embedding (FAISS index of the
    /// store's embedding model). 400 when `k` is outside 1…`maxK`, 404 for an unknown item, 409 when
    /// the store or the item has no embedding.
    public func similar(id: Int64, k: Int, baseURL: String = "") throws -> SimilarPage {
        guard k >= 1, k <= Self.maxK else { throw Problem.badParameter("k", String(k), "1…\(Self.maxK)") }
        _ = try read { db in try Self.itemRow(db, id) }
        guard let model = try embeddingModel() else {
            throw Problem(.conflict, title: "No embeddings", detail: "this store has no embeddings; run `vitrine embed` first")
        }
        do {
            let search = try SimilaritySearch(catalog: state.catalog, model: model)
            let vector = try search.vector(itemID: id)
            let found = try search.neighbours(of: vector, k: k, excluding: id)
            let items = try summaries(ids: found.map(\.itemID), baseURL: baseURL)
            let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
            return SimilarPage(itemID: id, model: model, neighbours: found.compactMap { n in byID[n.itemID].map { SimilarNeighbour(item: $0, cosine: n.cosine) } })
        } catch let p as Problem { throw p } catch {
            throw Problem(.conflict, title: "Similar search failed", detail: "item \(id): \(error)")
        }
    }

    /// Largest `k` of similar-item searches.
    public static let maxK = 100
}
