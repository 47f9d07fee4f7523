import ArgumentParser
import Curation
import Foundation

struct HarvestURLs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "urls",
        abstract: "Harvest a CSV/TSV list with a `url` column (plus title, creator, rights, provider, … columns).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var harvest: HarvestOptionGroup
    @OptionGroup var reporting: HarvestReportOption

    @Argument(help: "The CSV or TSV list.")
    var list: String

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog()
            let summary = try await HarvestJob(catalog: catalog, options: harvest.options(common), logger: common.makeLogger("vitrine.harvest"))
                .urls(list)
            try finishHarvest(summary, common: common, report: reporting.report)
        }
    }
}
