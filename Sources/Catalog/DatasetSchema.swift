import Foundation
import GRDB

/// Migration `v4-datasets`: label sources, categories, annotations (boxes, masks, image-level
/// labels, detections) and dataset splits.
enum DatasetSchema {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-datasets") { db in
            try db.create(table: "annotationSource") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("kind", .text).notNull().indexed()
                t.column("format", .text).notNull()
                t.column("path", .text).notNull()
                t.column("model", .text)
                t.column("modelSHA256", .text)
                t.column("runID", .integer).references("run", onDelete: .setNull)
                t.column("importedAt", .datetime).notNull()
                t.column("extra", .text)
                t.column("warnings", .text)
            }
            try db.create(table: "category") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("supercategory", .text)
            }
            try db.create(table: "annotation") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sourceID", .integer).notNull().indexed().references("annotationSource", onDelete: .cascade)
                t.column("itemID", .integer).notNull().indexed().references("item", onDelete: .cascade)
                t.column("categoryID", .integer).notNull().indexed().references("category")
                t.column("boxForm", .text)
                t.column("v0", .double)
                t.column("v1", .double)
                t.column("v2", .double)
                t.column("v3", .double)
                t.column("segmentation", .text)
                t.column("area", .double)
                t.column("isCrowd", .boolean).notNull().defaults(to: false)
                t.column("score", .double)
                t.column("difficult", .boolean).notNull().defaults(to: false)
                t.column("truncated", .boolean).notNull().defaults(to: false)
                t.column("occluded", .boolean)
                t.column("pose", .text)
                t.column("extra", .text)
                t.column("sourceImageID", .integer)
                t.column("sourceAnnotationID", .integer)
            }
            try db.create(table: "datasetSplit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runID", .integer).references("run", onDelete: .setNull)
                t.column("seed", .integer).notNull()
                t.column("config", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "splitMember") { t in
                t.column("splitID", .integer).notNull().references("datasetSplit", onDelete: .cascade)
                t.column("itemID", .integer).notNull().indexed().references("item", onDelete: .cascade)
                t.column("subset", .text).notNull()
                t.primaryKey(["splitID", "itemID"])
            }
        }
    }
}

/// Where a set of labels came from (table `annotationSource`): an imported file (ground truth
/// or crowd) or a stored run of a model (predictions, with model id and sha256).
public struct AnnotationSourceRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "annotationSource"
    public var id: Int64?
    public var name: String
    /// `ground_truth`, `crowd` or `prediction`.
    public var kind: String
    /// `coco`, `voc`, `labelme`, `folders`, `csv`, `detections`, `zooniverse`, `w3c`, or `model`.
    public var format: String
    /// The imported file or folder (absolute), or the model file.
    public var path: String
    public var model: String?
    public var modelSHA256: String?
    public var runID: Int64?
    public var importedAt: Date
    /// JSON object of dataset-level fields kept for the round trip (COCO `info`, `licenses`).
    public var extra: String?
    /// JSON array of the import's warnings.
    public var warnings: String?

    public init(name: String, kind: String, format: String, path: String, model: String? = nil, modelSHA256: String? = nil,
                runID: Int64? = nil, importedAt: Date = Date(), extra: String? = nil, warnings: String? = nil) {
        self.name = name
        self.kind = kind
        self.format = format
        self.path = path
        self.model = model
        self.modelSHA256 = modelSHA256
        self.runID = runID
        self.importedAt = importedAt
        self.extra = extra
        self.warnings = warnings
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A class name (table `category`), unique in the store; files' own category ids are kept on
/// their annotations' `extra` only through `sourceAnnotationID`/names, never as keys.
public struct CategoryRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "category"
    public var id: Int64?
    public var name: String
    public var supercategory: String?
    public init(name: String, supercategory: String? = nil) {
        self.name = name
        self.supercategory = supercategory
    }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One annotation of an item (table `annotation`): a box in the original image's pixels
/// (`boxForm` `xywh` → `v0…v3` = x, y, w, h; `corners` → xmin, ymin, xmax, ymax; nil for an
/// image-level label), an optional COCO segmentation (JSON), and for a detection its `score`
/// with the source naming the model and run.
public struct AnnotationRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "annotation"
    public var id: Int64?
    public var sourceID: Int64
    public var itemID: Int64
    public var categoryID: Int64
    public var boxForm: String?
    public var v0: Double?
    public var v1: Double?
    public var v2: Double?
    public var v3: Double?
    public var segmentation: String?
    public var area: Double?
    public var isCrowd: Bool
    public var score: Double?
    public var difficult: Bool
    public var truncated: Bool
    public var occluded: Bool?
    public var pose: String?
    /// JSON object of fields kept for the round trip.
    public var extra: String?
    /// The image and annotation ids in the imported file.
    public var sourceImageID: Int64?
    public var sourceAnnotationID: Int64?

    public init(sourceID: Int64, itemID: Int64, categoryID: Int64) {
        self.sourceID = sourceID
        self.itemID = itemID
        self.categoryID = categoryID
        isCrowd = false
        difficult = false
        truncated = false
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A split of the catalog's items (table `datasetSplit`) and its members (`splitMember`).
public struct DatasetSplitRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "datasetSplit"
    public var id: Int64?
    public var runID: Int64?
    public var seed: Int64
    /// JSON object: fractions, stratify, groups run.
    public var config: String
    public var createdAt: Date
    public init(runID: Int64?, seed: Int64, config: String, createdAt: Date = Date()) {
        self.runID = runID
        self.seed = seed
        self.config = config
        self.createdAt = createdAt
    }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct SplitMemberRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "splitMember"
    public var splitID: Int64
    public var itemID: Int64
    /// `train`, `val`, `test`, …
    public var subset: String
    public init(splitID: Int64, itemID: Int64, subset: String) {
        self.splitID = splitID
        self.itemID = itemID
        self.subset = subset
    }
}

/// A detection to store (from `vitrine detect`): class name, score, box in original pixels.
public struct NewDetection: Sendable, Equatable {
    public var itemID: Int64
    public var className: String
    public var score: Double
    /// x, y, width, height in the original image's pixels.
    public var x: Double, y: Double, width: Double, height: Double
    public init(itemID: Int64, className: String, score: Double, x: Double, y: Double, width: Double, height: Double) {
        self.itemID = itemID
        self.className = className
        self.score = score
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

extension Catalog {
    // MARK: Annotations

    /// Stores a label source and its annotations in one transaction, creating categories by
    /// name (`categoryNames[i]` is the class of `annotations[i]`; their `categoryID` and
    /// `sourceID` are filled in). An earlier source of the same file, format and kind is
    /// replaced (a re-import never doubles the labels), unless it is a model run's.
    /// - Returns: the source's id.
    @discardableResult
    public func saveAnnotations(source: AnnotationSourceRecord, annotations: [AnnotationRecord], categoryNames: [String],
                                supercategories: [String: String] = [:]) throws -> Int64 {
        precondition(annotations.count == categoryNames.count, "one category name per annotation")
        if let pg {
            return try pg.write("save \(annotations.count) annotations of \(source.path)") { s in
                if source.format != "model" {
                    try s.query("DELETE FROM annotationSource WHERE path = ? AND format = ? AND kind = ?", [source.path, source.format, source.kind])
                }
                guard let sourceID = try s.insert(source, into: "annotationSource", returningID: true) else {
                    throw CatalogError(.write, "no id after inserting an annotation source")
                }
                var ids = try Self.categoryIDs(s)
                try Self.insertAnnotations(annotations, categoryNames: categoryNames, sourceID: sourceID, supercategories: supercategories, categories: &ids, s)
                return sourceID
            }
        }
        return try write("save \(annotations.count) annotations of \(source.path)") { db in
            var source = source
            if source.format != "model" {
                try db.execute(sql: "DELETE FROM annotationSource WHERE path = ? AND format = ? AND kind = ?", arguments: [source.path, source.format, source.kind])
            }
            try source.insert(db)
            guard let sourceID = source.id else { throw CatalogError(.write, "no id after inserting an annotation source") }
            var ids = try Self.categoryIDs(db)
            try Self.insertAnnotations(annotations, categoryNames: categoryNames, sourceID: sourceID, supercategories: supercategories, categories: &ids, db)
            return sourceID
        }
    }

    /// Adds annotations to an existing source (a resumed model run), creating categories by name.
    public func appendAnnotations(sourceID: Int64, annotations: [AnnotationRecord], categoryNames: [String]) throws {
        precondition(annotations.count == categoryNames.count, "one category name per annotation")
        if let pg {
            return try pg.write("append \(annotations.count) annotations to source \(sourceID)") { s in
                var ids = try Self.categoryIDs(s)
                try Self.insertAnnotations(annotations, categoryNames: categoryNames, sourceID: sourceID, categories: &ids, s)
            }
        }
        try write("append \(annotations.count) annotations to source \(sourceID)") { db in
            var ids = try Self.categoryIDs(db)
            try Self.insertAnnotations(annotations, categoryNames: categoryNames, sourceID: sourceID, categories: &ids, db)
        }
    }

    /// SQLite: inserts annotations of `sourceID` (inside the caller's transaction), creating their
    /// categories by name; `ids` caches the category ids (`categoryIDs`).
    static func insertAnnotations(_ annotations: [AnnotationRecord], categoryNames: [String], sourceID: Int64,
                                  supercategories: [String: String] = [:], categories ids: inout [String: Int64], _ db: Database) throws {
        for (var annotation, name) in zip(annotations, categoryNames) {
            annotation.categoryID = try categoryID(name, supercategory: supercategories[name], &ids, db)
            annotation.sourceID = sourceID
            annotation.id = nil
            try annotation.insert(db)
        }
    }

    /// PostgreSQL: as above.
    static func insertAnnotations(_ annotations: [AnnotationRecord], categoryNames: [String], sourceID: Int64,
                                  supercategories: [String: String] = [:], categories ids: inout [String: Int64], _ s: PGSession) throws {
        for (var annotation, name) in zip(annotations, categoryNames) {
            annotation.categoryID = try categoryID(name, supercategory: supercategories[name], &ids, s)
            annotation.sourceID = sourceID
            annotation.id = nil
            try s.insert(annotation, into: "annotation")
        }
    }

    /// SQLite: the id of category `name`, inserted when new (one writer at a time).
    static func categoryID(_ name: String, supercategory: String?, _ ids: inout [String: Int64], _ db: Database) throws -> Int64 {
        if let id = ids[name] { return id }
        var category = CategoryRecord(name: name, supercategory: supercategory)
        try category.insert(db)
        guard let id = category.id else { throw CatalogError(.write, "no id for category \(name)") }
        ids[name] = id
        return id
    }

    static func categoryIDs(_ s: PGSession) throws -> [String: Int64] {
        var ids: [String: Int64] = [:]
        for row in try s.query("SELECT id, name FROM category") { ids[try row[1].decode(String.self)] = try row[0].decode(Int64.self) }
        return ids
    }

    /// The id of category `name`, inserted when new (`ON CONFLICT` on the unique name: two workers
    /// may add the same class at once).
    static func categoryID(_ name: String, supercategory: String?, _ ids: inout [String: Int64], _ s: PGSession) throws -> Int64 {
        if let id = ids[name] { return id }
        _ = try s.insert(CategoryRecord(name: name, supercategory: supercategory), into: "category", onConflict: "ON CONFLICT (name) DO NOTHING")
        guard let id = try s.scalar(Int64.self, "SELECT id FROM category WHERE name = ?", [name]) else {
            throw CatalogError(.write, "no id for category \(name)")
        }
        ids[name] = id
        return id
    }

    /// Stores the detections of a run as a `prediction` source (model id + sha256), so they
    /// can be evaluated and exported as COCO predictions. - Returns: the source's id.
    @discardableResult
    public func saveDetections(_ detections: [NewDetection], runID: Int64, model: String, modelSHA256: String, modelPath: String) throws -> Int64 {
        let records = detections.map { d -> AnnotationRecord in
            var r = AnnotationRecord(sourceID: 0, itemID: d.itemID, categoryID: 0)
            r.boxForm = "xywh"
            (r.v0, r.v1, r.v2, r.v3) = (d.x, d.y, d.width, d.height)
            r.area = d.width * d.height
            r.score = d.score
            return r
        }
        return try saveAnnotations(source: AnnotationSourceRecord(name: model, kind: "prediction", format: "model", path: modelPath, model: model,
                                                                  modelSHA256: modelSHA256, runID: runID),
                                   annotations: records, categoryNames: detections.map(\.className))
    }

    public func annotationSources() throws -> [AnnotationSourceRecord] {
        if let pg { return try pg.read("read annotation sources") { s in try s.fetch(AnnotationSourceRecord.self, "SELECT * FROM annotationSource ORDER BY id") } }
        return try read("read annotation sources") { db in try AnnotationSourceRecord.order(Column("id")).fetchAll(db) }
    }

    /// The annotations of some sources (all when `sourceIDs` is nil), by id.
    public func annotations(sourceIDs: [Int64]? = nil) throws -> [AnnotationRecord] {
        if let pg {
            return try pg.read("read annotations") { s in
                if let sourceIDs { return try s.fetch(AnnotationRecord.self, "SELECT * FROM annotation WHERE sourceID = ANY(?) ORDER BY id", [sourceIDs]) }
                return try s.fetch(AnnotationRecord.self, "SELECT * FROM annotation ORDER BY id")
            }
        }
        return try read("read annotations") { db in
            if let sourceIDs { return try AnnotationRecord.filter(sourceIDs.contains(Column("sourceID"))).order(Column("id")).fetchAll(db) }
            return try AnnotationRecord.order(Column("id")).fetchAll(db)
        }
    }

    public func categories() throws -> [CategoryRecord] {
        if let pg { return try pg.read("read categories") { s in try s.fetch(CategoryRecord.self, "SELECT * FROM category ORDER BY id") } }
        return try read("read categories") { db in try CategoryRecord.order(Column("id")).fetchAll(db) }
    }

    // MARK: Splits

    /// Stores a split (item id → subset). - Returns: its id.
    @discardableResult
    public func saveSplit(_ assignment: [Int64: String], seed: Int64, config: String, runID: Int64?) throws -> Int64 {
        if let pg {
            return try pg.write("save a split of \(assignment.count) items") { s in
                guard let id = try s.insert(DatasetSplitRecord(runID: runID, seed: seed, config: config), into: "datasetSplit", returningID: true) else {
                    throw CatalogError(.write, "no id after inserting a split")
                }
                for (item, subset) in assignment.sorted(by: { $0.key < $1.key }) {
                    try s.insert(SplitMemberRecord(splitID: id, itemID: item, subset: subset), into: "splitMember")
                }
                return id
            }
        }
        return try write("save a split of \(assignment.count) items") { db in
            var split = DatasetSplitRecord(runID: runID, seed: seed, config: config)
            try split.insert(db)
            guard let id = split.id else { throw CatalogError(.write, "no id after inserting a split") }
            for (item, subset) in assignment.sorted(by: { $0.key < $1.key }) { try SplitMemberRecord(splitID: id, itemID: item, subset: subset).insert(db) }
            return id
        }
    }

    public func split(id: Int64) throws -> DatasetSplitRecord? {
        if let pg { return try pg.read("read split \(id)") { s in try s.fetchOne(DatasetSplitRecord.self, "SELECT * FROM datasetSplit WHERE id = ?", [id]) } }
        return try read("read split \(id)") { db in try DatasetSplitRecord.fetchOne(db, key: id) }
    }

    public func latestSplit() throws -> DatasetSplitRecord? {
        if let pg { return try pg.read("read the latest split") { s in try s.fetchOne(DatasetSplitRecord.self, "SELECT * FROM datasetSplit ORDER BY id DESC LIMIT 1") } }
        return try read("read the latest split") { db in try DatasetSplitRecord.order(Column("id").desc).fetchOne(db) }
    }

    /// item id → subset of a split.
    public func splitMembers(splitID: Int64) throws -> [Int64: String] {
        if let pg {
            return try pg.read("read split \(splitID)") { s in
                var result: [Int64: String] = [:]
                for m in try s.fetch(SplitMemberRecord.self, "SELECT * FROM splitMember WHERE splitID = ?", [splitID]) { result[m.itemID] = m.subset }
                return result
            }
        }
        return try read("read split \(splitID)") { db in
            var result: [Int64: String] = [:]
            for m in try SplitMemberRecord.filter(Column("splitID") == splitID).fetchAll(db) { result[m.itemID] = m.subset }
            return result
        }
    }
}
