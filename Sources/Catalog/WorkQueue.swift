import Foundation
import GRDB

/// One unit of queued work (table `workItem`): ingest one source, or embed one item with one
/// model. `vitrine enqueue` adds them; `vitrine worker` processes claim them in batches.
///
/// States: `pending` (also a row of `workPending`) → `claimed` (by `workerID`, until
/// `leaseUntil`) → `done` or `failed`. A
/// claim whose lease ran out (its worker was killed or lost its connection) is claimed again;
/// after `WorkQueue.maximumAttempts` claims it is `failed` with the reason, so one file that kills
/// every worker cannot stall the queue.
public struct WorkItemRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "workItem"

    public var id: Int64?
    /// `ingest` or `embed` (`WorkKind`).
    public var kind: String
    /// `ingest`: the source location (file path or URL); `embed`: the item id.
    public var target: String
    /// `embed`: the registry name of the model; empty otherwise.
    public var model: String
    /// `ingest`: the list row's metadata as a JSON object of strings, and the source kind.
    public var payload: String?
    public var status: String
    public var workerID: String?
    /// End of the claim, seconds since 1970 by the catalog server's clock (not the worker's).
    public var leaseUntil: Double?
    public var attempts: Int
    public var error: String?
    public var enqueuedAt: Date
    public var finishedAt: Date?

    public init(kind: String, target: String, model: String = "", payload: String? = nil) {
        self.kind = kind
        self.target = target
        self.model = model
        self.payload = payload
        status = "pending"
        attempts = 0
        enqueuedAt = Date()
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A worker process (table `worker`), as it last reported itself.
public struct WorkerRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "worker"
    /// `host:pid:random`, unique per process.
    public var id: String
    public var host: String
    public var pid: Int
    /// Job kinds it takes, comma-separated.
    public var jobs: String
    public var startedAt: Date
    public var lastSeenAt: Date
    /// Work items it committed as done / failed.
    public var processed: Int
    public var failed: Int
    /// `running` or `stopped` (a killed worker stays `running`; its `lastSeenAt` tells).
    public var state: String

    public init(id: String, host: String, pid: Int, jobs: String) {
        self.id = id
        self.host = host
        self.pid = pid
        self.jobs = jobs
        startedAt = Date()
        lastSeenAt = startedAt
        processed = 0
        failed = 0
        state = "running"
    }
}

/// The outcome of one claimed work item: what to store (an ingested item, an embedding) or the
/// error that kept it from being done.
public struct WorkOutcome: Sendable {
    public var workID: Int64
    public var ingested: Catalog.IngestedItem?
    public var embedding: EmbeddingRecord?
    public var detection: DetectionOutcome?
    public var labels: LabelOutcome?
    public var error: String?
    public init(workID: Int64, ingested: Catalog.IngestedItem? = nil, embedding: EmbeddingRecord? = nil,
                detection: DetectionOutcome? = nil, labels: LabelOutcome? = nil, error: String? = nil) {
        self.workID = workID
        self.ingested = ingested
        self.embedding = embedding
        self.detection = detection
        self.labels = labels
        self.error = error
    }
}

/// What a `classify` work item produced: image-level labels (annotations without a box) of the
/// run's prediction source `sourceID`, one category name per annotation (created when new).
public struct LabelOutcome: Sendable {
    public var sourceID: Int64
    public var annotations: [AnnotationRecord]
    public var categoryNames: [String]
    public init(sourceID: Int64, annotations: [AnnotationRecord], categoryNames: [String]) {
        self.sourceID = sourceID
        self.annotations = annotations
        self.categoryNames = categoryNames
    }
}

/// What a `detect` work item produced: the item's outcome in its detection run (ok or its
/// error) and its detections, stored as annotations of the run's prediction source `sourceID`.
public struct DetectionOutcome: Sendable {
    public var sourceID: Int64
    public var item: DetectionItemRecord
    public var detections: [NewDetection]
    public init(sourceID: Int64, item: DetectionItemRecord, detections: [NewDetection]) {
        self.sourceID = sourceID
        self.item = item
        self.detections = detections
    }
}

/// Counts of one kind of work by state.
public struct WorkCounts: Codable, Sendable, Equatable {
    public var kind: String
    public var model: String
    public var pending = 0, claimed = 0, done = 0, failed = 0
    public var total: Int { pending + claimed + done + failed }
}

public enum WorkQueue {
    /// Claims after which a work item whose worker never finished is `failed`.
    public static let maximumAttempts = 3
}

extension Catalog {
    /// Migration `v8-work-queue`: `workItem` (unique on kind, target, model: enqueueing twice
    /// adds nothing) and `worker`.
    static func registerWorkQueueMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8-work-queue") { db in
            try db.create(table: "workItem") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("target", .text).notNull()
                t.column("model", .text).notNull()
                t.column("payload", .text)
                t.column("status", .text).notNull()
                t.column("workerID", .text)
                t.column("leaseUntil", .double)
                t.column("attempts", .integer).notNull()
                t.column("error", .text)
                t.column("enqueuedAt", .datetime).notNull()
                t.column("finishedAt", .datetime)
                t.uniqueKey(["kind", "target", "model"])
            }
            // Claims whose lease ran out are a range of this index (only the expired ones are read).
            try db.create(index: "workItemByLease", on: "workItem", columns: ["status", "leaseUntil"])
            // The pending items only, taken out as they are claimed: a claim reads the head of a
            // table of live work, whatever the planner picks, so it costs the same on a queue of
            // 10^3 or 10^7 with any share done. (Claiming from `workItem` by status, PostgreSQL
            // chose the primary key once half of 10^7 rows were done and skipped 5·10^6 done rows
            // per claim: 680 ms instead of a few.)
            try db.create(table: "workPending") { t in
                t.primaryKey("id", .integer).references("workItem", onDelete: .cascade)
                t.column("kind", .text).notNull()
            }
            try db.create(index: "workPendingByKind", on: "workPending", columns: ["kind", "id"])
            try db.create(table: "worker") { t in
                t.primaryKey("id", .text)
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("jobs", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("lastSeenAt", .datetime).notNull()
                t.column("processed", .integer).notNull()
                t.column("failed", .integer).notNull()
                t.column("state", .text).notNull()
            }
        }
    }

    static let sqliteNow = "((julianday('now') - 2440587.5) * 86400.0)"
    static let postgresNow = "EXTRACT(EPOCH FROM clock_timestamp())::double precision"

    /// Adds work items; those already queued (same kind, target and model) are left as they are,
    /// except failed ones, which are queued again (pending, attempts reset).
    /// - Returns: how many were added or queued again.
    /// `requeueDone`: done work of the same keys is queued again too, with the new payload (a
    /// harvest: a source harvested again picks up what is new, with the options given now).
    @discardableResult
    public func enqueue(_ items: [WorkItemRecord], requeueDone: Bool = false) throws -> Int {
        var added = 0
        let reset = "SET status = 'pending', attempts = 0, error = NULL, workerID = NULL, leaseUntil = NULL, finishedAt = NULL"
        if requeueDone {
            return try items.reduce(0) { n, item in
                let sql = "UPDATE workItem \(reset), payload = ? WHERE kind = ? AND target = ? AND model = ? AND status IN ('done', 'failed') RETURNING id"
                if let pg {
                    return n + (try pg.write("enqueue work \(item.target)") { s in
                        if let id = try s.insert(item, into: "workItem", returningID: true, onConflict: "ON CONFLICT (kind, target, model) DO NOTHING") {
                            try s.query("INSERT INTO workPending (id, kind) VALUES (?, ?)", [id, item.kind])
                            return 1
                        }
                        let again = try s.query(sql, [item.payload, item.kind, item.target, item.model])
                        for row in again { try s.query("INSERT INTO workPending (id, kind) VALUES (?, ?)", [try row[0].decode(Int64.self), item.kind]) }
                        return again.count
                    })
                }
                return n + (try write("enqueue work \(item.target)") { db in
                    var item = item
                    try item.insert(db, onConflict: .ignore)
                    if db.changesCount == 1 {
                        try db.execute(sql: "INSERT INTO workPending (id, kind) VALUES (?, ?)", arguments: [db.lastInsertedRowID, item.kind])
                        return 1
                    }
                    let again = try Int64.fetchAll(db, sql: sql, arguments: [item.payload, item.kind, item.target, item.model])
                    for id in again { try db.execute(sql: "INSERT INTO workPending (id, kind) VALUES (?, ?)", arguments: [id, item.kind]) }
                    return again.count
                })
            }
        }
        for start in stride(from: 0, to: items.count, by: 1000) {
            let chunk = items[start..<min(start + 1000, items.count)]
            if let pg {
                added += try pg.write("enqueue \(chunk.count) work items") { s in
                    var n = 0
                    var existing: [WorkItemRecord] = []
                    for item in chunk {
                        if let id = try s.insert(item, into: "workItem", returningID: true, onConflict: "ON CONFLICT (kind, target, model) DO NOTHING") {
                            try s.query("INSERT INTO workPending (id, kind) VALUES (?, ?)", [id, item.kind])
                            n += 1
                        } else {
                            existing.append(item)
                        }
                    }
                    // Work that failed is queued again.
                    for (key, group) in Dictionary(grouping: existing, by: { [$0.kind, $0.model] }) {
                        let again = try s.query("UPDATE workItem \(reset) WHERE status = 'failed' AND kind = ? AND model = ? AND target = ANY(?) RETURNING id",
                                                [key[0], key[1], group.map(\.target)])
                        for row in again { try s.query("INSERT INTO workPending (id, kind) VALUES (?, ?)", [try row[0].decode(Int64.self), key[0]]) }
                        n += again.count
                    }
                    return n
                }
            } else {
                added += try write("enqueue \(chunk.count) work items") { db in
                    var n = 0
                    for var item in chunk {
                        try item.insert(db, onConflict: .ignore)
                        if db.changesCount == 1 {
                            try db.execute(sql: "INSERT INTO workPending (id, kind) VALUES (?, ?)", arguments: [db.lastInsertedRowID, item.kind])
                            n += 1
                            continue
                        }
                        // Work that failed is queued again.
                        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM workItem WHERE status = 'failed' AND kind = ? AND target = ? AND model = ?",
                                                       arguments: [item.kind, item.target, item.model]) {
                            try db.execute(sql: "UPDATE workItem \(reset) WHERE id = ?", arguments: [id])
                            try db.execute(sql: "INSERT INTO workPending (id, kind) VALUES (?, ?)", arguments: [id, item.kind])
                            n += 1
                        }
                    }
                    return n
                }
            }
        }
        return added
    }

    /// Claims up to `limit` items of `kinds` for `worker` for `lease` seconds: first claims whose
    /// lease ran out (their worker was killed), then pending items, oldest first, taken out of
    /// `workPending`. PostgreSQL: `… WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, so concurrent
    /// workers never block on nor share a row; SQLite: the same in one write transaction (one
    /// writer at a time). Neither step reads done work: the cost does not grow with the queue.
    /// (Expired claims are taken in no particular order: an `ORDER BY id` there let PostgreSQL walk
    /// the primary key through 10^7 rows instead of the (status, leaseUntil) range.)
    public func claimWork(kinds: [String], worker: String, limit: Int, lease: TimeInterval) throws -> [WorkItemRecord] {
        guard !kinds.isEmpty, limit > 0 else { return [] }
        let giveUp = "UPDATE workItem SET status = 'failed', error = 'claimed \(WorkQueue.maximumAttempts) times and never finished (its workers were killed or crashed)', leaseUntil = NULL WHERE status = 'claimed' AND leaseUntil < %NOW% AND attempts >= \(WorkQueue.maximumAttempts)"
        if let pg {
            return try pg.write("claim work") { s in
                let now = Self.postgresNow
                try s.query(giveUp.replacingOccurrences(of: "%NOW%", with: now))
                let set = "SET status = 'claimed', workerID = ?, leaseUntil = \(now) + ?, attempts = attempts + 1"
                var claimed: [WorkItemRecord] = []
                // The locking SELECT is a MATERIALIZED CTE, evaluated once: as a subquery of
                // `id IN (…)` the planner may rescan it per outer row (a nested-loop semi-join, as
                // it chose with stale statistics on a new kind of work), and each rescan skips the
                // rows this statement already changed and locks the next ones, so one claim took
                // every pending item of the kind.
                for kind in kinds where claimed.count < limit {
                    claimed += try s.fetch(WorkItemRecord.self, """
                        WITH picked AS MATERIALIZED (SELECT id FROM workItem WHERE status = 'claimed' AND leaseUntil < \(now) AND kind = ?
                                                     LIMIT ? FOR UPDATE SKIP LOCKED)
                        UPDATE workItem \(set) WHERE id IN (SELECT id FROM picked)
                        RETURNING *
                        """, [kind, limit - claimed.count, worker, lease])
                }
                for kind in kinds where claimed.count < limit {
                    claimed += try s.fetch(WorkItemRecord.self, """
                        WITH picked AS MATERIALIZED (SELECT id FROM workPending WHERE kind = ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED),
                             taken AS (DELETE FROM workPending WHERE id IN (SELECT id FROM picked) RETURNING id)
                        UPDATE workItem \(set) WHERE id IN (SELECT id FROM taken) RETURNING *
                        """, [kind, limit - claimed.count, worker, lease])
                }
                return claimed.sorted { ($0.id ?? 0) < ($1.id ?? 0) }
            }
        }
        return try write("claim work") { db in
            let now = Self.sqliteNow
            try db.execute(sql: giveUp.replacingOccurrences(of: "%NOW%", with: now))
            var ids: [Int64] = []
            for kind in kinds where ids.count < limit {
                ids += try Int64.fetchAll(db, sql: "SELECT id FROM workItem WHERE status = 'claimed' AND leaseUntil < \(now) AND kind = ? LIMIT ?",
                                          arguments: [kind, limit - ids.count])
            }
            for kind in kinds where ids.count < limit {
                let pending = try Int64.fetchAll(db, sql: "SELECT id FROM workPending WHERE kind = ? ORDER BY id LIMIT ?", arguments: [kind, limit - ids.count])
                guard !pending.isEmpty else { continue }
                try db.execute(sql: "DELETE FROM workPending WHERE id IN (\(pending.map { _ in "?" }.joined(separator: ", ")))", arguments: StatementArguments(pending))
                ids += pending
            }
            guard !ids.isEmpty else { return [] }
            let idMarks = ids.map { _ in "?" }.joined(separator: ", ")
            try db.execute(sql: """
                UPDATE workItem SET status = 'claimed', workerID = ?, leaseUntil = \(now) + ?, attempts = attempts + 1
                WHERE id IN (\(idMarks))
                """, arguments: StatementArguments([worker, lease] as [any DatabaseValueConvertible] + ids))
            return try WorkItemRecord.fetchAll(db, sql: "SELECT * FROM workItem WHERE id IN (\(idMarks)) ORDER BY id", arguments: StatementArguments(ids))
        }
    }

    /// Commits outcomes of `worker`'s claims: in one transaction, each item still claimed by
    /// `worker` becomes `done` (or `failed` with its error) and its result is stored; outcomes
    /// of items no longer `worker`'s (its lease ran out and another worker claimed them) are
    /// dropped, so a result is stored once however often an item was claimed.
    /// - Returns: the work ids whose outcome was committed.
    @discardableResult
    public func completeWork(_ outcomes: [WorkOutcome], worker: String) throws -> [Int64] {
        let now = Date()
        if let pg {
            return try pg.write("commit \(outcomes.count) work items") { s in
                var committed: [Int64] = []
                var categories: [String: Int64]?
                for outcome in outcomes {
                    let owned = try s.query("""
                        UPDATE workItem SET status = ?, error = ?, finishedAt = ?, leaseUntil = NULL
                        WHERE id = ? AND workerID = ? AND status = 'claimed' RETURNING id
                        """, [outcome.error == nil ? "done" : "failed", outcome.error, now, outcome.workID, worker])
                    guard !owned.isEmpty else { continue }
                    if let ingested = outcome.ingested { _ = try saveItems([ingested], s) }
                    if let embedding = outcome.embedding { try s.upsert(embedding, into: "embedding", key: ["itemID", "model"]) }
                    if let d = outcome.detection {
                        var ids = try categories ?? Self.categoryIDs(s)
                        try Self.saveDetectionItem(d.item, d.detections, sourceID: d.sourceID, categories: &ids, s)
                        categories = ids
                    }
                    if let l = outcome.labels {
                        var ids = try categories ?? Self.categoryIDs(s)
                        try Self.insertAnnotations(l.annotations, categoryNames: l.categoryNames, sourceID: l.sourceID, categories: &ids, s)
                        categories = ids
                    }
                    committed.append(outcome.workID)
                }
                let failed = outcomes.filter { $0.error != nil && committed.contains($0.workID) }.count
                try s.query("UPDATE worker SET processed = processed + ?, failed = failed + ?, lastSeenAt = ? WHERE id = ?",
                            [committed.count - failed, failed, now, worker])
                return committed
            }
        }
        return try write("commit \(outcomes.count) work items") { db in
            var committed: [Int64] = []
            var categories: [String: Int64]?
            for outcome in outcomes {
                try db.execute(sql: """
                    UPDATE workItem SET status = ?, error = ?, finishedAt = ?, leaseUntil = NULL
                    WHERE id = ? AND workerID = ? AND status = 'claimed'
                    """, arguments: [outcome.error == nil ? "done" : "failed", outcome.error, now, outcome.workID, worker])
                guard db.changesCount == 1 else { continue }
                if let ingested = outcome.ingested { _ = try saveItems([ingested], db) }
                if let embedding = outcome.embedding { try embedding.save(db) }
                if let d = outcome.detection {
                    var ids = try categories ?? Self.categoryIDs(db)
                    try Self.saveDetectionItem(d.item, d.detections, sourceID: d.sourceID, categories: &ids, db)
                    categories = ids
                }
                if let l = outcome.labels {
                    var ids = try categories ?? Self.categoryIDs(db)
                    try Self.insertAnnotations(l.annotations, categoryNames: l.categoryNames, sourceID: l.sourceID, categories: &ids, db)
                    categories = ids
                }
                committed.append(outcome.workID)
            }
            let failed = outcomes.filter { $0.error != nil && committed.contains($0.workID) }.count
            try db.execute(sql: "UPDATE worker SET processed = processed + ?, failed = failed + ?, lastSeenAt = ? WHERE id = ?",
                           arguments: [committed.count - failed, failed, now, worker])
            return committed
        }
    }

    /// Extends the leases of claims this worker holds to `lease` seconds from now (by the
    /// database's clock), for work that runs longer than one lease (a harvest).
    /// - Returns: the claims renewed (those taken over by another worker are not).
    @discardableResult
    public func renewClaims(_ ids: [Int64], worker: String, lease: TimeInterval) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        if let pg {
            return try pg.write("renew \(ids.count) claims") { s in
                try s.query("UPDATE workItem SET leaseUntil = \(Self.postgresNow) + ? WHERE id = ANY(?) AND workerID = ? AND status = 'claimed' RETURNING id",
                            [lease, ids, worker]).count
            }
        }
        return try write("renew \(ids.count) claims") { db in
            try db.execute(sql: """
                UPDATE workItem SET leaseUntil = \(Self.sqliteNow) + ? WHERE workerID = ? AND status = 'claimed'
                AND id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))
                """, arguments: StatementArguments([lease, worker] as [any DatabaseValueConvertible] + ids))
            return db.changesCount
        }
    }

    /// Records a worker (insert or replace) or its new state and `lastSeenAt`.
    public func saveWorker(_ record: WorkerRecord) throws {
        if let pg { return try pg.write("record worker \(record.id)") { s in try s.upsert(record, into: "worker", key: ["id"]) } }
        try write("record worker \(record.id)") { db in try record.save(db) }
    }

    /// Marks a worker seen now.
    public func touchWorker(_ id: String, state: String = "running") throws {
        if let pg {
            return try pg.write("record worker \(id)") { s in
                try s.query("UPDATE worker SET lastSeenAt = ?, state = ? WHERE id = ?", [Date(), state, id])
            }
        }
        try write("record worker \(id)") { db in
            try db.execute(sql: "UPDATE worker SET lastSeenAt = ?, state = ? WHERE id = ?", arguments: [Date(), state, id])
        }
    }

    /// Every worker that has run against this catalog, latest first.
    public func workers() throws -> [WorkerRecord] {
        if let pg { return try pg.read("read workers") { s in try s.fetch(WorkerRecord.self, "SELECT * FROM worker ORDER BY startedAt DESC, id") } }
        return try read("read workers") { db in try WorkerRecord.fetchAll(db, sql: "SELECT * FROM worker ORDER BY startedAt DESC, id") }
    }

    /// Work item counts by kind, model and state.
    public func workCounts() throws -> [WorkCounts] {
        let sql = "SELECT kind, model, status, COUNT(*) FROM workItem GROUP BY kind, model, status ORDER BY kind, model, status"
        let rows: [(String, String, String, Int)]
        if let pg {
            rows = try pg.read("count work") { s in
                try s.query(sql).map { (try $0[0].decode(String.self), try $0[1].decode(String.self), try $0[2].decode(String.self), try $0[3].decode(Int.self)) }
            }
        } else {
            rows = try read("count work") { db in try Row.fetchAll(db, sql: sql).map { ($0[0], $0[1], $0[2], $0[3]) } }
        }
        var out: [WorkCounts] = []
        for (kind, model, status, n) in rows {
            if out.last.map({ $0.kind != kind || $0.model != model }) ?? true { out.append(WorkCounts(kind: kind, model: model)) }
            switch status {
            case "pending": out[out.count - 1].pending = n
            case "claimed": out[out.count - 1].claimed = n
            case "done": out[out.count - 1].done = n
            default: out[out.count - 1].failed = n
            }
        }
        return out
    }

    /// Claimed (in-flight) work items per worker.
    public func claimedByWorker() throws -> [String: Int] {
        let sql = "SELECT workerID, COUNT(*) FROM workItem WHERE status = 'claimed' GROUP BY workerID"
        if let pg {
            return try pg.read("count claims") { s in
                Dictionary(uniqueKeysWithValues: try s.query(sql).map { (try $0[0].decode(String?.self) ?? "", try $0[1].decode(Int.self)) })
            }
        }
        return try read("count claims") { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: sql).map { (($0[0] as String?) ?? "", $0[1] as Int) })
        }
    }

    /// Work items of `kinds` not finished yet (pending, or claimed by a worker that may still
    /// commit them or whose lease will run out).
    public func unfinishedWork(kinds: [String]) throws -> Int {
        if let pg {
            return try pg.read("count unfinished work") { s in
                try s.scalar(Int.self, "SELECT COUNT(*) FROM workItem WHERE status IN ('pending', 'claimed') AND kind = ANY(?)", [kinds]) ?? 0
            }
        }
        return try read("count unfinished work") { db in
            let marks = kinds.map { _ in "?" }.joined(separator: ", ")
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM workItem WHERE kind IN (\(marks)) AND status IN ('pending', 'claimed')",
                                    arguments: StatementArguments(kinds)) ?? 0
        }
    }

    /// Work items of one kind and model that are pending or claimed.
    public func unfinishedWork(kind: String, model: String) throws -> Int {
        let sql = "SELECT COUNT(*) FROM workItem WHERE kind = ? AND model = ? AND status IN ('pending', 'claimed')"
        if let pg { return try pg.read("count unfinished work") { s in try s.scalar(Int.self, sql, [kind, model]) ?? 0 } }
        return try read("count unfinished work") { db in try Int.fetchOne(db, sql: sql, arguments: [kind, model]) ?? 0 }
    }

    /// Failed work items of a kind (the first `limit`), with their errors.
    public func failedWork(limit: Int = 20) throws -> [WorkItemRecord] {
        let sql = "SELECT * FROM workItem WHERE status = 'failed' ORDER BY id LIMIT ?"
        if let pg { return try pg.read("read failed work") { s in try s.fetch(WorkItemRecord.self, sql, [limit]) } }
        return try read("read failed work") { db in try WorkItemRecord.fetchAll(db, sql: sql, arguments: [limit]) }
    }
}
