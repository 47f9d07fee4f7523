import Foundation
import Hummingbird
import Logging
import Metrics

/// A counting semaphore for async code: at most `limit` holders; up to `queueLimit` callers wait
/// (first come, first served); beyond that `acquire` returns false at once.
final class AsyncLimiter: Sendable {
    let limit: Int
    let queueLimit: Int
    private let state = NIOLockedState()
    private let inFlightGauge: Gauge
    private let waitingGauge: Gauge

    init(pool: String, limit: Int, queueLimit: Int) {
        self.limit = max(1, limit)
        self.queueLimit = max(0, queueLimit)
        _ = ServerMetrics.registry
        inFlightGauge = Gauge(label: "vitrine_requests_in_flight", dimensions: [("pool", pool)])
        waitingGauge = Gauge(label: "vitrine_requests_waiting", dimensions: [("pool", pool)])
    }

    /// Waits for a slot; false when `queueLimit` callers are already waiting (the caller answers 503).
    func acquire() async -> Bool {
        enum Decision { case go, wait, reject }
        let decision: Decision = state.withLock { s in
            if s.inFlight < limit { s.inFlight += 1; return .go }
            if s.waiters.count >= queueLimit { return .reject }
            return .wait
        }
        switch decision {
        case .go:
            report()
            return true
        case .reject:
            return false
        case .wait:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { s in
                    // A slot may have been freed between the decision and here.
                    if s.inFlight < limit { s.inFlight += 1; return true }
                    s.waiters.append(continuation)
                    return false
                }
                report()
                if resumeNow { continuation.resume() }
            }
            return true
        }
    }

    /// Frees a slot: hands it to the longest waiter, if any.
    func release() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { s in
            if s.waiters.isEmpty { s.inFlight -= 1; return nil }
            return s.waiters.removeFirst()
        }
        report()
        next?.resume()
    }

    var counts: (inFlight: Int, waiting: Int) { state.withLock { ($0.inFlight, $0.waiters.count) } }

    private func report() {
        let (inFlight, waiting) = counts
        inFlightGauge.record(inFlight)
        waitingGauge.record(waiting)
    }
}

/// The mutable part of `AsyncLimiter`, behind a lock.
private final class NIOLockedState: @unchecked Sendable {
    struct State {
        var inFlight = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let lock = NSLock()
    private var value = State()

    func withLock<T>(_ body: (inout State) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// Bounds the requests handled at once (and so the memory they hold), in two pools so that slow or
/// large IIIF image renders cannot starve the pages and the API: image requests under `/iiif/3/…` get
/// `max(2, maxConcurrentRequests / 2)` slots (`info.json`, which renders nothing, goes with the others), every other request `maxConcurrentRequests`. Each pool lets
/// `8 ×` its slots wait; past that a request is answered `503 Service Unavailable` with `Retry-After: 1`
/// (a problem+json, CORS open on IIIF paths). `/health` and `/metrics` are never limited.
public struct ConcurrencyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let images: AsyncLimiter
    let other: AsyncLimiter
    let rejected: (images: Counter, other: Counter)

    public init(maxConcurrentRequests: Int) {
        let imageSlots = max(2, maxConcurrentRequests / 2)
        let otherSlots = max(1, maxConcurrentRequests)
        images = AsyncLimiter(pool: "iiif-image", limit: imageSlots, queueLimit: imageSlots * 8)
        other = AsyncLimiter(pool: "other", limit: otherSlots, queueLimit: otherSlots * 8)
        rejected = (Counter(label: "vitrine_requests_rejected_total", dimensions: [("pool", "iiif-image")]),
                    Counter(label: "vitrine_requests_rejected_total", dimensions: [("pool", "other")]))
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/health" || path == "/metrics" { return try await next(request, context) }
        let isImage = path.hasPrefix("/iiif/3/") && !path.hasSuffix("/info.json")
        let pool = isImage ? images : other
        guard await pool.acquire() else {
            (isImage ? rejected.images : rejected.other).increment()
            var headers: HTTPFields = isImage || path.hasPrefix("/iiif/") ? IIIFImageRoutes.corsHeaders() : [:]
            headers[.retryAfter] = "1"
            throw Problem(.serviceUnavailable, title: "Server busy",
                          detail: "more than \(pool.queueLimit) requests are waiting; retry shortly", headers: headers)
        }
        defer { pool.release() }
        return try await next(request, context)
    }
}

/// Adds `Access-Control-Allow-Origin: *` to every answer under `/iiif/` — errors included — as the
/// IIIF Image API (§7.1) and Presentation API (§7) ask, whatever route or middleware produced the error.
public struct IIIFCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/iiif/") else { return try await next(request, context) }
        do {
            var response = try await next(request, context)
            response.headers[.accessControlAllowOrigin] = "*"
            return response
        } catch let error as HTTPResponseError {
            var response = try error.response(from: request, context: context)
            response.headers[.accessControlAllowOrigin] = "*"
            return response
        }
    }
}

/// One structured log line per request (logfmt-style metadata through swift-log): method, path,
/// status, duration in milliseconds and, for errors, the problem's title.
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        func milliseconds() -> String {
            let d = ContinuousClock.now - start
            return String(format: "%.1f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
        }
        do {
            let response = try await next(request, context)
            logger.info("request", metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(response.status.code)", "ms": "\(milliseconds())",
            ])
            return response
        } catch {
            let status = (error as? HTTPResponseError)?.status.code ?? 500
            var metadata: Logger.Metadata = ["method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(status)", "ms": "\(milliseconds())"]
            if let problem = error as? Problem { metadata["problem"] = "\(problem.title)" }
            if status >= 500 { logger.error("request", metadata: metadata) } else { logger.info("request", metadata: metadata) }
            throw error
        }
    }
}

/// Serves the store's `reports/` folder at `/reports/…` through Hummingbird's `FileMiddleware`
/// (which refuses `..`), and only there: other paths never touch the file system.
public struct ReportsMiddleware<Context: RequestContext>: RouterMiddleware {
    let files: FileMiddleware<Context, LocalFileSystem>

    public init(files: FileMiddleware<Context, LocalFileSystem>) { self.files = files }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/reports/") else { return try await next(request, context) }
        return try await files.handle(request, context: context, next: next)
    }
}
