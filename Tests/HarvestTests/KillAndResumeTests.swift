import Catalog
import Foundation
import GRDB
import ReplayServer
import Testing

/// The built `vitrine` binary, killed with SIGKILL half-way through a harvest and started again.
@Suite(.serialized) struct KillAndResumeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL? {
        if let path = ProcessInfo.processInfo.environment["VITRINE_BIN"] { return URL(fileURLWithPath: path) }
        let bundleDir = Bundle.main.bundleURL.deletingLastPathComponent()
        return [bundleDir.appendingPathComponent("vitrine"), root.appendingPathComponent(".build/debug/vitrine")]
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Items committed so far, read-only.
    static func countItems(_ database: String) -> Int {
        guard FileManager.default.fileExists(atPath: database) else { return 0 }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: database, configuration: configuration) else { return 0 }
        return (try? queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM item") }) ?? 0
    }

    /// Starts `vitrine harvest europeana` against the replay server; with `killAfter`, through
    /// coreutils `timeout -s KILL`, so the SIGKILL lands on time however busy the test's own
    /// (cooperative) threads are.
    static func harvest(_ base: String, store: String, killAfter seconds: Int? = nil) throws -> Process {
        let process = Process()
        var prefix: [String] = []
        if let seconds, let binary {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            prefix = ["-s", "KILL", "\(seconds)", binary.path]
        } else {
            process.executableURL = binary
        }
        process.arguments = prefix + ["harvest", "europeana", "--query", "*:*", "--api-key", "k", "--base-url", base, "--store", store,
                             "--rows", "10", "--connections", "1", "--threads", "1", "--rate", "4", "--quiet", "--json"]
        process.standardOutput = Pipe()
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Acceptance: `--dry-run --json` over every manifest of the corpus lists canvases for each
    /// valid one and a clear error for each invalid one, without a crash.
    @Test func dryRunOverEveryCorpusManifestListsCanvasesAndErrorsWithoutACrash() throws {
        guard let folder = requireCorpus("api/iiif/presentation") else { return }
        guard let binary = Self.binary else {
            #expect(!corpusRequired, "the vitrine binary is not built")
            return
        }
        let files = jsonFiles(folder).map(\.path)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["harvest", "iiif", "--dry-run", "--json"] + files
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["documents"] as? Int == 63 && json["manifests"] as? Int == 60 && json["errors"] as? Int == 3)
        #expect(json["canvases"] as? Int == 1556)
        let listings = try #require(json["listings"] as? [[String: Any]])
        for listing in listings where listing["kind"] as? String == "error" {
            let source = try #require(listing["source"] as? String)
            #expect((listing["error"] as? String)?.contains(source) == true)
        }
    }

    @Test func aHarvestKilledHalfWayContinuesWithoutDuplicatesOrRedownloads() async throws {
        guard let corpus = requireCorpus() else { return }
        guard Self.binary != nil else {
            #expect(!corpusRequired, "the vitrine binary is not built")
            return
        }
        let total = 120
        let server = try await ReplayServer.start(corpus: corpus, records: total)
        let store = try TemporaryFolder("vitrine-harvest-kill")
        let database = store.path("catalog.sqlite")
        // The harvest is rate-limited to 4 requests/s (≈ 132 requests: ≥ 33 s) and killed with SIGKILL
        // after 15 s, half-way whatever the machine's load; the catalog is not polled while written.
        let first = try Self.harvest(server.base, store: store.url.path, killAfter: 15)
        first.waitUntilExit()
        let saved = Self.countItems(database)
        #expect(saved >= 1 && saved < total, "killed with \(saved) items saved")
        let hitsBefore = (0..<saved).map { server.hits("/img/\($0).jpg") }

        let second = try Self.harvest(server.base, store: store.url.path)
        let output = (second.standardOutput as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        let summary = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let catalog = try Catalog(store: store.url)
        let items = try catalog.items()
        #expect(items.count == total && Set(items.map(\.sourcePath)).count == total)
        #expect(items.allSatisfy { $0.status == "ok" })
        // Resumed from the saved cursor: the records of saved pages were not asked for again.
        #expect((summary["records"] as? Int ?? 0) <= total - saved + 10)
        // Saved images were not downloaded again.
        for n in 0..<saved { #expect(server.hits("/img/\(n).jpg") == hitsBefore[n], "image \(n)") }
        #expect(try catalog.harvestState("europeana *:*||")?.finished == true)
        await server.stop()
    }
}
