import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The error type of `Harvest`: what failed, for which URL, and why.
public struct HarvestError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// The server answered with an HTTP error status (the status is in `status`).
        case http
        /// No answer: DNS, connection, TLS or timeout.
        case network
        /// The body is larger than the configured limit.
        case tooLarge = "too_large"
        /// The URL is not an absolute http(s) URL.
        case invalidURL = "invalid_url"
    }

    public let code: Code
    public let url: String
    public let status: Int?
    public let message: String

    public init(_ code: Code, url: String, status: Int? = nil, _ message: String) {
        self.code = code
        self.url = url
        self.status = status
        self.message = message
    }

    /// A short machine-readable kind, e.g. `http_404`, `network`.
    public var kind: String { code == .http ? "http_\(status ?? 0)" : code.rawValue }

    public var description: String { "\(url): \(kind): \(message)" }
}

/// Downloads resources over HTTP(S) with AsyncHTTPClient: redirects followed, bounded size,
/// per-request timeout, and retries with exponential back-off on network errors, 429 and 5xx
/// (honouring `Retry-After` up to 30 s). A 4xx other than 429 is final.
public final class HTTPFetcher: Sendable {
    public struct Options: Sendable {
        /// Seconds for one request, connection included.
        public var timeout: Int64 = 60
        /// Bytes; larger bodies fail with `.tooLarge` (default 512 MiB).
        public var maximumBytes: Int = 512 << 20
        /// Attempts after the first one.
        public var retries: Int = 2
        /// Seconds before the first retry (doubled each time).
        public var backoff: Double = 1
        public var userAgent: String = "Vitrine/0.1 (cultural-heritage image curation)"
        public init() {}
    }

    private let client: HTTPClient
    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
        var configuration = HTTPClient.Configuration(redirectConfiguration: .follow(max: 10, allowCycles: false))
        configuration.timeout = .init(connect: .seconds(min(options.timeout, 10)), read: .seconds(min(options.timeout, 30)))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Fetches the body of `url`.
    /// - Returns: the bytes and the `Content-Type` header, if any.
    /// - Throws: `HarvestError` (`.http` with the status, `.network`, `.tooLarge`, `.invalidURL`).
    public func fetch(_ url: String) async throws -> (body: Data, contentType: String?) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              parsed.host != nil else {
            throw HarvestError(.invalidURL, url: url, "not an absolute http(s) URL")
        }
        var attempt = 0
        while true {
            do {
                return try await fetchOnce(url)
            } catch let error as HarvestError {
                let retryable = error.code == .network || (error.code == .http && ((error.status ?? 0) == 429 || (error.status ?? 0) >= 500))
                guard retryable, attempt < options.retries else { throw error }
                let delay = options.backoff * pow(2, Double(attempt))
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                attempt += 1
            }
        }
    }

    /// One attempt, bounded as a whole by `options.timeout` (a server that trickles bytes is cut off).
    private func fetchOnce(_ url: String) async throws -> (body: Data, contentType: String?) {
        let seconds = options.timeout
        return try await withThrowingTaskGroup(of: (body: Data, contentType: String?)?.self) { group in
            group.addTask { try await self.request(url) }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds) * 1_000_000_000)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw HarvestError(.network, url: url, "no complete answer within \(seconds) s")
            }
            return result
        }
    }

    private func request(_ url: String) async throws -> (body: Data, contentType: String?) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: options.userAgent)
        request.headers.add(name: "Accept", value: "image/*, */*;q=0.5")
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(options.timeout))
        } catch {
            throw HarvestError(.network, url: url, "no answer (\(String(describing: error).prefix(200)))")
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            throw HarvestError(.http, url: url, status: status, "the server answered \(status) \(response.status.reasonPhrase)")
        }
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > options.maximumBytes {
            throw HarvestError(.tooLarge, url: url, "\(length) bytes is more than the limit of \(options.maximumBytes)")
        }
        do {
            let buffer = try await response.body.collect(upTo: options.maximumBytes)
            return (Data(buffer.readableBytesView), response.headers.first(name: "Content-Type"))
        } catch let error as NIOTooManyBytesError {
            throw HarvestError(.tooLarge, url: url, "the body is more than \(options.maximumBytes) bytes (\(error))")
        } catch {
            throw HarvestError(.network, url: url, "the connection broke while reading the body: \(error)")
        }
    }

    /// Closes the connection pool; call once when done.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
