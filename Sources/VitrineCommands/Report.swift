import ArgumentParser
import Curation
import Foundation

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the HTML report (reports/index.html in the store): summary, duplicates, sweep, quality, errors.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Title shown at the top of the report.")
    var title: String = "Vitrine collection report"

    func run() async throws {
        try await failing {
            let summary = try ReportBuilder(catalog: try common.openCatalog(mustExist: true)).write(title: title)
            if common.json { try printJSON(summary) } else { print("report: \(summary.report)") }
        }
    }
}
