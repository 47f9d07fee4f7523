import Foundation
import Hummingbird

/// IIIF Presentation API 3.0 (https://iiif.io/api/presentation/3.0/) over the catalog, so that Mirador,
/// Universal Viewer and other IIIF viewers can open the collection:
///
/// - `/iiif/manifests/{id}`: one Manifest per item, with one Canvas (the item's pixel size) painted by the
///   full image through its `ImageService3` (`/iiif/3/{id}`), a thumbnail, the EDM fields as `metadata`,
///   `dataProvider` as `requiredStatement`, `rights` when it is a Creative Commons or RightsStatements.org
///   URI (§3.3.2; others go to `metadata`), and `annotations`: each detection as a `tagging` Annotation
///   on the region `#xywh=x,y,w,h` (pixels, W3C Media Fragments), each label and prediction as a `tagging`
///   Annotation on the whole canvas, with the AAT concept URI and the confidence in the body.
/// - `/iiif/collections/clusters/{runID}/{cluster}`, `/iiif/collections/duplicates/{groupID}`,
///   `/iiif/collections/search?<filters of GET /api/items>&limit=&cursor=`: Collections of Manifests.
///   A search Collection holds at most `limit` (≤ `--max-page-size`) Manifests and, when more match, a
///   last sub-Collection item pointing at the next page.
///
/// Every answer is `application/ld+json` with the Presentation 3 profile and `Access-Control-Allow-Origin: *`;
/// unknown ids are 404 problems (with CORS).
public enum PresentationRoutes {
    static let context = "http://iiif.io/api/presentation/3/context.json"
    static let contentType = "application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\""
    /// Rights URIs a Presentation 3 `rights` property may carry (§3.3.2); others are listed in `metadata`.
    static let rightsPrefixes = ["http://creativecommons.org/", "https://creativecommons.org/",
                                 "http://rightsstatements.org/", "https://rightsstatements.org/"]

    public static func register(on router: Router<BasicRequestContext>, state: ServerState) {
        let queries = Queries(state: state)
        router.get("/iiif/manifests/:id") { request, context -> Response in
            let id = try identifier(context, "id")
            let detail = try queries.itemDetail(id: id, baseURL: state.baseURL(for: request))
            return try answer(manifest(detail, baseURL: state.baseURL(for: request)))
        }
        router.get("/iiif/collections/clusters/:runID/:cluster") { request, context -> Response in
            let base = state.baseURL(for: request)
            let runID = try identifier(context, "runID")
            let detail = try queries.cluster(runID: runID, cluster: Int(try identifier(context, "cluster")), baseURL: base)
            let c = detail.cluster
            var label = "Cluster \(c.cluster) of run \(c.runID) (\(c.size) items"
            if let s = c.meanSilhouette { label += String(format: ", mean silhouette %.3f", s) }
            label += ")"
            return try answer(collection(id: base + request.uri.path, label: label, items: detail.items, baseURL: base))
        }
        router.get("/iiif/collections/duplicates/:groupID") { request, context -> Response in
            let base = state.baseURL(for: request)
            let detail = try queries.duplicateGroup(id: try identifier(context, "groupID"), baseURL: base)
            let g = detail.group
            let label = "Duplicate group \(g.id) (\(g.kind), \(g.algorithm) ≤ \(g.maxDistance); keeper item \(g.keeperItemID): \(g.keeperReason))"
            return try answer(collection(id: base + request.uri.path, label: label, items: detail.members.map(\.item), baseURL: base))
        }
        router.get("/iiif/collections/search") { request, _ -> Response in
            let base = state.baseURL(for: request)
            let p = APIRoutes.parameters(request)
            let filter: ItemFilter
            let limit: Int
            do {
                filter = try ItemFilter(parameters: p)
                limit = try APIRoutes.intParameter(p, "limit") ?? min(100, state.configuration.maxPageSize)
            } catch let problem as Problem { throw withCORS(problem) }
            let page: ItemPage
            do {
                page = try queries.listItems(filter: filter, limit: limit, cursor: p["cursor"].flatMap { $0.isEmpty ? nil : $0 }, baseURL: base)
            } catch let problem as Problem { throw withCORS(problem) }
            let query = p.filter { !$0.value.isEmpty && (ItemFilter.parameterNames.contains($0.key) || $0.key == "limit") }
                .sorted { $0.key < $1.key }
            let described = query.filter { $0.key != "limit" }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            let id = base + "/iiif/collections/search" + queryString(query + (p["cursor"].map { $0.isEmpty ? [] : [("cursor", $0)] } ?? []))
            var doc = collection(id: id, label: described.isEmpty ? "All items" : "Search: \(described)", items: page.items, baseURL: base)
            if let next = page.nextCursor, var items = doc["items"] as? [[String: Any]] {
                items.append([
                    "id": base + "/iiif/collections/search" + queryString(query + [("cursor", next)]),
                    "type": "Collection", "label": languageMap("More results", language: "en"),
                ])
                doc["items"] = items
            }
            return try answer(doc)
        }
    }

    // MARK: - Documents

    /// The Manifest of one item (see the type's documentation).
    static func manifest(_ detail: ItemDetail, baseURL base: String) -> [String: Any] {
        let item = detail.item
        let manifestID = base + Queries.manifestPath(item.id)
        let canvasID = manifestID + "/canvas/1"
        let service = imageService(item.id, baseURL: base)
        let width = max(1, item.width ?? 1), height = max(1, item.height ?? 1)
        var doc: [String: Any] = [
            "@context": context, "id": manifestID, "type": "Manifest",
            "label": languageMap(item.title ?? "Item \(item.id)"),
            "thumbnail": [thumbnail(item, baseURL: base)],
        ]
        var metadata: [[String: Any]] = []
        func add(_ label: String, _ value: String?) {
            if let value, !value.isEmpty { metadata.append(["label": languageMap(label, language: "en"), "value": languageMap(value)]) }
        }
        add("Creator", item.creator)
        add("Date", detail.date)
        add("Provider", item.provider)
        add("Data provider", item.dataProvider)
        add("Format", detail.format)
        add("Source", detail.sourcePath)
        if let extra = detail.metadata { for key in extra.keys.sorted() { add(key, extra[key]) } }
        if !detail.labels.isEmpty {
            add("Labels", detail.labels.map { "\($0.label) (\($0.origin))" }.joined(separator: "; "))
        }
        if !detail.qualityFlags.isEmpty { add("Quality flags", detail.qualityFlags.joined(separator: ", ")) }
        if let rights = item.rights, !rights.isEmpty {
            if rightsPrefixes.contains(where: { rights.hasPrefix($0) }), URL(string: rights) != nil {
                doc["rights"] = rights
            } else {
                add("Rights", rights)
            }
        }
        if !metadata.isEmpty { doc["metadata"] = metadata }
        if let provider = item.dataProvider, !provider.isEmpty {
            doc["requiredStatement"] = ["label": languageMap("Data provider", language: "en"), "value": languageMap(provider)]
        }
        if let page = detail.landingPage, let url = URL(string: page), url.scheme?.hasPrefix("http") == true {
            doc["homepage"] = [["id": page, "type": "Text", "label": languageMap(item.title ?? "Landing page"), "format": "text/html"]]
        }
        doc["seeAlso"] = [["id": "\(base)/api/items/\(item.id)", "type": "Dataset", "format": "application/json",
                           "label": languageMap("Vitrine catalog record", language: "en")]]
        let painting: [String: Any] = [
            "id": canvasID + "/annotation/image", "type": "Annotation", "motivation": "painting", "target": canvasID,
            "body": [
                "id": "\(base)/iiif/3/\(item.id)/full/max/0/default.jpg", "type": "Image", "format": "image/jpeg",
                "width": width, "height": height, "service": [service],
            ] as [String: Any],
        ]
        var canvas: [String: Any] = [
            "id": canvasID, "type": "Canvas", "width": width, "height": height,
            "label": languageMap(item.title ?? "Item \(item.id)"),
            "thumbnail": [thumbnail(item, baseURL: base)],
            "items": [["id": canvasID + "/page/1", "type": "AnnotationPage", "items": [painting]] as [String: Any]],
        ]
        let annotations = annotationItems(detail, canvasID: canvasID, width: width, height: height)
        if !annotations.isEmpty {
            canvas["annotations"] = [["id": canvasID + "/annotations/1", "type": "AnnotationPage", "items": annotations] as [String: Any]]
        }
        doc["items"] = [canvas]
        return doc
    }

    /// Detections (region targets) and labels/predictions (whole-canvas targets) as `tagging` Annotations.
    static func annotationItems(_ detail: ItemDetail, canvasID: String, width: Int, height: Int) -> [[String: Any]] {
        var out: [[String: Any]] = []
        var n = 0
        func annotation(_ text: String, concept: String?, target: String) {
            n += 1
            var body: [[String: Any]] = [["type": "TextualBody", "value": text, "format": "text/plain", "purpose": "tagging"]]
            if let concept, let url = URL(string: concept), url.scheme?.hasPrefix("http") == true {
                body.append(["id": concept, "type": "Dataset", "label": languageMap(text)])
            }
            out.append(["id": "\(canvasID)/annotation/\(n)", "type": "Annotation", "motivation": "tagging",
                        "body": body.count == 1 ? body[0] : body, "target": target])
        }
        for d in detail.detections {
            // Clamp the box to the canvas; integers as Media Fragments' xywh expects.
            let x = min(max(0, Int(d.x.rounded())), width - 1), y = min(max(0, Int(d.y.rounded())), height - 1)
            let w = max(1, min(Int(d.w.rounded()), width - x)), h = max(1, min(Int(d.h.rounded()), height - y))
            var text = d.category
            if let s = d.score { text += String(format: " (%.2f)", s) }
            text += " — \(d.source)"
            annotation(text, concept: nil, target: "\(canvasID)#xywh=\(x),\(y),\(w),\(h)")
        }
        for l in detail.labels {
            var text = "\(l.label) — \(l.origin)"
            if let c = l.confidence { text += String(format: " (%.2f)", c) }
            annotation(text, concept: l.concept, target: canvasID)
        }
        for p in WebRoutes.topPredictions(detail.predictions) {
            var text = "\(p.concept) — predicted"
            if let c = p.confidence { text += String(format: " (%.2f)", c) }
            if let m = p.model { text += " by \(m)" }
            annotation(text, concept: p.concept, target: canvasID)
        }
        return out
    }

    /// A Collection of the given items' Manifests (each reference with its label and thumbnail, §5.3).
    static func collection(id: String, label: String, items: [ItemSummary], baseURL base: String) -> [String: Any] {
        [
            "@context": context, "id": id, "type": "Collection", "label": languageMap(label, language: "en"),
            "items": items.map { item -> [String: Any] in
                ["id": base + Queries.manifestPath(item.id), "type": "Manifest",
                 "label": languageMap(item.title ?? "Item \(item.id)"), "thumbnail": [thumbnail(item, baseURL: base)]]
            },
        ]
    }

    static func imageService(_ id: Int64, baseURL base: String) -> [String: Any] {
        ["id": "\(base)/iiif/3/\(id)", "type": "ImageService3", "profile": "level2"]
    }

    static func thumbnail(_ item: ItemSummary, baseURL base: String) -> [String: Any] {
        ["id": base + Queries.thumbnailPath(item.id, width: item.width, height: item.height), "type": "Image", "format": "image/jpeg",
         "service": [imageService(item.id, baseURL: base)]]
    }

    /// A IIIF language map (§4.3); data values are `none` (language unknown), interface text `en`.
    static func languageMap(_ value: String, language: String = "none") -> [String: [String]] {
        [language: [value]]
    }

    static func queryString(_ pairs: [(key: String, value: String)]) -> String {
        guard !pairs.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+;#")
        return "?" + pairs.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)" }.joined(separator: "&")
    }

    // MARK: - Plumbing

    static func identifier(_ context: BasicRequestContext, _ name: String) throws -> Int64 {
        do { return try APIRoutes.id(context, name) } catch let problem as Problem {
            throw Problem(.notFound, title: "Unknown identifier", detail: problem.detail, headers: IIIFImageRoutes.corsHeaders())
        }
    }

    static func withCORS(_ problem: Problem) -> Problem {
        var p = problem
        p.headers[.accessControlAllowOrigin] = "*"
        return p
    }

    static func answer(_ document: [String: Any]) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        var headers = IIIFImageRoutes.corsHeaders()
        headers[.contentType] = contentType
        headers[.cacheControl] = "public, max-age=60"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
