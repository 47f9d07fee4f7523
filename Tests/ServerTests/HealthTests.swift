import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Server
import Testing

@Suite("Server operation routes")
struct HealthTests {
    @Test("GET /health answers 200 with a JSON status")
    func healthAnswersOK() async throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-server-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: store) }
        _ = try Catalog(store: store)
        let state = try ServerState(configuration: ServerConfiguration(store: store), logger: Logger(label: "test"))
        let app = Application(router: VitrineServer.makeRouter(state: state))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("ok"))
            }
        }
    }
}
