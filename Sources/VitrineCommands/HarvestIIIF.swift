import ArgumentParser
import Curation
import Foundation
import Harvest

struct HarvestIIIF: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iiif",
        abstract: "Harvest IIIF Presentation v2/v3 manifests and collections: one item per canvas image.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var harvest: HarvestOptionGroup
    @OptionGroup var reporting: HarvestReportOption

    @Argument(help: "Manifest or collection URLs or files.")
    var sources: [String]

    @Flag(name: .long, help: "List the canvases and image URLs that would be fetched; fetch no image, write nothing.")
    var dryRun = false

    @Option(name: .long, help: "How deep collections are walked.")
    var maxDepth: Int = 8

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("give at least one manifest or collection") }
    }

    func run() async throws {
        try await failing {
            let options = harvest.options(common)
            if dryRun {
                let listings = await HarvestJob.dryRun(sources, options: options)
                let errors = listings.filter { $0.error != nil }.count
                if common.json {
                    try printJSON(DryRun(documents: listings.count, manifests: listings.filter { $0.kind == "manifest" }.count,
                                         collections: listings.filter { $0.kind == "collection" }.count, errors: errors,
                                         canvases: listings.reduce(0) { $0 + ($1.manifest?.canvases.count ?? 0) }, listings: listings))
                } else {
                    for l in listings {
                        if let e = l.error { print("\(l.source): error: \(e)") }
                        else if let m = l.manifest {
                            print("\(l.source): manifest v\(m.version) \"\(m.label ?? "")\", \(m.canvases.count) canvases")
                            for url in (l.requests ?? []).prefix(5) { print("  \(url)") }
                            if (l.requests?.count ?? 0) > 5 { print("  … \((l.requests?.count ?? 0) - 5) more") }
                        } else if let c = l.collection {
                            print("\(l.source): collection v\(c.version) \"\(c.label ?? "")\", \(c.members.count) members")
                        }
                    }
                }
                return
            }
            let catalog = try common.openCatalog()
            let summary = try await HarvestJob(catalog: catalog, options: options, logger: common.makeLogger("vitrine.harvest"))
                .iiif(sources, maxDepth: maxDepth)
            try finishHarvest(summary, common: common, report: reporting.report)
        }
    }

    struct DryRun: Encodable {
        var documents: Int
        var manifests: Int
        var collections: Int
        var errors: Int
        var canvases: Int
        var listings: [HarvestJob.IIIFListing]
    }
}
