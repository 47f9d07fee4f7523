import Catalog
import Foundation
import Hummingbird
import Logging

/// How `vitrine serve` is set up. Sizes in bytes, times in seconds.
public struct ServerConfiguration: Sendable {
    /// The store folder (catalog.sqlite, images/, derived/, reports/); with `postgres`, the
    /// folder of the files (`--images`: images/, derived/, reports/).
    public var store: URL
    /// The PostgreSQL catalog (`postgres://USER@HOST:PORT/DB`); nil: the SQLite catalog in `store`.
    public var postgres: String?
    public var host: String
    public var port: Int
    /// Write endpoints need `Authorization: Bearer TOKEN`; nil means the server is read-only.
    public var token: String?
    /// Requests handled at once; the others wait (bounded memory, see `ConcurrencyLimitMiddleware`).
    public var maxConcurrentRequests: Int
    /// Largest accepted request body (`POST /lookup` uploads), in bytes.
    public var maxUploadBytes: Int
    /// Largest page of a list endpoint.
    public var maxPageSize: Int
    /// The URL clients reach the server at (IIIF `id`s are absolute); nil: taken from the request's `Host`.
    public var publicBaseURL: String?

    public init(
        store: URL, host: String = "127.0.0.1", port: Int = 8080, token: String? = nil,
        maxConcurrentRequests: Int = 32, maxUploadBytes: Int = 20 << 20, maxPageSize: Int = 200,
        publicBaseURL: String? = nil, postgres: String? = nil
    ) {
        self.store = store
        self.postgres = postgres
        self.host = host
        self.port = port
        self.token = token
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxUploadBytes = maxUploadBytes
        self.maxPageSize = maxPageSize
        self.publicBaseURL = publicBaseURL
    }
}

/// What every route shares: the configuration, the open catalog and the logger.
public final class ServerState: Sendable {
    public let configuration: ServerConfiguration
    /// The catalog: SQLite in the store folder, or PostgreSQL with the files in `configuration.store`.
    public let catalog: Catalog
    public let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger) throws {
        self.configuration = configuration
        if let postgres = configuration.postgres {
            catalog = try Catalog.open(postgres, images: configuration.store.path)
        } else {
            catalog = try Catalog(store: configuration.store, mustExist: true)
        }
        self.logger = logger
    }

    /// The absolute base URL (scheme, host, port; no trailing slash) to build IIIF `id`s and links with.
    public func baseURL(for request: Request) -> String {
        if let configured = configuration.publicBaseURL {
            return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        }
        let host = request.head.authority ?? "\(configuration.host):\(configuration.port)"
        return "http://\(host)"
    }

    /// Throws 401 unless the server has a token and the request carries it (`Authorization: Bearer …`).
    public func requireWriteAccess(_ request: Request) throws {
        guard let token = configuration.token else {
            throw Problem(.forbidden, title: "Read-only server", detail: "this server was started without --token; write endpoints are off")
        }
        guard let header = request.headers[.authorization], header == "Bearer \(token)" else {
            throw Problem(.unauthorized, title: "Token required", detail: "write endpoints need the header 'Authorization: Bearer TOKEN'")
        }
    }
}
