import Catalog
import Foundation
import Reports
import VitrineCore

/// Link health of harvested URLs: outcomes by category per provider / dataProvider, so
/// curators can send each provider its broken links.
public struct LinkHealth: Codable, Sendable, Equatable {
    /// Outcome categories, in report order.
    public static let categories = ["ok", "redirected", "404", "4xx", "5xx", "timeout", "network", "not-an-image", "too-large",
                                    "truncated", "redirect-loop", "other"]

    public struct Row: Codable, Sendable, Equatable {
        public var provider: String
        public var dataProvider: String
        /// Category → URLs.
        public var counts: [String: Int]
    }

    public var totals: [String: Int]
    public var rows: [Row]

    /// The category of an outcome kind (`http_404` → `404`, `http_503` → `5xx`, …).
    public static func category(_ kind: String) -> String {
        switch kind {
        case "ok", "redirected", "timeout", "network", "truncated": return kind
        case "http_404": return "404"
        case "not_an_image", "empty": return "not-an-image"
        case "too_large": return "too-large"
        case "redirect_loop", "too_many_redirects": return "redirect-loop"
        case let k where k.hasPrefix("http_5"): return "5xx"
        case let k where k.hasPrefix("http_4"): return "4xx"
        default: return "other"
        }
    }

    public init(_ outcomes: [URLOutcomeRecord]) {
        var totals: [String: Int] = [:]
        var byProvider: [String: Row] = [:]
        for o in outcomes {
            let c = Self.category(o.kind)
            totals[c, default: 0] += 1
            let key = "\(o.provider ?? "")\t\(o.dataProvider ?? "")"
            byProvider[key, default: Row(provider: o.provider ?? "", dataProvider: o.dataProvider ?? "", counts: [:])].counts[c, default: 0] += 1
        }
        self.totals = totals
        self.rows = byProvider.values.sorted { ($0.provider, $0.dataProvider) < ($1.provider, $1.dataProvider) }
    }

    /// Writes `reports/link-health.csv` (every failed URL with its record id and landing page)
    /// and `reports/link-health.html` (an SVG chart of outcomes and a table per provider).
    /// - Returns: the two paths.
    public static func write(_ outcomes: [URLOutcomeRecord], store: URL) throws -> (csv: String, html: String) {
        let folder = store.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var csv = "provider,dataProvider,recordID,landingPage,role,url,kind,message,checkedAt\n"
        let iso = ISO8601DateFormatter()
        for o in outcomes where !o.succeeded {
            csv += [o.provider, o.dataProvider, o.recordID, o.landingPage, o.role, o.url, o.kind, o.message, iso.string(from: o.checkedAt)]
                .map { CSVField.quote($0 ?? "") }.joined(separator: ",") + "\n"
        }
        let csvURL = folder.appendingPathComponent("link-health.csv")
        try Data(csv.utf8).write(to: csvURL, options: .atomic)
        let health = LinkHealth(outcomes)
        let bars = categories.compactMap { c in health.totals[c].map { SVGChart.Bar(label: c, value: Double($0), valueLabel: "\($0)") } }
        let chart = SVGChart.horizontalBars(title: "Link health", description: "URLs by outcome", bars: bars, id: "link-health")
        let esc = HTMLText.escape
        var html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Link health</title>"
            + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:first-child,td:nth-child(2){text-align:left}</style></head><body>"
            + "<h1>Link health</h1><p>\(outcomes.count) URLs checked; failures listed in <a href=\"link-health.csv\">link-health.csv</a>.</p>"
            + chart + "<h2>By provider and data provider</h2><table><tr><th>provider</th><th>dataProvider</th>"
            + categories.map { "<th>\($0)</th>" }.joined() + "</tr>"
        for row in health.rows {
            html += "<tr><td>\(esc(row.provider))</td><td>\(esc(row.dataProvider))</td>" + categories.map { "<td>\(row.counts[$0] ?? 0)</td>" }.joined() + "</tr>"
        }
        html += "</table></body></html>\n"
        let htmlURL = folder.appendingPathComponent("link-health.html")
        try Data(html.utf8).write(to: htmlURL, options: .atomic)
        return (csvURL.path, htmlURL.path)
    }
}

