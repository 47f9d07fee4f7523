import Foundation

/// A concept of a controlled vocabulary (SKOS-like): a URI, preferred labels per language
/// (BCP 47 tag → label) and an optional broader concept's URI.
public struct Concept: Sendable, Codable, Equatable, Hashable {
    public var uri: String
    public var prefLabels: [String: String]
    public var broader: String?

    public init(uri: String, prefLabels: [String: String], broader: String? = nil) {
        self.uri = uri
        self.prefLabels = prefLabels
        self.broader = broader
    }

    /// The label in a language, else English, else any.
    public func label(_ language: String = "en") -> String {
        prefLabels[language] ?? prefLabels["en"] ?? prefLabels.values.sorted().first ?? uri
    }
}

/// A controlled vocabulary: concepts in a fixed order.
public struct Vocabulary: Sendable, Codable, Equatable {
    public var name: String
    public var concepts: [Concept]

    public init(name: String, concepts: [Concept]) {
        self.name = name
        self.concepts = concepts
    }

    /// The concept a label or URI names: a URI exactly, else any preferred label compared
    /// case-insensitively with `_` and `-` read as spaces ("costume_accessories" matches
    /// "costume accessories").
    public func concept(matching text: String) -> Concept? {
        if let c = concepts.first(where: { $0.uri == text }) { return c }
        let key = Self.normalise(text)
        return concepts.first { $0.prefLabels.values.contains { Self.normalise($0) == key } }
    }

    /// The concept for a label, or an ad-hoc one (`urn:vitrine:label:LABEL`) when the
    /// vocabulary has none, so labels outside it are kept rather than dropped.
    public func conceptOrLocal(_ label: String) -> Concept {
        concept(matching: label) ?? Concept(uri: "urn:vitrine:label:" + (label.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? label),
                                           prefLabels: ["en": label])
    }

    static func normalise(_ text: String) -> String {
        text.lowercased().replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
            .trimmingCharacters(in: .whitespaces)
    }

    /// Reads a CSV vocabulary: columns `uri,label[,lang][,broader]` (header row required;
    /// `lang` defaults to `en`; several rows with one URI add labels in other languages).
    /// - Throws: ``CoreError/Code/invalidInput`` naming the file and the row.
    public static func readCSV(_ url: URL) throws -> Vocabulary {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw CoreError(.invalidInput, "cannot read the vocabulary \(url.path): \(error)")
        }
        let table = try CSVTable(text: text)
        guard let u = table.column("uri"), let l = table.column("label", "prefLabel") else {
            throw CoreError(.invalidInput, "\(url.path): a vocabulary needs `uri` and `label` columns (has \(table.header.joined(separator: ", ")))")
        }
        let langColumn = table.column("lang", "language"), broaderColumn = table.column("broader")
        var order: [String] = [], byURI: [String: Concept] = [:]
        for (i, row) in table.rows.enumerated() {
            let uri = row[u].trimmingCharacters(in: .whitespaces), label = row[l].trimmingCharacters(in: .whitespaces)
            guard !uri.isEmpty, !label.isEmpty else { throw CoreError(.invalidInput, "\(url.path) row \(i + 2): empty uri or label") }
            let lang = langColumn.map { row[$0].isEmpty ? "en" : row[$0] } ?? "en"
            if byURI[uri] == nil { order.append(uri); byURI[uri] = Concept(uri: uri, prefLabels: [:]) }
            byURI[uri]?.prefLabels[lang] = label
            if let b = broaderColumn, !row[b].isEmpty { byURI[uri]?.broader = row[b] }
        }
        return Vocabulary(name: url.deletingPathExtension().lastPathComponent, concepts: order.compactMap { byURI[$0] })
    }

    /// The 20 concepts of the Europeana image-classification pilot with Getty AAT URIs, as its
    /// harvesting script maps them (archaeological site → aat/300266151, painting → aat/300033618, …).
    public static let europeanaPilot = Vocabulary(name: "europeana-pilot", concepts: [
        ("archaeological site", "300266151"), ("building", "300004792"), ("ceramics", "300151343"), ("clothing", "300266639"),
        ("costume accessories", "300209273"), ("drawing", "300033973"), ("furniture", "300037680"), ("inscription", "300028702"),
        ("jewellery", "300209286"), ("map", "300028094"), ("painting", "300033618"), ("photograph", "300046300"),
        ("postcard", "300026816"), ("sculpture", "300047090"), ("specimen", "300235576"), ("tapestry", "300205002"),
        ("textile", "300231565"), ("toy", "300211037"), ("weaponry", "300036926"), ("woodwork", "300015348"),
    ].map { Concept(uri: "http://vocab.getty.edu/aat/" + $0.1, prefLabels: ["en": $0.0]) })
}
