import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO

/// Where a PostgreSQL catalog lives: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`
/// (`postgresql://` too), as libpq's connection URIs (PostgreSQL 15 manual, §34.1.1.2).
/// Only TCP and no TLS: the catalog server is expected on a trusted network or loopback.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    /// True when `text` names a PostgreSQL catalog (`postgres://…` or `postgresql://…`), not a store folder.
    public static func isURL(_ text: String) -> Bool { text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") }

    /// Parses a URL; nil when `text` is not a `postgres://` / `postgresql://` URL.
    public init?(url text: String) {
        guard Self.isURL(text),
            let components = URLComponents(string: text), let host = components.host, !host.isEmpty
        else { return nil }
        self.host = host
        port = components.port ?? 5432
        user = components.user.flatMap { $0.removingPercentEncoding } ?? (ProcessInfo.processInfo.environment["USER"] ?? "postgres")
        password = components.password.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : path
    }

    public init(host: String, port: Int, user: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    /// The URL without the password (for logs and summaries).
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}

/// A bound value of a PostgreSQL statement.
enum PGValue: Sendable {
    case null, int(Int64), double(Double), text(String), bool(Bool), bytes(Data), date(Date), intArray([Int64]), textArray([String])

    init(_ value: (any Sendable)?) {
        switch value {
        case nil: self = .null
        case let v as PGValue: self = v
        case let v as Int64: self = .int(v)
        case let v as Int: self = .int(Int64(v))
        case let v as Int32: self = .int(Int64(v))
        case let v as Double: self = .double(v)
        case let v as Float: self = .double(Double(v))
        case let v as String: self = .text(v)
        case let v as Bool: self = .bool(v)
        case let v as Data: self = .bytes(v)
        case let v as Date: self = .date(v)
        case let v as [Int64]: self = .intArray(v)
        case let v as [String]: self = .textArray(v)
        case let v?: self = .text("\(v)")
        }
    }

    func append(to bindings: inout PostgresBindings) {
        switch self {
        case .null: bindings.appendNull()
        case .int(let v): bindings.append(v)
        case .double(let v): bindings.append(v)
        case .text(let v): bindings.append(v)
        case .bool(let v): bindings.append(v)
        case .bytes(let v): bindings.append(ByteBuffer(bytes: v))
        case .date(let v): bindings.append(v)
        case .intArray(let v): bindings.append(v)
        case .textArray(let v): bindings.append(v)
        }
    }
}

/// The statements of one connection: plain reads (autocommit) or the body of a transaction.
/// SQL is written with `?` placeholders, as for SQLite, and numbered (`$1`, `$2`, …) here.
struct PGSession {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs one statement. - Returns: the rows it returned.
    @discardableResult
    func query(_ sql: String, _ arguments: [(any Sendable)?] = []) throws -> [PostgresRandomAccessRow] {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments { PGValue(argument).append(to: &bindings) }
        let statement = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: bindings)
        do {
            return try connection.query(statement, logger: logger).wait().rows.map { $0.makeRandomAccess() }
        } catch {
            throw PostgresBackend.describe(error, sql: sql)
        }
    }

    /// Runs several statements separated by `;` (no arguments), as one simple query.
    func execute(script: String) throws {
        do {
            _ = try connection.simpleQuery(script).wait()
        } catch {
            throw PostgresBackend.describe(error, sql: String(script.prefix(200)))
        }
    }

    /// Decodes every row as `T` (columns matched to coding keys ignoring case).
    func fetch<T: Decodable>(_ type: T.Type, _ sql: String, _ arguments: [(any Sendable)?] = []) throws -> [T] {
        try query(sql, arguments).map { try T(from: PGRowDecoder(row: $0)) }
    }

    func fetchOne<T: Decodable>(_ type: T.Type, _ sql: String, _ arguments: [(any Sendable)?] = []) throws -> T? {
        try fetch(type, sql, arguments).first
    }

    /// The first column of every row.
    func column<T: PostgresDecodable>(_ type: T.Type, _ sql: String, _ arguments: [(any Sendable)?] = []) throws -> [T] {
        try query(sql, arguments).map { row in try row[0].decode(T.self, context: .default) }
    }

    func scalar<T: PostgresDecodable>(_ type: T.Type, _ sql: String, _ arguments: [(any Sendable)?] = []) throws -> T? {
        guard let row = try query(sql, arguments).first, row[0].bytes != nil else { return nil }
        return try row[0].decode(T.self, context: .default)
    }

    /// Inserts an `Encodable` record into `table` (its coding keys are the columns; `id` is left
    /// to the identity column when nil). - Returns: the new row's `id` when `returningID` (nil
    /// when an `onConflict … DO NOTHING` clause skipped the row).
    @discardableResult
    func insert(_ record: some Encodable, into table: String, returningID: Bool = false,
                onConflict: String? = nil) throws -> Int64? {
        let columns = try PGRowEncoder.columns(of: record).filter { !($0.name == "id" && $0.value.isNull) }
        var sql = "INSERT INTO \(table) (\(columns.map(\.name).joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        if let onConflict { sql += " " + onConflict }
        if returningID { sql += " RETURNING id" }
        let rows = try query(sql, columns.map(\.value))
        guard returningID else { return nil }
        guard let row = rows.first else {
            if onConflict != nil { return nil }  // ON CONFLICT DO NOTHING inserted nothing
            throw CatalogError(.write, "no id after inserting into \(table)")
        }
        return try row[0].decode(Int64.self, context: .default)
    }

    /// Inserts or replaces (by the columns of `key`) an `Encodable` record, as SQLite's
    /// `INSERT OR REPLACE` / GRDB's `save`.
    func upsert(_ record: some Encodable, into table: String, key: [String]) throws {
        let columns = try PGRowEncoder.columns(of: record)
        let keySet = Set(key.map { $0.lowercased() })
        let updates = columns.filter { !keySet.contains($0.name.lowercased()) }.map { "\($0.name) = EXCLUDED.\($0.name)" }
        let conflict = "ON CONFLICT (\(key.joined(separator: ", "))) " + (updates.isEmpty ? "DO NOTHING" : "DO UPDATE SET " + updates.joined(separator: ", "))
        try insert(record, into: table, onConflict: conflict)
    }

    /// Updates the row of `table` whose `id` is the record's, setting every column.
    func update(_ record: some Encodable, in table: String, id: Int64) throws {
        let columns = try PGRowEncoder.columns(of: record).filter { $0.name != "id" }
        let sql = "UPDATE \(table) SET " + columns.map { "\($0.name) = ?" }.joined(separator: ", ") + " WHERE id = ?"
        try query(sql, columns.map(\.value) + [id])
    }

    /// `?` → `$1`, `$2`, … outside quoted strings and identifiers.
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.count + 16)
        var n = 0
        var quote: Character?
        for ch in sql {
            if let q = quote {
                if ch == q { quote = nil }
                out.append(ch)
            } else if ch == "'" || ch == "\"" {
                quote = ch
                out.append(ch)
            } else if ch == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

extension PGValue {
    var isNull: Bool { if case .null = self { return true } else { return false } }
}

/// The PostgreSQL side of `Catalog`: a small pool of PostgresNIO connections used synchronously
/// (each statement waits on its `EventLoopFuture`, on NIO's own threads, never on Swift's
/// cooperative pool, so callers in async code cannot starve it).
final class PostgresBackend: Sendable {
    let location: PostgresLocation
    let logger: Logger
    private let idle = NIOLockedValueBox<[PostgresConnection]>([])
    private let slots: DispatchSemaphore
    private let nextID = ConnectionIDs()

    /// Opens one connection (to report a wrong URL at once) and keeps it for reuse.
    /// - Parameter maximumConnections: connections open at once (statements beyond wait).
    init(location: PostgresLocation, maximumConnections: Int = 8) throws {
        self.location = location
        var logger = Logger(label: "vitrine.postgres")
        logger.logLevel = .error
        self.logger = logger
        slots = DispatchSemaphore(value: maximumConnections)
        let first = try connect()
        idle.withLockedValue { $0.append(first) }
    }

    deinit {
        for connection in idle.withLockedValue({ $0 }) { try? connection.close().wait() }
    }

    private func connect() throws -> PostgresConnection {
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user,
            password: location.password, database: location.database, tls: .disable)
        do {
            return try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                                                  id: nextID.next(), logger: logger).wait()
        } catch {
            throw CatalogError(.open, "cannot connect to the PostgreSQL catalog \(location)",
                               underlying: Self.describe(error, sql: nil))
        }
    }

    /// Runs `body` on a pooled connection; a connection that failed is closed, not reused.
    func withSession<T>(_ body: (PGSession) throws -> T) throws -> T {
        slots.wait()
        defer { slots.signal() }
        let connection = try idle.withLockedValue { $0.popLast() } ?? connect()
        do {
            let result = try body(PGSession(connection: connection, logger: logger))
            idle.withLockedValue { $0.append(connection) }
            return result
        } catch {
            if connection.isClosed { } else { idle.withLockedValue { $0.append(connection) } }
            throw error
        }
    }

    func read<T>(_ what: String, _ body: (PGSession) throws -> T) throws -> T {
        do { return try withSession(body) } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.read, "cannot \(what)", underlying: error)
        }
    }

    /// Runs `body` in one transaction (`BEGIN` … `COMMIT`; `ROLLBACK` when it throws).
    func write<T>(_ what: String, _ body: (PGSession) throws -> T) throws -> T {
        do {
            return try transaction(body)
        } catch let error as CatalogError { throw error } catch {
            throw CatalogError(.write, "cannot \(what)", underlying: error)
        }
    }

    /// Runs `body` in one transaction on a pooled connection; errors pass unchanged.
    func transaction<T>(_ body: (PGSession) throws -> T) throws -> T {
        try withSession { session in
            try session.query("BEGIN")
            do {
                let result = try body(session)
                try session.query("COMMIT")
                return result
            } catch {
                _ = try? session.query("ROLLBACK")
                throw error
            }
        }
    }

    /// PostgreSQL's own message and SQLSTATE (PSQLError's description hides them).
    static func describe(_ error: Error, sql: String?) -> Error {
        if let error = error as? CatalogError { return error }
        if let psql = error as? PSQLError {
            if let info = psql.serverInfo {
                let state = info[.sqlState] ?? "?"
                let message = info[.message] ?? "server error"
                return PostgresServerError(sqlState: state, message: message + (sql.map { " in: \($0.prefix(160))" } ?? ""))
            }
            return PostgresServerError(sqlState: "", message: "\(psql.code)" + (psql.underlying.map { ": \($0)" } ?? ""))
        }
        return error
    }
}

/// An error PostgreSQL reported, with its SQLSTATE (Appendix A of the PostgreSQL manual).
struct PostgresServerError: Error, CustomStringConvertible {
    let sqlState: String
    let message: String
    var description: String { "PostgreSQL \(sqlState.isEmpty ? "" : sqlState + ": ")\(message)" }
}

/// Connection ids for PostgresNIO's logs.
final class ConnectionIDs: Sendable {
    private let value = NIOLockedValueBox(0)
    func next() -> Int { value.withLockedValue { $0 += 1; return $0 } }
}
