import Foundation
import GRDB

/// One detected object (table `detection`): a prediction of a detection run, with its class,
/// confidence and box in the pixels of the item's original image (after EXIF orientation), COCO
/// convention `x, y, width, height`.
public struct DetectionRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "detection"

    public var id: Int64?
    public var runID: Int64
    public var itemID: Int64
    /// Registry name of the model (`yolox-nano`, `ultraface-320`, …).
    public var model: String
    /// Class index in the model's class list, and its name (COCO names for YOLOX, `face`).
    public var classIndex: Int
    public var label: String
    /// Confidence in [0, 1].
    public var score: Double
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(runID: Int64, itemID: Int64, model: String, classIndex: Int, label: String, score: Double,
                x: Double, y: Double, width: Double, height: Double) {
        self.runID = runID
        self.itemID = itemID
        self.model = model
        self.classIndex = classIndex
        self.label = label
        self.score = score
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    public enum Columns {
        public static let runID = Column("runID")
        public static let itemID = Column("itemID")
        public static let score = Column("score")
    }
}

/// What a detection run did with one item (table `detectionItem`): `ok` with the number of
/// detections, or `error` with the code and message. An item with a row is done for that run,
/// so a killed run resumes with the items that have none.
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

extension Catalog {
    static func registerDetectionMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-detections") { db in
            try db.create(table: "detection") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runID", .integer).notNull().indexed().references("run", onDelete: .cascade)
                t.column("itemID", .integer).notNull().indexed().references("item", onDelete: .cascade)
                t.column("model", .text).notNull()
                t.column("classIndex", .integer).notNull()
                t.column("label", .text).notNull()
                t.column("score", .double).notNull()
                t.column("x", .double).notNull()
                t.column("y", .double).notNull()
                t.column("width", .double).notNull()
                t.column("height", .double).notNull()
            }
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

    /// Saves the results of a batch of items of detection run `runID` in one transaction.
    public func saveDetections(_ items: [(item: DetectionItemRecord, detections: [DetectionRecord])]) throws {
        try write("save \(items.count) items of detections") { db in
            for entry in items {
                try entry.item.upsert(db)
                for var detection in entry.detections { try detection.insert(db) }
            }
        }
    }

    /// Ids of the items that detection run `runID` has already processed (ok or error).
    public func detectedItemIDs(runID: Int64) throws -> Set<Int64> {
        try read("read the items of detection run \(runID)") { db in
            Set(try Int64.fetchAll(db, sql: "SELECT itemID FROM detectionItem WHERE runID = ?", arguments: [runID]))
        }
    }

    /// The per-item outcomes of a detection run.
    public func detectionItems(runID: Int64) throws -> [DetectionItemRecord] {
        try read("read the items of detection run \(runID)") { db in
            try DetectionItemRecord.filter(Column("runID") == runID).order(Column("itemID")).fetchAll(db)
        }
    }

    /// Every detection of run `runID`, by item then descending score.
    public func detections(runID: Int64) throws -> [DetectionRecord] {
        try read("read the detections of run \(runID)") { db in
            try DetectionRecord.filter(DetectionRecord.Columns.runID == runID)
                .order(DetectionRecord.Columns.itemID, DetectionRecord.Columns.score.desc).fetchAll(db)
        }
    }

    /// The latest run of `kind` whose config equals `config` and that has not finished (to resume).
    public func unfinishedRun(kind: String, config: [String: String]) throws -> RunRecord? {
        let json = Self.json(config)
        return try read("read unfinished \(kind) runs") { db in
            try RunRecord.filter(Column("kind") == kind && Column("status") == "running" && Column("config") == json)
                .order(Column("id").desc).fetchOne(db)
        }
    }
}
