import Foundation
import GRDB

/// Where a harvest stands (table `harvestState`): the Europeana cursor or position after the
/// last whole page, so a killed harvest resumes from there.
public struct HarvestStateRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "harvestState"
    /// The harvest's key: source kind + query (API key never included).
    public var source: String
    /// The `nextCursor` to ask for next (nil: start again / finished).
    public var cursor: String?
    /// Records seen so far.
    public var position: Int
    public var finished: Bool
    public var updatedAt: Date

    public init(source: String, cursor: String?, position: Int, finished: Bool, updatedAt: Date = Date()) {
        self.source = source
        self.cursor = cursor
        self.position = position
        self.finished = finished
        self.updatedAt = updatedAt
    }
}

/// The harvest facts of an item (table `harvestItem`), keyed by the item's `sourcePath`.
public struct HarvestItemRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "harvestItem"
    public var sourcePath: String
    /// `europeana`, `iiif` or `list`.
    public var source: String
    /// Which field the image came from (`edmIsShownBy`, `iiif`, `edmObject`, `webResource`, `edmPreview`, `url`).
    public var imageSource: String?
    public var imageURL: String?
    /// True when only the low-resolution `edmPreview` could be had (re-checked with `--recheck-previews`).
    public var previewOnly: Bool
    public var iiifService: String?
    public var manifest: String?
    public var canvas: String?
    /// EDM type (`IMAGE`, `TEXT`, …), country and year, when the source gives them.
    public var edmType: String?
    public var country: String?

    public init(sourcePath: String, source: String, imageSource: String? = nil, imageURL: String? = nil, previewOnly: Bool = false,
                iiifService: String? = nil, manifest: String? = nil, canvas: String? = nil, edmType: String? = nil, country: String? = nil) {
        self.sourcePath = sourcePath
        self.source = source
        self.imageSource = imageSource
        self.imageURL = imageURL
        self.previewOnly = previewOnly
        self.iiifService = iiifService
        self.manifest = manifest
        self.canvas = canvas
        self.edmType = edmType
        self.country = country
    }
}

/// A concept attached to an item by its metadata (table `itemConcept`): an AAT or Europeana
/// entity URI from `skos_concept` / `edmConcept`, origin `metadata`.
public struct ItemConceptRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "itemConcept"
    public var sourcePath: String
    public var uri: String
    public var label: String?
    public var origin: String
    public init(sourcePath: String, uri: String, label: String?, origin: String = "metadata") {
        self.sourcePath = sourcePath
        self.uri = uri
        self.label = label
        self.origin = origin
    }
}

/// The outcome of one URL of one item (table `urlOutcome`; the latest attempt per item and URL).
public struct URLOutcomeRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "urlOutcome"
    public var sourcePath: String
    public var url: String
    /// The role of the URL (`edmIsShownBy`, `edmPreview`, `iiif`, `url`, …).
    public var role: String
    /// `ok`, `redirected`, or a failure kind (`http_404`, `timeout`, `not_an_image`, `truncated`, `redirect_loop`, …).
    public var kind: String
    public var message: String?
    public var finalURL: String?
    public var redirects: Int
    public var attempts: Int
    public var bytes: Int64?
    public var provider: String?
    public var dataProvider: String?
    public var recordID: String?
    public var landingPage: String?
    public var runID: Int64?
    public var checkedAt: Date

    public init(sourcePath: String, url: String, role: String, kind: String, message: String? = nil, finalURL: String? = nil,
                redirects: Int = 0, attempts: Int = 1, bytes: Int64? = nil, provider: String? = nil, dataProvider: String? = nil,
                recordID: String? = nil, landingPage: String? = nil, runID: Int64? = nil, checkedAt: Date = Date()) {
        self.sourcePath = sourcePath
        self.url = url
        self.role = role
        self.kind = kind
        self.message = message
        self.finalURL = finalURL
        self.redirects = redirects
        self.attempts = attempts
        self.bytes = bytes
        self.provider = provider
        self.dataProvider = dataProvider
        self.recordID = recordID
        self.landingPage = landingPage
        self.runID = runID
        self.checkedAt = checkedAt
    }

    /// True for `ok` and `redirected`.
    public var succeeded: Bool { kind == "ok" || kind == "redirected" }
}

extension Catalog {
    /// Migration `v2-harvest`: harvest state, per-URL outcomes, harvest facts and metadata concepts.
    static func registerHarvestMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-harvest") { db in
            try db.create(table: "harvestState") { t in
                t.primaryKey("source", .text)
                t.column("cursor", .text)
                t.column("position", .integer).notNull()
                t.column("finished", .boolean).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "harvestItem") { t in
                t.primaryKey("sourcePath", .text)
                t.column("source", .text).notNull()
                t.column("imageSource", .text)
                t.column("imageURL", .text)
                t.column("previewOnly", .boolean).notNull()
                t.column("iiifService", .text)
                t.column("manifest", .text)
                t.column("canvas", .text)
                t.column("edmType", .text)
                t.column("country", .text)
            }
            try db.create(table: "itemConcept") { t in
                t.column("sourcePath", .text).notNull()
                t.column("uri", .text).notNull()
                t.column("label", .text)
                t.column("origin", .text).notNull()
                t.primaryKey(["sourcePath", "uri", "origin"])
            }
            try db.create(table: "urlOutcome") { t in
                t.column("sourcePath", .text).notNull()
                t.column("url", .text).notNull()
                t.column("role", .text).notNull()
                t.column("kind", .text).notNull().indexed()
                t.column("message", .text)
                t.column("finalURL", .text)
                t.column("redirects", .integer).notNull()
                t.column("attempts", .integer).notNull()
                t.column("bytes", .integer)
                t.column("provider", .text)
                t.column("dataProvider", .text)
                t.column("recordID", .text)
                t.column("landingPage", .text)
                t.column("runID", .integer)
                t.column("checkedAt", .datetime).notNull()
                t.primaryKey(["sourcePath", "url"])
            }
        }
    }

    /// Everything one harvested page produced, written in one transaction together with the
    /// new state: after a crash either the page and its cursor are there, or neither.
    public struct HarvestBatch: Sendable {
        public var items: [IngestedItem] = []
        public var details: [HarvestItemRecord] = []
        public var concepts: [ItemConceptRecord] = []
        public var outcomes: [URLOutcomeRecord] = []
        public var state: HarvestStateRecord?
        public init() {}
        public var isEmpty: Bool { items.isEmpty && details.isEmpty && outcomes.isEmpty && state == nil }
    }

    public func saveHarvest(_ batch: HarvestBatch) throws {
        if let pg {
            return try pg.write("save a harvest page of \(batch.items.count) items") { s in
                _ = try saveItems(batch.items, s)
                for d in batch.details { try s.upsert(d, into: "harvestItem", key: ["sourcePath"]) }
                for c in batch.concepts { try s.upsert(c, into: "itemConcept", key: ["sourcePath", "uri", "origin"]) }
                for o in batch.outcomes { try s.upsert(o, into: "urlOutcome", key: ["sourcePath", "url"]) }
                if let state = batch.state { try s.upsert(state, into: "harvestState", key: ["source"]) }
            }
        }
        try write("save a harvest page of \(batch.items.count) items") { db in
            _ = try saveItems(batch.items, db)
            for d in batch.details { try d.save(db) }
            for c in batch.concepts { try c.save(db) }
            for o in batch.outcomes { try o.save(db) }
            try batch.state?.save(db)
        }
    }

    public func harvestState(_ source: String) throws -> HarvestStateRecord? {
        if let pg { return try pg.read("read the harvest state") { s in try s.fetchOne(HarvestStateRecord.self, "SELECT * FROM harvestState WHERE source = ?", [source]) } }
        return try read("read the harvest state") { db in try HarvestStateRecord.fetchOne(db, key: source) }
    }

    /// Every URL outcome, ordered by item then URL.
    public func urlOutcomes() throws -> [URLOutcomeRecord] {
        if let pg { return try pg.read("read URL outcomes") { s in try s.fetch(URLOutcomeRecord.self, "SELECT * FROM urlOutcome ORDER BY sourcePath, url") } }
        return try read("read URL outcomes") { db in try URLOutcomeRecord.order(Column("sourcePath"), Column("url")).fetchAll(db) }
    }

    /// `sourcePath` + tab + URL of every failed URL: not asked again unless `--retry-errors`.
    public func failedURLKeys() throws -> Set<String> {
        if let pg {
            return try pg.read("read failed URLs") { s in
                Set(try s.query("SELECT sourcePath, url FROM urlOutcome WHERE kind NOT IN ('ok', 'redirected')")
                    .map { "\(try $0[0].decode(String.self))\t\(try $0[1].decode(String.self))" })
            }
        }
        return try read("read failed URLs") { db in
            Set(try Row.fetchAll(db, sql: "SELECT sourcePath, url FROM urlOutcome WHERE kind NOT IN ('ok', 'redirected')")
                .map { "\($0["sourcePath"] as String)\t\($0["url"] as String)" })
        }
    }

    public func harvestItems() throws -> [HarvestItemRecord] {
        if let pg { return try pg.read("read harvest items") { s in try s.fetch(HarvestItemRecord.self, "SELECT * FROM harvestItem ORDER BY sourcePath") } }
        return try read("read harvest items") { db in try HarvestItemRecord.order(Column("sourcePath")).fetchAll(db) }
    }

    public func itemConcepts() throws -> [ItemConceptRecord] {
        if let pg { return try pg.read("read item concepts") { s in try s.fetch(ItemConceptRecord.self, "SELECT * FROM itemConcept ORDER BY sourcePath, uri") } }
        return try read("read item concepts") { db in try ItemConceptRecord.order(Column("sourcePath"), Column("uri")).fetchAll(db) }
    }
}
