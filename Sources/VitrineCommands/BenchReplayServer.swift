import ArgumentParser
import Foundation
import ReplayServer

struct BenchReplayServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay-server",
        abstract: "Serve the corpus's recorded Europeana answers, images and static IIIF tree on 127.0.0.1, with injected faults (offline demos, benchmarks).")

    @Option(name: .long, help: "The shared corpus folder.")
    var corpus: String = "../shared/corpus"

    @Option(name: .long, help: "Port on 127.0.0.1 (0: any free port).")
    var port: Int = 8089

    @Option(name: .long, help: "Serve this many synthetic fault-free search records instead of the recorded page.")
    var records: Int?

    func run() async throws {
        let server = try await ReplayServer.start(corpus: URL(fileURLWithPath: corpus), port: port, records: records)
        FileHandle.standardOutput.write(Data("replay server on \(server.base) (search: \(server.base)/record/v2/search.json, IIIF: \(server.base)/iiif/manifest.json); Ctrl-C stops it\n".utf8))
        while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
    }
}
