import Catalog
import Curation
import Foundation
import Hummingbird
import Inference

/// The REST API under `/api` (JSON; errors as problem+json) and `/openapi.json`.
/// Read routes are open; `POST /api/feedback/*` needs the token. `POST /api/lookup` is a read
/// (it stores nothing) limited to `maxUploadBytes`.
public enum APIRoutes {
    /// Default page size of `GET /api/items`.
    public static let defaultPageSize = 50

    public static func register(on router: Router<BasicRequestContext>, state: ServerState) {
        let queries = Queries(state: state)
        let api = router.group("api")
        api.get("items") { request, _ in
            let p = parameters(request)
            let filter = try ItemFilter(parameters: p)
            let limit = try intParameter(p, "limit") ?? min(defaultPageSize, state.configuration.maxPageSize)
            return try json(queries.listItems(filter: filter, limit: limit, cursor: p["cursor"].flatMap { $0.isEmpty ? nil : $0 }, baseURL: state.baseURL(for: request)))
        }
        api.get("items/:id") { request, context in
            try json(queries.itemDetail(id: try id(context, "id"), baseURL: state.baseURL(for: request)))
        }
        api.get("items/:id/similar") { request, context in
            let k = try intParameter(parameters(request), "k") ?? 10
            return try json(queries.similar(id: try id(context, "id"), k: k, baseURL: state.baseURL(for: request)))
        }
        api.post("lookup") { request, _ in
            let limit = state.configuration.maxUploadBytes
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: limit) } catch {
                throw Problem(.contentTooLarge, title: "Upload too large", detail: "the image body is over maxUploadBytes (\(limit) bytes)")
            }
            guard body.readableBytes > 0 else { throw Problem(.badRequest, title: "Empty body", detail: "POST /api/lookup needs the image bytes as the body") }
            return try json(lookup(Data(buffer: body), queries: queries, state: state))
        }
        api.get("duplicates") { _, _ in try json(queries.duplicateGroups()) }
        api.get("duplicates/:groupID") { request, context in
            try json(queries.duplicateGroup(id: try id(context, "groupID"), baseURL: state.baseURL(for: request)))
        }
        api.get("clusters") { _, _ in try json(queries.clusters()) }
        api.get("clusters/:runID/:cluster") { request, context in
            try json(queries.cluster(runID: try id(context, "runID"), cluster: Int(try id(context, "cluster")), baseURL: state.baseURL(for: request)))
        }
        api.get("runs") { request, _ in try json(queries.runs(kind: parameters(request)["kind"])) }
        api.get("runs/:id") { _, context in try json(queries.run(id: try id(context, "id"))) }
        api.get("map") { request, _ in try json(queries.mapPoints(baseURL: state.baseURL(for: request))) }
        api.post("feedback/duplicates") { request, _ in
            try state.requireWriteAccess(request)
            let body: DuplicateFeedback = try await decode(request, state: state)
            return try json(queries.recordDuplicateFeedback(body), status: .created)
        }
        api.post("feedback/labels") { request, _ in
            try state.requireWriteAccess(request)
            let body: LabelFeedback = try await decode(request, state: state)
            return try json(queries.recordLabelFeedback(body), status: .created)
        }
        api.post("feedback/similar") { request, _ in
            try state.requireWriteAccess(request)
            let body: SimilarFeedback = try await decode(request, state: state)
            return try json(queries.recordSimilarFeedback(body), status: .created)
        }
        api.get("feedback/duplicates/precision") { _, _ in try json(queries.duplicatePrecision()) }
        router.get("openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }

    /// The query parameters, decoded as an HTML form's `application/x-www-form-urlencoded` query
    /// (WHATWG URL standard §5.1): `+` is a space, then percent-decoding; the first of repeated names.
    /// Browsers submit the search box's spaces as `+`.
    static func parameters(_ request: Request) -> [String: String] {
        parameters(query: request.uri.query ?? "")
    }

    static func parameters(query: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decode(parts[0])
            if out[name] == nil { out[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return out
    }

    static func intParameter(_ p: [String: String], _ name: String) throws -> Int? {
        guard let raw = p[name], !raw.isEmpty else { return nil }
        guard let v = Int(raw) else { throw Problem.badParameter(name, raw, "an integer") }
        return v
    }

    static func id(_ context: BasicRequestContext, _ name: String) throws -> Int64 {
        let raw = context.parameters.get(name) ?? ""
        guard let v = Int64(raw) else { throw Problem.badParameter(name, raw, "an integer id") }
        return v
    }

    static func decode<T: Decodable>(_ request: Request, state: ServerState) async throws -> T {
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: 1 << 20) } catch {
            throw Problem(.contentTooLarge, title: "Body too large", detail: "feedback bodies are limited to 1 MiB")
        }
        do { return try JSONDecoder().decode(T.self, from: Data(buffer: body)) } catch {
            throw Problem(.badRequest, title: "Invalid body", detail: "the JSON body is not a valid \(T.self): \(describe(error))")
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "field '\(c.codingPath.map(\.stringValue).joined(separator: "."))': \(c.debugDescription)"
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        default: return "\(error)"
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Embeds an uploaded image like `vitrine lookup` does (exact bytes, pixels, pHash, embedding).
    static func lookup(_ data: Data, queries: Queries, state: ServerState) throws -> LookupAnswer {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-lookup-\(UUID().uuidString)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let model = try queries.embeddingModel()
        let search = model.flatMap { try? SimilaritySearch(catalog: state.catalog, model: $0) }
        let embedder = try search.map { try Embedder(model: $0.model, locator: EmbeddingJob.locator(catalog: state.catalog)) }
        do {
            guard var answer = try Lookup.run(catalog: state.catalog, files: [file.path], search: search, embedder: embedder).first else {
                throw Problem(.internalServerError, title: "Lookup failed", detail: "no answer for the uploaded image")
            }
            answer.file = "upload"
            if let error = answer.error { throw Problem(.badRequest, title: "Unreadable image", detail: "the uploaded body is not a readable image: \(error)") }
            return answer
        } catch let p as Problem { throw p } catch {
            throw Problem(.badRequest, title: "Lookup failed", detail: "the uploaded image: \(error)")
        }
    }
}
