import Foundation

/// A parsed JSON document, `Sendable` and without `Any`: what the Europeana and IIIF readers
/// walk, since both APIs give the same field in several shapes (string, array, object).
public enum JSONValue: Sendable, Equatable, Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// Parses bytes. - Throws: `HarvestError(.invalidJSON)` naming `source`.
    public static func parse(_ data: Data, source: String) throws -> JSONValue {
        do { return try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw HarvestError(.invalidJSON, url: source, "not valid JSON: \(Self.describe(error))")
        }
    }

    static func describe(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return context.debugDescription + ((context.underlyingError as NSError?).map { " (\($0.localizedDescription))" } ?? "")
        }
        return "\(error)"
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var string: String? {
        switch self {
        case .string(let s): s
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        default: nil
        }
    }

    public var int: Int? {
        switch self {
        case .number(let n): n.isFinite && n == n.rounded() && abs(n) < 1e15 ? Int(n) : nil
        case .string(let s): Int(s)
        default: nil
        }
    }

    public var double: Double? {
        switch self {
        case .number(let n): n
        case .string(let s): Double(s)
        default: nil
        }
    }

    public var bool: Bool? {
        switch self {
        case .bool(let b): b
        case .string(let s): s == "true" ? true : s == "false" ? false : nil
        default: nil
        }
    }

    /// The value as a list: an array's elements, `[]` for null, else `[self]`.
    public var list: [JSONValue] {
        switch self {
        case .array(let a): a
        case .null: []
        default: [self]
        }
    }

    public var object: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Every string in the value (depth-first; objects' values in key order).
    public var strings: [String] {
        switch self {
        case .string: string.map { [$0] } ?? []
        case .number: string.map { [$0] } ?? []
        case .array(let a): a.flatMap(\.strings)
        case .object(let o): o.keys.sorted().flatMap { o[$0]?.strings ?? [] }
        default: []
        }
    }

    /// The first string of `key`, whatever the shape (`"x"`, `["x"]`, `{"def": ["x"]}`).
    public func first(_ key: String) -> String? { self[key]?.strings.first }
}

/// A text in several languages (a Europeana `LangAware` map, a IIIF v3 language map, or a
/// plain string / array, which go under `none`).
public struct LanguageMap: Sendable, Equatable, Codable {
    /// Language tag → values, in document order.
    public var values: [String: [String]]

    public init(_ values: [String: [String]] = [:]) { self.values = values }

    /// Reads any shape: `"x"`, `["x", …]`, `{"en": ["x"]}`, `{"en": "x"}`, IIIF v2
    /// `{"@value": "x", "@language": "fr"}` or an array of those.
    public init(_ json: JSONValue?) {
        var values: [String: [String]] = [:]
        func add(_ language: String, _ value: String) {
            let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return }
            values[language, default: []].append(text)
        }
        func walk(_ value: JSONValue, language: String) {
            switch value {
            case .string, .number: if let s = value.string { add(language, s) }
            case .array(let a): for element in a { walk(element, language: language) }
            case .object(let o):
                if let v = o["@value"] {
                    walk(v, language: o["@language"]?.string ?? language)
                } else {
                    for key in o.keys.sorted() { if let v = o[key] { walk(v, language: key) } }
                }
            default: break
            }
        }
        if let json { walk(json, language: "none") }
        self.values = values
    }

    public var isEmpty: Bool { values.isEmpty }

    /// The best value and its language: the first of `preferred` present, then `def`, `none`,
    /// `en`, then any (alphabetically, so the choice is stable). CASES.md C04.
    public func best(_ preferred: [String] = []) -> (language: String, value: String)? {
        for language in preferred + ["def", "none", "en"] {
            if let v = values[language]?.first { return (language, v) }
        }
        for language in values.keys.sorted() { if let v = values[language]?.first { return (language, v) } }
        return nil
    }

    public func text(_ preferred: [String] = []) -> String? { best(preferred)?.value }
}
