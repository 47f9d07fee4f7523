import ArgumentParser
import Curation
import Foundation

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Catalog images from folders (recursive) and CSV/TSV lists; idempotent and resumable.",
        discussion: """
        Each file is copied into the store by its SHA-256, decoded once by content (not by its name), and recorded with \
        its metadata, header facts, perceptual hashes and quality flags. Unreadable files are recorded as errors and \
        the batch goes on. Running it again skips what is already done.
        """)

    @OptionGroup var common: CommonOptions

    @Argument(help: "Folders, image files, or CSV/TSV lists with a `path` (or `url`) column.")
    var paths: [String]

    @Option(name: .long, help: "Reject images with more pixels than this (decompression-bomb guard).")
    var maxPixels: Int = 20_000 * 20_000

    @Flag(name: .long, help: "Try again the files whose earlier ingest failed.")
    var retryErrors = false

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one folder, file or list") }
        guard maxPixels > 0 else { throw ValidationError("--max-pixels must be positive") }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog()
            var options = IngestOptions()
            options.threads = common.threads
            options.decode.maximumPixels = maxPixels
            options.retryErrors = retryErrors
            options.quiet = common.quiet
            let summary = try await IngestJob(catalog: catalog, options: options, logger: common.makeLogger("vitrine.ingest")).run(sources: paths)
            if common.json {
                try printJSON(summary)
            } else {
                print("ingested \(summary.processed) files (\(summary.ok) ok, \(summary.errors) errors), \(summary.alreadyDone) already in the catalog, \(summary.skippedNonImages) non-image files skipped")
                for (code, n) in summary.errorsByCode.sorted(by: { $0.key < $1.key }) { print("  \(code): \(n)") }
                for problem in summary.sourceProblems { print("  source problem: \(problem)") }
            }
            // Sources that gave nothing at all (a mistyped path, a list without a path column).
            if summary.found == 0 && !summary.sourceProblems.isEmpty { throw ExitCode(1) }
        }
    }
}
