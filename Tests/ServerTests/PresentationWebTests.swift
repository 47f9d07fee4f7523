import Catalog
import Curation
import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import Logging
import Server
import Testing

private func solid(_ colour: [UInt8], width: Int, height: Int) -> PixelBuffer {
    var pixels = [UInt8]()
    for _ in 0..<(width * height) { pixels.append(contentsOf: colour) }
    return PixelBuffer(width: width, height: height, channels: 3, pixels: pixels)
}

/// 3 ingested items (real libvips, real SQLite) with a duplicate group, a cluster run, a detection,
/// a dataset label and a prediction — what the manifests and pages draw.
private func makeRichStore(_ backend: ServerBackend = .sqlite) async throws -> (ServedStore, [Int64])? {
    let images = [[180, 40, 40], [40, 180, 40], [40, 40, 180]].enumerated().map { i, c in
        solid(c.map(UInt8.init), width: 120 + 10 * i, height: 80)
    }
    let list = "path,title,creator,rights,provider\n" +
        "p0.png,Harvesters <in> a field,Anon.,http://creativecommons.org/publicdomain/mark/1.0/,Museum X\n" +
        "p1.png,Portrait of a lady,Rembrandt,Some local rights text,Museum Y\n" +
        "p2.png,Map of the harbour,Anon.,http://rightsstatements.org/vocab/InC/1.0/,Museum X\n"
    guard let store = try await ingestedStore(prefix: "web", images: images, list: list, backend: backend) else { return nil }
    // Ingest runs in parallel: ids follow completion, not the list. ids[i] is the item of p{i}.png.
    let ids: [Int64] = try store.catalog.sqlRead { db in
        try ["Harvesters <in> a field", "Portrait of a lady", "Map of the harbour"].map { title in
            try #require(try db.value(Int64.self, "SELECT id FROM item WHERE title = ?", [title]))
        }
    }
    let (a, b, c) = (ids[0], ids[1], ids[2])
    try store.catalog.sqlWrite { db in
        let now = Date()
        let dupRun = try db.insert("INSERT INTO run(kind, toolVersion, config, startedAt, status) VALUES ('duplicates', 'test', '{}', ?, 'finished')", [now])
        let group = try db.insert("INSERT INTO duplicateGroup(runID, kind, algorithm, maxDistance, keeperItemID, keeperReason, size) VALUES (?, 'near', 'phash', 10, ?, 'largest', 2)",
                                  [dupRun, a])
        try db.execute("INSERT INTO duplicateMember(groupID, itemID, distanceToKeeper) VALUES (?, ?, 0), (?, ?, 6)", [group, a, group, b])
        let clusterRun = try db.insert("INSERT INTO run(kind, toolVersion, config, startedAt, status) VALUES ('cluster', 'test', '{}', ?, 'finished')", [now])
        for (item, cluster, sil) in [(a, 0, 0.6), (b, 0, 0.4), (c, 1, -0.1)] {
            try db.execute("INSERT INTO clusterAssignment(runID, itemID, cluster, silhouette, centroidSimilarity) VALUES (?, ?, ?, ?, ?)",
                           [clusterRun, item, cluster, sil, 0.3 + sil])
        }
        let gt = try db.insert("INSERT INTO annotationSource(name, kind, format, path, importedAt) VALUES ('gt', 'dataset', 'coco', 'x.json', ?)", [now])
        let predictions = try db.insert("INSERT INTO annotationSource(name, kind, format, path, model, importedAt) VALUES ('lr', 'prediction', 'classifier', '', 'logreg-1', ?)", [now])
        let aat = try db.insert("INSERT INTO category(name) VALUES ('http://vocab.getty.edu/aat/300033618')")
        let ship = try db.insert("INSERT INTO category(name) VALUES ('ship')")
        try db.execute("INSERT INTO annotation(sourceID, itemID, categoryID, boxForm, v0, v1, v2, v3, score) VALUES (?, ?, ?, 'xywh', 10, 20, 30, 40, 0.9)", [gt, a, ship])
        try db.execute("INSERT INTO annotation(sourceID, itemID, categoryID) VALUES (?, ?, ?)", [gt, a, aat])
        try db.execute("UPDATE quality SET flags = CASE itemID WHEN ? THEN 'too_small,low_information' ELSE '' END", [c])
        for (item, score) in [(b, 0.35), (c, 0.8)] {
            try db.execute("INSERT INTO annotation(sourceID, itemID, categoryID, score) VALUES (?, ?, ?, ?)", [predictions, item, aat, score])
        }
    }
    let files = store.files
    try FileManager.default.createDirectory(at: files.appendingPathComponent("reports/charts"), withIntermediateDirectories: true)
    try Data("<html><body>report</body></html>".utf8).write(to: files.appendingPathComponent("reports/index.html"))
    try Data(#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>"#.utf8).write(to: files.appendingPathComponent("reports/charts/confusion-matrix.svg"))
    return (store, ids)
}

private func makeApp(_ store: ServedStore, maxConcurrentRequests: Int = 32) throws -> some ApplicationProtocol {
    let state = try ServerState(configuration: store.configuration(token: "secret", maxConcurrentRequests: maxConcurrentRequests),
                                logger: Logger(label: "test"))
    return Application(router: VitrineServer.makeRouter(state: state))
}

private func object(_ buffer: ByteBuffer) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
}

@Suite("IIIF Presentation 3 and web interface")
struct PresentationWebTests {
    @Test("an item's manifest has a canvas painted by its image service, EDM metadata, rights and tagging annotations", arguments: ServerBackend.allCases)
    func manifest(backend: ServerBackend) async throws {
        guard let rich = try await makeRichStore(backend) else { return }  // PostgreSQL not installed (outside CI)
        let (store, ids) = rich
        let (a, b) = (ids[0], ids[1])
        defer { store.remove() }
        try await makeApp(store).test(.router) { client in
            try await client.execute(uri: "/iiif/manifests/\(a)", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("application/ld+json") == true)
                #expect(r.headers[.accessControlAllowOrigin] == "*")
                let m = try object(r.body)
                #expect(m["@context"] as? String == "http://iiif.io/api/presentation/3/context.json")
                #expect(m["type"] as? String == "Manifest")
                #expect((m["id"] as? String)?.hasSuffix("/iiif/manifests/\(a)") == true)
                #expect((m["label"] as? [String: [String]])?["none"] == ["Harvesters <in> a field"])
                #expect(m["rights"] as? String == "http://creativecommons.org/publicdomain/mark/1.0/")
                let canvas = try #require((m["items"] as? [[String: Any]])?.first)
                #expect(canvas["type"] as? String == "Canvas")
                #expect(canvas["width"] as? Int == 120 && canvas["height"] as? Int == 80)
                let painting = try #require(((canvas["items"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])?.first)
                #expect(painting["motivation"] as? String == "painting")
                #expect(painting["target"] as? String == canvas["id"] as? String)
                let body = try #require(painting["body"] as? [String: Any])
                let service = try #require((body["service"] as? [[String: Any]])?.first)
                #expect((service["id"] as? String)?.hasSuffix("/iiif/3/\(a)") == true && service["type"] as? String == "ImageService3")
                let annotations = try #require(((canvas["annotations"] as? [[String: Any]])?.first?["items"] as? [[String: Any]]))
                let targets = annotations.compactMap { $0["target"] as? String }
                #expect(targets.contains("\(canvas["id"] as? String ?? "")#xywh=10,20,30,40"))
                #expect(annotations.allSatisfy { $0["motivation"] as? String == "tagging" })
                let conceptBody = annotations.compactMap { $0["body"] as? [[String: Any]] }.flatMap { $0 }.compactMap { $0["id"] as? String }
                #expect(conceptBody.contains("http://vocab.getty.edu/aat/300033618"))
            }
            // Local rights text is not a rights URI: it goes to metadata, not `rights`.
            try await client.execute(uri: "/iiif/manifests/\(b)", method: .get) { r in
                let m = try object(r.body)
                #expect(m["rights"] == nil)
                let labels = (m["metadata"] as? [[String: Any]] ?? []).compactMap { ($0["label"] as? [String: [String]])?["en"]?.first }
                #expect(labels.contains("Rights"))
            }
            for uri in ["/iiif/manifests/9999", "/iiif/manifests/abc", "/iiif/collections/clusters/1/9", "/iiif/collections/duplicates/42"] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .notFound, "\(uri)")
                    #expect(r.headers[.accessControlAllowOrigin] == "*", "\(uri)")
                }
            }
        }
    }

    @Test("collections for a cluster, a duplicate group and a search list their manifests; search pages chain", arguments: ServerBackend.allCases)
    func collections(backend: ServerBackend) async throws {
        guard let rich = try await makeRichStore(backend) else { return }  // PostgreSQL not installed (outside CI)
        let (store, ids) = rich
        let (a, b, c) = (ids[0], ids[1], ids[2])
        defer { store.remove() }
        try await makeApp(store).test(.router) { client in
            func manifests(_ uri: String) async throws -> [String] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .ok, "\(uri)")
                    let c = try object(r.body)
                    #expect(c["type"] as? String == "Collection")
                    return (c["items"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String == "Manifest" ? $0["id"] as? String : nil }
                        .map { String($0.split(separator: "/").last ?? "") }
                }
            }
            let clusterRun = try await client.execute(uri: "/api/clusters", method: .get) { r in
                try #require((try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [[String: Any]])?.first?["runID"] as? Int)
            }
            #expect(try await manifests("/iiif/collections/clusters/\(clusterRun)/0") == ["\(a)", "\(b)"])
            #expect(try await manifests("/iiif/collections/duplicates/1") == ["\(a)", "\(b)"])
            #expect(try await manifests("/iiif/collections/search?provider=Museum%20X") == [a, c].sorted().map { "\($0)" })
            #expect(try await manifests("/iiif/collections/search?q=harbour") == ["\(c)"])
            try await client.execute(uri: "/iiif/collections/search?limit=2", method: .get) { r in
                let items = try object(r.body)["items"] as? [[String: Any]] ?? []
                #expect(items.count == 3)
                let next = try #require(items.last)
                #expect(next["type"] as? String == "Collection")
                #expect((next["id"] as? String)?.contains("cursor=") == true)
            }
            try await client.execute(uri: "/iiif/collections/search?minConfidence=x", method: .get) { r in
                #expect(r.status == .badRequest)
                #expect(r.headers[.accessControlAllowOrigin] == "*")
            }
        }
    }

    @Test("every page renders with the error marker script, escapes text and links what it shows", arguments: ServerBackend.allCases)
    func pages(backend: ServerBackend) async throws {
        guard let rich = try await makeRichStore(backend) else { return }  // PostgreSQL not installed (outside CI)
        let (store, ids) = rich
        let (a, b, c) = (ids[0], ids[1], ids[2])
        defer { store.remove() }
        try await makeApp(store).test(.router) { client in
            func page(_ uri: String) async throws -> String {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .ok, "\(uri)")
                    #expect(r.headers[.contentType] == "text/html; charset=utf-8", "\(uri)")
                    return String(buffer: r.body)
                }
            }
            let home = try await page("/")
            #expect(home.contains("data-js-errors"))
            #expect(home.contains("Harvesters &lt;in&gt; a field") && !home.contains("Harvesters <in>"))
            #expect(home.contains("name=\"concept\"") && home.contains("http://vocab.getty.edu/aat/300033618"))
            #expect(home.contains("low_information (1)"))
            let flagged = try await client.execute(uri: "/api/items?quality=low_information", method: .get) { r in
                (try object(r.body)["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            }
            #expect(flagged == [Int(c)])
            let flags = try await client.execute(uri: "/api/items/\(c)", method: .get) { r in try object(r.body)["qualityFlags"] as? [String] }
            #expect(flags == ["too_small", "low_information"])
            let filtered = try await page("/?provider=Museum%20Y")
            #expect(filtered.contains("Portrait of a lady") && !filtered.contains("Map of the harbour"))
            let item = try await page("/items/\(a)")
            #expect(item.contains("<rect x=\"10.0\" y=\"20.0\" width=\"30.0\" height=\"40.0\""))
            #expect(item.contains("/iiif/manifests/\(a)") && item.contains("Duplicate group"))
            let duplicates = try await page("/review/duplicates")
            #expect(duplicates.contains("data-a=\"\(a)\" data-b=\"\(b)\""))
            let predictions = try await page("/review/predictions")
            // Lowest confidence first.
            let low = try #require(predictions.range(of: "data-item=\"\(b)\""))
            let high = try #require(predictions.range(of: "data-item=\"\(c)\""))
            #expect(low.lowerBound < high.lowerBound)
            #expect(try await page("/clusters").contains("silhouette"))
            #expect(try await page("/map").contains("id=\"map\""))
            let evaluations = try await page("/evaluations")
            #expect(evaluations.contains("/reports/charts/confusion-matrix.svg") && evaluations.contains("/reports/index.html"))
            try await client.execute(uri: "/reports/charts/confusion-matrix.svg", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/reports/../catalog.sqlite", method: .get) { r in #expect(r.status != .ok) }
            try await client.execute(uri: "/static/vitrine.js", method: .get) { r in
                #expect(r.status == .ok && String(buffer: r.body).contains("IntersectionObserver"))
            }
            try await client.execute(uri: "/items/77", method: .get) { r in #expect(r.status == .notFound) }
        }
    }

    @Test("/metrics exposes Prometheus counters of the requests served")
    func metrics() async throws {
        let (store, _) = try #require(try await makeRichStore())
        defer { store.remove() }
        try await makeApp(store).test(.router) { client in
            try await client.execute(uri: "/api/items", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: r.body)
                #expect(text.contains("# TYPE hb_requests counter"), "\(text.prefix(400))")
                #expect(text.contains("vitrine_requests_in_flight"))
            }
        }
    }

    @Test("with one request slot, concurrent requests queue and all complete")
    func boundedConcurrency() async throws {
        let (store, ids) = try #require(try await makeRichStore())
        defer { store.remove() }
        // `.router` runs the middleware stack without sockets, so the queue is exercised without a
        // client read timeout that a loaded CI machine could hit while 12 requests wait in one slot.
        try await makeApp(store, maxConcurrentRequests: 1).test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<12 {
                    group.addTask {
                        let id = ids[i % 3]
                        let uri = i % 2 == 0 ? "/api/items/\(id)" : "/iiif/3/\(id)/full/!64,64/0/default.jpg"
                        return try await client.execute(uri: uri, method: .get) { $0.status }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.count == 12 && statuses.allSatisfy { $0 == .ok }, "\(statuses)")
        }
    }
}
