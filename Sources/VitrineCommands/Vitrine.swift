import ArgumentParser
import Catalog
import Curation
import Foundation
import Logging

/// The `vitrine` command line.
public struct Vitrine: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vitrine",
        abstract: "Machine learning for cultural-heritage image collections: harvest, catalog, duplicates, quality, embeddings, detection, classification, datasets, reports.",
        version: VitrineVersion.current,
        subcommands: [
            Analyze.self, Ingest.self, Harvest.self, Duplicates.self, Embed.self, Similar.self, Lookup.self,
            Cluster.self, Map.self, Detect.self, Classify.self, Watermark.self, Upscale.self, Quality.self, DatasetCommand.self,
            EvaluateCommand.self, Report.self, Serve.self, Enqueue.self, WorkerCommand.self, StatusCommand.self, Bench.self,
        ]
    )

    public init() {}
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Store folder (catalog.sqlite, images/, derived/, reports/), or a PostgreSQL catalog postgres://USER@HOST:PORT/DATABASE (then give --images).")
    var store: String = ".vitrine"

    @Option(name: .long, help: "With a PostgreSQL --store: the folder of the image files (images/, derived/, indexes/, reports/), one that every worker mounts.")
    var images: String?

    @Flag(name: .long, help: "Print the summary as one JSON object on standard output.")
    var json = false

    @Option(name: .long, help: "Images processed at once (the default is the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: LogLevelArgument = .info

    @Flag(name: .long, help: "No progress bar or log lines on standard error.")
    var quiet = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        try validateStore()
    }

    func validateStore() throws {
        guard !store.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--store must name a folder") }
        let postgres = PostgresLocation.isURL(store)
        if images != nil && !postgres {
            throw ValidationError("--images names the files folder of a PostgreSQL --store (postgres://…); a store folder keeps its own files")
        }
        if postgres && (images ?? "").isEmpty {
            throw ValidationError("a PostgreSQL --store needs --images DIR: the folder of the image files, one that every worker mounts")
        }
    }

    /// Opens the store; `mustExist` for commands that only read one.
    func openCatalog(mustExist: Bool = false) throws -> Catalog {
        try Catalog.open(store, images: images, mustExist: mustExist)
    }

    func makeLogger(_ label: String) -> Logger {
        var logger = Logger(label: label) { name in StreamLogHandler.standardError(label: name) }
        logger.logLevel = quiet ? .error : logLevel.level
        return logger
    }
}

enum LogLevelArgument: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
    var level: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}

/// Prints a value as one line of JSON on standard output.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = try encoder.encode(value)
    print(String(decoding: data, as: UTF8.self))
}

/// Turns a library error into a failure message and exit code 1.
func failing<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as ExitCode { throw error } catch let error as ValidationError { throw error } catch {
        FileHandle.standardError.write(Data("vitrine: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

extension Vitrine {
    /// Entry point for the executable: swift-argument-parser's async `main()`.
    public static func start() async {
        await main()
    }
}
