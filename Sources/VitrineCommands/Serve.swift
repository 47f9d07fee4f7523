import ArgumentParser
import Catalog
import Foundation
import Server

/// `vitrine serve`: the REST API, the web interface, the IIIF Image API 3 and IIIF Presentation 3 manifests over a store.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a store: web interface for curators, REST API (/openapi.json), IIIF Image API 3 (/iiif/3/…) and Presentation 3 manifests."
    )

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Address to listen on (0.0.0.0 for every interface).")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on.")
    var port: Int = 8080

    @Option(name: .long, help: "Token that write endpoints require (header 'Authorization: Bearer TOKEN'); also read from VITRINE_TOKEN. Without one the server is read-only.")
    var token: String?

    @Option(name: .long, help: "Requests handled at once: IIIF image renders get half of them (at least 2), the rest this many; up to 8× wait, then 503.")
    var maxConcurrentRequests: Int = 32

    @Option(name: .long, help: "Largest upload (POST /lookup), in MiB.")
    var maxUploadMib: Int = 20

    @Option(name: .long, help: "The URL clients reach the server at, used in IIIF ids (default: taken from each request's Host header).")
    var publicUrl: String?

    func validate() throws {
        try common.validateStore()
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1–65535") }
        guard maxConcurrentRequests >= 1 else { throw ValidationError("--max-concurrent-requests must be at least 1") }
        guard maxUploadMib >= 1 else { throw ValidationError("--max-upload-mib must be at least 1") }
    }

    func run() async throws {
        let logger = common.makeLogger("vitrine.serve")
        let environmentToken = ProcessInfo.processInfo.environment["VITRINE_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let configuration = ServerConfiguration(
            store: URL(fileURLWithPath: PostgresLocation.isURL(common.store) ? (common.images ?? "") : common.store), host: host, port: port, token: token ?? environmentToken,
            maxConcurrentRequests: maxConcurrentRequests, maxUploadBytes: maxUploadMib << 20, publicBaseURL: publicUrl,
            postgres: PostgresLocation.isURL(common.store) ? common.store : nil
        )
        let state = try ServerState(configuration: configuration, logger: logger)
        logger.notice("serving \(state.catalog.location) on http://\(host):\(port)/ (\(configuration.token == nil ? "read-only" : "writes need the token"))")
        try await VitrineServer.makeApplication(state: state).runService()
    }
}
