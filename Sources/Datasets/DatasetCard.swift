import Foundation

/// Whether a rights statement lets a dataset be shared and reused.
public enum RightsCategory: String, Sendable, Codable, CaseIterable {
    case open, restricted, unknown

    /// The documented table (Europeana's reading of its rights statements):
    ///
    /// | URI (prefix, http or https, any version) | category |
    /// |---|---|
    /// | creativecommons.org/publicdomain/mark, /publicdomain/zero | open |
    /// | creativecommons.org/licenses/by/, /licenses/by-sa/ | open |
    /// | rightsstatements.org/vocab/NoC-US | open |
    /// | creativecommons.org/licenses/by-nc…, /by-nd…, /by-nc-sa…, /by-nc-nd… | restricted |
    /// | rightsstatements.org/vocab/InC…, NoC-NC, NoC-OKLR, NoC-CR | restricted |
    /// | rightsstatements.org/vocab/CNE, UND, NKC; empty; anything else | unknown |
    public static func of(_ uri: String?) -> RightsCategory {
        guard var s = uri?.trimmingCharacters(in: .whitespaces).lowercased(), !s.isEmpty else { return .unknown }
        for prefix in ["https://", "http://"] where s.hasPrefix(prefix) { s.removeFirst(prefix.count) }
        if s.hasPrefix("www.") { s.removeFirst(4) }
        if s.hasPrefix("creativecommons.org/publicdomain/mark") || s.hasPrefix("creativecommons.org/publicdomain/zero") { return .open }
        if s.hasPrefix("creativecommons.org/licenses/by/") || s.hasPrefix("creativecommons.org/licenses/by-sa/") { return .open }
        if s.hasPrefix("creativecommons.org/licenses/by-nc") || s.hasPrefix("creativecommons.org/licenses/by-nd") { return .restricted }
        if s.hasPrefix("rightsstatements.org/vocab/noc-us") { return .open }
        for r in ["rightsstatements.org/vocab/inc", "rightsstatements.org/vocab/noc-nc", "rightsstatements.org/vocab/noc-oklr", "rightsstatements.org/vocab/noc-cr"] where s.hasPrefix(r) {
            return .restricted
        }
        return .unknown
    }
}

/// What a dataset card shows; built by the caller from the catalog.
public struct DatasetCardInput: Sendable, Codable, Equatable {
    public struct LabelSource: Sendable, Codable, Equatable {
        public var id: Int64
        public var name: String
        /// `ground_truth`, `crowd` or `prediction`.
        public var kind: String
        public var format: String
        public var path: String
        public var importedAt: Date
        public var annotations: Int
        /// Model id and sha256 for predictions; the run that made them.
        public var model: String?
        public var modelSHA256: String?
        public var runID: Int64?
        public init(id: Int64, name: String, kind: String, format: String, path: String, importedAt: Date, annotations: Int, model: String? = nil, modelSHA256: String? = nil, runID: Int64? = nil) {
            self.id = id
            self.name = name
            self.kind = kind
            self.format = format
            self.path = path
            self.importedAt = importedAt
            self.annotations = annotations
            self.model = model
            self.modelSHA256 = modelSHA256
            self.runID = runID
        }
    }

    public var title: String
    /// class → subset → annotations (subset `all` when there is no split).
    public var countsByClassAndSplit: [String: [String: Int]]
    /// subset → images.
    public var imagesBySplit: [String: Int]
    /// (width, height) of every image, pixels.
    public var imageSizes: [[Int]]
    /// rights URI (or "") → images.
    public var rights: [String: Int]
    /// provider → images.
    public var providers: [String: Int]
    /// Items left out because they duplicate a kept image.
    public var duplicatesRemoved: Int
    /// Items whose download or decoding failed.
    public var linkFailures: Int
    public var labelSources: [LabelSource]
    public var split: String?

    public init(title: String, countsByClassAndSplit: [String: [String: Int]], imagesBySplit: [String: Int], imageSizes: [[Int]], rights: [String: Int],
                providers: [String: Int], duplicatesRemoved: Int, linkFailures: Int, labelSources: [LabelSource], split: String?) {
        self.title = title
        self.countsByClassAndSplit = countsByClassAndSplit
        self.imagesBySplit = imagesBySplit
        self.imageSizes = imageSizes
        self.rights = rights
        self.providers = providers
        self.duplicatesRemoved = duplicatesRemoved
        self.linkFailures = linkFailures
        self.labelSources = labelSources
        self.split = split
    }
}

/// Dataset cards as Markdown and HTML (after Gebru et al., "Datasheets for Datasets", 2021).
public enum DatasetCard {
    /// The card's tables: (heading, header row, rows).
    static func tables(_ c: DatasetCardInput) -> [(String, [String], [[String]])] {
        let subsets = Array(Set(c.countsByClassAndSplit.values.flatMap(\.keys)).union(c.imagesBySplit.keys)).sorted { order($0) < order($1) }
        var classRows: [[String]] = c.countsByClassAndSplit.keys.sorted().map { name in
            let row = c.countsByClassAndSplit[name] ?? [:]
            return [name] + subsets.map { String(row[$0] ?? 0) } + [String(row.values.reduce(0, +))]
        }
        classRows.append(["**images**"] + subsets.map { String(c.imagesBySplit[$0] ?? 0) } + [String(c.imagesBySplit.values.reduce(0, +))])
        let widths = c.imageSizes.map { $0[0] }.sorted(), heights = c.imageSizes.map { $0[1] }.sorted()
        func median(_ a: [Int]) -> String { a.isEmpty ? "–" : String(a[a.count / 2]) }
        func extremes(_ label: String, _ a: [Int]) -> [String] {
            let lo: String = a.first.map { String($0) } ?? "–"
            let hi: String = a.last.map { String($0) } ?? "–"
            return [label, lo, median(a), hi]
        }
        let sizes: [[String]] = [extremes("width (px)", widths), extremes("height (px)", heights)]
        var byCategory: [RightsCategory: Int] = [:]
        for (uri, n) in c.rights { byCategory[RightsCategory.of(uri), default: 0] += n }
        var rightsRows: [[String]] = RightsCategory.allCases.map { [$0.rawValue, String(byCategory[$0] ?? 0)] }
        for (uri, n) in c.rights.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            let name: String = uri.isEmpty ? "(none)" : uri
            rightsRows.append([name + " — " + RightsCategory.of(uri).rawValue, String(n)])
        }
        var providerRows: [[String]] = []
        for (provider, n) in c.providers.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            providerRows.append([provider.isEmpty ? "(none)" : provider, String(n)])
        }
        let iso = ISO8601DateFormatter()
        var sourceRows: [[String]] = []
        for s in c.labelSources {
            var made: [String] = []
            if let m = s.model { made.append(m) }
            if let sha = s.modelSHA256 { made.append("sha256 " + String(sha.prefix(12))) }
            if let r = s.runID { made.append("run \(r)") }
            let row: [String] = [String(s.id), s.name, s.kind, s.format, s.path, iso.string(from: s.importedAt), String(s.annotations), made.joined(separator: ", ")]
            sourceRows.append(row)
        }
        return [
            ("Counts per class and split", ["class"] + subsets + ["total"], classRows),
            ("Image sizes", ["", "min", "median", "max"], sizes),
            ("Rights", ["statement", "images"], rightsRows),
            ("Providers", ["provider", "images"], providerRows),
            ("Curation", ["", "items"], [["duplicates removed", String(c.duplicatesRemoved)], ["link or decoding failures", String(c.linkFailures)]]),
            ("Provenance of the labels", ["source", "name", "kind", "format", "file", "imported", "annotations", "model / run"], sourceRows),
        ]
    }

    static func order(_ subset: String) -> Int { ["train": 0, "val": 1, "test": 2, "all": 3][subset] ?? 4 }

    public static func markdown(_ c: DatasetCardInput) -> String {
        var md = "# Dataset card: \(c.title)\n\n"
        if let split = c.split { md += "Split: \(split).\n\n" }
        md += "Rights categories follow the table documented in `RightsCategory.of` (open: PDM, CC0, CC BY, CC BY-SA, NoC-US; restricted: NC/ND licences, InC, NoC-NC/OKLR/CR; unknown: CNE, UND, NKC, none or other).\n"
        for (heading, header, rows) in tables(c) {
            md += "\n## \(heading)\n\n| " + header.joined(separator: " | ") + " |\n|" + header.map { _ in "---" }.joined(separator: "|") + "|\n"
            for row in rows { md += "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
        }
        return md
    }

    public static func html(_ c: DatasetCardInput) -> String {
        func e(_ s: String) -> String { XMLText.escape(s) }
        var h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dataset card: \(e(c.title))</title>\n"
        h += "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f3f3f3}</style></head><body>\n"
        h += "<h1>Dataset card: \(e(c.title))</h1>\n"
        if let split = c.split { h += "<p>Split: \(e(split)).</p>\n" }
        for (heading, header, rows) in tables(c) {
            h += "<h2>\(e(heading))</h2>\n<table><thead><tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>\n"
            for row in rows { h += "<tr>" + row.map { "<td>\(e($0.replacingOccurrences(of: "**", with: "")))</td>" }.joined() + "</tr>\n" }
            h += "</tbody></table>\n"
        }
        return h + "</body></html>\n"
    }
}
