import ArgumentParser
import Curation
import Foundation
import Harvest

/// Download and job options shared by the `harvest` subcommands.
struct HarvestOptionGroup: ParsableArguments {
    @Option(name: .long, help: "Longer side in pixels asked of IIIF image services.")
    var size: Int = 1024

    @Option(name: .long, help: "Records (or canvases, or rows) to look at, at most.")
    var limit: Int?

    @Option(name: .long, help: "Requests in flight in total.")
    var connections: Int = 8

    @Option(name: .long, help: "Requests in flight per host.")
    var perHost: Int = 4

    @Option(name: .long, help: "Request starts per second per host (0: no limit).")
    var rate: Double = 8

    @Option(name: .long, help: "Retries of a URL after network errors, timeouts, truncation, 429 and 5xx.")
    var retries: Int = 3

    @Option(name: .long, help: "Seconds for one whole request attempt.")
    var timeout: Double = 60

    @Flag(name: .long, help: "Ask again the URLs that failed in an earlier run.")
    var retryErrors = false

    func validate() throws {
        guard size >= 1 else { throw ValidationError("--size must be positive") }
        guard (limit ?? 1) >= 1 else { throw ValidationError("--limit must be positive") }
        guard connections >= 1, perHost >= 1 else { throw ValidationError("--connections and --per-host must be at least 1") }
        guard rate >= 0, retries >= 0, timeout > 0 else { throw ValidationError("--rate and --retries must not be negative, --timeout must be positive") }
    }

    var settings: HarvestSettings {
        var s = HarvestSettings()
        (s.size, s.limit, s.retryErrors) = (size, limit, retryErrors)
        (s.connections, s.perHost, s.rate, s.retries, s.timeout) = (connections, perHost, rate, retries, timeout)
        return s
    }

    func options(_ common: CommonOptions) -> HarvestOptions { settings.options(threads: common.threads, quiet: common.quiet) }
}

/// `--report` of the `harvest` subcommands.
struct HarvestReportOption: ParsableArguments {
    @Flag(name: .long, help: "Write reports/link-health.csv and reports/link-health.html after the harvest.")
    var report = false
}

/// Prints a harvest summary and writes the link-health report when asked.
func finishHarvest(_ summary: HarvestSummary, common: CommonOptions, report: Bool) throws {
    var reportPaths: (csv: String, html: String)?
    if report {
        let catalog = try common.openCatalog()
        reportPaths = try LinkHealth.write(try catalog.urlOutcomes(), store: catalog.store)
    }
    if common.json {
        try printJSON(summary)
        return
    }
    print("harvested \(summary.records) records: \(summary.stored) stored (\(summary.previewOnly) preview-only), \(summary.errors) errors, \(summary.alreadyDone) already in the catalog")
    for (kind, n) in summary.outcomes.sorted(by: { $0.key < $1.key }) { print("  url \(kind): \(n)") }
    for (code, n) in summary.errorsByCode.sorted(by: { $0.key < $1.key }) { print("  item error \(code): \(n)") }
    if !summary.finished, let cursor = summary.cursor { print("  stopped before the end (next cursor \(cursor)); run again to continue") }
    if let reportPaths { print("link health: \(reportPaths.html)\n             \(reportPaths.csv)") }
}
