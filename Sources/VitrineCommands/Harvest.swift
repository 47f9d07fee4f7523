import ArgumentParser

struct Harvest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Harvest images and metadata from Europeana, IIIF manifests/collections or URL lists; polite and resumable.",
        discussion: """
        Downloads keep per-host and total concurrency limits and a per-host rate, retry with back-off, honour \
        Retry-After and accept a body only when its bytes are an image. Every URL's outcome is in the catalog; \
        a harvest started again continues where it stopped. `--report` writes reports/link-health.{csv,html}.
        """,
        subcommands: [HarvestEuropeana.self, HarvestIIIF.self, HarvestURLs.self])
}
