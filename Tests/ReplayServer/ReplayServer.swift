import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP server on 127.0.0.1 (SwiftNIO) for harvest tests and offline demos. It replays
/// the recorded Europeana Search/Record answers of the corpus with image URLs rewritten to
/// itself, serves corpus images and the static IIIF level-0 tree, and injects faults.
///
/// Paths:
/// - `/record/v2/search.json?wskey=…&rows=N&cursor=C`: the recorded search page, paged by
///   `rows` with `nextCursor` (`*`, then `c<offset>`); 401 without `wskey`. With
///   `records:` set, that many synthetic records (clean URLs) instead, for benchmarks.
/// - `/record/v2/{id}.json`: the recorded record with `about`, `edmIsShownBy`, `edmObject` rewritten.
/// - `/img/N.jpg`, `/preview/N.jpg`: corpus JPEG number N (mod the image count).
/// - `/fault/KIND/N.jpg`: `404`; `429` (first hit 429 + `Retry-After: 1`, then the image);
///   `500` (first hit 500, then the image); `slow` (a byte every 100 ms); `html` (an HTML page
///   sent as image/jpeg); `truncated` (half the bytes of Content-Length, then closed); `loop`
///   (302 to `/fault/loop2/N.jpg`, which 302s back); `redirect` (302 to `/img/N.jpg`); `empty` (0 bytes).
/// - `/iiif/iiif_3_0_tiled/…`: the static tree; its `info.json` gets this server's id, `level0`
///   and the `sizes` the tree holds. `/iiif/manifest.json`: a v3 manifest with one canvas on it;
///   `/iiif/collection.json`: a collection listing that manifest twice and itself.
///
/// The recorded search items get, by position: 0 a 404 edmIsShownBy (CASES.md C02), 1 no
/// edmIsShownBy (C01), 2 `429`, 3 `500`, 4 `slow`, 5 `html`, 6 `truncated`, 7 `loop`,
/// 8 `redirect`, 9 `empty`, the rest plain images; every item keeps an `edmPreview` on `/preview/N.jpg`.
public final class ReplayServer: Sendable {
    public let port: Int
    public var base: String { "http://127.0.0.1:\(port)" }
    private let channel: Channel
    let routes: Routes

    /// The faults of the recorded search items, by position (nil: a plain image; `missing`: no edmIsShownBy).
    public static let faultPlan: [String?] = ["404", "missing", "429", "500", "slow", "html", "truncated", "loop", "redirect", "empty"]

    /// Starts the server.
    /// - Parameters:
    ///   - corpus: the `shared/corpus` folder.
    ///   - port: 0 for any free port.
    ///   - records: synthetic search records instead of the recorded page (benchmarks).
    public static func start(corpus: URL, port: Int = 0, records: Int? = nil) async throws -> ReplayServer {
        let routes = try Routes(corpus: corpus, records: records)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(routes: routes))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        guard let bound = channel.localAddress?.port else { throw ReplayError("the server has no port") }
        routes.base.withLockedValue { $0 = "http://127.0.0.1:\(bound)" }
        return ReplayServer(port: bound, channel: channel, routes: routes)
    }

    private init(port: Int, channel: Channel, routes: Routes) {
        self.port = port
        self.channel = channel
        self.routes = routes
    }

    /// Requests seen for a path (without query).
    public func hits(_ path: String) -> Int { routes.counts.withLockedValue { $0[path] ?? 0 } }

    /// Bytes of image N as served.
    public func image(_ n: Int) -> Data { routes.image(n) }

    /// Ids of the recorded search items, in order.
    public var recordIDs: [String] { routes.ids }

    public func stop() async {
        try? await channel.close()
    }
}

struct ReplayError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

struct Reply {
    enum Mode { case normal, slow, truncated }
    var status: HTTPResponseStatus
    var headers: [(String, String)] = []
    var body: Data = Data()
    var mode: Mode = .normal
}

final class Routes: Sendable {
    let images: [Data]
    let items: [Data]
    let ids: [String]
    let record: Data
    let tree: URL
    let records: Int?
    let counts = NIOLockedValueBox<[String: Int]>([:])
    let base = NIOLockedValueBox<String>("")

    init(corpus: URL, records: Int?) throws {
        self.records = records
        let fm = FileManager.default
        let imagesFolder = corpus.appendingPathComponent("images")
        var found: [Data] = []
        let folders = ((try? fm.contentsOfDirectory(atPath: imagesFolder.path)) ?? []).sorted()
        outer: for folder in folders {
            for name in ((try? fm.contentsOfDirectory(atPath: imagesFolder.appendingPathComponent(folder).path)) ?? []).sorted()
                where name.lowercased().hasSuffix(".jpg") {
                let url = imagesFolder.appendingPathComponent(folder).appendingPathComponent(name)
                if let d = try? Data(contentsOf: url), d.count < 400_000, d.count > 2_000 { found.append(d) }
                if found.count >= 48 { break outer }
            }
        }
        guard !found.isEmpty else { throw ReplayError("no JPEG images under \(imagesFolder.path)") }
        images = found
        let search = corpus.appendingPathComponent("api/europeana/search/search_api_v2_query_all_profile_rich_facets_hits.json")
        let page = try JSONSerialization.jsonObject(with: Data(contentsOf: search)) as? [String: Any] ?? [:]
        let raw = page["items"] as? [[String: Any]] ?? []
        var items: [Data] = []
        var ids: [String] = []
        for (n, var item) in raw.enumerated() {
            let id = (item["id"] as? String ?? "/x/\(n)") + (raw.prefix(n).contains { ($0["id"] as? String) == (item["id"] as? String) } ? "_\(n)" : "")
            item["id"] = id
            ids.append(id)
            let fault = n < Self.plan.count ? Self.plan[n] : nil
            switch fault {
            case "missing": item.removeValue(forKey: "edmIsShownBy")
            case let f?: item["edmIsShownBy"] = ["BASE/fault/\(f)/\(n).jpg"]
            case nil: item["edmIsShownBy"] = ["BASE/img/\(n).jpg"]
            }
            item["edmPreview"] = ["BASE/preview/\(n).jpg"]
            items.append(try JSONSerialization.data(withJSONObject: item, options: [.sortedKeys]))
        }
        self.items = items
        self.ids = ids
        record = try Data(contentsOf: corpus.appendingPathComponent("api/europeana/record/record_api_v2_09102__GNM_693983_stein_piano.json"))
        tree = corpus.appendingPathComponent("api/iiif/static_level0_tree")
    }

    static let plan = ReplayServer.faultPlan

    func image(_ n: Int) -> Data { images[((n % images.count) + images.count) % images.count] }

    func json(_ data: Data) -> Reply {
        Reply(status: .ok, headers: [("Content-Type", "application/json")], body: data)
    }

    func text(_ status: HTTPResponseStatus, _ s: String, type: String = "text/plain") -> Reply {
        Reply(status: status, headers: [("Content-Type", type)], body: Data(s.utf8))
    }

    func jpeg(_ n: Int) -> Reply { Reply(status: .ok, headers: [("Content-Type", "image/jpeg")], body: image(n)) }

    func answer(_ uri: String) -> Reply {
        let components = URLComponents(string: uri)
        let path = components?.path ?? uri
        let query = Dictionary((components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { a, _ in a }
        let hit = counts.withLockedValue { c -> Int in
            c[path, default: 0] += 1
            return c[path] ?? 1
        }
        let base = self.base.withLockedValue { $0 }
        let parts = path.split(separator: "/").map(String.init)
        func number(_ s: String) -> Int { Int(s.split(separator: ".").first ?? "") ?? 0 }
        if path == "/record/v2/search.json" {
            guard let key = query["wskey"], !key.isEmpty else {
                return text(.unauthorized, #"{"success":false,"error":"No API key provided"}"#, type: "application/json")
            }
            let rows = min(100, max(1, Int(query["rows"] ?? "") ?? 12))
            let cursor = query["cursor"] ?? "*"
            let offset = cursor == "*" ? 0 : Int(cursor.dropFirst()) ?? 0
            let total = records ?? items.count
            let end = min(total, offset + rows)
            var page: [Data] = []
            if offset < end {
                for i in offset..<end {
                    if records != nil {
                        let id = "/bench/record_\(i)"
                        page.append(Data(#"{"id":"\#(id)","title":["Record \#(i)"],"edmIsShownBy":["BASE/img/\#(i).jpg"],"edmPreview":["BASE/preview/\#(i).jpg"],"provider":["Bench provider"],"dataProvider":["Bench museum"],"rights":["http://creativecommons.org/publicdomain/mark/1.0/"],"type":"IMAGE"}"#.utf8))
                    } else {
                        page.append(items[i])
                    }
                }
            }
            let next = end < total ? ",\"nextCursor\":\"c\(end)\"" : ""
            var body = Data("{\"apikey\":\"\(key)\",\"success\":true,\"itemsCount\":\(page.count),\"totalResults\":\(total)\(next),\"items\":[".utf8)
            for (i, d) in page.enumerated() {
                if i > 0 { body.append(contentsOf: Array(",".utf8)) }
                body.append(d)
            }
            body.append(contentsOf: Array("]}".utf8))
            return json(Data(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "BASE\\/", with: base + "/")
                .replacingOccurrences(of: "BASE/", with: base + "/").utf8))
        }
        if parts.count >= 3, parts[0] == "record", parts[1] == "v2", path.hasSuffix(".json") {
            let id = "/" + parts.dropFirst(2).joined(separator: "/").replacingOccurrences(of: ".json", with: "")
            guard let n = ids.firstIndex(of: id) else { return text(.notFound, #"{"success":false,"error":"Invalid record identifier: \#(id)"}"#, type: "application/json") }
            guard var root = try? JSONSerialization.jsonObject(with: record) as? [String: Any], var object = root["object"] as? [String: Any],
                  var aggregations = object["aggregations"] as? [[String: Any]], !aggregations.isEmpty else { return text(.internalServerError, "bad record") }
            object["about"] = id
            let shown = (try? JSONSerialization.jsonObject(with: items[n]) as? [String: Any])?["edmIsShownBy"] as? [String]
            aggregations[0]["edmIsShownBy"] = shown?.first.map { $0.replacingOccurrences(of: "BASE/", with: base + "/") } ?? NSNull()
            aggregations[0]["edmObject"] = "\(base)/img/\(n).jpg"
            aggregations[0]["webResources"] = [[String: Any]]()
            object["aggregations"] = aggregations
            object["concepts"] = [["about": "http://vocab.getty.edu/aat/300033618", "prefLabel": ["en": ["paintings (visual works)"]]]]
            root["object"] = object
            return json((try? JSONSerialization.data(withJSONObject: root)) ?? Data())
        }
        if parts.count == 2, parts[0] == "img" || parts[0] == "preview" { return jpeg(number(parts[1])) }
        if parts.count == 3, parts[0] == "fault" {
            let n = number(parts[2])
            switch parts[1] {
            case "404": return text(.notFound, "<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>", type: "text/html")
            case "429": return hit == 1 ? Reply(status: .tooManyRequests, headers: [("Retry-After", "1")], body: Data("slow down".utf8)) : jpeg(n)
            case "500": return hit == 1 ? text(.internalServerError, "try again") : jpeg(n)
            case "slow":
                var r = jpeg(n)
                r.mode = .slow
                return r
            case "html": return Reply(status: .ok, headers: [("Content-Type", "image/jpeg")],
                                      body: Data("<!DOCTYPE html><html><head><title>Image viewer</title></head><body>Please log in</body></html>".utf8))
            case "truncated":
                var r = jpeg(n)
                r.mode = .truncated
                return r
            case "loop": return Reply(status: .found, headers: [("Location", "/fault/loop2/\(n).jpg")])
            case "loop2": return Reply(status: .found, headers: [("Location", "/fault/loop/\(n).jpg")])
            case "redirect": return Reply(status: .movedPermanently, headers: [("Location", "\(base)/img/\(n).jpg")])
            case "empty": return Reply(status: .ok, headers: [("Content-Type", "image/jpeg")])
            default: return text(.notFound, "no such fault")
            }
        }
        if parts.first == "iiif" {
            if parts == ["iiif", "manifest.json"] {
                let service = "\(base)/iiif/iiif_3_0_tiled"
                return json(Data(#"""
                {"@context":"http://iiif.io/api/presentation/3/context.json","id":"\#(base)/iiif/manifest.json","type":"Manifest","label":{"en":["Static level-0 leaf"]},"rights":"http://creativecommons.org/publicdomain/mark/1.0/","items":[{"id":"\#(base)/iiif/canvas/1","type":"Canvas","width":775,"height":1024,"label":{"none":["f. 1r"]},"items":[{"id":"\#(base)/iiif/page/1","type":"AnnotationPage","items":[{"id":"\#(base)/iiif/anno/1","type":"Annotation","motivation":"painting","target":"\#(base)/iiif/canvas/1","body":{"id":"\#(service)/full/max/0/default.jpg","type":"Image","format":"image/jpeg","service":[{"id":"\#(service)","type":"ImageService3","profile":"level0"}]}}]}]}]}
                """#.utf8))
            }
            if parts == ["iiif", "collection.json"] {
                // Lists the manifest twice and itself: a walker must visit each document once.
                return json(Data(#"{"@context":"http://iiif.io/api/presentation/3/context.json","id":"\#(base)/iiif/collection.json","type":"Collection","label":{"en":["Cycle"]},"items":[{"id":"\#(base)/iiif/manifest.json","type":"Manifest"},{"id":"\#(base)/iiif/collection.json","type":"Collection"},{"id":"\#(base)/iiif/manifest.json","type":"Manifest"}]}"#.utf8))
            }
            let relative = parts.dropFirst().joined(separator: "/")
            guard !relative.contains("..") else { return text(.forbidden, "no") }
            let file = tree.appendingPathComponent(relative)
            if parts.last == "info.json", let data = try? Data(contentsOf: file),
               var info = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                let folder = file.deletingLastPathComponent()
                info["id"] = "\(base)/iiif/" + parts.dropFirst().dropLast().joined(separator: "/")
                info["profile"] = "level0"
                let sizes = ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("full").path)) ?? []).compactMap { s -> [String: Int]? in
                    let wh = s.split(separator: ",").compactMap { Int($0) }
                    return wh.count == 2 ? ["width": wh[0], "height": wh[1]] : nil
                }.sorted { ($0["width"] ?? 0) < ($1["width"] ?? 0) }
                info["sizes"] = sizes
                return json((try? JSONSerialization.data(withJSONObject: info, options: [.sortedKeys])) ?? Data())
            }
            if let data = try? Data(contentsOf: file) { return Reply(status: .ok, headers: [("Content-Type", "image/jpeg")], body: data) }
            return text(.notFound, "no such file in the static tree")
        }
        return text(.notFound, "no route for \(path)")
    }
}

final class Handler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked Sendable: used only on its channel's event loop (NIO's handler contract).
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let routes: Routes
    var head: HTTPRequestHead?

    init(routes: Routes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            send(routes.answer(head.uri), version: head.version, keepAlive: head.isKeepAlive, context: context)
        }
    }

    func send(_ reply: Reply, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(reply.headers)
        headers.replaceOrAdd(name: "Content-Length", value: "\(reply.body.count)")
        if !keepAlive || reply.mode != .normal { headers.replaceOrAdd(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: reply.status, headers: headers))), promise: nil)
        let channel = context.channel
        switch reply.mode {
        case .normal:
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: reply.body)))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive { done.whenComplete { _ in channel.close(promise: nil) } }
        case .truncated:
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: reply.body.prefix(reply.body.count / 2))))))
                .whenComplete { _ in channel.close(promise: nil) }
        case .slow:
            context.flush()
            let body = reply.body
            @Sendable func drip(_ offset: Int) {
                guard channel.isActive else { return }
                guard offset < body.count else {
                    channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
                    return
                }
                channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body[offset..<min(body.count, offset + 1)]))), promise: nil)
                channel.eventLoop.scheduleTask(in: .milliseconds(100)) { drip(offset + 1) }
            }
            drip(0)
        }
    }
}
