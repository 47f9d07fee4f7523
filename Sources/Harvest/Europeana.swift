import Foundation

/// A Europeana Search API v2 request (`GET {base}/record/v2/search.json`).
/// Spec: https://pro.europeana.eu/page/search — every parameter of the API is a field.
public struct EuropeanaSearchQuery: Sendable, Equatable, Codable {
    public var query: String
    /// Repeated `qf` refinements, e.g. `TYPE:IMAGE`, `COUNTRY:france`.
    public var qf: [String] = []
    /// `open`, `restricted` or `permission` (several allowed).
    public var reusability: [String] = []
    public var media: Bool?
    public var thumbnail: Bool?
    public var landingPage: Bool?
    /// Hex colours (`#RRGGBB`), repeated.
    public var colourPalette: [String] = []
    public var theme: String?
    /// e.g. `score desc`, `timestamp_update desc`, `random`.
    public var sort: String?
    /// `minimal`, `standard`, `rich`, `facets` (several, space-separated, allowed).
    public var profile: String = "rich"
    /// 1…100.
    public var rows: Int = 100
    /// 1-based; plain paging stops at 1,000 results (`start + rows − 1 ≤ 1000`).
    public var start: Int?
    /// Cursor paging: `*` for the first page, then the page's `nextCursor`.
    public var cursor: String?
    public var facet: [String] = []
    /// Preferred language for language maps (also sent as `lang`).
    public var language: String?

    public init(query: String) { self.query = query }

    static let reusabilities: Set<String> = ["open", "restricted", "permission"]
    static let profiles: Set<String> = ["minimal", "standard", "rich", "facets", "breadcrumb", "portal", "params"]

    /// - Throws: `HarvestError(.invalidRequest)` for rows outside 1…100, plain paging beyond
    ///   1,000 results, an unknown reusability or profile, or both `start` and `cursor`.
    public func validate() throws {
        func fail(_ m: String) -> HarvestError { HarvestError(.invalidRequest, url: "search.json", m) }
        guard (1...100).contains(rows) else { throw fail("rows must be 1…100 (got \(rows))") }
        if let start {
            guard cursor == nil else { throw fail("give `start` or `cursor`, not both") }
            guard start >= 1 && start + rows - 1 <= 1000 else { throw fail("plain paging stops at 1,000 results (start \(start), rows \(rows)); use cursor paging") }
        }
        for r in reusability where !Self.reusabilities.contains(r) { throw fail("reusability `\(r)` is not open, restricted or permission") }
        for p in profile.split(separator: " ") where !Self.profiles.contains(String(p)) { throw fail("profile `\(p)` is not minimal, standard, rich or facets") }
    }

    /// The request URL with the key (`wskey`). Log only `EuropeanaClient.redact(_:)` of it.
    public func url(base: String, apiKey: String) throws -> String {
        try validate()
        var items: [URLQueryItem] = [URLQueryItem(name: "wskey", value: apiKey), URLQueryItem(name: "query", value: query)]
        items += qf.map { URLQueryItem(name: "qf", value: $0) }
        if !reusability.isEmpty { items.append(URLQueryItem(name: "reusability", value: reusability.joined(separator: ","))) }
        if let media { items.append(URLQueryItem(name: "media", value: "\(media)")) }
        if let thumbnail { items.append(URLQueryItem(name: "thumbnail", value: "\(thumbnail)")) }
        if let landingPage { items.append(URLQueryItem(name: "landingpage", value: "\(landingPage)")) }
        items += colourPalette.map { URLQueryItem(name: "colourpalette", value: $0) }
        if let theme { items.append(URLQueryItem(name: "theme", value: theme)) }
        if let sort { items.append(URLQueryItem(name: "sort", value: sort)) }
        items.append(URLQueryItem(name: "profile", value: profile))
        items.append(URLQueryItem(name: "rows", value: "\(rows)"))
        if let start { items.append(URLQueryItem(name: "start", value: "\(start)")) }
        if let cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
        items += facet.map { URLQueryItem(name: "facet", value: $0) }
        if let language { items.append(URLQueryItem(name: "lang", value: language)) }
        var components = URLComponents(string: Self.trimmed(base) + "/record/v2/search.json")
        components?.queryItems = items
        // `+` is a space to the Solr backend; encode it.
        let encoded = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = encoded
        guard let url = components?.string else { throw HarvestError(.invalidURL, url: base, "cannot build a search URL on this base") }
        return url
    }

    public static func trimmed(_ base: String) -> String {
        var b = base
        while b.hasSuffix("/") { b.removeLast() }
        return b
    }
}

/// One page of Search API results.
public struct EuropeanaSearchPage: Sendable {
    public var totalResults: Int
    public var itemsCount: Int
    public var nextCursor: String?
    public var items: [EuropeanaItem]

    /// - Throws: `HarvestError(.invalidJSON)` / `.api` (`success: false`, with the API's `error`).
    public static func parse(_ data: Data, source: String, language: String? = nil) throws -> EuropeanaSearchPage {
        let json = try JSONValue.parse(data, source: source)
        if json["success"]?.bool == false {
            throw HarvestError(.api, url: source, "the Search API answered success: false: \(json.first("error") ?? "no reason given")")
        }
        guard let items = json["items"]?.list ?? (json["itemsCount"]?.int == 0 ? [] : nil) else {
            throw HarvestError(.invalidJSON, url: source, "a Search API answer without `items`")
        }
        return EuropeanaSearchPage(totalResults: json["totalResults"]?.int ?? items.count, itemsCount: json["itemsCount"]?.int ?? items.count,
                                   nextCursor: json.first("nextCursor"),
                                   items: items.compactMap { EuropeanaItem(searchItem: $0, language: language) })
    }
}

/// Where an image URL came from, in the order they are tried (CASES.md C01, C02).
public enum EuropeanaImageSource: String, Sendable, Codable, CaseIterable {
    case edmIsShownBy, iiif, edmObject, webResource, edmPreview
}

/// A Europeana record mapped to catalog fields, keeping EDM names.
public struct EuropeanaItem: Sendable, Equatable, Codable {
    /// Europeana id, e.g. `/09102/_GNM_693983`.
    public var id: String
    /// Portal page (`guid`), tracking parameters and the key removed.
    public var guid: String?
    /// `edmIsShownAt`: the provider's landing page (the API's redirect unwrapped).
    public var edmIsShownAt: String?
    public var edmIsShownBy: String?
    public var edmPreview: String?
    /// Record API only.
    public var edmObject: String?
    /// Record API only: image-typed web resources other than edmIsShownBy.
    public var webResources: [String] = []
    /// IIIF Image service base of edmIsShownBy (Record API `svcsHasService`).
    public var iiifService: String?
    public var title: String?
    public var titleLanguage: String?
    public var dcCreator: String?
    public var year: String?
    public var type: String?
    public var rights: String?
    public var provider: String?
    public var dataProvider: String?
    public var country: String?
    /// `skos_concept` / `edmConcept` URIs (AAT, Europeana entities, …).
    public var concepts: [String] = []
    /// Labels of those concepts when the answer gives them (URI → label).
    public var conceptLabels: [String: String] = [:]

    /// Image URLs to try, best first: edmIsShownBy (through its IIIF service when known),
    /// then edmObject and image web resources, then edmPreview (preview-only).
    public var imageCandidates: [(url: String, source: EuropeanaImageSource)] {
        var out: [(String, EuropeanaImageSource)] = []
        if let s = iiifService { out.append((s, .iiif)) }
        if let u = edmIsShownBy { out.append((u, .edmIsShownBy)) }
        if let u = edmObject { out.append((u, .edmObject)) }
        out += webResources.map { ($0, .webResource) }
        if let u = edmPreview { out.append((u, .edmPreview)) }
        var seen = Set<String>()
        return out.filter { seen.insert($0.0).inserted }.map { (url: $0.0, source: $0.1) }
    }

    public init(id: String) { self.id = id }

    /// Maps a Search API item (any profile). Nil without an `id`.
    public init?(searchItem json: JSONValue, language: String? = nil) {
        guard let id = json.first("id") else { return nil }
        self.id = id
        let preferred = language.map { [$0] } ?? []
        func text(_ langAware: String, _ plain: String) -> (String, String)? {
            if let b = LanguageMap(json[langAware]).best(preferred) { return (b.language, b.value) }
            return LanguageMap(json[plain]).best(preferred).map { ($0.language, $0.value) }
        }
        if let t = text("dcTitleLangAware", "title") { title = t.1; titleLanguage = t.0 }
        dcCreator = text("dcCreatorLangAware", "dcCreator")?.1
        guid = json.first("guid").map(Self.cleanGUID)
        edmIsShownAt = json.first("edmIsShownAt").map(Self.unwrapRedirect)
        edmIsShownBy = json["edmIsShownBy"]?.strings.first { !$0.isEmpty }
        edmPreview = json["edmPreview"]?.strings.first { !$0.isEmpty }
        year = json.first("year")
        type = json.first("type")
        rights = json.first("rights")
        provider = json.first("provider")
        dataProvider = json.first("dataProvider")
        country = json.first("country")
        concepts = ((json["edmConcept"]?.strings ?? []) + (json["skos_concept"]?.strings ?? [])).filter { $0.contains("://") }
    }

    /// Maps a Record API v2 answer (`{"object": {...}}`).
    /// - Throws: `HarvestError(.invalidJSON)` / `.api`.
    public static func parseRecord(_ data: Data, source: String, language: String? = nil) throws -> EuropeanaItem {
        let root = try JSONValue.parse(data, source: source)
        if root["success"]?.bool == false {
            throw HarvestError(.api, url: source, "the Record API answered success: false: \(root.first("error") ?? "no reason given")")
        }
        guard let o = root["object"], let about = o.first("about") else { throw HarvestError(.invalidJSON, url: source, "a Record API answer without `object.about`") }
        var item = EuropeanaItem(id: about)
        let preferred = language.map { [$0] } ?? []
        let proxies = (o["proxies"]?.list ?? []).sorted { ($0["europeanaProxy"]?.bool ?? false ? 1 : 0) < ($1["europeanaProxy"]?.bool ?? false ? 1 : 0) }
        func field(_ key: String) -> (String, String)? {
            for p in proxies { if let b = LanguageMap(p[key]).best(preferred) { return (b.language, b.value) } }
            return nil
        }
        if let t = field("dcTitle") { item.title = t.1; item.titleLanguage = t.0 }
        item.dcCreator = field("dcCreator")?.1
        item.year = o["year"].flatMap { LanguageMap($0).text() } ?? field("dcDate")?.1
        item.type = o.first("type")
        let a = o["aggregations"]?.list.first
        item.edmIsShownBy = a?.first("edmIsShownBy")
        item.edmIsShownAt = a?.first("edmIsShownAt").map(unwrapRedirect)
        item.edmObject = a?.first("edmObject")
        item.rights = a.flatMap { LanguageMap($0["edmRights"]).text() }
        item.provider = a.flatMap { LanguageMap($0["edmProvider"]).text() }
        item.dataProvider = a.flatMap { LanguageMap($0["edmDataProvider"]).text() }
        let ea = o["europeanaAggregation"]
        item.edmPreview = ea?.first("edmPreview")
        item.country = ea.flatMap { LanguageMap($0["edmCountry"]).text() }
        item.guid = ea?.first("edmLandingPage").map(cleanGUID)
        var serviceOf: [String: String] = [:]
        for s in o["services"]?.list ?? [] {
            if let id = s.first("about"), (s["dctermsConformsTo"]?.strings ?? []).contains(where: { $0.contains("iiif.io/api/image") }) {
                serviceOf[id] = id
            }
        }
        for w in a?["webResources"]?.list ?? [] {
            guard let url = w.first("about") else { continue }
            let mime = w.first("ebucoreHasMimeType") ?? ""
            if let s = w["svcsHasService"]?.strings.first, url == item.edmIsShownBy { item.iiifService = serviceOf[s] ?? s }
            if mime.hasPrefix("image/"), url != item.edmIsShownBy { item.webResources.append(url) }
        }
        for c in o["concepts"]?.list ?? [] {
            guard let uri = c.first("about") else { continue }
            item.concepts.append(uri)
            if let label = LanguageMap(c["prefLabel"]).text(preferred + ["en"]) { item.conceptLabels[uri] = label }
        }
        return item
    }

    /// `…/api/KEY/redirect?shownAt=URL&…` → `URL` (the key is not kept).
    public static func unwrapRedirect(_ url: String) -> String {
        guard url.contains("/redirect"), let c = URLComponents(string: url),
              let target = c.queryItems?.first(where: { $0.name == "shownAt" })?.value else { return url }
        return target
    }

    /// Removes `utm_*` and `wskey` parameters from a portal URL.
    public static func cleanGUID(_ url: String) -> String {
        guard var c = URLComponents(string: url), let q = c.queryItems else { return url }
        let kept = q.filter { !$0.name.hasPrefix("utm_") && $0.name != "wskey" }
        c.queryItems = kept.isEmpty ? nil : kept
        return c.string ?? url
    }
}

/// Removes an API key from any text (a URL, an error message): the key itself, percent-encoded,
/// and `wskey=` values.
public struct KeyRedactor: Sendable {
    public let key: String?
    public init(key: String?) { self.key = key?.isEmpty == true ? nil : key }

    public func callAsFunction(_ text: String) -> String {
        var t = text
        if let key {
            t = t.replacingOccurrences(of: key, with: "REDACTED")
            if let encoded = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != key {
                t = t.replacingOccurrences(of: encoded, with: "REDACTED")
            }
        }
        if let r = t.range(of: "wskey=") {
            let end = t[r.upperBound...].firstIndex(where: { $0 == "&" || $0 == " " || $0 == ":" }) ?? t.endIndex
            t.replaceSubrange(r.upperBound..<end, with: "REDACTED")
        }
        return t
    }
}
