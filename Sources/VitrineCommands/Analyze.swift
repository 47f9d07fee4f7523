import ArgumentParser
import Curation
import Foundation
import VitrineCore

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job: ingest + hashes + quality + duplicates + report, in one command.")

    @OptionGroup var common: CommonOptions

    @Argument(help: "Folders, image files, or CSV/TSV lists.")
    var sources: [String]

    @OptionGroup var matching: MatchingOptions

    @Option(name: .long, help: "Reject images with more pixels than this (decompression-bomb guard).")
    var maxPixels: Int = 20_000 * 20_000

    @Option(name: .long, help: "Also upscale (ESPCN ×2) every item whose shorter side is below this many pixels (0 = off); see `vitrine upscale`.")
    var upscaleBelow: Int = 0

    struct Summary: Codable {
        var items: Int
        var ingested: Int
        var alreadyInCatalog: Int
        var errors: Int
        var errorsByCode: [String: Int]
        var duplicateGroups: Int
        var duplicatePairs: Int
        var itemsInDuplicateGroups: Int
        var qualityFlags: Int
        var qualityFlagsByKind: [String: Int]
        var report: String
        var sourceProblems: [String]
        var store: String
        var seconds: Double
        /// Derived images made by `--upscale-below`, when given.
        var upscaled: Int?
    }

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("give at least one folder, file or list") }
    }

    func run() async throws {
        try await failing {
            let started = Date()
            let catalog = try common.openCatalog()
            var ingestOptions = IngestOptions()
            ingestOptions.threads = common.threads
            ingestOptions.decode.maximumPixels = maxPixels
            ingestOptions.quiet = common.quiet
            let ingest = try await IngestJob(catalog: catalog, options: ingestOptions, logger: common.makeLogger("vitrine.ingest")).run(sources: sources)
            let (duplicates, _) = try DuplicateFinder(options: matching.options).run(catalog: catalog, logger: common.makeLogger("vitrine.duplicates"))
            var upscaled: Upscale.UpscaleSummary?
            if upscaleBelow > 0 {
                upscaled = try Upscale.upscaleItems(catalog: catalog, model: .espcn, scale: 2, itemIDs: [], below: upscaleBelow,
                                                    quiet: common.quiet || common.json, reportFolder: nil)
            }
            let report = try ReportBuilder(catalog: catalog).write()
            let items = try catalog.items()
            var errorsByCode: [String: Int] = [:]
            for item in items where item.status != "ok" { errorsByCode[item.errorCode ?? "unknown", default: 0] += 1 }
            var flagsByKind: [String: Int] = [:]
            for q in try catalog.quality() { for f in q.flagList { flagsByKind[f, default: 0] += 1 } }
            let summary = Summary(items: items.count, ingested: ingest.processed, alreadyInCatalog: ingest.alreadyDone,
                                  errors: errorsByCode.values.reduce(0, +), errorsByCode: errorsByCode,
                                  duplicateGroups: duplicates.groups, duplicatePairs: duplicates.pairs,
                                  itemsInDuplicateGroups: duplicates.itemsInGroups, qualityFlags: report.qualityFlags,
                                  qualityFlagsByKind: flagsByKind, report: report.report, sourceProblems: ingest.sourceProblems,
                                  store: catalog.store.path,
                                  seconds: Date().timeIntervalSince(started), upscaled: upscaled?.upscaled)
            if common.json {
                try printJSON(summary)
            } else {
                print("\(summary.items) items (\(summary.errors) unreadable), \(summary.duplicateGroups) duplicate groups covering \(summary.itemsInDuplicateGroups) items, \(summary.qualityFlags) quality flags")
                for (kind, n) in flagsByKind.sorted(by: { $0.key < $1.key }) { print("  \(kind): \(n)") }
                for problem in ingest.sourceProblems { print("  source problem: \(problem)") }
                if let upscaled { print("upscaled \(upscaled.upscaled) small items (\(upscaled.failed) failed): \(upscaled.report)") }
                print("report: \(summary.report)")
            }
            if ingest.found == 0 && !ingest.sourceProblems.isEmpty { throw ExitCode(1) }
        }
    }
}
