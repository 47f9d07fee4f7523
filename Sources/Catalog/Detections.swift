import Foundation
import GRDB

/// What a detection run did with one item (table `detectionItem`): `ok` with the number of
/// detections, or `error` with the code and message. An item with a row is done for that run,
/// so a killed run resumes with the items that have none. The detections themselves are
/// annotations of the run's `prediction` source (see `DatasetSchema`), so they are evaluated and
/// exported like any other labels.
public struct DetectionItemRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "detectionItem"

    public var runID: Int64
    public var itemID: Int64
    public var status: String
    public var detections: Int
    public var errorCode: String?
    public var errorMessage: String?

    public init(runID: Int64, itemID: Int64, status: String, detections: Int, errorCode: String? = nil, errorMessage: String? = nil) {
        self.runID = runID
        self.itemID = itemID
        self.status = status
        self.detections = detections
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }
}

/// One stored detection as read back: item, class name, confidence in [0, 1], box `x, y, w, h` in
/// the original image's pixels (after EXIF orientation).
public struct StoredDetection: Sendable, Equatable, FetchableRecord, Decodable {
    public var itemID: Int64
    public var label: String
    public var score: Double
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
}

extension Catalog {
    static func registerDetectionMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-detection-items") { db in
            try db.create(table: "detectionItem") { t in
                t.column("runID", .integer).notNull().references("run", onDelete: .cascade)
                t.column("itemID", .integer).notNull().references("item", onDelete: .cascade)
                t.column("status", .text).notNull()
                t.column("detections", .integer).notNull()
                t.column("errorCode", .text)
                t.column("errorMessage", .text)
                t.primaryKey(["runID", "itemID"])
            }
        }
    }

    /// The `prediction` annotation source of a model run (detection, classification) `runID`,
    /// created (named `name`, default the model's name, with its sha256 and file) when it does not
    /// exist yet. - Returns: its id.
    public func predictionSource(runID: Int64, model: String, modelSHA256: String, modelPath: String, name: String? = nil) throws -> Int64 {
        if let pg {
            return try pg.write("make the prediction source of run \(runID)") { s in
                if let id = try s.scalar(Int64.self, "SELECT id FROM annotationSource WHERE runID = ? AND kind = 'prediction'", [runID]) { return id }
                let source = AnnotationSourceRecord(name: name ?? model, kind: "prediction", format: "model", path: modelPath, model: model,
                                                    modelSHA256: modelSHA256, runID: runID)
                guard let id = try s.insert(source, into: "annotationSource", returningID: true) else {
                    throw CatalogError(.write, "no id after inserting the prediction source of run \(runID)")
                }
                return id
            }
        }
        return try write("make the prediction source of run \(runID)") { db in
            if let id = try Int64.fetchOne(db, sql: "SELECT id FROM annotationSource WHERE runID = ? AND kind = 'prediction'", arguments: [runID]) {
                return id
            }
            var source = AnnotationSourceRecord(name: name ?? model, kind: "prediction", format: "model", path: modelPath, model: model,
                                                modelSHA256: modelSHA256, runID: runID)
            try source.insert(db)
            guard let id = source.id else { throw CatalogError(.write, "no id after inserting the prediction source of run \(runID)") }
            return id
        }
    }

    /// Saves a batch of items of a detection run in one transaction: each item's outcome and its
    /// detections as annotations of `sourceID` (classes are created by name).
    public func saveDetectionBatch(sourceID: Int64, _ items: [(item: DetectionItemRecord, detections: [NewDetection])]) throws {
        if let pg {
            return try pg.write("save \(items.count) items of detections") { s in
                var ids = try Self.categoryIDs(s)
                for entry in items { try Self.saveDetectionItem(entry.item, entry.detections, sourceID: sourceID, categories: &ids, s) }
            }
        }
        try write("save \(items.count) items of detections") { db in
            var ids = try Self.categoryIDs(db)
            for entry in items { try Self.saveDetectionItem(entry.item, entry.detections, sourceID: sourceID, categories: &ids, db) }
        }
    }

    /// The category ids by name (SQLite).
    static func categoryIDs(_ db: Database) throws -> [String: Int64] {
        var ids: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, name FROM category") { ids[row["name"]] = row["id"] }
        return ids
    }

    /// One item's outcome of a detection run and its detections as annotations of `sourceID`
    /// (inside the caller's transaction; classes are created by name).
    static func saveDetectionItem(_ item: DetectionItemRecord, _ detections: [NewDetection], sourceID: Int64,
                                  categories ids: inout [String: Int64], _ s: PGSession) throws {
        try s.upsert(item, into: "detectionItem", key: ["runID", "itemID"])
        for d in detections {
            try s.insert(Self.annotation(d, sourceID: sourceID, categoryID: try Self.categoryID(d.className, supercategory: nil, &ids, s)), into: "annotation")
        }
    }

    static func saveDetectionItem(_ item: DetectionItemRecord, _ detections: [NewDetection], sourceID: Int64,
                                  categories ids: inout [String: Int64], _ db: Database) throws {
        try item.upsert(db)
        for d in detections {
            var annotation = Self.annotation(d, sourceID: sourceID, categoryID: try Self.categoryID(d.className, supercategory: nil, &ids, db))
            try annotation.insert(db)
        }
    }

    static func annotation(_ d: NewDetection, sourceID: Int64, categoryID: Int64) -> AnnotationRecord {
        var annotation = AnnotationRecord(sourceID: sourceID, itemID: d.itemID, categoryID: categoryID)
        annotation.boxForm = "xywh"
        (annotation.v0, annotation.v1, annotation.v2, annotation.v3) = (d.x, d.y, d.width, d.height)
        annotation.area = d.width * d.height
        annotation.score = d.score
        return annotation
    }

    /// Ids of the items that have annotations of `sourceID` (what a classification run has done).
    public func annotatedItemIDs(sourceID: Int64) throws -> Set<Int64> {
        let sql = "SELECT DISTINCT itemID FROM annotation WHERE sourceID = ?"
        if let pg { return try pg.read("read the items of source \(sourceID)") { s in Set(try s.column(Int64.self, sql, [sourceID])) } }
        return try read("read the items of source \(sourceID)") { db in Set(try Int64.fetchAll(db, sql: sql, arguments: [sourceID])) }
    }

    /// Ids of the items that detection run `runID` has already processed (ok or error).
    public func detectedItemIDs(runID: Int64) throws -> Set<Int64> {
        if let pg {
            return try pg.read("read the items of detection run \(runID)") { s in
                Set(try s.column(Int64.self, "SELECT itemID FROM detectionItem WHERE runID = ?", [runID]))
            }
        }
        return try read("read the items of detection run \(runID)") { db in
            Set(try Int64.fetchAll(db, sql: "SELECT itemID FROM detectionItem WHERE runID = ?", arguments: [runID]))
        }
    }

    /// The per-item outcomes of a detection run.
    public func detectionItems(runID: Int64) throws -> [DetectionItemRecord] {
        if let pg {
            return try pg.read("read the items of detection run \(runID)") { s in
                try s.fetch(DetectionItemRecord.self, "SELECT * FROM detectionItem WHERE runID = ? ORDER BY itemID", [runID])
            }
        }
        return try read("read the items of detection run \(runID)") { db in
            try DetectionItemRecord.filter(Column("runID") == runID).order(Column("itemID")).fetchAll(db)
        }
    }

    /// Every detection of run `runID`, by item then descending score.
    public func detections(runID: Int64) throws -> [StoredDetection] {
        if let pg {
            return try pg.read("read the detections of run \(runID)") { s in
                try s.fetch(StoredDetection.self, Self.detectionsSQL, [runID])
            }
        }
        return try read("read the detections of run \(runID)") { db in
            try StoredDetection.fetchAll(db, sql: Self.detectionsSQL, arguments: [runID])
        }
    }

    static let detectionsSQL = """
        SELECT a.itemID AS itemID, c.name AS label, a.score AS score, a.v0 AS x, a.v1 AS y, a.v2 AS width, a.v3 AS height
        FROM annotation a JOIN annotationSource s ON s.id = a.sourceID JOIN category c ON c.id = a.categoryID
        WHERE s.runID = ? AND s.kind = 'prediction' AND a.v0 IS NOT NULL
        ORDER BY a.itemID, a.score DESC, a.id
        """

    /// The latest run of `kind` whose config equals `config` and that has not finished (to resume).
    public func unfinishedRun(kind: String, config: [String: String]) throws -> RunRecord? {
        let json = Self.json(config)
        if let pg {
            return try pg.read("read unfinished \(kind) runs") { s in
                try s.fetchOne(RunRecord.self, "SELECT * FROM run WHERE kind = ? AND status = 'running' AND config = ? ORDER BY id DESC LIMIT 1", [kind, json])
            }
        }
        return try read("read unfinished \(kind) runs") { db in
            try RunRecord.filter(Column("kind") == kind && Column("status") == "running" && Column("config") == json)
                .order(Column("id").desc).fetchOne(db)
        }
    }
}
