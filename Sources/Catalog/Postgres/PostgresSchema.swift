import Foundation
import GRDB

/// The PostgreSQL schema, made from the SQLite one so that the two cannot drift apart: each
/// named GRDB migration of `Catalog.migrator` is applied, one at a time, to an in-memory SQLite
/// database, and what it added (tables, columns, indexes, foreign keys) is written as PostgreSQL
/// DDL under the same migration name. Applied migrations are recorded in `schema_migrations`.
///
/// Types: INTEGER → BIGINT, TEXT → TEXT, DOUBLE → DOUBLE PRECISION, BLOB → BYTEA,
/// BOOLEAN → BOOLEAN, DATETIME → TIMESTAMPTZ; `INTEGER PRIMARY KEY AUTOINCREMENT` → BIGINT
/// identity. Names are SQLite's, in lower case (PostgreSQL folds unquoted names), so queries
/// written for SQLite with camelCase names run unchanged. The FTS5 full-text table `itemText`
/// and its triggers are replaced by a GIN expression index (`PostgresTextSearch`, a
/// PostgreSQL-only migration after `v7-server`). Left out: data changes inside migrations (none
/// of the released migrations makes one).
enum PostgresSchema {
    struct Migration: Sendable { var name: String; var statements: [String] }

    struct Column: Equatable { var name: String; var type: String; var notNull: Bool; var defaultValue: String?; var primaryKey: Int }
    struct ForeignKey: Equatable { var from: String; var table: String; var to: String?; var onDelete: String }
    struct Index: Equatable { var name: String; var unique: Bool; var origin: String; var columns: [String] }
    struct Table: Equatable { var name: String; var sql: String; var columns: [Column]; var foreignKeys: [ForeignKey]; var indexes: [Index] }

    /// Every migration, in order, as PostgreSQL statements.
    static func migrations() throws -> [Migration] {
        let queue = try DatabaseQueue()
        let migrator = Catalog.migrator
        var before: [String: Table] = [:]
        var out: [Migration] = []
        for name in migrator.migrations {
            try migrator.migrate(queue, upTo: name)
            let after = try queue.read { try tables($0) }
            out.append(Migration(name: name, statements: statements(from: before, to: after)))
            if name == PostgresTextSearch.after {
                out.append(Migration(name: PostgresTextSearch.migrationName, statements: PostgresTextSearch.statements))
            }
            before = after
        }
        return out
    }

    /// The tables of a SQLite database (virtual tables, their shadow tables and GRDB's own left out).
    static func tables(_ db: Database) throws -> [String: Table] {
        let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
        let virtual = rows.filter { (($0["sql"] as String?) ?? "").uppercased().hasPrefix("CREATE VIRTUAL TABLE") }.map { $0["name"] as String }
        var out: [String: Table] = [:]
        for row in rows {
            let name: String = row["name"]
            let sql: String = row["sql"] ?? ""
            if name.hasPrefix("sqlite_") || name.hasPrefix("grdb_") || virtual.contains(where: { name == $0 || name.hasPrefix($0 + "_") }) { continue }
            let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(name.quotedDatabaseIdentifier))").map { c in
                Column(name: c["name"], type: (c["type"] as String?) ?? "", notNull: c["notnull"], defaultValue: c["dflt_value"], primaryKey: c["pk"])
            }
            let foreignKeys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_list(\(name.quotedDatabaseIdentifier))").map { f in
                ForeignKey(from: f["from"], table: f["table"], to: f["to"], onDelete: f["on_delete"] ?? "NO ACTION")
            }
            var indexes: [Index] = []
            for i in try Row.fetchAll(db, sql: "PRAGMA index_list(\(name.quotedDatabaseIdentifier))") {
                let origin: String = i["origin"]
                if origin == "pk" { continue }
                let indexName: String = i["name"]
                let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", arguments: [indexName])
                indexes.append(Index(name: indexName, unique: i["unique"], origin: origin, columns: columns))
            }
            out[name] = Table(name: name, sql: sql, columns: columns, foreignKeys: foreignKeys, indexes: indexes.sorted { $0.name < $1.name })
        }
        return out
    }

    static func statements(from before: [String: Table], to after: [String: Table]) -> [String] {
        var creates: [String] = []
        var later: [String] = []
        for name in before.keys.sorted() where after[name] == nil { creates.append("DROP TABLE IF EXISTS \(q(name)) CASCADE") }
        for name in after.keys.sorted() {
            guard let table = after[name] else { continue }
            if let old = before[name] {
                for column in table.columns where !old.columns.contains(where: { $0.name == column.name }) {
                    creates.append("ALTER TABLE \(q(name)) ADD COLUMN \(definition(column, table))")
                }
                for column in old.columns where !table.columns.contains(where: { $0.name == column.name }) {
                    creates.append("ALTER TABLE \(q(name)) DROP COLUMN \(q(column.name))")
                }
                for index in old.indexes where !table.indexes.contains(index) { later.append("DROP INDEX IF EXISTS \(q(indexName(index, table)))") }
                for index in table.indexes where !old.indexes.contains(index) { later.append(create(index, table)) }
                for key in table.foreignKeys where !old.foreignKeys.contains(key) { later.append(constraint(key, table, after)) }
            } else {
                var parts = table.columns.map { definition($0, table) }
                let keys = table.columns.filter { $0.primaryKey > 0 }.sorted { $0.primaryKey < $1.primaryKey }
                if !keys.isEmpty && !isIdentity(keys, table) { parts.append("PRIMARY KEY (\(keys.map { q($0.name) }.joined(separator: ", ")))") }
                creates.append("CREATE TABLE \(q(name)) (\(parts.joined(separator: ", ")))")
                for index in table.indexes { later.append(create(index, table)) }
                for key in table.foreignKeys { later.append(constraint(key, table, after)) }
            }
        }
        return creates + later
    }

    static func isIdentity(_ keys: [Column], _ table: Table) -> Bool {
        keys.count == 1 && keys[0].type.uppercased() == "INTEGER" && table.sql.uppercased().contains("AUTOINCREMENT")
    }

    static func definition(_ column: Column, _ table: Table) -> String {
        let keys = table.columns.filter { $0.primaryKey > 0 }
        if column.primaryKey > 0 && isIdentity(keys, table) {
            return "\(q(column.name)) BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        }
        let type = pgType(column.type)
        var text = "\(q(column.name)) \(type)"
        if column.notNull || column.primaryKey > 0 { text += " NOT NULL" }
        if var value = column.defaultValue {
            if type == "BOOLEAN" { value = value == "0" ? "false" : value == "1" ? "true" : value }
            text += " DEFAULT \(value)"
        }
        return text
    }

    static func pgType(_ sqlite: String) -> String {
        let t = sqlite.uppercased()
        if t.contains("BOOL") { return "BOOLEAN" }
        if t.contains("INT") { return "BIGINT" }
        if t.contains("DATE") || t.contains("TIME") { return "TIMESTAMPTZ" }
        if t.contains("DOUBLE") || t.contains("REAL") || t.contains("FLOA") || t.contains("NUMERIC") { return "DOUBLE PRECISION" }
        if t.contains("BLOB") { return "BYTEA" }
        return "TEXT"
    }

    static func indexName(_ index: Index, _ table: Table) -> String {
        index.name.hasPrefix("sqlite_autoindex_") ? "\(table.name)_\(index.columns.joined(separator: "_"))_key" : index.name
    }

    static func create(_ index: Index, _ table: Table) -> String {
        "CREATE \(index.unique ? "UNIQUE " : "")INDEX IF NOT EXISTS \(q(indexName(index, table))) ON \(q(table.name)) (\(index.columns.map(q).joined(separator: ", ")))"
    }

    static func constraint(_ key: ForeignKey, _ table: Table, _ all: [String: Table]) -> String {
        let target = key.to ?? all[key.table]?.columns.first(where: { $0.primaryKey == 1 })?.name ?? "id"
        let action = key.onDelete.uppercased() == "NO ACTION" ? "" : " ON DELETE \(key.onDelete.uppercased())"
        return "ALTER TABLE \(q(table.name)) ADD FOREIGN KEY (\(q(key.from))) REFERENCES \(q(key.table)) (\(q(target)))\(action)"
    }

    /// A quoted lower-case identifier: the name PostgreSQL gives the unquoted camelCase one.
    static func q(_ name: String) -> String { "\"" + name.lowercased().replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Applies the migrations the database lacks, in one transaction under an advisory lock
    /// (several workers may start against a new database at once).
    static func migrate(_ backend: PostgresBackend) throws {
        // Opening an up-to-date catalog (every command does) reads only the applied names; the
        // translation, which replays every SQLite migration in memory, runs when one is missing.
        let names = Catalog.migrator.migrations + [PostgresTextSearch.migrationName]
        let applied = try? backend.read("read the applied migrations") { s in
            Set(try s.column(String.self, "SELECT identifier FROM schema_migrations"))
        }
        if let applied, names.allSatisfy(applied.contains) { return }
        let migrations: [Migration]
        do { migrations = try self.migrations() } catch {
            throw CatalogError(.migrate, "cannot derive the PostgreSQL schema", underlying: error)
        }
        do {
            try backend.write("migrate the PostgreSQL catalog") { session in
                try session.query("SELECT pg_advisory_xact_lock(7311071221)")
                try session.query("CREATE TABLE IF NOT EXISTS schema_migrations (identifier TEXT PRIMARY KEY, appliedAt TIMESTAMPTZ NOT NULL DEFAULT now())")
                let applied = Set(try session.column(String.self, "SELECT identifier FROM schema_migrations"))
                for migration in migrations where !applied.contains(migration.name) {
                    for statement in migration.statements { try session.query(statement) }
                    try session.query("INSERT INTO schema_migrations (identifier) VALUES (?)", [migration.name])
                }
            }
        } catch let error as CatalogError {
            throw CatalogError(.migrate, "cannot migrate the PostgreSQL catalog \(backend.location)", underlying: error)
        }
    }
}
