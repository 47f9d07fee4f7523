import ArgumentParser
import Curation
import Foundation
import Harvest

struct HarvestEuropeana: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "europeana",
        abstract: "Harvest a Europeana Search API v2 query with cursor paging (images: edmIsShownBy, then edmObject, then edmPreview).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var harvest: HarvestOptionGroup
    @OptionGroup var reporting: HarvestReportOption

    @Option(name: .long, help: "Search query (Solr syntax), e.g. `*:*` or `who:rembrandt`.")
    var query: String

    @Option(name: .long, help: "Query refinement, repeatable, e.g. `TYPE:IMAGE`.")
    var qf: [String] = []

    @Option(name: .long, help: "Reusability: open, restricted or permission (repeatable).")
    var reusability: [String] = []

    @Option(name: .long, help: "Only records with (true) or without (false) media.")
    var media: Bool?

    @Option(name: .long, help: "Only records with (true) or without (false) a thumbnail.")
    var thumbnail: Bool?

    @Option(name: .long, help: "Only records with (true) or without (false) a landing page.")
    var landingpage: Bool?

    @Option(name: .long, help: "Colour (#RRGGBB) the images must contain, repeatable.")
    var colourpalette: [String] = []

    @Option(name: .long, help: "Theme (collection), e.g. art, fashion, music.")
    var theme: String?

    @Option(name: .long, help: "Sort, e.g. `score desc`, `timestamp_update desc`, `random`.")
    var sort: String?

    @Option(name: .long, help: "Profile: minimal, standard, rich, facets.")
    var profile: String = "rich"

    @Option(name: .long, help: "Records per page, 1…100.")
    var rows: Int = 100

    @Option(name: .long, help: "Facet to ask for, repeatable.")
    var facet: [String] = []

    @Option(name: .long, help: "Preferred language of titles and creators (then def, en, any).")
    var language: String?

    @Option(name: .long, help: "API key (default: the EUROPEANA_API_KEY environment variable). Never logged.")
    var apiKey: String?

    @Option(name: .long, help: "API base URL, for mirrors and tests.")
    var baseURL: String = "https://api.europeana.eu"

    @Flag(name: .long, help: "Read each record from the Record API too (edmObject, web resources, IIIF service, concept labels).")
    var fullRecords = false

    @Flag(name: .long, help: "Try the full-size image again for items that only got their edmPreview.")
    var recheckPreviews = false

    func validate() throws {
        guard (1...100).contains(rows) else { throw ValidationError("--rows must be 1…100 (the Search API's limit)") }
        guard resolvedKey != nil else { throw ValidationError("give --api-key or set EUROPEANA_API_KEY") }
    }

    var resolvedKey: String? {
        let key = apiKey ?? ProcessInfo.processInfo.environment["EUROPEANA_API_KEY"]
        return key?.isEmpty == false ? key : nil
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog()
            var q = EuropeanaSearchQuery(query: query)
            q.qf = qf
            q.reusability = reusability
            q.media = media
            q.thumbnail = thumbnail
            q.landingPage = landingpage
            q.colourPalette = colourpalette
            q.theme = theme
            q.sort = sort
            q.profile = profile
            q.rows = rows
            q.facet = facet
            q.language = language
            var options = harvest.options(common)
            options.fullRecords = fullRecords
            options.recheckPreviews = recheckPreviews
            options.language = language
            let summary = try await HarvestJob(catalog: catalog, options: options, logger: common.makeLogger("vitrine.harvest"))
                .europeana(q, apiKey: resolvedKey ?? "", base: baseURL)
            try finishHarvest(summary, common: common, report: reporting.report)
        }
    }
}
