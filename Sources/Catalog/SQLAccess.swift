import Foundation
import GRDB
import PostgresNIO

// Hand-written SQL over either backend, for the code that reads the catalog in ways its typed
// methods do not (the server's filtered pages, joins and feedback). Statements use `?`
// placeholders and SQL that SQLite and PostgreSQL both accept; where they differ, the caller
// asks `SQLConnection.dialect`. Column names are matched ignoring case (PostgreSQL folds the
// schema's camelCase names to lower case).

/// One value of a result cell, whichever backend read it.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
    /// PostgreSQL `TIMESTAMPTZ` (SQLite stores dates as text, see `Date.init?(sqlValue:)`).
    case date(Date)
}

/// A Swift type a result cell converts to: `Int64`, `Int`, `Double`, `String`, `Bool`, `Date`, `Data`.
public protocol SQLColumnValue {
    /// nil when the cell is NULL or of another type.
    init?(sqlValue: SQLValue)
}

extension Int64: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let v): self = v
        case .real(let v) where v.rounded() == v && abs(v) < 9.2e18: self = Int64(v)
        default: return nil
        }
    }
}

extension Int: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        guard let v = Int64(sqlValue: sqlValue) else { return nil }
        self = Int(v)
    }
}

extension Double: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let v): self = v
        case .integer(let v): self = Double(v)
        case .text(let t): guard let v = Double(t) else { return nil }; self = v  // PostgreSQL NUMERIC
        default: return nil
        }
    }
}

extension String: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        guard case .text(let v) = sqlValue else { return nil }
        self = v
    }
}

extension Bool: SQLColumnValue {
    /// SQLite stores booleans as 0/1 integers; PostgreSQL's BOOLEAN arrives as 0/1 too.
    public init?(sqlValue: SQLValue) {
        guard case .integer(let v) = sqlValue else { return nil }
        self = v != 0
    }
}

extension Date: SQLColumnValue {
    /// PostgreSQL TIMESTAMPTZ, or GRDB's SQLite text form (`yyyy-MM-dd HH:mm:ss.SSS`, UTC).
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .date(let d): self = d
        case .text(let t): guard let d = Date.fromDatabaseValue(t.databaseValue) else { return nil }; self = d
        case .real(let v): self = Date(timeIntervalSince1970: v)
        case .integer(let v): self = Date(timeIntervalSince1970: Double(v))
        default: return nil
        }
    }
}

extension Data: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .blob(let d): self = d
        case .text(let t): self = Data(t.utf8)
        default: return nil
        }
    }
}

/// A cell that is NULL (or of another type) where the caller needs a value.
public struct SQLColumnError: Error, CustomStringConvertible {
    public let column: String
    public let value: SQLValue
    public let expected: String
    public var description: String { "column \(column) is \(value); expected \(expected)" }
}

/// One result row: cells by (case-insensitive) column name or by position.
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The cell of the first column named `name` (ignoring case); `.null` when there is none.
    public func value(_ name: String) -> SQLValue {
        let key = name.lowercased()
        guard let i = columns.firstIndex(where: { $0.lowercased() == key }) else { return .null }
        return values[i]
    }

    public func value(at index: Int) -> SQLValue { values.indices.contains(index) ? values[index] : .null }

    /// The cell as `T`; nil when NULL (or of another type).
    public subscript<T: SQLColumnValue>(_ name: String) -> T? { T(sqlValue: value(name)) }
    public subscript<T: SQLColumnValue>(_ index: Int) -> T? { T(sqlValue: value(at: index)) }

    /// The cell as `T`. - Throws: `SQLColumnError` when it is NULL or of another type.
    public subscript<T: SQLColumnValue>(_ name: String) -> T {
        get throws {
            guard let v = T(sqlValue: value(name)) else { throw SQLColumnError(column: name, value: value(name), expected: "\(T.self)") }
            return v
        }
    }

    public subscript<T: SQLColumnValue>(_ index: Int) -> T {
        get throws {
            guard let v = T(sqlValue: value(at: index)) else { throw SQLColumnError(column: "#\(index)", value: value(at: index), expected: "\(T.self)") }
            return v
        }
    }
}

/// One connection (SQLite: inside a GRDB read or write; PostgreSQL: a session, in a transaction
/// for writes) that runs hand-written SQL. Errors are the backend's own (GRDB `DatabaseError`,
/// `PostgresServerError` with SQLSTATE); errors thrown by the caller's body pass unchanged.
public final class SQLConnection {
    public enum Dialect: Sendable { case sqlite, postgres }
    public let dialect: Dialect
    private let db: Database?
    private let session: PGSession?

    init(_ db: Database) { self.db = db; session = nil; dialect = .sqlite }
    init(_ session: PGSession) { db = nil; self.session = session; dialect = .postgres }

    /// Runs one statement (arguments: `Int64`, `Int`, `Double`, `String`, `Bool`, `Date`, `Data`, nil).
    /// - Returns: its rows.
    public func rows(_ sql: String, _ arguments: [(any Sendable)?] = []) throws -> [SQLRow] {
        if let session {
            return try session.query(sql, arguments).map(Self.row)
        }
        guard let db else { return [] }
        return try Row.fetchAll(db, sql: sql, arguments: Self.arguments(arguments)).map { row in
            SQLRow(columns: Array(row.columnNames), values: row.databaseValues.map(Self.value))
        }
    }

    public func row(_ sql: String, _ arguments: [(any Sendable)?] = []) throws -> SQLRow? {
        try rows(sql, arguments).first
    }

    /// The first column of the first row as `T`; nil when there is no row or it is NULL.
    public func value<T: SQLColumnValue>(_ type: T.Type = T.self, _ sql: String, _ arguments: [(any Sendable)?] = []) throws -> T? {
        try row(sql, arguments).flatMap { $0[0] as T? }
    }

    /// The first column of every row (NULLs left out).
    public func values<T: SQLColumnValue>(_ type: T.Type = T.self, _ sql: String, _ arguments: [(any Sendable)?] = []) throws -> [T] {
        try rows(sql, arguments).compactMap { $0[0] as T? }
    }

    public func execute(_ sql: String, _ arguments: [(any Sendable)?] = []) throws {
        if let session { try session.query(sql, arguments); return }
        try db?.execute(sql: sql, arguments: Self.arguments(arguments))
    }

    /// Runs an `INSERT` into a table with an `id` key. - Returns: the new row's id.
    public func insert(_ sql: String, _ arguments: [(any Sendable)?] = []) throws -> Int64 {
        if let session {
            guard let id = try session.query(sql + " RETURNING id", arguments).first.map(Self.row)?[0] as Int64? else {
                throw SQLColumnError(column: "id", value: .null, expected: "the id of the inserted row")
            }
            return id
        }
        guard let db else { return 0 }
        try db.execute(sql: sql, arguments: Self.arguments(arguments))
        return db.lastInsertedRowID
    }

    /// Whether a table (or view) of that name exists.
    public func tableExists(_ name: String) throws -> Bool {
        switch dialect {
        case .sqlite: try value(Bool.self, "SELECT count(*) > 0 FROM sqlite_master WHERE name = ?", [name]) ?? false
        case .postgres: try value(Bool.self, "SELECT to_regclass(?) IS NOT NULL", [name.lowercased()]) ?? false
        }
    }

    static func arguments(_ values: [(any Sendable)?]) -> StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case nil: nil
            case let v as Int64: v
            case let v as Int: v
            case let v as Int32: v
            case let v as Double: v
            case let v as Float: Double(v)
            case let v as String: v
            case let v as Bool: v
            case let v as Date: v
            case let v as Data: v
            case let v?: "\(v)"
            }
        })
    }

    static func value(_ v: DatabaseValue) -> SQLValue {
        switch v.storage {
        case .null: .null
        case .int64(let i): .integer(i)
        case .double(let d): .real(d)
        case .string(let s): .text(s)
        case .blob(let b): .blob(b)
        }
    }

    static func row(_ row: PostgresRandomAccessRow) -> SQLRow {
        var columns: [String] = []
        var values: [SQLValue] = []
        for cell in row {
            columns.append(cell.columnName)
            values.append(value(cell))
        }
        return SQLRow(columns: columns, values: values)
    }

    /// A cell of the translated schema's types (BIGINT, INTEGER, DOUBLE PRECISION, NUMERIC, TEXT,
    /// BOOLEAN, BYTEA, TIMESTAMPTZ); anything else as its text.
    static func value(_ cell: PostgresCell) -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return (try? cell.decode(Int64.self)).map(SQLValue.integer) ?? .null
        case .float4, .float8: return (try? cell.decode(Double.self)).map(SQLValue.real) ?? .null
        case .numeric: return (try? cell.decode(Double.self)).map(SQLValue.real) ?? (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        case .bool: return (try? cell.decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? .null
        case .bytea: return (try? cell.decode(ByteBuffer.self)).map { .blob(Data($0.readableBytesView)) } ?? .null
        case .timestamptz, .timestamp: return (try? cell.decode(Date.self)).map(SQLValue.date) ?? .null
        default: return (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        }
    }
}

extension Catalog {
    /// Runs hand-written SQL that reads (SQLite: a GRDB read; PostgreSQL: one pooled session).
    public func sqlRead<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        if let pg { return try pg.withSession { try body(SQLConnection($0)) } }
        guard let pool else { throw Self.sqliteOnly("read") }
        return try pool.read { try body(SQLConnection($0)) }
    }

    /// Runs hand-written SQL in one transaction (rolled back when `body` throws).
    public func sqlWrite<T>(_ body: (SQLConnection) throws -> T) throws -> T {
        if let pg { return try pg.transaction { try body(SQLConnection($0)) } }
        guard let pool else { throw Self.sqliteOnly("write") }
        return try pool.write { try body(SQLConnection($0)) }
    }
}
