import Foundation
import Hummingbird
import Logging

/// Builds the `vitrine serve` application: operation routes (`/health`), and the route groups of
/// each area (IIIF Image API, IIIF Presentation, REST API, web interface), each registered by its own file.
/// `/health` answers `{"status":"ok"}`; `/metrics` the Prometheus text format (see `ServerMetrics`).
public enum VitrineServer {
    /// The router with every route of the server; `HummingbirdTesting` tests drive it directly.
    public static func makeRouter(state: ServerState) -> Router<BasicRequestContext> {
        _ = ServerMetrics.registry  // bootstraps swift-metrics before any metric is made
        let router = Router(context: BasicRequestContext.self)
        // Outermost first: one log line per request, CORS on every IIIF answer (errors too),
        // request metrics, then the concurrency pools.
        router.add(middleware: RequestLogMiddleware(logger: state.logger))
        router.add(middleware: IIIFCORSMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ConcurrencyLimitMiddleware(maxConcurrentRequests: state.configuration.maxConcurrentRequests))
        // The store's reports/ folder, read-only (path traversal is refused by FileMiddleware).
        router.add(middleware: ReportsMiddleware(files: FileMiddleware(state.configuration.store.appendingPathComponent("reports").path,
                                                                      urlBasePath: "/reports", searchForIndexHtml: true, logger: state.logger)))
        router.get("/health") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        ServerMetrics.register(on: router)
        APIRoutes.register(on: router, state: state)
        IIIFImageRoutes.register(on: router, state: state)
        PresentationRoutes.register(on: router, state: state)
        WebRoutes.register(on: router, state: state)
        return router
    }

    /// The application listening on `configuration.host:port`. `runService()` runs it until SIGINT/SIGTERM
    /// and then shuts down gracefully (requests in flight finish; SQLite writes are transactions).
    public static func makeApplication(state: ServerState) -> some ApplicationProtocol {
        let router = makeRouter(state: state)
        return Application(
            router: router,
            configuration: .init(
                address: .hostname(state.configuration.host, port: state.configuration.port),
                serverName: "Vitrine"
            ),
            logger: state.logger
        )
    }
}
