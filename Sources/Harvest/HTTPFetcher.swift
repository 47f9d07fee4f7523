import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VitrineCore

/// The error type of `Harvest`: what failed, for which URL, and why.
public struct HarvestError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, CaseIterable {
        /// The server answered with an HTTP error status (the status is in `status`).
        case http
        /// No answer: DNS, connection refused or reset, TLS.
        case network
        /// No complete answer in time (connect, read or the whole attempt).
        case timeout
        /// The body is larger than the configured limit.
        case tooLarge = "too_large"
        /// Fewer bytes than `Content-Length` said.
        case truncated
        /// A zero-byte body where an image was expected.
        case empty
        /// The bytes are not an image (an HTML page, JSON, text), whatever the `Content-Type`.
        case notAnImage = "not_an_image"
        /// A redirect back to a URL already visited.
        case redirectLoop = "redirect_loop"
        /// More redirects than the limit.
        case tooManyRedirects = "too_many_redirects"
        /// The URL is not an absolute http(s) URL.
        case invalidURL = "invalid_url"
        /// A document that is not JSON.
        case invalidJSON = "invalid_json"
        /// An IIIF document or request that breaks the specification.
        case invalidIIIF = "invalid_iiif"
        /// A request with parameters the API refuses (checked before sending).
        case invalidRequest = "invalid_request"
        /// The API answered, but with `success: false`.
        case api
    }

    public let code: Code
    public let url: String
    public let status: Int?
    public let message: String
    /// Seconds the server asked to wait (`Retry-After` on a 429/503), nil otherwise.
    public var retryAfter: Double?

    public init(_ code: Code, url: String, status: Int? = nil, _ message: String) {
        self.code = code
        self.url = url
        self.status = status
        self.message = message
    }

    /// A short machine-readable kind, e.g. `http_404`, `network`, `not_an_image`.
    public var kind: String { code == .http ? "http_\(status ?? 0)" : code.rawValue }

    public var description: String { "\(url): \(kind): \(message)" }

    /// Copies the error with `redact` applied to the URL and message (API keys).
    public func redacted(_ redact: KeyRedactor) -> HarvestError {
        HarvestError(code, url: redact(url), status: status, redact(message))
    }
}

/// What one fetch returned.
public struct FetchResult: Sendable {
    public var body: Data
    public var contentType: String?
    /// The URL that answered (after redirects).
    public var finalURL: String
    /// Redirects followed.
    public var redirects: Int
    /// Attempts made (1 when no retry was needed).
    public var attempts: Int
    /// Kinds of the failed attempts before the one that succeeded (e.g. `["http_429"]`).
    public var retriedAfter: [String] = []
}

/// A polite downloader on AsyncHTTPClient, shared by ingest and harvest:
/// - at most `connections` requests in flight and `perHost` per host, and at most `rate`
///   request starts per second per host;
/// - connect / read timeouts and a deadline for each whole attempt (a trickling server is cut off);
/// - retries (`retries`) on network errors, timeouts, truncated bodies, 429 and 5xx, with
///   exponential back-off and full jitter; `Retry-After` (seconds or an HTTP date) honoured on
///   429/503, and a wait above `maximumRetryAfter` fails the URL at once;
/// - redirects followed by hand up to `maximumRedirects`, loops detected;
/// - with `expectImage`, a body is only accepted when its bytes are an image.
public final class HTTPFetcher: Sendable {
    public struct Options: Sendable {
        /// Seconds for one whole attempt, connection included.
        public var timeout: Double = 60
        /// Seconds to connect.
        public var connectTimeout: Int64 = 10
        /// Seconds without a byte while reading.
        public var readTimeout: Int64 = 30
        /// Bytes; larger bodies fail with `.tooLarge` (default 512 MiB).
        public var maximumBytes: Int = 512 << 20
        /// Attempts after the first one.
        public var retries: Int = 3
        /// Seconds: back-off before retry n is uniform in [0, min(maximumBackoff, backoff · 2ⁿ)].
        public var backoff: Double = 1
        public var maximumBackoff: Double = 30
        /// Seconds; a longer `Retry-After` fails the URL instead of waiting.
        public var maximumRetryAfter: Double = 120
        /// Requests in flight in total and per host.
        public var connections: Int = 8
        public var perHost: Int = 4
        /// Request starts per second per host (0: no limit).
        public var rate: Double = 8
        public var maximumRedirects: Int = 8
        public var userAgent: String = "Vitrine/0.2 (cultural-heritage image curation)"
        public init() {}
    }

    private let client: HTTPClient
    private let gate: HostGate
    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(options.connectTimeout), read: .seconds(options.readTimeout))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, options.perHost)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        gate = HostGate(total: max(1, options.connections), perHost: max(1, options.perHost), rate: options.rate)
    }

    /// Fetches the body of `url`.
    /// - Parameter expectImage: refuse bodies that are empty (`.empty`) or whose bytes are not
    ///   an image format (`.notAnImage`).
    /// - Throws: `HarvestError` with the kind of the last failure.
    public func fetch(_ url: String, expectImage: Bool = false) async throws -> FetchResult {
        var current = try Self.check(url)
        var visited: Set<String> = [current.absoluteString]
        var redirects = 0
        var attempt = 0
        var failures: [String] = []
        while true {
            let outcome: Outcome
            do {
                outcome = try await attemptOnce(current)
            } catch let error as HarvestError {
                let retryable: Bool
                switch error.code {
                case .network, .timeout, .truncated: retryable = true
                case .http: retryable = error.status == 429 || (error.status ?? 0) >= 500
                default: retryable = false
                }
                guard retryable, attempt < options.retries else { throw error }
                var delay = Double.random(in: 0...max(0, min(options.maximumBackoff, options.backoff * pow(2, Double(attempt)))))
                if let retryAfter = error.retryAfter {
                    guard retryAfter <= options.maximumRetryAfter else {
                        throw HarvestError(error.code, url: error.url, status: error.status,
                                           "\(error.message); Retry-After \(Int(retryAfter)) s is more than \(Int(options.maximumRetryAfter)) s")
                    }
                    delay = max(delay, retryAfter)
                }
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                attempt += 1
                failures.append(error.kind)
                continue
            }
            switch outcome {
            case .redirect(let location):
                guard let next = URL(string: location, relativeTo: current)?.absoluteURL, let checked = try? Self.check(next.absoluteString) else {
                    throw HarvestError(.invalidURL, url: current.absoluteString, "redirect to `\(location)`, which is not an http(s) URL")
                }
                guard visited.insert(checked.absoluteString).inserted else {
                    throw HarvestError(.redirectLoop, url: url, "redirect loop: \(checked.absoluteString) again after \(redirects + 1) redirects")
                }
                redirects += 1
                guard redirects <= options.maximumRedirects else {
                    throw HarvestError(.tooManyRedirects, url: url, "more than \(options.maximumRedirects) redirects")
                }
                current = checked
            case .body(let data, let contentType):
                if expectImage {
                    if data.isEmpty { throw HarvestError(.empty, url: current.absoluteString, "the body is empty (0 bytes)") }
                    if ImageFormat.sniff(data.prefix(64)) == .unknown {
                        let head = String(decoding: data.prefix(40), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
                        throw HarvestError(.notAnImage, url: current.absoluteString,
                                           "\(data.count) bytes of \(contentType ?? "no Content-Type") that are not an image (they start `\(head)`)")
                    }
                }
                return FetchResult(body: data, contentType: contentType, finalURL: current.absoluteString, redirects: redirects, attempts: attempt + 1,
                                   retriedAfter: failures)
            }
        }
    }

    static func check(_ url: String) throws -> URL {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parsed.host, !host.isEmpty else {
            throw HarvestError(.invalidURL, url: url, "not an absolute http(s) URL")
        }
        return parsed
    }

    enum Outcome: Sendable {
        case redirect(String)
        case body(Data, String?)
    }

    /// One request under the host's and the total limit, bounded as a whole by `options.timeout`.
    private func attemptOnce(_ url: URL) async throws -> Outcome {
        let host = (url.host ?? "") + ":\(url.port ?? 0)"
        await gate.acquire(host)
        defer { Task { await gate.release(host) } }
        let wait = await gate.startDelay(host)
        if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
        let seconds = options.timeout
        let text = url.absoluteString
        return try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask { try await self.request(text) }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw HarvestError(.timeout, url: text, "no complete answer within \(seconds) s")
            }
            return result
        }
    }

    private func request(_ url: String) async throws -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: options.userAgent)
        request.headers.add(name: "Accept", value: "image/*, application/json;q=0.9, */*;q=0.5")
        let response: HTTPClientResponse
        do {
            // A second later than the attempt's own deadline, which is the one that should fire.
            response = try await client.execute(request, timeout: .seconds(Int64(options.timeout.rounded(.up)) + 1))
        } catch {
            throw Self.classify(error, url: url, reading: false)
        }
        let status = Int(response.status.code)
        if [301, 302, 303, 307, 308].contains(status) {
            guard let location = response.headers.first(name: "Location") else {
                throw HarvestError(.http, url: url, status: status, "a \(status) redirect without a Location header")
            }
            return .redirect(location)
        }
        guard (200..<300).contains(status) else {
            var error = HarvestError(.http, url: url, status: status, "the server answered \(status) \(response.status.reasonPhrase)")
            if status == 429 || status == 503, let value = response.headers.first(name: "Retry-After") {
                error.retryAfter = Self.retryAfter(value)
            }
            throw error
        }
        let declared = response.headers.first(name: "Content-Length").flatMap(Int.init)
        if let declared, declared > options.maximumBytes {
            throw HarvestError(.tooLarge, url: url, "\(declared) bytes is more than the limit of \(options.maximumBytes)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: options.maximumBytes)
        } catch let error as NIOTooManyBytesError {
            throw HarvestError(.tooLarge, url: url, "the body is more than \(options.maximumBytes) bytes (\(error))")
        } catch {
            let text = String(describing: error)
            let timedOut = text.localizedCaseInsensitiveContains("timeout") || text.localizedCaseInsensitiveContains("deadline")
            if declared != nil, !(error is CancellationError), !timedOut, !text.localizedCaseInsensitiveContains("cancel") {
                throw HarvestError(.truncated, url: url, "the connection broke before the \(declared ?? 0) bytes of Content-Length arrived (\(error))")
            }
            throw Self.classify(error, url: url, reading: true)
        }
        if let declared, buffer.readableBytes < declared {
            throw HarvestError(.truncated, url: url, "\(buffer.readableBytes) of the \(declared) bytes of Content-Length arrived")
        }
        return .body(Data(buffer.readableBytesView), response.headers.first(name: "Content-Type"))
    }

    static func classify(_ error: Error, url: String, reading: Bool) -> HarvestError {
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("timeout") || text.localizedCaseInsensitiveContains("deadline") {
            return HarvestError(.timeout, url: url, "timed out \(reading ? "reading the body" : "waiting for an answer") (\(text.prefix(200)))")
        }
        return HarvestError(.network, url: url, reading ? "the connection broke while reading the body: \(text.prefix(200))" : "no answer (\(text.prefix(200)))")
    }

    /// `Retry-After` as seconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
    public static func retryAfter(_ value: String, now: Date = Date()) -> Double? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(v) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: v) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// Closes the connection pool; call once when done.
    public func shutdown() async {
        try? await client.shutdown()
    }
}

/// Bounded concurrency in total and per host, and a per-host start rate. FIFO among waiters
/// that can go.
actor HostGate {
    private let total: Int
    private let perHost: Int
    private let interval: Double
    private var inFlight = 0
    private var byHost: [String: Int] = [:]
    private var nextStart: [String: Double] = [:]
    private var waiters: [(host: String, continuation: CheckedContinuation<Void, Never>)] = []

    init(total: Int, perHost: Int, rate: Double) {
        self.total = total
        self.perHost = perHost
        self.interval = rate > 0 ? 1 / rate : 0
    }

    private func canGo(_ host: String) -> Bool { inFlight < total && byHost[host, default: 0] < perHost }

    func acquire(_ host: String) async {
        if canGo(host) {
            inFlight += 1
            byHost[host, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiters.append((host, $0)) }
    }

    func release(_ host: String) {
        inFlight -= 1
        byHost[host, default: 1] -= 1
        var i = 0
        while i < waiters.count {
            if canGo(waiters[i].host) {
                let w = waiters.remove(at: i)
                inFlight += 1
                byHost[w.host, default: 0] += 1
                w.continuation.resume()
            } else {
                i += 1
            }
        }
    }

    /// Seconds to wait before starting, reserving the next start slot of the host.
    func startDelay(_ host: String) -> Double {
        guard interval > 0 else { return 0 }
        let now = Date().timeIntervalSince1970
        let slot = max(now, nextStart[host] ?? 0)
        nextStart[host] = slot + interval
        return slot - now
    }
}
