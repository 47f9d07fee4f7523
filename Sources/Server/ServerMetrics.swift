import Hummingbird
import Metrics
import Prometheus

/// Prometheus metrics of the server (text exposition format 0.0.4, served at `/metrics`).
/// Hummingbird's `MetricsMiddleware` records, through swift-metrics, `hb_requests` (counter by
/// endpoint, method and status), `hb_request_duration` (seconds) and `hb_errors`; Vitrine adds
/// `vitrine_requests_in_flight` and `vitrine_requests_waiting` (gauges, by pool) and
/// `vitrine_requests_rejected_total` (counter, by pool: 503 answers when a pool's queue is full).
public enum ServerMetrics {
    /// The process-wide registry; swift-metrics is bootstrapped with it on first use (once per process).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    static func register(on router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
