import Foundation
import GRDB

/// One item's embedding under one model: `dimension` float32 values, little-endian, in `vector`
/// (L2-normalised), or the error that kept the item from being embedded.
public struct EmbeddingRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "embedding"

    public var itemID: Int64
    /// Registry name of the model (`efficientnet-lite0`).
    public var model: String
    /// sha256 of the model file the vector was computed with.
    public var modelSHA256: String
    public var dimension: Int
    /// `dimension × 4` bytes of float32 little-endian; nil when `errorMessage` is set.
    public var vector: Data?
    public var errorMessage: String?
    public var runID: Int64?
    public var createdAt: Date

    public init(itemID: Int64, model: String, modelSHA256: String, vector: [Float]?, errorMessage: String?, runID: Int64?) {
        self.itemID = itemID
        self.model = model
        self.modelSHA256 = modelSHA256
        self.dimension = vector?.count ?? 0
        self.vector = vector.map(Self.encode)
        self.errorMessage = errorMessage
        self.runID = runID
        createdAt = Date()
    }

    /// The vector as floats (empty when absent).
    public var floats: [Float] {
        guard let vector else { return [] }
        var out = [Float](repeating: 0, count: vector.count / 4)
        vector.withUnsafeBytes { raw in
            for i in 0..<out.count { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
        }
        return out
    }

    static func encode(_ vector: [Float]) -> Data {
        var data = Data(count: vector.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, v) in vector.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        }
        return data
    }
}

/// One item's cluster in a clustering run, with its silhouette coefficient.
public struct ClusterAssignmentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "clusterAssignment"
    public var runID: Int64
    public var itemID: Int64
    public var cluster: Int
    /// s(i) with cosine distance; nil when the item was outside the silhouette sample.
    public var silhouette: Double?
    /// Cosine similarity to the cluster centroid.
    public var centroidSimilarity: Double
    public init(runID: Int64, itemID: Int64, cluster: Int, silhouette: Double?, centroidSimilarity: Double) {
        self.runID = runID
        self.itemID = itemID
        self.cluster = cluster
        self.silhouette = silhouette
        self.centroidSimilarity = centroidSimilarity
    }
}

extension Catalog {
    /// Migration `v3-embeddings`: the `embedding` and `clusterAssignment` tables.
    static func registerEmbeddingsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-embeddings") { db in
            try db.create(table: "embedding") { t in
                t.column("itemID", .integer).notNull().references("item", onDelete: .cascade)
                t.column("model", .text).notNull()
                t.column("modelSHA256", .text).notNull()
                t.column("dimension", .integer).notNull()
                t.column("vector", .blob)
                t.column("errorMessage", .text)
                t.column("runID", .integer).references("run")
                t.column("createdAt", .datetime).notNull()
                t.primaryKey(["itemID", "model"])
            }
            try db.create(table: "clusterAssignment") { t in
                t.column("runID", .integer).notNull().indexed().references("run", onDelete: .cascade)
                t.column("itemID", .integer).notNull().references("item", onDelete: .cascade)
                t.column("cluster", .integer).notNull()
                t.column("silhouette", .double)
                t.column("centroidSimilarity", .double).notNull()
                t.primaryKey(["runID", "itemID"])
            }
        }
    }

    /// Ids of items that have an embedding (or a recorded embedding error) for `model`.
    public func embeddedItemIDs(model: String) throws -> Set<Int64> {
        if let pg {
            return try pg.read("read embedded item ids") { s in
                Set(try s.column(Int64.self, "SELECT itemID FROM embedding WHERE model = ? AND vector IS NOT NULL", [model]))
            }
        }
        return try read("read embedded item ids") { db in
            Set(try Int64.fetchAll(db, sql: "SELECT itemID FROM embedding WHERE model = ? AND vector IS NOT NULL", arguments: [model]))
        }
    }

    /// Inserts or replaces embeddings in one transaction.
    public func saveEmbeddings(_ records: [EmbeddingRecord]) throws {
        if let pg {
            return try pg.write("save \(records.count) embeddings") { s in
                for record in records { try s.upsert(record, into: "embedding", key: ["itemID", "model"]) }
            }
        }
        try write("save \(records.count) embeddings") { db in
            for record in records { try record.save(db) }
        }
    }

    /// Every stored vector of `model` (errors excluded), by item id.
    public func embeddings(model: String) throws -> [EmbeddingRecord] {
        if let pg {
            return try pg.read("read embeddings of \(model)") { s in
                try s.fetch(EmbeddingRecord.self, "SELECT * FROM embedding WHERE model = ? AND vector IS NOT NULL ORDER BY itemID", [model])
            }
        }
        return try read("read embeddings of \(model)") { db in
            try EmbeddingRecord.filter(Column("model") == model && Column("vector") != nil).order(Column("itemID")).fetchAll(db)
        }
    }

    /// Count, dimension and model sha256 (of the lowest item id) of the stored vectors of `model`,
    /// without reading the vectors: lets an up-to-date index open in O(1) catalog work.
    public func embeddingSummary(model: String) throws -> (count: Int, dimension: Int, modelSHA256: String)? {
        if let pg {
            return try pg.read("summarise embeddings of \(model)") { s in
                let count = try s.scalar(Int.self, "SELECT COUNT(*) FROM embedding WHERE model = ? AND vector IS NOT NULL", [model]) ?? 0
                guard count > 0,
                    let row = try s.query("SELECT dimension, modelSHA256 FROM embedding WHERE model = ? AND vector IS NOT NULL ORDER BY itemID LIMIT 1", [model]).first
                else { return nil }
                return (count, try row[0].decode(Int.self), try row[1].decode(String.self))
            }
        }
        return try read("summarise embeddings of \(model)") { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM embedding WHERE model = ? AND vector IS NOT NULL", arguments: [model]) ?? 0
            guard count > 0,
                let row = try Row.fetchOne(db, sql: "SELECT dimension, modelSHA256 FROM embedding WHERE model = ? AND vector IS NOT NULL ORDER BY itemID LIMIT 1", arguments: [model])
            else { return nil }
            return (count, row["dimension"], row["modelSHA256"])
        }
    }

    /// Item ids of the stored vectors of `model`, ascending.
    public func embeddingItemIDs(model: String) throws -> [Int64] {
        if let pg {
            return try pg.read("read embedding ids of \(model)") { s in
                try s.column(Int64.self, "SELECT itemID FROM embedding WHERE model = ? AND vector IS NOT NULL ORDER BY itemID", [model])
            }
        }
        return try read("read embedding ids of \(model)") { db in
            try Int64.fetchAll(db, sql: "SELECT itemID FROM embedding WHERE model = ? AND vector IS NOT NULL ORDER BY itemID", arguments: [model])
        }
    }

    /// The stored vectors of `model` for `itemIDs` (those without a vector are left out), by item id.
    public func embeddings(model: String, itemIDs: [Int64]) throws -> [EmbeddingRecord] {
        var out: [EmbeddingRecord] = []
        for start in stride(from: 0, to: itemIDs.count, by: 500) {
            let chunk = Array(itemIDs[start..<min(start + 500, itemIDs.count)])
            if let pg {
                out += try pg.read("read \(chunk.count) embeddings of \(model)") { s in
                    try s.fetch(EmbeddingRecord.self, "SELECT * FROM embedding WHERE model = ? AND vector IS NOT NULL AND itemID = ANY(?) ORDER BY itemID", [model, chunk])
                }
                continue
            }
            out += try read("read \(chunk.count) embeddings of \(model)") { db in
                try EmbeddingRecord.filter(Column("model") == model && Column("vector") != nil && chunk.contains(Column("itemID")))
                    .order(Column("itemID")).fetchAll(db)
            }
        }
        return out
    }

    /// Items whose embedding failed for `model`.
    public func embeddingErrors(model: String) throws -> [EmbeddingRecord] {
        if let pg {
            return try pg.read("read embedding errors of \(model)") { s in
                try s.fetch(EmbeddingRecord.self, "SELECT * FROM embedding WHERE model = ? AND vector IS NULL", [model])
            }
        }
        return try read("read embedding errors of \(model)") { db in
            try EmbeddingRecord.filter(Column("model") == model && Column("vector") == nil).fetchAll(db)
        }
    }

    public func saveClusterAssignments(_ records: [ClusterAssignmentRecord]) throws {
        if let pg {
            return try pg.write("save \(records.count) cluster assignments") { s in
                for record in records { try s.insert(record, into: "clusterAssignment") }
            }
        }
        try write("save \(records.count) cluster assignments") { db in
            for record in records { try record.insert(db) }
        }
    }

    public func clusterAssignments(runID: Int64) throws -> [ClusterAssignmentRecord] {
        if let pg {
            return try pg.read("read cluster assignments of run \(runID)") { s in
                try s.fetch(ClusterAssignmentRecord.self, "SELECT * FROM clusterAssignment WHERE runID = ?", [runID])
            }
        }
        return try read("read cluster assignments of run \(runID)") { db in
            try ClusterAssignmentRecord.filter(Column("runID") == runID).fetchAll(db)
        }
    }
}
