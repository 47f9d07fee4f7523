import Foundation
import Hummingbird
import Logging

/// Builds the `vitrine serve` application: operation routes (`/health`), and the route groups of
/// each area (IIIF Image API, IIIF Presentation, REST API, web interface), each registered by its own file.
public enum VitrineServer {
    /// The router with every route of the server; `HummingbirdTesting` tests drive it directly.
    public static func makeRouter(state: ServerState) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: LogRequestsMiddleware(.debug))
        router.get("/health") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        APIRoutes.register(on: router, state: state)
        IIIFImageRoutes.register(on: router, state: state)
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
