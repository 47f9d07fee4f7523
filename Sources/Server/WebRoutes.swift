import Foundation
import Hummingbird
import Reports

/// The curators' web interface: server-rendered HTML (each page works without JavaScript; the one
/// script, `/static/vitrine.js`, adds infinite scroll, the review buttons, keyboard shortcuts and the map).
///
/// - `/`: the collection grid with every filter of `GET /api/items`, infinite scroll by cursor.
/// - `/items/{id}`: metadata, labels with confidence and origin, predictions, detections drawn over the
///   image (SVG in image pixels), similar items (relevant / not relevant), the duplicate group, the cluster.
/// - `/review/duplicates[?group=ID]`: a group's keeper beside each member, confirm / reject per pair.
/// - `/review/predictions?concept=C`: a concept's predictions, lowest confidence first, accept / correct.
/// - `/clusters`, `/map`, `/evaluations` (evaluation runs and the charts and confusion matrices of
///   the store's reports), `/reports/…` (the store's `reports/` folder, read-only).
///
/// Write buttons post to the token-protected feedback endpoints with the token typed in the header
/// (kept in the browser's localStorage).
public enum WebRoutes {
    static let pageSize = 60

    public static func register(on router: Router<BasicRequestContext>, state: ServerState) {
        let queries = Queries(state: state)
        router.get("/static/vitrine.css") { _, _ in asset(WebAssets.css, type: "text/css; charset=utf-8") }
        router.get("/static/vitrine.js") { _, _ in asset(WebAssets.js, type: "text/javascript; charset=utf-8") }
        router.get("/") { request, _ in try html(try collectionPage(request, queries: queries, state: state)) }
        router.get("/items/:id") { request, context in
            try html(try itemPage(try APIRoutes.id(context, "id"), request: request, queries: queries, state: state))
        }
        router.get("/review/duplicates") { request, _ in try html(try duplicatesPage(request, queries: queries, state: state)) }
        router.get("/review/predictions") { request, _ in try html(try predictionsPage(request, queries: queries, state: state)) }
        router.get("/clusters") { request, _ in try html(try clustersPage(request, queries: queries, state: state)) }
        router.get("/map") { _, _ in try html(mapPage()) }
        router.get("/evaluations") { _, _ in try html(try evaluationsPage(queries: queries, state: state)) }
        router.get("/reports") { _, _ in Response(status: .seeOther, headers: [.location: "/reports/"]) }
    }

    // MARK: - Pages

    static func collectionPage(_ request: Request, queries: Queries, state: ServerState) throws -> String {
        let p = APIRoutes.parameters(request)
        let filter = try ItemFilter(parameters: p)
        let facets = try Facets.load(queries)
        let page = try queries.listItems(filter: filter, limit: min(pageSize, state.configuration.maxPageSize), cursor: nil, baseURL: "")
        let query = p.filter { ItemFilter.parameterNames.contains($0.key) && !$0.value.isEmpty }.sorted { $0.key < $1.key }
        var body = "<h1>Collection</h1>"
        body += "<form class=\"filters\" method=\"get\" action=\"/\">"
        body += "<label>Text (title, creator, description)<input type=\"search\" name=\"q\" value=\"\(h(p["q"]))\" placeholder=\"e.g. map OR portrait\"></label>"
        body += select("concept", "Label / concept", facets.concepts, p["concept"])
        body += select("origin", "Label origin", facets.origins, p["origin"])
        body += "<label>Confidence ≥<input type=\"number\" step=\"0.05\" min=\"0\" max=\"1\" name=\"minConfidence\" value=\"\(h(p["minConfidence"]))\"></label>"
        body += "<label>Confidence ≤<input type=\"number\" step=\"0.05\" min=\"0\" max=\"1\" name=\"maxConfidence\" value=\"\(h(p["maxConfidence"]))\"></label>"
        body += select("rights", "Rights", facets.rights, p["rights"])
        body += select("provider", "Provider", facets.providers, p["provider"])
        body += select("dataProvider", "Data provider", facets.dataProviders, p["dataProvider"])
        body += select("cluster", "Cluster", facets.clusters, p["cluster"])
        body += "<label>Duplicate group<input type=\"number\" name=\"duplicateGroup\" value=\"\(h(p["duplicateGroup"]))\"></label>"
        body += select("quality", "Quality flag", facets.qualityFlags, p["quality"])
        if facets.hasWatermarks { body += select("watermark", "Watermark", [("true", "flagged"), ("false", "not flagged")], p["watermark"]) }
        body += "<span><button class=\"primary\" type=\"submit\">Filter</button> <a class=\"button\" href=\"/\">Clear</a></span></form>"
        let collection = "/iiif/collections/search" + PresentationRoutes.queryString(query)
        body += "<p class=\"muted\"><span id=\"shown\">\(page.items.count)</span> shown\(page.nextCursor == nil ? "" : " (more load as you scroll)") · "
        body += "<a href=\"\(h(collection))\">IIIF collection of these results</a> · <a href=\"/api/items\(h(PresentationRoutes.queryString(query)))\">JSON</a></p>"
        let queryString = PresentationRoutes.queryString(query).dropFirst()
        body += "<div class=\"grid\" id=\"grid\" data-next=\"\(h(page.nextCursor))\" data-query=\"\(h(String(queryString)))\">"
        body += page.items.map(card).joined()
        body += "</div><div id=\"sentinel\"></div>"
        if page.items.isEmpty { body += "<p>No item matches these filters.</p>" }
        if let next = page.nextCursor {
            body += "<noscript><p><a href=\"/api/items?\(h(String(queryString)))&amp;cursor=\(h(next))\">Next page (JSON)</a></p></noscript>"
        }
        return layout(title: "Collection", current: "/", body: body)
    }

    static func itemPage(_ id: Int64, request: Request, queries: Queries, state: ServerState) throws -> String {
        let detail = try queries.itemDetail(id: id, baseURL: "")
        let item = detail.item
        let title = item.title ?? "Item \(item.id)"
        let width = max(1, item.width ?? 1), height = max(1, item.height ?? 1)
        var body = "<h1>\(h(title))</h1><div class=\"item-layout\"><div>"
        body += "<div class=\"figure\"><img alt=\"\(h(title))\" src=\"\(Queries.thumbnailPath(item.id, width: item.width, height: item.height, box: 1024))\" width=\"\(width)\" height=\"\(height)\">"
        if !detail.detections.isEmpty {
            // Label text at about 1/40 of the longer side, so it reads the same at any image size.
            let fontSize = max(10, max(width, height) / 40)
            body += "<svg viewBox=\"0 0 \(width) \(height)\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"detections\" font-size=\"\(fontSize)\">"
            for d in detail.detections {
                let label = d.category + (d.score.map { String(format: " %.2f", $0) } ?? "")
                body += "<g><title>\(h(label)) (\(h(d.source)))</title><rect x=\"\(fmt(d.x))\" y=\"\(fmt(d.y))\" width=\"\(fmt(d.w))\" height=\"\(fmt(d.h))\"/>"
                body += "<text x=\"\(fmt(d.x + 4))\" y=\"\(fmt(d.y + Double(fontSize) + 2))\">\(h(label))</text></g>"
            }
            body += "</svg>"
        }
        body += "</div><p class=\"muted\">\(width) × \(height) px · <a href=\"/iiif/manifests/\(item.id)\">IIIF manifest</a> · "
        body += "<a href=\"/iiif/3/\(item.id)/info.json\">info.json</a> · <a href=\"/api/items/\(item.id)\">JSON</a></p>"
        if !detail.detections.isEmpty {
            body += "<h2>Detections (\(detail.detections.count))</h2><table><tr><th>Category</th><th>Score</th><th>Box x, y, w, h (px)</th><th>Source</th></tr>"
            for d in detail.detections {
                body += "<tr><td>\(h(d.category))</td><td>\(d.score.map { confidence($0) } ?? "—")</td>"
                body += "<td>\(fmt(d.x)), \(fmt(d.y)), \(fmt(d.w)), \(fmt(d.h))</td><td>\(h(d.source))</td></tr>"
            }
            body += "</table>"
        }
        body += "</div><div>"
        body += "<h2>Metadata</h2><table>"
        func row(_ label: String, _ value: String?, link: Bool = false) {
            guard let value, !value.isEmpty else { return }
            let shown = link && (value.hasPrefix("http://") || value.hasPrefix("https://")) ? "<a href=\"\(h(value))\">\(h(value))</a>" : h(value)
            body += "<tr><th>\(h(label))</th><td>\(shown)</td></tr>"
        }
        row("Title", item.title); row("Creator", item.creator); row("Date", detail.date)
        row("Provider", item.provider); row("Data provider", item.dataProvider); row("Rights", item.rights, link: true)
        row("Landing page", detail.landingPage, link: true); row("Original", detail.originalURL, link: true)
        row("Format", detail.format); row("Source", detail.sourcePath)
        if let extra = detail.metadata { for key in extra.keys.sorted() { row(key, extra[key], link: true) } }
        row("Quality flags", detail.qualityFlags.isEmpty ? nil : detail.qualityFlags.joined(separator: ", "))
        body += "</table>"
        body += "<h2>Labels</h2>"
        if detail.labels.isEmpty { body += "<p class=\"muted\">No labels.</p>" } else {
            body += "<table><tr><th>Concept</th><th>Origin</th><th>Confidence</th></tr>"
            for l in detail.labels {
                body += "<tr><td><a href=\"/?concept=\(u(l.concept))\">\(h(l.label))</a></td><td>\(h(l.origin))</td><td>\(l.confidence.map { confidence($0) } ?? "—")</td></tr>"
            }
            body += "</table>"
        }
        if !detail.predictions.isEmpty {
            body += "<h2>Predictions <span class=\"muted\">(top 5)</span></h2><table><tr><th>Concept</th><th>Confidence</th><th>Model</th><th></th></tr>"
            for p in detail.predictions.sorted(by: { ($0.confidence ?? 1) > ($1.confidence ?? 1) }).prefix(5) {
                body += "<tr><td>\(h(p.concept))</td><td>\(p.confidence.map { confidence($0) } ?? "—")</td><td>\(h(p.model))</td>"
                body += "<td><a href=\"/review/predictions?concept=\(u(p.concept))\">review</a></td></tr>"
            }
            body += "</table>"
        }
        if let g = detail.duplicateGroup {
            let group = try queries.duplicateGroup(id: g.id, baseURL: "")
            body += "<h2>Duplicate group \(g.id)</h2><p class=\"muted\">\(h(g.kind)) · \(h(g.algorithm)) ≤ \(g.maxDistance) · keeper item \(g.keeperItemID) (\(h(g.keeperReason))) · "
            body += "<a href=\"/review/duplicates?group=\(g.id)\">review</a> · <a href=\"/iiif/collections/duplicates/\(g.id)\">IIIF collection</a></p>"
            body += "<div class=\"grid\">" + group.members.filter { $0.item.id != item.id }.map { card($0.item) }.joined() + "</div>"
        }
        if let c = detail.cluster {
            body += "<h2>Cluster</h2><p>Cluster <a href=\"/?cluster=\(c.runID):\(c.cluster)\">\(c.cluster)</a> of run \(c.runID)"
            if let s = c.silhouette { body += String(format: " · silhouette %.3f", s) + (s < 0 ? " (outlier)" : "") }
            body += "</p>"
        }
        body += "</div></div>"
        body += "<h2>Similar items</h2>"
        if let similar = try? queries.similar(id: item.id, k: 12, baseURL: "") {
            body += "<p class=\"muted\">Nearest neighbours by cosine similarity of \(h(similar.model)) embeddings.</p><div class=\"grid\">"
            for n in similar.neighbours {
                body += card(n.item, extra: String(format: "cosine %.3f", n.cosine),
                             actions: "<span class=\"chips\"><button class=\"ok\" data-item=\"\(item.id)\" data-similar=\"\(n.item.id)\" data-relevant=\"true\">relevant</button>"
                                 + "<button class=\"bad\" data-item=\"\(item.id)\" data-similar=\"\(n.item.id)\" data-relevant=\"false\">not relevant</button></span>")
            }
            body += "</div>"
        } else {
            body += "<p class=\"muted\">No embeddings for this item yet: run <code>vitrine embed</code> on the store.</p>"
        }
        return layout(title: title, current: "/", body: body)
    }

    static func duplicatesPage(_ request: Request, queries: Queries, state: ServerState) throws -> String {
        let groups = try queries.duplicateGroups()
        var body = "<h1>Duplicate review</h1>"
        guard !groups.isEmpty else {
            return layout(title: "Duplicate review", current: "/review/duplicates",
                          body: body + "<p>No duplicate groups: run <code>vitrine duplicates</code> on the store.</p>")
        }
        let p = APIRoutes.parameters(request)
        let chosen = try p["group"].flatMap { $0.isEmpty ? nil : $0 }.map { raw -> Int64 in
            guard let v = Int64(raw) else { throw Problem.badParameter("group", raw, "an integer group id") }
            return v
        } ?? groups[0].id
        let detail = try queries.duplicateGroup(id: chosen, baseURL: "")
        let g = detail.group
        let index = groups.firstIndex { $0.id == g.id }
        body += "<p class=\"muted\">Group \(g.id)\(index.map { " (\($0 + 1) of \(groups.count))" } ?? "") · \(h(g.kind)) · \(h(g.algorithm)) ≤ \(g.maxDistance) · "
        body += "proposed keeper: item \(g.keeperItemID) (\(h(g.keeperReason))) · <a href=\"/iiif/collections/duplicates/\(g.id)\">IIIF collection</a></p>"
        body += "<p class=\"muted\">Keys: <span class=\"kbd\">j</span>/<span class=\"kbd\">k</span> next/previous pair, "
        body += "<span class=\"kbd\">y</span> confirm, <span class=\"kbd\">n</span> reject, <span class=\"kbd\">]</span>/<span class=\"kbd\">[</span> next/previous group. "
        body += "Verdicts need the token (header field).</p><nav class=\"chips\">"
        if let i = index, i > 0 { body += "<a class=\"button\" rel=\"prev\" href=\"/review/duplicates?group=\(groups[i - 1].id)\">← previous group</a>" }
        if let i = index, i + 1 < groups.count { body += "<a class=\"button\" rel=\"next\" href=\"/review/duplicates?group=\(groups[i + 1].id)\">next group →</a>" }
        body += "</nav><div class=\"pairs\">"
        let keeper = detail.members.first { $0.item.id == g.keeperItemID } ?? detail.members.first
        for member in detail.members where member.item.id != keeper?.item.id {
            guard let keeper else { break }
            body += "<div class=\"pair\" data-a=\"\(keeper.item.id)\" data-b=\"\(member.item.id)\" data-group=\"\(g.id)\">"
            body += "<figure><img loading=\"lazy\" alt=\"keeper\" src=\"\(Queries.thumbnailPath(keeper.item.id, width: keeper.item.width, height: keeper.item.height, box: 480))\">"
            body += "<figcaption><strong>keeper</strong> · <a href=\"/items/\(keeper.item.id)\">item \(keeper.item.id)</a> · \(dims(keeper.item))</figcaption></figure>"
            body += "<figure><img loading=\"lazy\" alt=\"member\" src=\"\(Queries.thumbnailPath(member.item.id, width: member.item.width, height: member.item.height, box: 480))\">"
            body += "<figcaption><a href=\"/items/\(member.item.id)\">item \(member.item.id)</a> · \(dims(member.item)) · distance \(member.distanceToKeeper)</figcaption></figure>"
            body += "<div class=\"actions\"><button class=\"ok\" data-verdict=\"confirm\">Confirm duplicate (y)</button><button class=\"bad\" data-verdict=\"reject\">Not a duplicate (n)</button></div></div>"
        }
        body += "</div>"
        return layout(title: "Duplicate review", current: "/review/duplicates", body: body)
    }

    static func predictionsPage(_ request: Request, queries: Queries, state: ServerState) throws -> String {
        let p = APIRoutes.parameters(request)
        // The latest classifier run's predicted label of each item: its highest-scoring concept.
        let source: Int64? = try queries.read { db in
            for id in try db.values(Int64.self, "SELECT id FROM annotationSource WHERE kind = 'prediction' ORDER BY id DESC") {
                if try db.value(Bool.self, "SELECT EXISTS (SELECT 1 FROM annotation WHERE sourceID = ? AND boxForm IS NULL)", [id]) == true { return id }
            }
            return nil
        }
        let top = """
            a.sourceID = ? AND a.boxForm IS NULL
            AND coalesce(a.score, 1) >= (SELECT max(coalesce(b.score, 1)) FROM annotation b WHERE b.sourceID = a.sourceID AND b.itemID = a.itemID AND b.boxForm IS NULL)
            """
        let concepts = try queries.read { db in
            try db.rows("""
                SELECT c.name, count(*) FROM annotation a JOIN category c ON c.id = a.categoryID
                WHERE \(top) GROUP BY c.name ORDER BY c.name
                """, [source]).map { (name: try $0[0] as String, count: try $0[1] as Int) }
        }
        var body = "<h1>Prediction review</h1>"
        guard !concepts.isEmpty else {
            return layout(title: "Prediction review", current: "/review/predictions",
                          body: body + "<p>No predictions: run <code>vitrine classify predict</code> on the store.</p>")
        }
        let concept = p["concept"].flatMap { $0.isEmpty ? nil : $0 } ?? concepts[0].name
        body += "<form class=\"filters\" method=\"get\"><label>Concept<select name=\"concept\" onchange=\"this.form.submit()\">"
        for c in concepts { body += "<option value=\"\(h(c.name))\"\(c.name == concept ? " selected" : "")>\(h(c.name)) (\(c.count))</option>" }
        body += "</select></label><span><button type=\"submit\">Show</button></span></form>"
        let rows = try queries.read { db in
            try db.rows("""
                SELECT i.*, a.score AS score, s.model AS model FROM annotation a JOIN category c ON c.id = a.categoryID
                JOIN annotationSource s ON s.id = a.sourceID JOIN item i ON i.id = a.itemID
                WHERE \(top) AND c.name = ?
                  AND NOT EXISTS (SELECT 1 FROM labelFeedback f WHERE f.itemID = a.itemID AND f.concept = c.name)
                ORDER BY coalesce(a.score, 1.0), i.id LIMIT 120
                """, [source, concept]).map { (item: try Queries.summary($0, db: db, baseURL: ""), score: $0["score"] as Double?, model: $0["model"] as String?) }
        }
        body += "<p class=\"muted\">Items whose predicted label (the classifier's top concept) is <strong>\(h(concept))</strong>, not yet reviewed, lowest confidence first (up to 120). "
        body += "Keys: <span class=\"kbd\">j</span>/<span class=\"kbd\">k</span> move, <span class=\"kbd\">a</span> accept, <span class=\"kbd\">c</span> correct. "
        body += "Accepted and corrected labels become labels of origin <em>curator</em> (needs the token).</p>"
        if rows.isEmpty { body += "<p>Every prediction of this concept has been reviewed.</p>" }
        body += "<div class=\"grid\">"
        for r in rows {
            var options = "<option value=\"\">correct to…</option>"
            for c in concepts where c.name != concept { options += "<option value=\"\(h(c.name))\">\(h(c.name))</option>" }
            let actions = "<span class=\"chips\"><button class=\"ok accept\">Accept</button><select class=\"correct\" aria-label=\"correct to\">\(options)</select></span>"
            body += card(r.item, extra: "confidence " + (r.score.map { confidence($0) } ?? "—"), actions: actions,
                         attributes: " data-item=\"\(r.item.id)\" data-concept=\"\(h(concept))\"")
        }
        body += "</div>"
        return layout(title: "Prediction review", current: "/review/predictions", body: body)
    }

    static func clustersPage(_ request: Request, queries: Queries, state: ServerState) throws -> String {
        let clusters = try queries.clusters()
        var body = "<h1>Clusters</h1>"
        guard let latest = clusters.first?.runID else {
            return layout(title: "Clusters", current: "/clusters", body: body + "<p>No clusters: run <code>vitrine cluster</code> on the store.</p>")
        }
        let runs = Array(Set(clusters.map(\.runID))).sorted(by: >)
        let p = APIRoutes.parameters(request)
        let runID = p["run"].flatMap { Int64($0) } ?? latest
        body += "<p class=\"muted\">k-means over the embeddings; silhouette coefficient (Rousseeuw 1987) per cluster. "
        body += "Run \(runID)\(runs.count > 1 ? " · other runs: " + runs.filter { $0 != runID }.map { "<a href=\"/clusters?run=\($0)\">\($0)</a>" }.joined(separator: ", ") : "")"
        body += FileManager.default.fileExists(atPath: state.configuration.store.appendingPathComponent("reports/clusters/index.html").path)
            ? " · <a href=\"/reports/clusters/\">cluster report</a></p>" : "</p>"
        for c in clusters where c.runID == runID {
            let detail = try queries.cluster(runID: runID, cluster: c.cluster, limit: 8, baseURL: "")
            body += "<h2>Cluster \(c.cluster) <span class=\"muted\">· \(c.size) items"
            if let s = c.meanSilhouette { body += String(format: " · mean silhouette %.3f", s) }
            body += " · <a href=\"/?cluster=\(runID):\(c.cluster)\">all items</a> · <a href=\"/iiif/collections/clusters/\(runID)/\(c.cluster)\">IIIF collection</a></span></h2>"
            body += "<div class=\"grid\">" + detail.items.map { card($0) }.joined() + "</div>"
        }
        return layout(title: "Clusters", current: "/clusters", body: body)
    }

    static func mapPage() -> String {
        let body = """
        <h1>Map of the collection</h1>
        <p class="muted">Each thumbnail is placed by the 2-D projection of its embedding (<code>vitrine map</code>), framed in its cluster's or label's colour.
        Wheel or buttons to zoom, drag to pan, click to open. <button id="zoom-in" type="button">+</button> <button id="zoom-out" type="button">−</button>
        · <a href="/api/map">coordinates (JSON)</a></p>
        <div id="map" role="img" aria-label="map of the collection"></div><div class="legend" id="legend"></div>
        """
        return layout(title: "Map", current: "/map", body: body)
    }

    static func evaluationsPage(queries: Queries, state: ServerState) throws -> String {
        let kinds: Set = ["evaluation", "evaluation-detections", "classification-evaluation", "classifier-train", "duplicates", "cluster"]
        let runs = try queries.runs().filter { kinds.contains($0.kind) }
        var body = "<h1>Evaluations</h1>"
        if runs.isEmpty { body += "<p class=\"muted\">No evaluation runs yet (e.g. <code>vitrine classify evaluate</code>, <code>vitrine evaluate detections</code>, <code>vitrine duplicates --evaluate</code>).</p>" } else {
            body += "<table><tr><th>Run</th><th>Kind</th><th>Finished</th><th>Summary</th></tr>"
            let formatter = ISO8601DateFormatter()
            for r in runs.prefix(50) {
                body += "<tr><td><a href=\"/api/runs/\(r.id)\">\(r.id)</a></td><td>\(h(r.kind))</td><td>\(h(r.finishedAt.map { formatter.string(from: $0) }))</td>"
                body += "<td>\(h(String((r.summary ?? "").prefix(240))))</td></tr>"
            }
            body += "</table>"
        }
        let (pages, charts) = reportFiles(state.configuration.store.appendingPathComponent("reports"))
        body += "<h2>Reports</h2>"
        if pages.isEmpty { body += "<p class=\"muted\">No reports in the store yet (<code>vitrine report</code>).</p>" } else {
            body += "<ul>" + pages.map { "<li><a href=\"/reports/\(h($0))\">\(h($0))</a></li>" }.joined() + "</ul>"
        }
        if !charts.isEmpty {
            body += "<h2>Charts and confusion matrices</h2><div class=\"charts\">"
            for c in charts.prefix(60) {
                body += "<figure><a href=\"/reports/\(h(c))\"><img loading=\"lazy\" alt=\"\(h(c))\" src=\"/reports/\(h(c))\"></a><figcaption>\(h(c))</figcaption></figure>"
            }
            body += "</div>"
        }
        return layout(title: "Evaluations", current: "/evaluations", body: body)
    }

    /// HTML reports and SVG charts under `reports/` (relative paths, sorted; two folder levels deep).
    static func reportFiles(_ root: URL) -> (pages: [String], charts: [String]) {
        var pages: [String] = [], charts: [String] = []
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]) else { return ([], []) }
        let rootPath = root.standardizedFileURL.path + "/"
        for case let url as URL in e {
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPath) else { continue }
            let rel = String(path.dropFirst(rootPath.count))
            if rel.split(separator: "/").count > 3 { e.skipDescendants(); continue }
            if rel.hasPrefix("screenshots/") { continue }
            if url.pathExtension == "html" { pages.append(rel) } else if url.pathExtension == "svg" { charts.append(rel) }
        }
        return (pages.sorted(), charts.sorted())
    }

    // MARK: - Pieces

    static func layout(title: String, current: String, body: String) -> String {
        let links = [("/", "Collection"), ("/review/duplicates", "Duplicates"), ("/review/predictions", "Predictions"),
                     ("/clusters", "Clusters"), ("/map", "Map"), ("/evaluations", "Evaluations"), ("/reports/", "Reports")]
        let nav = links.map { "<a href=\"\($0.0)\"\($0.0 == current ? " aria-current=\"page\"" : "")>\($0.1)</a>" }.joined()
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">\(WebAssets.errorMarker)
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(h(title)) · Vitrine</title><link rel="stylesheet" href="/static/vitrine.css"></head>
        <body><header class="top"><a class="brand" href="/">VITRINE</a><nav>\(nav)</nav>
        <label class="token">token <input id="token" type="password" autocomplete="off" placeholder="for reviews"></label></header>
        <main>\(body)</main><div class="toast" id="toast" role="status" aria-live="polite"></div>
        <script src="/static/vitrine.js"></script></body></html>
        """
    }

    static func card(_ item: ItemSummary) -> String { card(item, extra: nil, actions: nil) }

    static func card(_ item: ItemSummary, extra: String?, actions: String?, attributes: String = "") -> String {
        let chips = shownLabels(item.labels).map { l in
            "<span class=\"chip \(h(l.origin))\" title=\"\(h(l.origin))\(l.confidence.map { String(format: " %.2f", $0) } ?? "")\">\(h(l.label))</span>"
        }.joined()
        var out = "<div class=\"card\"\(attributes)><a class=\"thumb\" href=\"/items/\(item.id)\"><img loading=\"lazy\" alt=\"\" src=\"\(h(Queries.thumbnailPath(item.id, width: item.width, height: item.height)))\"></a>"
        out += "<div class=\"meta\"><a class=\"title\" href=\"/items/\(item.id)\">\(h(item.title ?? "Item \(item.id)"))</a>"
        out += "<div class=\"muted\">\(h(item.dataProvider ?? item.provider ?? ""))\(extra.map { " · " + h($0) } ?? "")</div><div class=\"chips\">\(chips)</div>"
        if let actions { out += actions }
        return out + "</div></div>"
    }

    /// The labels a card shows: every non-predicted label, then the top prediction (at most 4).
    static func shownLabels(_ labels: [LabelSummary]) -> [LabelSummary] {
        let given = labels.filter { $0.origin != "prediction" }
        let top = labels.filter { $0.origin == "prediction" }.max { ($0.confidence ?? 1) < ($1.confidence ?? 1) }
        return Array((given + (top.map { [$0] } ?? [])).prefix(4))
    }

    /// Per model (and run), the highest-confidence prediction, plus any other at 0.5 or above.
    static func topPredictions(_ predictions: [PredictionSummary]) -> [PredictionSummary] {
        var best: [String: PredictionSummary] = [:]
        for p in predictions {
            let key = "\(p.model ?? "")|\(p.runID ?? 0)"
            if let b = best[key], (b.confidence ?? 1) >= (p.confidence ?? 1) { continue }
            best[key] = p
        }
        return predictions.filter { p in
            (p.confidence ?? 1) >= 0.5 || best.values.contains { $0.concept == p.concept && $0.model == p.model && $0.runID == p.runID }
        }
    }

    static func select(_ name: String, _ label: String, _ options: [(value: String, label: String)], _ current: String?) -> String {
        var out = "<label>\(h(label))<select name=\"\(name)\"><option value=\"\">any</option>"
        for o in options { out += "<option value=\"\(h(o.value))\"\(o.value == current ? " selected" : "")>\(h(o.label))</option>" }
        if let current, !current.isEmpty, !options.contains(where: { $0.value == current }) {
            out += "<option value=\"\(h(current))\" selected>\(h(current))</option>"
        }
        return out + "</select></label>"
    }

    static func dims(_ item: ItemSummary) -> String {
        guard let w = item.width, let hh = item.height else { return "size unknown" }
        return "\(w) × \(hh) px"
    }

    static func confidence(_ value: Double) -> String {
        let pct = max(0, min(1, value))
        return "<span class=\"bar\" style=\"width:\(Int(pct * 60))px\"></span>" + String(format: "%.2f", value)
    }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    /// HTML-escapes text for element content and quoted attribute values (`Reports.HTMLText`).
    static func h(_ s: String?) -> String { s.map(HTMLText.escape) ?? "" }

    /// Percent-encodes a query parameter value.
    static func u(_ s: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+;#")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    static func html(_ page: String) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The values offered by the collection grid's filters.
struct Facets {
    var concepts: [(value: String, label: String)] = []
    var origins: [(value: String, label: String)] = []
    var rights: [(value: String, label: String)] = []
    var providers: [(value: String, label: String)] = []
    var dataProviders: [(value: String, label: String)] = []
    var clusters: [(value: String, label: String)] = []
    var qualityFlags: [(value: String, label: String)] = []
    var hasWatermarks = false

    static func load(_ queries: Queries) throws -> Facets {
        try queries.read { db in
            var f = Facets()
            func pairs(_ sql: String) throws -> [(value: String, label: String)] {
                try db.rows(sql).compactMap { row in
                    guard let v = row[0] as String?, !v.isEmpty else { return nil }
                    let n: Int = try row[1]
                    return (v, "\(v) (\(n))")
                }
            }
            f.concepts = try pairs("""
                SELECT c.name, count(DISTINCT a.itemID) FROM annotation a JOIN category c ON c.id = a.categoryID
                WHERE a.boxForm IS NULL GROUP BY c.name ORDER BY c.name LIMIT 500
                """)
            f.origins = try pairs("SELECT s.kind, count(*) FROM annotation a JOIN annotationSource s ON s.id = a.sourceID WHERE a.boxForm IS NULL GROUP BY s.kind ORDER BY s.kind")
            f.rights = try pairs("SELECT rights, count(*) FROM item WHERE status = 'ok' GROUP BY rights ORDER BY count(*) DESC LIMIT 100")
            f.providers = try pairs("SELECT provider, count(*) FROM item WHERE status = 'ok' GROUP BY provider ORDER BY count(*) DESC LIMIT 200")
            f.dataProviders = try pairs("SELECT dataProvider, count(*) FROM item WHERE status = 'ok' GROUP BY dataProvider ORDER BY count(*) DESC LIMIT 200")
            if let run = try db.value(Int64.self, "SELECT max(runID) FROM clusterAssignment") {
                f.clusters = try db.rows("SELECT cluster, count(*) FROM clusterAssignment WHERE runID = ? GROUP BY cluster ORDER BY cluster", [run])
                    .map { ("\(run):\(try $0[0] as Int)", "\(try $0[0] as Int) (\(try $0[1] as Int))") }
            }
            var flagCounts: [String: Int] = [:]
            for text in try db.values(String.self, "SELECT flags FROM quality WHERE flags != ''") {
                for flag in text.split(separator: ",") { flagCounts[String(flag), default: 0] += 1 }
            }
            f.qualityFlags = flagCounts.keys.sorted().map { ($0, "\($0) (\(flagCounts[$0] ?? 0))") }
            f.hasWatermarks = try db.tableExists("watermark_score")
            return f
        }
    }
}
