import ArgumentParser
import Catalog
import Curation
import Foundation
import Harvest
import ReplayServer

struct HarvestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "harvest",
        abstract: "Europeana harvest from the local replay server with decode, analysis and store: images/s and MB/s at several connection counts, peak RSS.")

    @Option(name: .long, help: "The shared corpus folder.")
    var corpus: String = "../shared/corpus"

    @Option(name: .long, help: "Synthetic records per run.")
    var records: Int = 200

    @Option(name: .long, parsing: .upToNextOption, help: "Connection counts to measure.")
    var connections: [Int] = [1, 8, 32]

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    struct Row: Codable {
        var connections: Int
        var images: Int
        var seconds: Double
        var imagesPerSecond: Double
        var megabytesPerSecond: Double
    }

    struct Result: Codable {
        var records: Int
        var rows: [Row]
        var peakRSSBytes: Int
    }

    func run() async throws {
        let server = try await ReplayServer.start(corpus: URL(fileURLWithPath: corpus), records: records)
        var rows: [Row] = []
        for n in connections {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-bench-harvest-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let catalog = try Catalog(store: folder)
            var options = HarvestOptions()
            options.quiet = true
            options.fetcher.connections = n
            options.fetcher.perHost = n
            options.fetcher.rate = 0
            options.ingest.quiet = true
            let summary = try await HarvestJob(catalog: catalog, options: options).europeana(EuropeanaSearchQuery(query: "*:*"), apiKey: "bench", base: server.base)
            rows.append(Row(connections: n, images: summary.stored, seconds: summary.seconds,
                            imagesPerSecond: Double(summary.stored) / max(summary.seconds, 1e-9),
                            megabytesPerSecond: Double(summary.bytes) / 1e6 / max(summary.seconds, 1e-9)))
        }
        await server.stop()
        let result = Result(records: records, rows: rows, peakRSSBytes: peakRSS())
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            for r in rows {
                print(String(format: "%3d connections: %d images in %.2f s: %.1f images/s, %.2f MB/s", r.connections, r.images, r.seconds, r.imagesPerSecond, r.megabytesPerSecond))
            }
            print("peak RSS \(result.peakRSSBytes / 1_048_576) MiB")
        }
    }
}
