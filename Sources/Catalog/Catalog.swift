import Foundation
import GRDB

/// The error type of `Catalog`: the store or statement concerned and SQLite's message.
/// Statement arguments are never included (they may hold metadata or paths not meant for logs).
public struct CatalogError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable { case open, migrate, read, write, notFound }
    public let code: Code
    public let message: String
    public let underlying: String?

    public init(_ code: Code, _ message: String, underlying: Error? = nil) {
        self.code = code
        self.message = message
        if let db = underlying as? DatabaseError {
            self.underlying = "SQLite error \(db.resultCode.rawValue): \(db.message ?? "")"
        } else {
            self.underlying = underlying.map { "\($0)" }
        }
    }

    public var description: String {
        "catalog \(code.rawValue): \(message)" + (underlying.map { " (\($0))" } ?? "")
    }
}

/// The store: a folder holding `catalog.sqlite` (WAL mode, 16 KiB pages), content-addressed
/// originals under `images/`, `derived/` (thumbnails), `indexes/`, `reports/` — or, for a team,
/// a PostgreSQL database (`init(postgres:images:)`) with the same schema and the files in a
/// shared folder that every worker mounts.
///
/// Thread-safe: GRDB's `DatabasePool` serialises writes and runs reads concurrently; the
/// PostgreSQL backend keeps a small pool of connections.
public final class Catalog: Sendable {
    /// The folder of the files (`images/`, `derived/`, `indexes/`, `reports/`); for SQLite also
    /// of `catalog.sqlite`.
    public let store: URL
    /// GRDB's pool of a SQLite store; nil for a PostgreSQL catalog.
    public let pool: DatabasePool?
    let pg: PostgresBackend?

    /// Where the PostgreSQL catalog is (nil for a SQLite store).
    public var postgres: PostgresLocation? { pg?.location }

    /// `postgres://…` (without password) or the store folder: for summaries and logs.
    public var location: String { pg.map { "\($0.location) (files in \(store.path))" } ?? store.path }

    /// Opens `--store`: a PostgreSQL URL (`postgres://USER@HOST:PORT/DB`, then `images` names the
    /// shared folder of the files) or a store folder.
    /// - Throws: `CatalogError.open` for a PostgreSQL URL without `images`, or as the initialisers.
    public static func open(_ store: String, images: String? = nil, mustExist: Bool = false) throws -> Catalog {
        if PostgresLocation.isURL(store) {
            guard let location = PostgresLocation(url: store) else {
                throw CatalogError(.open, "cannot read the PostgreSQL URL \(store) (expected postgres://USER@HOST:PORT/DATABASE)")
            }
            guard let images, !images.isEmpty else {
                throw CatalogError(.open, "a PostgreSQL --store needs --images DIR: the folder of the image files, shared by every worker")
            }
            return try Catalog(postgres: location, images: URL(fileURLWithPath: images))
        }
        return try Catalog(store: URL(fileURLWithPath: store), mustExist: mustExist)
    }

    /// Connects to a PostgreSQL catalog and migrates its schema (the SQLite migrations,
    /// translated by `PostgresSchema`); the files go under `images`.
    /// - Throws: `CatalogError.open` (server unreachable, authentication, no such database,
    ///   folder not writable) or `.migrate`.
    public init(postgres location: PostgresLocation, images: URL) throws {
        store = images.standardizedFileURL
        pool = nil
        // The database first: a wrong URL leaves no folders behind.
        let backend = try PostgresBackend(location: location)
        let fm = FileManager.default
        do {
            for sub in ["", "images", "derived", "indexes", "reports"] {
                try fm.createDirectory(at: store.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
        } catch {
            throw CatalogError(.open, "cannot create the images folder \(store.path)", underlying: error)
        }
        pg = backend
        try PostgresSchema.migrate(backend)
    }

    /// Opens (creating if needed) the store at `store` and migrates its schema.
    /// - Throws: `CatalogError.open` / `.migrate` naming the store.
    /// - Parameter mustExist: fail with `CatalogError.notFound` instead of creating a new store
    ///   (for commands that only read one, so that a mistyped `--store` is reported).
    public init(store: URL, mustExist: Bool = false) throws {
        self.store = store.standardizedFileURL
        let fm = FileManager.default
        if mustExist && !fm.fileExists(atPath: self.store.appendingPathComponent("catalog.sqlite").path) {
            throw CatalogError(.notFound, "no store at \(self.store.path) (run `vitrine ingest` or `vitrine analyze` first, or check --store)")
        }
        do {
            for sub in ["", "images", "derived", "indexes", "reports"] {
                try fm.createDirectory(at: self.store.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
        } catch {
            throw CatalogError(.open, "cannot create the store folder \(self.store.path)", underlying: error)
        }
        let path = self.store.appendingPathComponent("catalog.sqlite").path
        do {
            if !fm.fileExists(atPath: path) {
                // 16 KiB pages must be set before the first table exists and before WAL mode.
                // The file is made under a temporary name and linked into place, so that a second
                // process opening the same new store never sees it half made.
                let temporary = path + ".\(UUID().uuidString).new"
                let queue = try DatabaseQueue(path: temporary)
                try queue.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA page_size = 16384")
                    try db.execute(sql: "VACUUM")
                    try db.execute(sql: "PRAGMA journal_mode = WAL")
                }
                try queue.close()
                _ = link(temporary, path)  // fails harmlessly when another process won the race
                try? fm.removeItem(atPath: temporary)
                for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: temporary + suffix) }
            }
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            pg = nil
        } catch {
            throw CatalogError(.open, "cannot open the catalog \(path)", underlying: error)
        }
        // Two processes opening a new store at once may both see it unmigrated; the loser's
        // migration fails on the winner's tables. It then finds them migrated on a second try.
        var attempt = 0
        while let pool {
            do {
                try Self.migrator.migrate(pool)
                break
            } catch {
                attempt += 1
                if attempt >= 5 {
                    throw CatalogError(.migrate, "cannot migrate the catalog \(path)", underlying: error)
                }
                usleep(UInt32(100_000 * attempt))
            }
        }
    }

    /// Named migrations; never edit one that has been released, add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-items-hashes-quality-runs-duplicates") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull().indexed()
                t.column("toolVersion", .text).notNull()
                t.column("config", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("finishedAt", .datetime)
                t.column("status", .text).notNull()
                t.column("summary", .text)
            }
            try db.create(table: "item") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sourceKind", .text).notNull()
                t.column("sourcePath", .text).notNull().unique()
                t.column("sourceID", .text)
                t.column("title", .text)
                t.column("creator", .text)
                t.column("date", .text)
                t.column("provider", .text)
                t.column("dataProvider", .text)
                t.column("rights", .text)
                t.column("landingPage", .text)
                t.column("originalURL", .text)
                t.column("metadata", .text)
                t.column("status", .text).notNull().indexed()
                t.column("errorCode", .text)
                t.column("errorMessage", .text)
                t.column("sha256", .text).indexed()
                t.column("byteSize", .integer)
                t.column("storedPath", .text)
                t.column("sourceSize", .integer)
                t.column("sourceModified", .double)
                t.column("format", .text)
                t.column("fileExtension", .text)
                t.column("width", .integer)
                t.column("height", .integer)
                t.column("bands", .integer)
                t.column("colourBands", .integer)
                t.column("bitsPerSample", .integer)
                t.column("pages", .integer)
                t.column("pyramidLevels", .integer)
                t.column("orientation", .integer)
                t.column("hasAlpha", .boolean)
                t.column("isCMYK", .boolean)
                t.column("pixelSHA256", .text).indexed()
                t.column("thumbnailPath", .text)
                t.column("ingestRunID", .integer).references("run")
                t.column("ingestedAt", .datetime).notNull()
            }
            try db.create(table: "imageHash") { t in
                t.primaryKey("itemID", .integer).references("item", onDelete: .cascade)
                t.column("ahash", .integer).notNull()
                t.column("dhash", .integer).notNull()
                t.column("phash", .integer).notNull()
                t.column("whash", .integer).notNull()
                t.column("variants", .blob)
                t.column("runID", .integer).references("run")
            }
            try db.create(table: "quality") { t in
                t.primaryKey("itemID", .integer).references("item", onDelete: .cascade)
                t.column("meanLuminance", .double)
                t.column("luminanceDeviation", .double)
                t.column("entropy", .double)
                t.column("chroma", .double)
                t.column("meanRed", .double)
                t.column("meanGreen", .double)
                t.column("meanBlue", .double)
                t.column("flags", .text).notNull()
                t.column("runID", .integer).references("run")
            }
            try db.create(table: "duplicateGroup") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runID", .integer).notNull().indexed().references("run", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("algorithm", .text).notNull()
                t.column("maxDistance", .integer).notNull()
                t.column("keeperItemID", .integer).notNull().references("item")
                t.column("keeperReason", .text).notNull()
                t.column("size", .integer).notNull()
            }
            try db.create(table: "duplicateMember") { t in
                t.column("groupID", .integer).notNull().references("duplicateGroup", onDelete: .cascade)
                t.column("itemID", .integer).notNull().indexed().references("item", onDelete: .cascade)
                t.column("distanceToKeeper", .integer).notNull()
                t.primaryKey(["groupID", "itemID"])
            }
        }
        registerHarvestMigration(&migrator)
        registerEmbeddingsMigration(&migrator)
        DatasetSchema.register(&migrator)
        DerivedImagesMigration.register(&migrator)
        registerDetectionMigrations(&migrator)
        ServerSchema.register(&migrator)
        registerWorkQueueMigration(&migrator)
        return migrator
    }

    // MARK: Runs

    /// Records the start of a run. - Returns: its id.
    public func startRun(kind: String, toolVersion: String, config: [String: String]) throws -> Int64 {
        let json = Self.json(config)
        if let pg {
            return try pg.write("start a \(kind) run") { s in
                try s.insert(RunRecord(kind: kind, toolVersion: toolVersion, config: json), into: "run", returningID: true) ?? 0
            }
        }
        return try write("start a \(kind) run") { db in
            var run = RunRecord(kind: kind, toolVersion: toolVersion, config: json)
            try run.insert(db)
            return run.id ?? 0
        }
    }

    /// Records the end of a run with its summary (any `Encodable`, stored as JSON).
    public func finishRun(_ id: Int64, status: String = "finished", summary: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = (try? encoder.encode(summary)).map { String(decoding: $0, as: UTF8.self) }
        if let pg {
            return try pg.write("finish run \(id)") { s in
                try s.query("UPDATE run SET finishedAt = ?, status = ?, summary = ? WHERE id = ?", [Date(), status, text, id])
            }
        }
        try write("finish run \(id)") { db in
            try db.execute(sql: "UPDATE run SET finishedAt = ?, status = ?, summary = ? WHERE id = ?",
                           arguments: [Date(), status, text, id])
        }
    }

    /// One run by id; nil when there is none.
    public func run(id: Int64) throws -> RunRecord? {
        if let pg { return try pg.read("read run \(id)") { s in try s.fetchOne(RunRecord.self, "SELECT * FROM run WHERE id = ?", [id]) } }
        return try read("read run \(id)") { db in try RunRecord.fetchOne(db, key: id) }
    }

    /// The latest finished run of a kind.
    public func latestRun(kind: String) throws -> RunRecord? {
        if let pg {
            return try pg.read("read the latest \(kind) run") { s in
                try s.fetchOne(RunRecord.self, "SELECT * FROM run WHERE kind = ? AND status = 'finished' ORDER BY id DESC LIMIT 1", [kind])
            }
        }
        return try read("read the latest \(kind) run") { db in
            try RunRecord.filter(Column("kind") == kind && Column("status") == "finished")
                .order(Column("id").desc).fetchOne(db)
        }
    }

    // MARK: Items

    /// What the catalog already knows about each source path: id, status, size and mtime,
    /// used to skip work that is done (idempotent, resumable ingest).
    public struct SourceState: Sendable, Equatable {
        public var id: Int64
        public var status: String
        public var sourceSize: Int64?
        public var sourceModified: Double?
    }

    public func sourceStates() throws -> [String: SourceState] {
        if let pg {
            return try pg.read("read item sources") { s in
                var states: [String: SourceState] = [:]
                for row in try s.query("SELECT id, sourcePath, status, sourceSize, sourceModified FROM item") {
                    states[try row[1].decode(String.self)] = SourceState(
                        id: try row[0].decode(Int64.self), status: try row[2].decode(String.self),
                        sourceSize: try row[3].decode(Int64?.self), sourceModified: try row[4].decode(Double?.self))
                }
                return states
            }
        }
        return try read("read item sources") { db in
            var states: [String: SourceState] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT id, sourcePath, status, sourceSize, sourceModified FROM item")
            while let row = try rows.next() {
                states[row["sourcePath"]] = SourceState(id: row["id"], status: row["status"],
                                                        sourceSize: row["sourceSize"], sourceModified: row["sourceModified"])
            }
            return states
        }
    }

    /// One ingested file's records, written together.
    public struct IngestedItem: Sendable {
        public var item: ItemRecord
        public var hashes: ImageHashRecord?
        public var quality: QualityRecord?
        public init(item: ItemRecord, hashes: ImageHashRecord?, quality: QualityRecord?) {
            self.item = item
            self.hashes = hashes
            self.quality = quality
        }
    }

    /// Inserts or replaces (by `sourcePath`) a batch of items with their hashes and quality, in
    /// one transaction: after a crash either the whole batch is there or none of it.
    /// - Returns: the items' ids, in order.
    @discardableResult
    public func save(_ batch: [IngestedItem]) throws -> [Int64] {
        if let pg { return try pg.write("save \(batch.count) items") { s in try saveItems(batch, s) } }
        return try write("save \(batch.count) items") { db in try saveItems(batch, db) }
    }

    /// The body of `save(_:)`, inside the caller's transaction.
    func saveItems(_ batch: [IngestedItem], _ db: Database) throws -> [Int64] {
        var ids: [Int64] = []
        for entry in batch {
            var item = entry.item
            if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM item WHERE sourcePath = ?", arguments: [item.sourcePath]) {
                item.id = existing
                try item.update(db)
                try db.execute(sql: "DELETE FROM imageHash WHERE itemID = ?", arguments: [existing])
                try db.execute(sql: "DELETE FROM quality WHERE itemID = ?", arguments: [existing])
            } else {
                item.id = nil
                try item.insert(db)
            }
            guard let id = item.id else { throw CatalogError(.write, "no id after inserting an item") }
            if var hashes = entry.hashes {
                hashes.itemID = id
                try hashes.insert(db)
            }
            if var quality = entry.quality {
                quality.itemID = id
                try quality.insert(db)
            }
            ids.append(id)
        }
        return ids
    }

    /// The body of `save(_:)` on PostgreSQL, inside the caller's transaction.
    func saveItems(_ batch: [IngestedItem], _ s: PGSession) throws -> [Int64] {
        var ids: [Int64] = []
        for entry in batch {
            var item = entry.item
            var id: Int64?
            if try s.scalar(Int64.self, "SELECT id FROM item WHERE sourcePath = ?", [item.sourcePath]) == nil {
                // Another transaction may insert the same source between the look and the insert
                // (two workers harvesting lists that share a URL): the insert then waits for it and
                // skips, and the row is updated as an existing one.
                item.id = nil
                id = try s.insert(item, into: "item", returningID: true, onConflict: "ON CONFLICT (sourcePath) DO NOTHING")
            }
            if id == nil {
                guard let existing = try s.scalar(Int64.self, "SELECT id FROM item WHERE sourcePath = ?", [item.sourcePath]) else {
                    throw CatalogError(.write, "no id after inserting item \(item.sourcePath)")
                }
                item.id = existing
                try s.update(item, in: "item", id: existing)
                try s.query("DELETE FROM imageHash WHERE itemID = ?", [existing])
                try s.query("DELETE FROM quality WHERE itemID = ?", [existing])
                id = existing
            }
            guard let id else { throw CatalogError(.write, "no id for item \(item.sourcePath)") }
            if var hashes = entry.hashes {
                hashes.itemID = id
                try s.insert(hashes, into: "imageHash")
            }
            if var quality = entry.quality {
                quality.itemID = id
                try s.insert(quality, into: "quality")
            }
            ids.append(id)
        }
        return ids
    }

    /// Every item, ordered by id.
    public func items() throws -> [ItemRecord] {
        if let pg { return try pg.read("read items") { s in try s.fetch(ItemRecord.self, "SELECT * FROM item ORDER BY id") } }
        return try read("read items") { db in try ItemRecord.order(ItemRecord.Columns.id).fetchAll(db) }
    }

    public func item(id: Int64) throws -> ItemRecord? {
        if let pg { return try pg.read("read item \(id)") { s in try s.fetchOne(ItemRecord.self, "SELECT * FROM item WHERE id = ?", [id]) } }
        return try read("read item \(id)") { db in try ItemRecord.fetchOne(db, key: id) }
    }

    /// Items by status (`ok`, `error`).
    public func itemStatusCounts() throws -> [String: Int] {
        let sql = "SELECT status, count(*) FROM item GROUP BY status"
        if let pg {
            return try pg.read("count items") { s in
                Dictionary(try s.query(sql).map { (try $0[0].decode(String.self), try $0[1].decode(Int.self)) }, uniquingKeysWith: +)
            }
        }
        return try read("count items") { db in
            Dictionary(try Row.fetchAll(db, sql: sql).map { ($0[0] as String, $0[1] as Int) }, uniquingKeysWith: +)
        }
    }

    /// The items of these ids (unknown ids left out), by id; read in chunks of 500.
    public func items(ids: [Int64]) throws -> [ItemRecord] {
        var out: [ItemRecord] = []
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            if let pg {
                out += try pg.read("read \(chunk.count) items") { s in try s.fetch(ItemRecord.self, "SELECT * FROM item WHERE id = ANY(?) ORDER BY id", [chunk]) }
            } else {
                out += try read("read \(chunk.count) items") { db in try ItemRecord.filter(keys: chunk).order(ItemRecord.Columns.id).fetchAll(db) }
            }
        }
        return out
    }

    /// Items whose original bytes have this SHA-256 (lower-case hex).
    public func items(sha256: String) throws -> [ItemRecord] {
        if let pg {
            return try pg.read("read items by checksum") { s in try s.fetch(ItemRecord.self, "SELECT * FROM item WHERE sha256 = ? ORDER BY id", [sha256]) }
        }
        return try read("read items by checksum") { db in
            try ItemRecord.filter(ItemRecord.Columns.sha256 == sha256).order(ItemRecord.Columns.id).fetchAll(db)
        }
    }

    public func hashes() throws -> [ImageHashRecord] {
        if let pg { return try pg.read("read hashes") { s in try s.fetch(ImageHashRecord.self, "SELECT * FROM imageHash ORDER BY itemID") } }
        return try read("read hashes") { db in try ImageHashRecord.order(Column("itemID")).fetchAll(db) }
    }

    public func quality() throws -> [QualityRecord] {
        if let pg { return try pg.read("read quality") { s in try s.fetch(QualityRecord.self, "SELECT * FROM quality ORDER BY itemID") } }
        return try read("read quality") { db in try QualityRecord.order(Column("itemID")).fetchAll(db) }
    }

    /// Counts of items by status.
    public func countByStatus() throws -> [String: Int] {
        if let pg {
            return try pg.read("count items") { s in
                var counts: [String: Int] = [:]
                for row in try s.query("SELECT status, COUNT(*) FROM item GROUP BY status") {
                    counts[try row[0].decode(String.self)] = try row[1].decode(Int.self)
                }
                return counts
            }
        }
        return try read("count items") { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM item GROUP BY status") {
                counts[row["status"]] = row["n"]
            }
            return counts
        }
    }

    // MARK: Duplicates

    /// One group to store: kind, algorithm, max distance, keeper, reason, and members with
    /// their distance to the keeper.
    public struct NewDuplicateGroup: Sendable {
        public var kind: String
        public var algorithm: String
        public var maxDistance: Int
        public var keeperItemID: Int64
        public var keeperReason: String
        public var members: [(itemID: Int64, distanceToKeeper: Int)]
        public init(kind: String, algorithm: String, maxDistance: Int, keeperItemID: Int64, keeperReason: String,
                    members: [(itemID: Int64, distanceToKeeper: Int)]) {
            self.kind = kind
            self.algorithm = algorithm
            self.maxDistance = maxDistance
            self.keeperItemID = keeperItemID
            self.keeperReason = keeperReason
            self.members = members
        }
    }

    /// Stores the groups of a duplicates run in one transaction.
    public func saveDuplicateGroups(_ groups: [NewDuplicateGroup], runID: Int64) throws {
        if let pg {
            return try pg.write("save \(groups.count) duplicate groups") { s in
                for group in groups {
                    let record = DuplicateGroupRecord(runID: runID, kind: group.kind, algorithm: group.algorithm,
                                                      maxDistance: group.maxDistance, keeperItemID: group.keeperItemID,
                                                      keeperReason: group.keeperReason, size: group.members.count)
                    guard let gid = try s.insert(record, into: "duplicateGroup", returningID: true) else {
                        throw CatalogError(.write, "no id after inserting a duplicate group")
                    }
                    for member in group.members {
                        try s.insert(DuplicateMemberRecord(groupID: gid, itemID: member.itemID, distanceToKeeper: member.distanceToKeeper), into: "duplicateMember")
                    }
                }
            }
        }
        try write("save \(groups.count) duplicate groups") { db in
            for group in groups {
                var record = DuplicateGroupRecord(runID: runID, kind: group.kind, algorithm: group.algorithm,
                                                  maxDistance: group.maxDistance, keeperItemID: group.keeperItemID,
                                                  keeperReason: group.keeperReason, size: group.members.count)
                try record.insert(db)
                guard let gid = record.id else { throw CatalogError(.write, "no id after inserting a duplicate group") }
                for member in group.members {
                    try DuplicateMemberRecord(groupID: gid, itemID: member.itemID, distanceToKeeper: member.distanceToKeeper).insert(db)
                }
            }
        }
    }

    /// The groups of a duplicates run with their members, largest first.
    public func duplicateGroups(runID: Int64) throws -> [(group: DuplicateGroupRecord, members: [DuplicateMemberRecord])] {
        if let pg {
            return try pg.read("read duplicate groups of run \(runID)") { s in
                let groups = try s.fetch(DuplicateGroupRecord.self, "SELECT * FROM duplicateGroup WHERE runID = ? ORDER BY size DESC, id", [runID])
                let members = try s.fetch(DuplicateMemberRecord.self, """
                    SELECT m.* FROM duplicateMember m JOIN duplicateGroup g ON g.id = m.groupID WHERE g.runID = ?
                    ORDER BY m.groupID, m.distanceToKeeper, m.itemID
                    """, [runID])
                let byGroup = Dictionary(grouping: members, by: \.groupID)
                return groups.map { ($0, byGroup[$0.id ?? -1] ?? []) }
            }
        }
        return try read("read duplicate groups of run \(runID)") { db in
            let groups = try DuplicateGroupRecord.filter(Column("runID") == runID)
                .order(Column("size").desc, Column("id")).fetchAll(db)
            let members = try DuplicateMemberRecord.fetchAll(db, sql: """
                SELECT m.* FROM duplicateMember m JOIN duplicateGroup g ON g.id = m.groupID WHERE g.runID = ?
                ORDER BY m.groupID, m.distanceToKeeper, m.itemID
                """, arguments: [runID])
            let byGroup = Dictionary(grouping: members, by: \.groupID)
            return groups.map { ($0, byGroup[$0.id ?? -1] ?? []) }
        }
    }

    // MARK: Helpers

    func read<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
        guard let pool else { throw Self.sqliteOnly(what) }
        do { return try pool.read(body) } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.read, "cannot \(what)", underlying: error)
        }
    }

    func write<T>(_ what: String, _ body: (Database) throws -> T) throws -> T {
        guard let pool else { throw Self.sqliteOnly(what) }
        do { return try pool.write(body) } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.write, "cannot \(what)", underlying: error)
        }
    }

    /// The error of a catalog operation that has no PostgreSQL implementation yet.
    static func sqliteOnly(_ what: String) -> CatalogError {
        CatalogError(.read, "cannot \(what): this step runs on a SQLite store only for now, not on a PostgreSQL catalog")
    }

    static func json(_ dictionary: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(dictionary)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Absolute URL of a path stored relative to the store.
    public func absolute(_ relative: String) -> URL { store.appendingPathComponent(relative) }
}
