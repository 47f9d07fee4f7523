import Foundation
import GRDB

/// An image Vitrine made from an item (super-resolution output): stored under the store's
/// `derived/`, linked to its item, never replacing the original.
public struct DerivedImageRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "derivedImage"

    public var id: Int64?
    public var itemID: Int64
    /// What made it: `upscale`.
    public var kind: String
    /// Method (`espcn`, `fsrcnn`, `lapsrn`) and model registry name + sha256.
    public var method: String
    public var model: String?
    public var modelSHA256: String?
    public var scale: Int
    /// Path relative to the store (`derived/upscale/…`).
    public var path: String
    public var width: Int
    public var height: Int
    public var runID: Int64?
    public var createdAt: Date

    public init(itemID: Int64, kind: String, method: String, model: String?, modelSHA256: String?, scale: Int,
                path: String, width: Int, height: Int, runID: Int64?, createdAt: Date = Date()) {
        self.itemID = itemID
        self.kind = kind
        self.method = method
        self.model = model
        self.modelSHA256 = modelSHA256
        self.scale = scale
        self.path = path
        self.width = width
        self.height = height
        self.runID = runID
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

enum DerivedImagesMigration {
    static let name = "v5-derived-images"

    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(name) { db in
            try db.create(table: "derivedImage") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("itemID", .integer).notNull().indexed().references("item", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("method", .text).notNull()
                t.column("model", .text)
                t.column("modelSHA256", .text)
                t.column("scale", .integer).notNull()
                t.column("path", .text).notNull()
                t.column("width", .integer).notNull()
                t.column("height", .integer).notNull()
                t.column("runID", .integer).references("run")
                t.column("createdAt", .datetime).notNull()
                t.uniqueKey(["itemID", "kind", "method", "scale"], onConflict: .replace)
            }
            // No-reference quality scores of `vitrine quality` (BRISQUE, variance of the Laplacian).
            try db.create(table: "noReferenceQuality") { t in
                t.primaryKey("itemID", .integer).references("item", onDelete: .cascade)
                t.column("brisque", .double).notNull()
                t.column("laplacianVariance", .double).notNull()
                t.column("runID", .integer).references("run")
            }
        }
    }
}

extension Catalog {
    /// Records a derived image; one per item, kind, method and scale (a re-run replaces it).
    /// - Returns: its id.
    public func saveDerivedImage(_ record: DerivedImageRecord) throws -> Int64 {
        if let pg {
            // SQLite's table replaces on a conflict of the unique key; the same here.
            return try pg.write("record derived image \(record.path) of item \(record.itemID)") { s in
                try s.query("DELETE FROM derivedImage WHERE itemID = ? AND kind = ? AND method = ? AND scale = ?",
                            [record.itemID, record.kind, record.method, record.scale])
                var copy = record
                copy.id = nil
                return try s.insert(copy, into: "derivedImage", returningID: true) ?? 0
            }
        }
        return try write("record derived image \(record.path) of item \(record.itemID)") { db in
            var copy = record
            try copy.insert(db)
            return copy.id ?? 0
        }
    }

    /// Derived images, newest first; of one kind when given.
    public func derivedImages(kind: String? = nil) throws -> [DerivedImageRecord] {
        if let pg {
            return try pg.read("read derived images") { s in
                if let kind { return try s.fetch(DerivedImageRecord.self, "SELECT * FROM derivedImage WHERE kind = ? ORDER BY createdAt DESC, id DESC", [kind]) }
                return try s.fetch(DerivedImageRecord.self, "SELECT * FROM derivedImage ORDER BY createdAt DESC, id DESC")
            }
        }
        return try read("read derived images") { db in
            var request = DerivedImageRecord.order(Column("createdAt").desc, Column("id").desc)
            if let kind { request = request.filter(Column("kind") == kind) }
            return try request.fetchAll(db)
        }
    }
}

/// No-reference quality scores of an item (table `noReferenceQuality`).
public struct NoReferenceQualityRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "noReferenceQuality"
    public var itemID: Int64
    /// BRISQUE score, ≈ 0…100, lower is better.
    public var brisque: Double
    /// Variance of the 3×3 Laplacian at the measuring size.
    public var laplacianVariance: Double
    public var runID: Int64?
    public init(itemID: Int64, brisque: Double, laplacianVariance: Double, runID: Int64?) {
        self.itemID = itemID
        self.brisque = brisque
        self.laplacianVariance = laplacianVariance
        self.runID = runID
    }
}

extension Catalog {
    /// Stores an item's no-reference scores and replaces the flags in `replacing` of its quality
    /// record with `flags` (other flags are kept; a quality record is made when there is none).
    public func saveNoReferenceQuality(_ record: NoReferenceQualityRecord, flags: [String], replacing: Set<String>) throws {
        if let pg {
            return try pg.write("record no-reference quality of item \(record.itemID)") { s in
                try s.upsert(record, into: "noReferenceQuality", key: ["itemID"])
                if var quality = try s.fetchOne(QualityRecord.self, "SELECT * FROM quality WHERE itemID = ? FOR UPDATE", [record.itemID]) {
                    let kept = quality.flagList.filter { !replacing.contains($0) }
                    quality.flags = (kept + flags).joined(separator: ",")
                    try s.query("UPDATE quality SET flags = ? WHERE itemID = ?", [quality.flags, record.itemID])
                } else {
                    try s.insert(QualityRecord(itemID: record.itemID, meanLuminance: nil, luminanceDeviation: nil, entropy: nil,
                                               chroma: nil, meanColour: nil, flags: flags, runID: record.runID), into: "quality")
                }
            }
        }
        try write("record no-reference quality of item \(record.itemID)") { db in
            try record.save(db)
            if var quality = try QualityRecord.fetchOne(db, key: record.itemID) {
                let kept = quality.flagList.filter { !replacing.contains($0) }
                quality.flags = (kept + flags).joined(separator: ",")
                try quality.update(db)
            } else {
                try QualityRecord(itemID: record.itemID, meanLuminance: nil, luminanceDeviation: nil, entropy: nil,
                                  chroma: nil, meanColour: nil, flags: flags, runID: record.runID).insert(db)
            }
        }
    }

    /// Every item's no-reference scores.
    public func noReferenceQuality() throws -> [NoReferenceQualityRecord] {
        if let pg { return try pg.read("read no-reference quality") { s in try s.fetch(NoReferenceQualityRecord.self, "SELECT * FROM noReferenceQuality") } }
        return try read("read no-reference quality") { db in try NoReferenceQualityRecord.fetchAll(db) }
    }
}
