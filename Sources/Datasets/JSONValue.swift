import Foundation

/// A JSON value kept as read, so that fields Vitrine does not interpret (COCO `info`,
/// `licenses`, extra keys, labelme `flags`) survive a round trip.
public enum JSONValue: Sendable, Equatable, Hashable, Codable {
    /// Numbers compare by value (`3` equals `3.0`); everything else structurally.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x == y
        default:
            if let x = a.number, let y = b.number { return x == y }
            return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(Double(i))
        case .double(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o): hasher.combine(o)
        }
    }

    case null
    case bool(Bool)
    /// A number written without a fraction or exponent that fits in 64 bits.
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let b = try? container.decode(Bool.self) { self = .bool(b); return }
        if let i = try? container.decode(Int64.self) { self = .int(i); return }
        if let d = try? container.decode(Double.self) { self = .double(d); return }
        if let s = try? container.decode(String.self) { self = .string(s); return }
        if let a = try? container.decode([JSONValue].self) { self = .array(a); return }
        if let o = try? container.decode([String: JSONValue].self) { self = .object(o); return }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .double(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }

    /// The number as a `Double` (ints converted), nil for other kinds.
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The number as an exact integer: ints, and doubles with no fraction.
    public var integer: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int64(d)
        case .string(let s): return Int64(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
    public var isNull: Bool { self == .null }

    public subscript(key: String) -> JSONValue? { object?[key] }

    /// A short text form for tables and CSV cells: strings as they are, other values as JSON.
    public var text: String {
        switch self {
        case .string(let s): return s
        case .null: return ""
        default: return (try? JSONValue.serialize(self)) ?? ""
        }
    }

    /// Parses JSON bytes. - Throws: `DatasetsError.malformed` naming `what`.
    public static func parse(_ data: Data, what: String) throws -> JSONValue {
        do { return try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw DatasetsError(.malformed, "\(what) is not valid JSON", underlying: error)
        }
    }

    /// Parses JSON text.
    public static func parse(_ text: String, what: String) throws -> JSONValue {
        try parse(Data(text.utf8), what: what)
    }

    /// Reads and parses a JSON file. - Throws: `.io` or `.malformed` naming the path.
    public static func read(_ url: URL) throws -> JSONValue {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw DatasetsError(.io, "cannot read \(url.path)", underlying: error) }
        return try parse(data, what: url.path)
    }

    /// Compact JSON text with sorted keys (deterministic bytes).
    public static func serialize(_ value: JSONValue, pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Writes `value` as JSON to `url`. - Throws: `.io` naming the path.
    public static func write(_ value: JSONValue, to url: URL, pretty: Bool = true) throws {
        do {
            let text = try serialize(value, pretty: pretty)
            try Data((text + "\n").utf8).write(to: url, options: .atomic)
        } catch {
            throw DatasetsError(.io, "cannot write \(url.path)", underlying: error)
        }
    }
}

extension JSONValue {
    init(_ d: Double) { self = .double(d) }
    /// A number: an int when integral and small, else a double (so 3.0 stays 3.0 only as written).
    static func number(_ d: Double) -> JSONValue { .double(d) }
}
