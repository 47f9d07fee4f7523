import Foundation
import NIOCore
import PostgresNIO

/// Decodes a catalog record (`Decodable`, the same type GRDB reads from SQLite) from a
/// PostgreSQL row. Columns are matched to coding keys ignoring case: the PostgreSQL schema uses
/// SQLite's column names, which PostgreSQL folds to lower case.
struct PGRowDecoder: Decoder {
    let row: PostgresRandomAccessRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(row: row, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a row is not an array"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard let cell = row.first else { throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "empty row")) }
        return Single(cell: cell, codingPath: codingPath)
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: PostgresRandomAccessRow
        var codingPath: [any CodingKey]
        var allKeys: [Key] { row.compactMap { Key(stringValue: $0.columnName) } }

        func cell(_ key: Key) throws -> PostgresCell {
            let name = key.stringValue.lowercased()
            guard row.contains(name) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no column \(name)"))
            }
            return row[name]
        }

        func contains(_ key: Key) -> Bool { row.contains(key.stringValue.lowercased()) }

        func decodeNil(forKey key: Key) throws -> Bool { try cell(key).bytes == nil }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try Single(cell: try cell(key), codingPath: codingPath + [key]).decode(type)
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "nested values are not stored in columns"))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "nested values are not stored in columns"))
        }

        func superDecoder() throws -> any Decoder { PGRowDecoder(row: row, codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder { PGRowDecoder(row: row, codingPath: codingPath + [key]) }
    }

    /// One cell as a Swift value: the column types of the translated schema (BIGINT, DOUBLE
    /// PRECISION, TEXT, BOOLEAN, BYTEA, TIMESTAMPTZ) and whatever decodes from one of them
    /// (`RawRepresentable` enums).
    struct Single: SingleValueDecodingContainer {
        let cell: PostgresCell
        var codingPath: [any CodingKey]

        func decodeNil() -> Bool { cell.bytes == nil }

        func get<T: PostgresDecodable>(_ type: T.Type) throws -> T {
            do { return try cell.decode(T.self, context: .default) } catch {
                throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath, debugDescription: "column \(cell.columnName) (\(cell.dataType)): \(error)"))
            }
        }

        func decode(_ type: Bool.Type) throws -> Bool { try get(Bool.self) }
        func decode(_ type: String.Type) throws -> String { try get(String.self) }
        func decode(_ type: Double.Type) throws -> Double { try get(Double.self) }
        func decode(_ type: Float.Type) throws -> Float { Float(try get(Double.self)) }
        func decode(_ type: Int.Type) throws -> Int { try get(Int.self) }
        func decode(_ type: Int8.Type) throws -> Int8 { Int8(truncatingIfNeeded: try get(Int.self)) }
        func decode(_ type: Int16.Type) throws -> Int16 { try get(Int16.self) }
        func decode(_ type: Int32.Type) throws -> Int32 { Int32(truncatingIfNeeded: try get(Int64.self)) }
        func decode(_ type: Int64.Type) throws -> Int64 { try get(Int64.self) }
        func decode(_ type: UInt.Type) throws -> UInt { UInt(bitPattern: try get(Int.self)) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { UInt8(truncatingIfNeeded: try get(Int.self)) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { UInt16(truncatingIfNeeded: try get(Int.self)) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { UInt32(truncatingIfNeeded: try get(Int64.self)) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { UInt64(bitPattern: try get(Int64.self)) }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            if type == Data.self, let value = Data(buffer: try get(ByteBuffer.self)) as? T { return value }
            if type == Date.self, let value = try get(Date.self) as? T { return value }
            return try T(from: SingleDecoder(cell: cell, codingPath: codingPath))
        }
    }

    /// A decoder over one cell, for types that decode through a single value (enums).
    struct SingleDecoder: Decoder {
        let cell: PostgresCell
        var codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "a column holds one value"))
        }
        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a column holds one value"))
        }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(cell: cell, codingPath: codingPath) }
    }
}

/// Encodes a catalog record (`Encodable`, as GRDB writes it to SQLite) as column/value pairs
/// for PostgreSQL. Nil optionals become NULL (not left out), so that an update clears them.
enum PGRowEncoder {
    struct Column { var name: String; var value: PGValue }

    static func columns(of record: some Encodable) throws -> [Column] {
        let box = Box()
        try record.encode(to: RowEncoder(box: box))
        return box.columns
    }

    final class Box { var columns: [Column] = [] }

    struct RowEncoder: Encoder {
        let box: Box
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keyed<Key>(box: box, codingPath: codingPath))
        }
        func unkeyedContainer() -> any UnkeyedEncodingContainer { Unsupported(codingPath: codingPath) }
        func singleValueContainer() -> any SingleValueEncodingContainer { ValueCapture(codingPath: codingPath) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: Box
        var codingPath: [any CodingKey]

        func put(_ key: Key, _ value: PGValue) { box.columns.append(Column(name: key.stringValue, value: value)) }

        mutating func encodeNil(forKey key: Key) throws { put(key, .null) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { put(key, .bool(value)) }
        mutating func encode(_ value: String, forKey key: Key) throws { put(key, .text(value)) }
        mutating func encode(_ value: Double, forKey key: Key) throws { put(key, .double(value)) }
        mutating func encode(_ value: Float, forKey key: Key) throws { put(key, .double(Double(value))) }
        mutating func encode(_ value: Int, forKey key: Key) throws { put(key, .int(Int64(value))) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { put(key, .int(Int64(value))) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { put(key, .int(Int64(value))) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { put(key, .int(Int64(value))) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { put(key, .int(value)) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { put(key, .int(Int64(bitPattern: UInt64(value)))) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { put(key, .int(Int64(value))) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { put(key, .int(Int64(value))) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { put(key, .int(Int64(value))) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { put(key, .int(Int64(bitPattern: value))) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            switch value {
            case let v as Data: put(key, .bytes(v))
            case let v as Date: put(key, .date(v))
            default:
                let capture = ValueCapture(codingPath: codingPath + [key])
                try value.encode(to: SingleEncoder(capture: capture))
                put(key, capture.box.value ?? .null)
            }
        }

        // Nil optionals are written as NULL (Swift's default leaves the key out).
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { put(key, .null) } }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(box: Box(), codingPath: codingPath + [key]))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { Unsupported(codingPath: codingPath + [key]) }
        mutating func superEncoder() -> any Encoder { RowEncoder(box: box, codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { RowEncoder(box: box, codingPath: codingPath + [key]) }
    }

    /// Captures the single value a type (an enum) encodes itself as.
    final class ValueBox { var value: PGValue? }

    struct ValueCapture: SingleValueEncodingContainer {
        let box = ValueBox()
        var codingPath: [any CodingKey]
        mutating func encodeNil() throws { box.value = .null }
        mutating func encode(_ value: Bool) throws { box.value = .bool(value) }
        mutating func encode(_ value: String) throws { box.value = .text(value) }
        mutating func encode(_ value: Double) throws { box.value = .double(value) }
        mutating func encode(_ value: Float) throws { box.value = .double(Double(value)) }
        mutating func encode(_ value: Int) throws { box.value = .int(Int64(value)) }
        mutating func encode(_ value: Int8) throws { box.value = .int(Int64(value)) }
        mutating func encode(_ value: Int16) throws { box.value = .int(Int64(value)) }
        mutating func encode(_ value: Int32) throws { box.value = .int(Int64(value)) }
        mutating func encode(_ value: Int64) throws { box.value = .int(value) }
        mutating func encode(_ value: UInt) throws { box.value = .int(Int64(bitPattern: UInt64(value))) }
        mutating func encode(_ value: UInt8) throws { box.value = .int(Int64(value)) }
        mutating func encode(_ value: UInt16) throws { box.value = .int(Int64(value)) }
        mutating func encode(_ value: UInt32) throws { box.value = .int(Int64(value)) }
        mutating func encode(_ value: UInt64) throws { box.value = .int(Int64(bitPattern: value)) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            switch value {
            case let v as Data: box.value = .bytes(v)
            case let v as Date: box.value = .date(v)
            default: try value.encode(to: SingleEncoder(capture: self))
            }
        }
    }

    struct SingleEncoder: Encoder {
        let capture: ValueCapture
        var codingPath: [any CodingKey] { capture.codingPath }
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keyed<Key>(box: Box(), codingPath: codingPath))
        }
        func unkeyedContainer() -> any UnkeyedEncodingContainer { Unsupported(codingPath: codingPath) }
        func singleValueContainer() -> any SingleValueEncodingContainer { capture }
    }

    /// Arrays are not stored in columns; encoding one is a programming error reported on use.
    struct Unsupported: UnkeyedEncodingContainer {
        var codingPath: [any CodingKey]
        var count: Int { 0 }
        mutating func encodeNil() throws { throw fail() }
        mutating func encode<T: Encodable>(_ value: T) throws { throw fail() }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(box: Box(), codingPath: codingPath))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
        mutating func superEncoder() -> any Encoder { RowEncoder(box: Box(), codingPath: codingPath) }
        func fail() -> EncodingError {
            EncodingError.invalidValue([Any](), .init(codingPath: codingPath, debugDescription: "arrays are not stored in catalog columns"))
        }
    }
}
