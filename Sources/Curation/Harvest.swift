import Catalog
import Foundation
import Harvest
import Logging
import Reports
import VitrineCore

/// Options of a harvest (`vitrine harvest europeana|iiif|urls`).
public struct HarvestOptions: Sendable {
    /// Longer side in pixels asked of IIIF services (a level-0 server gets a listed size).
    public var size = 1024
    /// Records (Europeana) or canvases (IIIF) or rows (lists) looked at, at most.
    public var limit: Int?
    /// Ask again the URLs that failed before (default: a failed URL is not asked again).
    public var retryErrors = false
    /// Try again the full-size URL of items that only got their `edmPreview`.
    public var recheckPreviews = false
    /// Fetch each Europeana record from the Record API (edmObject, web resources, IIIF service, concept labels).
    public var fullRecords = false
    /// Preferred language for language maps (then `def`, `en`, any).
    public var language: String?
    public var fetcher = HTTPFetcher.Options()
    public var ingest = IngestOptions()
    public var quiet = false
    public init() {}
}

/// The settings of a harvest that its command line gives (and a queued harvest keeps): the IIIF
/// size, the record limit, whether failed URLs are asked again, and the fetcher's politeness.
public struct HarvestSettings: Codable, Sendable, Equatable {
    public var size = 1024
    public var limit: Int?
    public var retryErrors = false
    public var connections = 8
    public var perHost = 4
    /// Request starts per second per host (0: no limit).
    public var rate = 8.0
    public var retries = 3
    /// Seconds for one whole request attempt.
    public var timeout = 60.0
    public init() {}

    /// Harvest options with these settings, ingest on `threads` cores.
    public func options(threads: Int, quiet: Bool) -> HarvestOptions {
        var o = HarvestOptions()
        o.size = size
        o.limit = limit
        o.retryErrors = retryErrors
        o.fetcher.connections = connections
        o.fetcher.perHost = perHost
        o.fetcher.rate = rate
        o.fetcher.retries = retries
        o.fetcher.timeout = timeout
        o.ingest.threads = threads
        o.ingest.quiet = true
        o.quiet = quiet
        return o
    }
}

/// What a harvest did. Outcome kinds are those of `URLOutcomeRecord.kind`.
public struct HarvestSummary: Codable, Sendable, Equatable {
    public var runID: Int64
    public var source: String
    public var records = 0
    public var alreadyDone = 0
    public var stored = 0
    public var previewOnly = 0
    public var errors = 0
    /// Records with no image URL at all (recorded as `no_image_url` errors).
    public var noImage = 0
    public var pages = 0
    public var outcomes: [String: Int] = [:]
    public var errorsByCode: [String: Int] = [:]
    public var bytes: Int64 = 0
    public var seconds = 0.0
    public var cursor: String?
    public var finished = false
}

/// One record to harvest: catalog fields, the URLs to try in order, and its harvest facts.
public struct HarvestTarget: Sendable {
    public var item: ItemRecord
    /// (URL, role); role `iiif` means the URL is an Image service base.
    public var candidates: [(url: String, role: String)]
    public var details: HarvestItemRecord
    public var concepts: [ItemConceptRecord]
    /// Ask again URLs that failed before for this item (`--recheck-previews` of a preview-only item).
    public var recheck = false
}

/// The harvest jobs. Downloads go through `HTTPFetcher` (polite, bounded); the bytes go through
/// `IngestJob.analyzeAndStore` (same decoding, hashes, quality and store as `ingest`).
///
/// Resumable: each page (Europeana) or manifest (IIIF) or list is saved in one transaction
/// with the harvest state; items already stored are skipped without a request; a URL that
/// already failed for an item is not asked again unless `retryErrors`.
public struct HarvestJob: Sendable {
    public let catalog: Catalog
    public let options: HarvestOptions
    public let logger: Logger

    public init(catalog: Catalog, options: HarvestOptions = HarvestOptions(), logger: Logger = Logger(label: "vitrine.harvest")) {
        self.catalog = catalog
        self.options = options
        self.logger = logger
    }

    // MARK: Europeana

    /// Harvests a Europeana search with cursor paging, from where the last run stopped.
    /// - Throws: `HarvestError` (redacted) when a search page cannot be had after retries;
    ///   what was done until then is saved.
    public func europeana(_ query: EuropeanaSearchQuery, apiKey: String, base: String) async throws -> HarvestSummary {
        let started = Date()
        let redact = KeyRedactor(key: apiKey)
        var query = query
        query.language = query.language ?? options.language
        try query.validate()
        let key = "europeana " + ([query.query] + query.qf + query.reusability + [query.sort ?? "", query.theme ?? ""]).joined(separator: "|")
        let runID = try catalog.startRun(kind: "harvest", toolVersion: VitrineVersion.current, config: [
            "source": "europeana", "base": base, "query": query.query, "qf": query.qf.joined(separator: "\n"),
            "reusability": query.reusability.joined(separator: ","), "rows": "\(query.rows)", "size": "\(options.size)",
            "fullRecords": "\(options.fullRecords)", "limit": options.limit.map(String.init) ?? "",
        ])
        var summary = HarvestSummary(runID: runID, source: key)
        let previous = try catalog.harvestState(key)
        var cursor = (previous?.finished == false ? previous?.cursor : nil) ?? "*"
        var position = previous?.finished == false ? (previous?.position ?? 0) : 0
        let fetcher = HTTPFetcher(options: options.fetcher)
        let progress = ProgressReporter(label: "harvest", total: options.limit ?? 0, unit: "rec", quiet: options.quiet)
        do {
            let states = try catalog.sourceStates()
            let previews = Set(try catalog.harvestItems().filter(\.previewOnly).map(\.sourcePath))
            let failed = try catalog.failedURLKeys()
            var seenCursors: Set<String> = [cursor]
            while true {
                if let limit = options.limit, summary.records >= limit { break }
                var page = query
                page.cursor = cursor
                if let limit = options.limit { page.rows = min(page.rows, max(1, limit - summary.records)) }
                let url = try page.url(base: base, apiKey: apiKey)
                let answer: EuropeanaSearchPage
                do {
                    let result = try await fetcher.fetch(url)
                    answer = try EuropeanaSearchPage.parse(result.body, source: redact(url), language: query.language)
                } catch let error as HarvestError { throw error.redacted(redact) }
                summary.pages += 1
                if summary.pages == 1 { progress.setTotal(min(options.limit ?? Int.max, max(0, answer.totalResults - position))) }
                var targets: [HarvestTarget] = []
                for record in answer.items {
                    if let limit = options.limit, summary.records >= limit { break }
                    summary.records += 1
                    let path = "europeana:" + record.id
                    if let state = states[path], state.status == "ok", !(options.recheckPreviews && previews.contains(path)) {
                        summary.alreadyDone += 1
                        progress.advance(1)
                        continue
                    }
                    var record = record
                    if options.fullRecords {
                        let recordURL = EuropeanaSearchQuery.trimmed(base) + "/record/v2\(record.id).json?wskey=" + (apiKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
                        do {
                            let full = try EuropeanaItem.parseRecord(try await fetcher.fetch(recordURL).body, source: redact(recordURL), language: query.language)
                            record = Self.merge(record, full)
                        } catch {
                            logger.warning("\(redact("\(error)")); using the search answer only")
                        }
                    }
                    var target = Self.target(record, runID: runID)
                    target.recheck = options.recheckPreviews && previews.contains(path)
                    targets.append(target)
                }
                position += answer.items.count
                let next = answer.nextCursor
                let done = next == nil || seenCursors.contains(next ?? "") || position >= answer.totalResults || answer.items.isEmpty
                var batch = try await process(targets, fetcher: fetcher, failed: failed, runID: runID, summary: &summary, progress: progress)
                batch.state = HarvestStateRecord(source: key, cursor: done ? nil : next, position: position, finished: done)
                try catalog.saveHarvest(batch)
                summary.cursor = done ? nil : next
                if done { summary.finished = true; break }
                if let next { cursor = next; seenCursors.insert(next) }
            }
        } catch {
            await fetcher.shutdown()
            try? catalog.finishRun(runID, status: "failed", summary: summary)
            throw error
        }
        await fetcher.shutdown()
        progress.finish()
        summary.seconds = Date().timeIntervalSince(started)
        try catalog.finishRun(runID, summary: summary)
        return summary
    }

    /// A search item completed by its Record API answer.
    static func merge(_ search: EuropeanaItem, _ full: EuropeanaItem) -> EuropeanaItem {
        var m = search
        m.edmIsShownBy = search.edmIsShownBy ?? full.edmIsShownBy
        m.edmObject = full.edmObject
        m.webResources = full.webResources
        m.iiifService = full.iiifService
        m.edmPreview = search.edmPreview ?? full.edmPreview
        m.title = search.title ?? full.title
        m.titleLanguage = search.title == nil ? full.titleLanguage : search.titleLanguage
        m.concepts = Array(Set(search.concepts + full.concepts)).sorted()
        m.conceptLabels = search.conceptLabels.merging(full.conceptLabels) { a, _ in a }
        return m
    }

    static func target(_ r: EuropeanaItem, runID: Int64) -> HarvestTarget {
        let path = "europeana:" + r.id
        var item = ItemRecord(sourceKind: "europeana", sourcePath: path, status: "ok")
        item.sourceID = r.id
        item.title = r.title
        item.creator = r.dcCreator
        item.date = r.year
        item.rights = r.rights
        item.provider = r.provider
        item.dataProvider = r.dataProvider
        item.landingPage = r.edmIsShownAt ?? r.guid
        var extra: [String: String] = [:]
        if let g = r.guid { extra["guid"] = g }
        if let l = r.titleLanguage { extra["titleLanguage"] = l }
        if let t = r.type { extra["type"] = t }
        if let c = r.country { extra["country"] = c }
        if !extra.isEmpty, let json = try? JSONEncoder.sorted.encode(extra) { item.metadata = String(decoding: json, as: UTF8.self) }
        item.ingestRunID = runID
        let details = HarvestItemRecord(sourcePath: path, source: "europeana", iiifService: r.iiifService, edmType: r.type, country: r.country)
        let concepts = r.concepts.map { ItemConceptRecord(sourcePath: path, uri: $0, label: r.conceptLabels[$0]) }
        return HarvestTarget(item: item, candidates: r.imageCandidates.map { ($0.url, $0.source.rawValue) }, details: details, concepts: concepts)
    }

    // MARK: IIIF

    /// What `--dry-run` reports for one manifest or collection source.
    public struct IIIFListing: Codable, Sendable {
        public var source: String
        public var kind: String
        public var manifest: IIIFManifest?
        public var collection: IIIFCollection?
        public var error: String?
        /// Image URLs that would be fetched (service requests planned without their info.json).
        public var requests: [String]?
    }

    /// Reads a manifest or collection from a file or an http(s) URL.
    static func load(_ source: String, fetcher: HTTPFetcher?) async throws -> IIIFDocument {
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            guard let fetcher else { throw HarvestError(.network, url: source, "no HTTP client") }
            return try IIIFPresentation.parse(try await fetcher.fetch(source).body, source: source)
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: source)) } catch {
            throw HarvestError(.invalidURL, url: source, "cannot read the file: \(error.localizedDescription)")
        }
        return try IIIFPresentation.parse(data, source: source)
    }

    /// `--dry-run`: parses each source (fetching remote ones) and lists its canvases and the
    /// image URLs that would be fetched. Never throws for a bad source: its listing has `error`.
    public static func dryRun(_ sources: [String], options: HarvestOptions) async -> [IIIFListing] {
        let fetcher = sources.contains { $0.contains("://") } ? HTTPFetcher(options: options.fetcher) : nil
        var out: [IIIFListing] = []
        for source in sources {
            do {
                switch try await Self.load(source, fetcher: fetcher) {
                case .manifest(let m):
                    let requests = m.canvases.flatMap { c in c.images.map { Self.plannedURL($0, size: options.size) } }
                    out.append(IIIFListing(source: source, kind: "manifest", manifest: m, requests: requests))
                case .collection(let c):
                    out.append(IIIFListing(source: source, kind: "collection", collection: c))
                }
            } catch {
                out.append(IIIFListing(source: source, kind: "error", error: "\(error)"))
            }
        }
        await fetcher?.shutdown()
        return out
    }

    /// The URL a dry run shows: `!s,s` through the service (version's grammar), else the static image.
    static func plannedURL(_ image: IIIFImageResource, size: Int) -> String {
        guard let s = image.service else { return image.url }
        let r = IIIFImageRequest(base: s.base, version: s.version, region: .full, size: .bestFit(size, size), rotation: .init(),
                                 quality: s.version == 1 ? "native" : "default", format: "jpg")
        return (try? r.build()) ?? image.url
    }

    /// Harvests manifests and collections (walked recursively, `maxDepth` deep, each document
    /// once, v2 collection pages followed): one item per canvas image.
    public func iiif(_ sources: [String], maxDepth: Int = 8) async throws -> HarvestSummary {
        let started = Date()
        let runID = try catalog.startRun(kind: "harvest", toolVersion: VitrineVersion.current, config: [
            "source": "iiif", "sources": sources.joined(separator: "\n"), "size": "\(options.size)",
        ])
        var summary = HarvestSummary(runID: runID, source: "iiif")
        let fetcher = HTTPFetcher(options: options.fetcher)
        let progress = ProgressReporter(label: "harvest", total: options.limit ?? 0, unit: "img", quiet: options.quiet)
        let states = try catalog.sourceStates()
        let failed = try catalog.failedURLKeys()
        var visited = Set<String>()
        var queue: [(String, Int)] = sources.map { ($0, 0) }
        do {
            while !queue.isEmpty {
                if let limit = options.limit, summary.records >= limit { break }
                let (source, depth) = queue.removeFirst()
                guard visited.insert(source).inserted else { continue }
                let document: IIIFDocument
                do { document = try await Self.load(source, fetcher: fetcher) } catch {
                    logger.warning("\(error)")
                    summary.errorsByCode[(error as? HarvestError)?.kind ?? "invalid_iiif", default: 0] += 1
                    summary.errors += 1
                    continue
                }
                switch document {
                case .collection(let c):
                    visited.insert(c.id)
                    guard depth < maxDepth else { logger.warning("\(source): collection deeper than \(maxDepth); not walked"); continue }
                    for m in c.members where !visited.contains(m.id) { queue.append((m.id, depth + 1)) }
                    if let next = c.nextPage, !visited.contains(next) { queue.append((next, depth)) }
                case .manifest(let m):
                    var targets: [HarvestTarget] = []
                    for canvas in m.canvases {
                        for (n, image) in canvas.images.enumerated() {
                            if let limit = options.limit, summary.records >= limit { break }
                            summary.records += 1
                            let path = "iiif:\(m.id)#\(canvas.id)" + (n > 0 ? "#\(n)" : "")
                            if states[path]?.status == "ok" { summary.alreadyDone += 1; progress.advance(1); continue }
                            var item = ItemRecord(sourceKind: "iiif", sourcePath: path, status: "ok")
                            item.sourceID = canvas.id
                            item.title = [m.label, canvas.label].compactMap { $0 }.joined(separator: " — ")
                            item.rights = m.rights
                            item.provider = m.requiredStatement
                            item.landingPage = m.id
                            item.ingestRunID = runID
                            var candidates: [(url: String, role: String)] = []
                            if let s = image.service { candidates.append((s.base + "#v\(s.version)", "iiif")) }
                            candidates.append((image.url, "image"))
                            targets.append(HarvestTarget(item: item, candidates: candidates,
                                                         details: HarvestItemRecord(sourcePath: path, source: "iiif", iiifService: image.service?.base,
                                                                                    manifest: m.id, canvas: canvas.id),
                                                         concepts: []))
                        }
                    }
                    let batch = try await process(targets, fetcher: fetcher, failed: failed, runID: runID, summary: &summary, progress: progress)
                    try catalog.saveHarvest(batch)
                }
            }
        } catch {
            await fetcher.shutdown()
            try? catalog.finishRun(runID, status: "failed", summary: summary)
            throw error
        }
        await fetcher.shutdown()
        progress.finish()
        summary.finished = true
        summary.seconds = Date().timeIntervalSince(started)
        try catalog.finishRun(runID, summary: summary)
        return summary
    }

    // MARK: URL lists

    /// Harvests a CSV/TSV list with a `url` column and metadata columns (the names `ingest` knows).
    public func urls(_ list: String) async throws -> HarvestSummary {
        let started = Date()
        let scan = SourceScanner.scan([list])
        if scan.entries.isEmpty, let problem = scan.problems.first { throw HarvestError(.invalidRequest, url: list, problem) }
        let runID = try catalog.startRun(kind: "harvest", toolVersion: VitrineVersion.current, config: ["source": "urls", "list": list])
        var summary = HarvestSummary(runID: runID, source: "urls \(list)")
        let states = try catalog.sourceStates()
        let failed = try catalog.failedURLKeys()
        let fetcher = HTTPFetcher(options: options.fetcher)
        let progress = ProgressReporter(label: "harvest", total: options.limit ?? scan.entries.count, quiet: options.quiet)
        var targets: [HarvestTarget] = []
        for entry in scan.entries {
            if let limit = options.limit, summary.records >= limit { break }
            summary.records += 1
            if states[entry.location]?.status == "ok" { summary.alreadyDone += 1; progress.advance(1); continue }
            var item = ItemRecord(sourceKind: "list", sourcePath: entry.location, status: "ok")
            let m = entry.metadata
            item.title = m["title"]; item.creator = m["creator"]; item.date = m["date"]; item.rights = m["rights"]
            item.provider = m["provider"]; item.dataProvider = m["dataProvider"]; item.sourceID = m["sourceID"]; item.landingPage = m["landingPage"]
            item.ingestRunID = runID
            targets.append(HarvestTarget(item: item, candidates: [(entry.location, "url")],
                                         details: HarvestItemRecord(sourcePath: entry.location, source: "list"), concepts: []))
        }
        do {
            for chunk in stride(from: 0, to: targets.count, by: 64).map({ Array(targets[$0..<min($0 + 64, targets.count)]) }) {
                try catalog.saveHarvest(try await process(chunk, fetcher: fetcher, failed: failed, runID: runID, summary: &summary, progress: progress))
            }
        } catch {
            await fetcher.shutdown()
            throw error
        }
        await fetcher.shutdown()
        progress.finish()
        summary.finished = true
        summary.seconds = Date().timeIntervalSince(started)
        try catalog.finishRun(runID, summary: summary)
        return summary
    }

    // MARK: Downloading one batch

    /// Fetches and analyses a batch of targets (as many at once as the fetcher allows
    /// connections, analysis on all cores meanwhile) and returns what to save.
    func process(_ targets: [HarvestTarget], fetcher: HTTPFetcher, failed: Set<String>, runID: Int64,
                 summary: inout HarvestSummary, progress: ProgressReporter) async throws -> Catalog.HarvestBatch {
        var batch = Catalog.HarvestBatch()
        let options = self.options
        let store = catalog.store
        let width = max(options.fetcher.connections, options.ingest.threads)
        try await withThrowingTaskGroup(of: (Catalog.IngestedItem, HarvestItemRecord, [URLOutcomeRecord]).self) { group in
            var iterator = targets.makeIterator()
            for _ in 0..<width {
                guard let t = iterator.next() else { break }
                group.addTask { await Self.harvestOne(t, fetcher: fetcher, failed: failed, store: store, runID: runID, options: options) }
            }
            while let (result, details, outcomes) = try await group.next() {
                try Task.checkCancellation()
                batch.items.append(result)
                batch.details.append(details)
                batch.outcomes += outcomes
                for o in outcomes { summary.outcomes[o.kind, default: 0] += 1 }
                if result.item.status == "ok" {
                    summary.stored += 1
                    summary.bytes += result.item.byteSize ?? 0
                    if details.previewOnly { summary.previewOnly += 1 }
                } else {
                    summary.errors += 1
                    summary.errorsByCode[result.item.errorCode ?? "unknown", default: 0] += 1
                    if result.item.errorCode == "no_image_url" { summary.noImage += 1 }
                    logger.debug("\(result.item.sourcePath): \(result.item.errorMessage ?? "error")")
                }
                progress.addBytes(result.item.byteSize ?? 0)
                progress.advance(1, errors: result.item.status == "ok" ? 0 : 1)
                if let t = iterator.next() {
                    group.addTask { await Self.harvestOne(t, fetcher: fetcher, failed: failed, store: store, runID: runID, options: options) }
                }
            }
        }
        batch.concepts = targets.flatMap(\.concepts)
        return batch
    }

    /// Tries a target's URLs in order until one gives an image; records every URL's outcome.
    static func harvestOne(_ target: HarvestTarget, fetcher: HTTPFetcher, failed: Set<String>, store: URL, runID: Int64,
                           options: HarvestOptions) async -> (Catalog.IngestedItem, HarvestItemRecord, [URLOutcomeRecord]) {
        var item = target.item
        var details = target.details
        var outcomes: [URLOutcomeRecord] = []
        func outcome(_ url: String, _ role: String, _ kind: String, _ message: String? = nil, _ r: FetchResult? = nil) -> URLOutcomeRecord {
            URLOutcomeRecord(sourcePath: item.sourcePath, url: url, role: role, kind: kind, message: message, finalURL: r?.finalURL,
                             redirects: r?.redirects ?? 0, attempts: r?.attempts ?? 1, bytes: r.map { Int64($0.body.count) },
                             provider: item.provider, dataProvider: item.dataProvider, recordID: item.sourceID, landingPage: item.landingPage, runID: runID)
        }
        guard !target.candidates.isEmpty else {
            item.status = "error"
            item.errorCode = "no_image_url"
            item.errorMessage = "the record has no edmIsShownBy, edmObject, image web resource or edmPreview"
            return (Catalog.IngestedItem(item: item, hashes: nil, quality: nil), details, [])
        }
        var lastError: HarvestError?
        var skippedKnown = 0
        for (url, role) in target.candidates {
            if !options.retryErrors && !target.recheck && failed.contains("\(item.sourcePath)\t\(url)") { skippedKnown += 1; continue }
            do {
                let result: FetchResult
                var fetchedURL = url
                if role == "iiif" {
                    (fetchedURL, result) = try await fetchThroughService(url, size: options.size, fetcher: fetcher, record: { u, e in
                        outcomes.append(outcome(u, role, e.kind, e.message))
                    })
                } else {
                    result = try await fetcher.fetch(url, expectImage: true)
                }
                let note = result.retriedAfter.isEmpty ? nil : "after \(result.retriedAfter.joined(separator: ", ")) (\(result.attempts) attempts)"
                outcomes.append(outcome(fetchedURL, role, result.redirects > 0 ? "redirected" : "ok", note, result))
                item.originalURL = fetchedURL
                details.imageSource = role
                details.imageURL = fetchedURL
                details.previewOnly = role == EuropeanaImageSource.edmPreview.rawValue
                let stored = IngestJob.analyzeAndStore(item, data: result.body, name: fetchedURL, store: store, runID: runID, options: options.ingest)
                return (stored, details, outcomes)
            } catch let error as HarvestError {
                if role != "iiif" { outcomes.append(outcome(url, role, error.kind, error.message)) }
                lastError = error
            } catch {
                outcomes.append(outcome(url, role, "network", "\(error)"))
                lastError = HarvestError(.network, url: url, "\(error)")
            }
        }
        item.status = "error"
        item.errorCode = lastError?.kind ?? "known_failure"
        item.errorMessage = lastError.map { "every image URL failed; last: \($0)" }
            ?? "every image URL failed in an earlier run (\(skippedKnown) not asked again; use --retry-errors)"
        return (Catalog.IngestedItem(item: item, hashes: nil, quality: nil), details, outcomes)
    }

    /// Reads the service's info.json, asks for the planned size, and on a 4xx asks for the
    /// full image (`full`/`max`). `service` is `base#vN`.
    static func fetchThroughService(_ service: String, size: Int, fetcher: HTTPFetcher,
                                    record: (String, HarvestError) -> Void) async throws -> (String, FetchResult) {
        let base = service.split(separator: "#").first.map(String.init) ?? service
        let infoURL = base + "/info.json"
        let info: IIIFImageInfo
        do { info = try IIIFImageInfo.parse(try await fetcher.fetch(infoURL).body, source: infoURL) } catch let e as HarvestError {
            record(infoURL, e)
            throw e
        }
        // The id in info.json may name another host (a proxy, a copy): requests go to the base we were given.
        var request = info.request(longerSide: size)
        request.base = base
        let url = try request.build()
        do {
            return (url, try await fetcher.fetch(url, expectImage: true))
        } catch let e as HarvestError where e.code == .http && (400..<500).contains(e.status ?? 0) && e.status != 429 {
            record(url, e)
            var full = info.fullRequest()
            full.base = base
            let fallback = try full.build()
            do { return (fallback, try await fetcher.fetch(fallback, expectImage: true)) } catch let e as HarvestError {
                record(fallback, e)
                throw e
            }
        } catch let e as HarvestError {
            record(url, e)
            throw e
        }
    }
}
