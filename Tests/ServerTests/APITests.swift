import Catalog
import Curation
import Foundation
import Hummingbird
import HummingbirdTesting
import Imaging
import Logging
import Server
import Testing

private func apiSolid(_ colour: [UInt8], width: Int, height: Int, stripe: Int) -> PixelBuffer {
    var pixels = [UInt8]()
    for _ in 0..<(width * height) { pixels.append(contentsOf: colour) }
    for x in 0..<stripe { pixels[x * 3] = 255 }
    return PixelBuffer(width: width, height: height, channels: 3, pixels: pixels)
}

/// A store of 3 items ingested from a CSV list with titles, creators, rights and providers.
private func makeStore(_ backend: ServerBackend = .sqlite) async throws -> ServedStore? {
    let images = [[200, 10, 10], [10, 200, 10], [10, 10, 200]].enumerated().map { i, c in
        apiSolid(c.map(UInt8.init), width: 64, height: 48, stripe: 10 * (i + 1))
    }
    let list = "path,title,creator,rights,provider\n" +
        "p0.png,Harvesters in a field,Anon.,http://creativecommons.org/publicdomain/mark/1.0/,Museum X\n" +
        "p1.png,Portrait of a lady,Rembrandt,http://rightsstatements.org/vocab/InC/1.0/,Museum Y\n" +
        "p2.png,Map of the harbour,Anon.,http://creativecommons.org/publicdomain/mark/1.0/,Museum X\n"
    return try await ingestedStore(prefix: "api", images: images, list: list, backend: backend)
}

private func makeApp(_ store: ServedStore, token: String? = "secret", maxPageSize: Int = 200, maxUploadBytes: Int = 20 << 20) throws -> (some ApplicationProtocol, Router<BasicRequestContext>) {
    let state = try ServerState(configuration: store.configuration(token: token, maxUploadBytes: maxUploadBytes, maxPageSize: maxPageSize),
                                logger: Logger(label: "test"))
    let router = VitrineServer.makeRouter(state: state)
    return (Application(router: router), router)
}

private func object(_ buffer: ByteBuffer) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
}

@Suite("REST API")
struct APITests {
    @Test("items filter by provider and rights, FTS query matches titles, cursor pages cover every item once", arguments: ServerBackend.allCases)
    func filtersQueryAndPagination(backend: ServerBackend) async throws {
        guard let store = try await makeStore(backend) else { return }  // PostgreSQL not installed (outside CI)
        defer { store.remove() }
        let (app, _) = try makeApp(store)
        try await app.test(.router) { client in
            for uri in ["/api/items?provider=Museum%20X", "/api/items?provider=Museum+X"] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .ok)
                    let items = try #require(try object(r.body)["items"] as? [[String: Any]])
                    #expect(items.count == 2, "\(uri)")
                }
            }
            var thumbnailPath = ""
            try await client.execute(uri: "/api/items?q=harbour", method: .get) { r in
                let items = try #require(try object(r.body)["items"] as? [[String: Any]])
                #expect(items.map { $0["title"] as? String } == ["Map of the harbour"])
                // Thumbnails fit a 300 px box, and never ask a small image to be scaled up (a 400 without ^).
                let item = try #require(items.first)
                let thumbnail = try #require(item["thumbnail"] as? String)
                let (w, h) = (item["width"] as? Int ?? 0, item["height"] as? Int ?? 0)
                #expect(thumbnail.hasSuffix(w > 300 || h > 300 ? "/full/!300,300/0/default.jpg" : "/full/max/0/default.jpg"), "\(thumbnail) for \(w)×\(h)")
                thumbnailPath = String(thumbnail[try #require(thumbnail.range(of: "/iiif/3/")).lowerBound...])
            }
            try await client.execute(uri: thumbnailPath, method: .get) { r in #expect(r.status == .ok, "\(thumbnailPath)") }
            // The same words find the same items on both backends (FTS5 / PostgreSQL text search):
            // case and diacritics folded, words ANDed, OR, creators searched too.
            for (q, titles) in [("HARBOUR", ["Map of the harbour"]), ("h%C3%A0rbour", ["Map of the harbour"]),
                                ("harbour%20OR%20portrait", ["Map of the harbour", "Portrait of a lady"]),
                                ("map%20harbour", ["Map of the harbour"]), ("map%20lady", []), ("rembrandt", ["Portrait of a lady"]),
                                // As a browser's form sends spaces; text that is no FTS5 query is its plain words.
                                ("map+harbour", ["Map of the harbour"]), ("harbour+OR+portrait", ["Map of the harbour", "Portrait of a lady"]),
                                ("%22harbour", ["Map of the harbour"]), ("O'Harbour", []), ("*", []), ("'%3B%20drop%20table%20item%3B%20--", []),
                                ("%20%20", ["Harvesters in a field", "Map of the harbour", "Portrait of a lady"]),
                                // -word excludes on both backends.
                                ("map+-lady", ["Map of the harbour"]), ("-portrait", ["Harvesters in a field", "Map of the harbour"])] {
                try await client.execute(uri: "/api/items?q=\(q)", method: .get) { r in
                    #expect(r.status == .ok, "q=\(q)")
                    let items = try #require(try object(r.body)["items"] as? [[String: Any]])
                    #expect(items.compactMap { $0["title"] as? String }.sorted() == titles, "q=\(q)")
                }
            }
            try await client.execute(uri: "/api/items?rights=http://rightsstatements.org/vocab/InC/1.0/", method: .get) { r in
                let items = try #require(try object(r.body)["items"] as? [[String: Any]])
                #expect(items.map { $0["creator"] as? String } == ["Rembrandt"])
            }
            var seen: [Int] = []
            var cursor: String? = nil
            repeat {
                let uri = "/api/items?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                cursor = try await client.execute(uri: uri, method: .get) { r in
                    let o = try object(r.body)
                    seen += (o["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                    return o["nextCursor"] as? String
                }
            } while cursor != nil
            #expect(seen.count == 3 && Set(seen).count == 3)
        }
    }

    @Test("bad parameters, unknown ids, missing token and too-large uploads answer problems naming them", arguments: ServerBackend.allCases)
    func problems(backend: ServerBackend) async throws {
        guard let store = try await makeStore(backend) else { return }  // PostgreSQL not installed (outside CI)
        defer { store.remove() }
        let (app, _) = try makeApp(store, maxPageSize: 10, maxUploadBytes: 100)
        try await app.test(.router) { client in
            for (uri, status, word) in [("/api/items?limit=11", HTTPResponse.Status.badRequest, "limit"), ("/api/items?cursor=%%%", .badRequest, "cursor"),
                                        ("/api/items?minConfidence=x", .badRequest, "minConfidence"), ("/api/items?watermark=true", .badRequest, "watermark"),
                                        ("/api/items/999", .notFound, "999"), ("/api/runs/999", .notFound, "run 999"),
                                        ("/api/duplicates/77", .notFound, "77"), ("/api/items/1/similar?k=1000", .badRequest, "k"),
                                        ("/api/items?q=a%00b", .badRequest, "NUL"), ("/api/items?provider=%00", .badRequest, "provider")] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == status, "\(uri)")
                    #expect(r.headers[.contentType] == "application/problem+json")
                    let detail = try object(r.body)["detail"] as? String
                    #expect(detail?.contains(word) == true, "\(uri): \(detail ?? "-")")
                }
            }
            let body = ByteBuffer(string: #"{"itemID":1,"concept":"map","verdict":"accept"}"#)
            try await client.execute(uri: "/api/feedback/labels", method: .post, body: body) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/api/feedback/labels", method: .post, headers: [.authorization: "Bearer wrong"], body: body) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/api/lookup", method: .post, body: ByteBuffer(bytes: [UInt8](repeating: 1, count: 500))) { r in
                #expect(r.status == .contentTooLarge)
            }
            let auth: HTTPFields = [.authorization: "Bearer secret", .contentType: "application/json"]
            for (uri, body, word) in [("/api/feedback/duplicates", #"{"itemA":1,"itemB":2,"verdict":"confirm","who":"a\u0000b"}"#, "NUL"),
                                      ("/api/feedback/labels", #"{"itemID":1,"concept":"  ","verdict":"accept"}"#, "empty"),
                                      ("/api/feedback/similar", #"{"itemID":1,"similarItemID":1,"relevant":true}"#, "both 1")] {
                try await client.execute(uri: uri, method: .post, headers: auth, body: ByteBuffer(string: body)) { r in
                    #expect(r.status == .badRequest, "\(uri)")
                    let detail = try object(r.body)["detail"] as? String
                    #expect(detail?.contains(word) == true, "\(uri): \(detail ?? "-")")
                }
            }
        }
        let (readOnly, _) = try makeApp(store, token: nil)
        try await readOnly.test(.router) { client in
            try await client.execute(uri: "/api/feedback/similar", method: .post, body: ByteBuffer(string: "{}")) { r in #expect(r.status == .forbidden) }
        }
    }

    @Test("an accepted or corrected label becomes a curator label; duplicate verdicts give a precision per threshold", arguments: ServerBackend.allCases)
    func feedbackRoundTrip(backend: ServerBackend) async throws {
        guard let store = try await makeStore(backend) else { return }  // PostgreSQL not installed (outside CI)
        defer { store.remove() }
        try store.catalog.sqlWrite { db in
            let run = try db.insert("INSERT INTO run(kind, toolVersion, config, startedAt, status) VALUES ('duplicates', 'test', '{}', ?, 'finished')", [Date()])
            #expect(try db.insert("INSERT INTO duplicateGroup(runID, kind, algorithm, maxDistance, keeperItemID, keeperReason, size) VALUES (?, 'near', 'phash', 10, 1, 'largest', 3)", [run]) == 1)
            for (item, d) in [(1, 0), (2, 4), (3, 8)] {
                try db.execute("INSERT INTO duplicateMember(groupID, itemID, distanceToKeeper) VALUES (1, ?, ?)", [item, d])
            }
            try db.execute("DELETE FROM imageHash")
        }
        let (app, _) = try makeApp(store)
        let auth: HTTPFields = [.authorization: "Bearer secret", .contentType: "application/json"]
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/feedback/labels", method: .post, headers: auth,
                                     body: ByteBuffer(string: #"{"itemID":3,"concept":"painting","verdict":"correct","correctedConcept":"map","who":"ana"}"#)) { r in
                #expect(r.status == .created)
            }
            try await client.execute(uri: "/api/items?origin=curator&concept=map", method: .get) { r in
                let items = try #require(try object(r.body)["items"] as? [[String: Any]])
                #expect(items.compactMap { $0["id"] as? Int } == [3])
                let labels = items.first?["labels"] as? [[String: Any]]
                #expect(labels?.first?["origin"] as? String == "curator")
            }
            for (b, verdict) in [(2, "confirm"), (3, "reject")] {
                try await client.execute(uri: "/api/feedback/duplicates", method: .post, headers: auth,
                                         body: ByteBuffer(string: #"{"itemA":1,"itemB":\#(b),"groupID":1,"verdict":"\#(verdict)"}"#)) { r in
                    #expect(r.status == .created)
                }
            }
            try await client.execute(uri: "/api/feedback/duplicates/precision", method: .get) { r in
                let rows = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [[String: Any]])
                #expect(rows.map { $0["threshold"] as? Int } == [4, 8])
                #expect(rows.map { $0["precision"] as? Double } == [1.0, 0.5])
            }
            try await client.execute(uri: "/api/items/1", method: .get) { r in
                let o = try object(r.body)
                #expect((o["duplicateGroup"] as? [String: Any])?["algorithm"] as? String == "phash")
            }
        }
    }

    @Test("/openapi.json parses and lists every route the router registered")
    func openAPIListsEveryRoute() async throws {
        let store = try #require(try await makeStore())
        defer { store.remove() }
        let (app, router) = try makeApp(store)
        let registered = Set(router.routes.map { "\($0.path)" }.filter { $0.hasPrefix("/api") || $0 == "/openapi.json" }.map { path in
            path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
        }.map { "/" + $0 })
        try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { r in
                let doc = try object(r.body)
                let paths = Set((doc["paths"] as? [String: Any] ?? [:]).keys)
                #expect(registered.count >= 16)
                #expect(registered == paths, "router: \(registered.sorted()) document: \(paths.sorted())")
            }
        }
    }
}
