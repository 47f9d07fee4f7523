import Foundation
import Hummingbird

/// An error answered as `application/problem+json` (RFC 9457, "Problem Details for HTTP APIs"):
/// `{"type": "about:blank", "title": …, "status": …, "detail": …}`.
public struct Problem: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    public let status: HTTPResponse.Status
    public let title: String
    public let detail: String
    /// Extra headers of the answer (e.g. `Allow`, CORS for IIIF).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, title: String, detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers
    }

    public var description: String { "\(status.code) \(title): \(detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = ProblemBody(type: "about:blank", title: title, status: status.code, detail: detail, instance: request.uri.path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

private struct ProblemBody: Encodable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    let instance: String
}
