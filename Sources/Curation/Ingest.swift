import Catalog
import Foundation
import Harvest
import Imaging
import Logging
import VitrineCore

/// Options of an ingest.
public struct IngestOptions: Sendable {
    /// Images decoded at once (default: the number of cores).
    public var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    public var decode = DecodeOptions()
    public var thresholds = QualityThresholds()
    /// Re-try items whose earlier ingest failed (default: keep the recorded error).
    public var retryErrors = false
    /// Items written per transaction: what a crash can lose, at most (it is redone on resume).
    public var batchSize = 32
    public var quiet = false

    public init() {}
}

/// What an ingest did.
public struct IngestSummary: Codable, Sendable, Equatable {
    public var runID: Int64
    /// Entries found in the sources.
    public var found: Int
    /// Entries already in the catalog and unchanged (skipped).
    public var alreadyDone: Int
    /// Entries processed in this run.
    public var processed: Int
    public var ok: Int
    public var errors: Int
    public var errorsByCode: [String: Int]
    public var skippedNonImages: Int
    public var sourceProblems: [String]
    public var bytes: Int64
    public var seconds: Double
}

/// `vitrine ingest`: copies originals into the content-addressed store and records each file's
/// metadata, checksums, header facts, hashes and quality in the catalog.
///
/// Idempotent and resumable: a source already recorded with the same size and modification
/// time is skipped; results are committed every `batchSize` items, so a killed run loses at
/// most one batch, which the next run redoes. Per-file failures are recorded as `error` items
/// and counted; they never stop the batch.
public struct IngestJob: Sendable {
    public let catalog: Catalog
    public let options: IngestOptions
    public let logger: Logger
    public static let toolVersion = VitrineVersion.current

    public init(catalog: Catalog, options: IngestOptions = IngestOptions(), logger: Logger = Logger(label: "vitrine.ingest")) {
        self.catalog = catalog
        self.options = options
        self.logger = logger
    }

    public func run(sources: [String]) async throws -> IngestSummary {
        let started = Date()
        let scan = SourceScanner.scan(sources, excluding: catalog.store)
        for problem in scan.problems { logger.warning("\(problem)") }
        let states = try catalog.sourceStates()
        var todo: [SourceEntry] = []
        var alreadyDone = 0
        for entry in scan.entries {
            if let state = states[entry.location] {
                let (size, modified) = Self.fileStamp(entry.location)
                let unchanged = state.sourceSize == size && state.sourceModified == modified
                if unchanged && (state.status == "ok" || !options.retryErrors) {
                    alreadyDone += 1
                    continue
                }
            }
            todo.append(entry)
        }
        let runID = try catalog.startRun(kind: "ingest", toolVersion: Self.toolVersion, config: [
            "sources": sources.joined(separator: "\n"), "threads": "\(options.threads)",
            "maximumPixels": "\(options.decode.maximumPixels)", "thumbnailSide": "\(options.decode.thumbnailSide)",
            "retryErrors": "\(options.retryErrors)",
        ])
        logger.info("ingest: \(scan.entries.count) found, \(alreadyDone) already in the catalog, \(todo.count) to process")
        let progress = ProgressReporter(label: "ingest", total: todo.count, quiet: options.quiet)
        var summary = IngestSummary(runID: runID, found: scan.entries.count, alreadyDone: alreadyDone, processed: 0, ok: 0,
                                    errors: 0, errorsByCode: [:], skippedNonImages: scan.skippedNonImages,
                                    sourceProblems: scan.problems, bytes: 0, seconds: 0)
        var pending: [Catalog.IngestedItem] = []
        let store = catalog.store
        let options = self.options
        let fetcher = todo.contains(where: { Self.isRemote($0.location) }) ? HTTPFetcher() : nil
        do {
            try await Self.process(todo, store: store, runID: runID, options: options, fetcher: fetcher) { _, result in
                pending.append(result)
                summary.processed += 1
                summary.bytes += result.item.byteSize ?? 0
                if result.item.status == "ok" {
                    summary.ok += 1
                } else {
                    summary.errors += 1
                    summary.errorsByCode[result.item.errorCode ?? "unknown", default: 0] += 1
                    logger.debug("\(result.item.sourcePath): \(result.item.errorMessage ?? "error")")
                }
                progress.advance(1, errors: result.item.status == "ok" ? 0 : 1)
                if pending.count >= options.batchSize {
                    try catalog.save(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
            if !pending.isEmpty { try catalog.save(pending) }
        } catch {
            await fetcher?.shutdown()
            throw error
        }
        await fetcher?.shutdown()  // awaited, so the connection pool is closed before we return
        progress.finish()
        summary.seconds = Date().timeIntervalSince(started)
        try catalog.finishRun(runID, summary: summary)
        return summary
    }

    /// Processes `entries`, `options.threads` at a time, handing each result with its entry's
    /// index to `handle` as it comes (in completion order); `vitrine ingest` and the workers'
    /// `ingest` jobs both go through it.
    static func process(_ entries: [SourceEntry], store: URL, runID: Int64, options: IngestOptions, fetcher: HTTPFetcher?,
                        _ handle: (Int, Catalog.IngestedItem) throws -> Void) async throws {
        try await withThrowingTaskGroup(of: (Int, Catalog.IngestedItem).self) { group in
            var next = 0
            func add() {
                guard next < entries.count else { return }
                let (index, entry) = (next, entries[next])
                next += 1
                group.addTask { (index, await Self.process(entry, store: store, runID: runID, options: options, fetcher: fetcher)) }
            }
            for _ in 0..<max(1, options.threads) { add() }
            while let (index, result) = try await group.next() {
                try Task.checkCancellation()
                try handle(index, result)
                add()
            }
        }
    }

    static func fileStamp(_ path: String) -> (Int64?, Double?) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return (nil, nil) }
        let size = (attributes[.size] as? NSNumber)?.int64Value
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970
        return (size, modified)
    }

    /// A URL (`scheme://…`); http(s) is fetched, any other scheme is refused as `invalid_url`.
    static func isRemote(_ location: String) -> Bool {
        location.contains("://") && !location.hasPrefix("/")
    }

    /// Reads (or downloads), stores and analyses one entry. Never throws: failures become
    /// `error` items with a code (`http_404`, `network`, `io`, `truncated`, …) and a message.
    static func process(_ entry: SourceEntry, store: URL, runID: Int64, options: IngestOptions,
                        fetcher: HTTPFetcher?) async -> Catalog.IngestedItem {
        var item = ItemRecord(sourceKind: entry.kind, sourcePath: entry.location, status: "ok")
        item.ingestRunID = runID
        let m = entry.metadata
        item.title = m["title"]
        item.creator = m["creator"]
        item.date = m["date"]
        item.rights = m["rights"]
        item.provider = m["provider"]
        item.dataProvider = m["dataProvider"]
        item.sourceID = m["sourceID"]
        item.landingPage = m["landingPage"]
        let known: Set<String> = ["title", "creator", "date", "rights", "provider", "dataProvider", "sourceID", "landingPage"]
        let extra = m.filter { !known.contains($0.key) }
        if !extra.isEmpty, let json = try? JSONEncoder.sorted.encode(extra) { item.metadata = String(decoding: json, as: UTF8.self) }
        let namePath = isRemote(entry.location) ? (URL(string: entry.location)?.path ?? entry.location) : entry.location
        item.fileExtension = (namePath as NSString).pathExtension.lowercased()

        let data: Data
        if isRemote(entry.location) {
            item.originalURL = entry.location
            guard let fetcher else {
                item.status = "error"
                item.errorCode = "network"
                item.errorMessage = "no HTTP client"
                return Catalog.IngestedItem(item: item, hashes: nil, quality: nil)
            }
            do {
                data = try await fetcher.fetch(entry.location).body
            } catch let error as HarvestError {
                item.status = "error"
                item.errorCode = error.kind
                item.errorMessage = error.message
                return Catalog.IngestedItem(item: item, hashes: nil, quality: nil)
            } catch {
                item.status = "error"
                item.errorCode = "network"
                item.errorMessage = "\(error)"
                return Catalog.IngestedItem(item: item, hashes: nil, quality: nil)
            }
        } else {
            let (size, modified) = fileStamp(entry.location)
            item.sourceSize = size
            item.sourceModified = modified
            do {
                data = try ImageDecoder.read(entry.location)
            } catch let error as ImagingError {
                item.status = "error"
                item.errorCode = error.code.rawValue
                item.errorMessage = error.message
                return Catalog.IngestedItem(item: item, hashes: nil, quality: QualityRecord(
                    itemID: 0, meanLuminance: nil, luminanceDeviation: nil, entropy: nil, chroma: nil, meanColour: nil,
                    flags: [QualityFlag.unreadable.rawValue], runID: runID))
            } catch {
                item.status = "error"
                item.errorCode = "io"
                item.errorMessage = "\(error)"
                return Catalog.IngestedItem(item: item, hashes: nil, quality: nil)
            }
        }
        return analyzeAndStore(item, data: data, name: entry.location, store: store, runID: runID, options: options)
    }

    /// The error code of an item whose original could not be written to the store (a full or
    /// read-only disk, a shared folder gone): the store's fault, not the image's.
    public static let storeFailedCode = "store_failed"

    /// The analysis path every image goes through, whether read from disk or downloaded:
    /// decode, checksums, header facts, hashes, quality, thumbnail, and the original into the
    /// content-addressed store. Never throws: failures become `error` items.
    public static func analyzeAndStore(_ item: ItemRecord, data: Data, name: String, store: URL, runID: Int64,
                                       options: IngestOptions) -> Catalog.IngestedItem {
        var item = item
        let analysis = ImageAnalyzer.analyze(data, name: name, options: options.decode, thresholds: options.thresholds)
        item.sha256 = analysis.sha256
        item.byteSize = Int64(analysis.byteSize)
        if !data.isEmpty {
            do {
                item.storedPath = try ContentStore.put(data, sha256: analysis.sha256, store: store)
            } catch {
                item.status = "error"
                item.errorCode = IngestJob.storeFailedCode
                item.errorMessage = "cannot store the original: \(error)"
            }
        }
        if let header = analysis.header {
            item.format = header.format.rawValue
            item.width = header.width
            item.height = header.height
            item.bands = header.bands
            item.colourBands = header.colourBands
            item.bitsPerSample = header.bitsPerSample
            item.pages = header.pages
            item.pyramidLevels = header.pyramidLevels
            item.orientation = header.orientation
            item.hasAlpha = header.hasAlpha
            item.isCMYK = header.isCMYK
        } else {
            let sniffed = ImageFormat.sniff(data.prefix(32))
            item.format = sniffed.rawValue
        }
        item.pixelSHA256 = analysis.pixelSHA256
        if let error = analysis.error {
            item.status = "error"
            item.errorCode = error.code.rawValue
            item.errorMessage = error.message + (error.underlying.map { $0.isEmpty ? "" : " (libvips: \($0))" } ?? "")
        }
        if let thumbnail = analysis.thumbnail {
            let relative = "derived/thumbnails/\(analysis.sha256.prefix(2))/\(analysis.sha256).jpg"
            let url = store.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: url.path) {
                item.thumbnailPath = relative
            } else {
                try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                if (try? ImageWriter.save(thumbnail, to: url.path + "[Q=85,strip]")) != nil { item.thumbnailPath = relative }
            }
        }
        var hashRecord: ImageHashRecord? = nil
        if let hashes = analysis.hashes {
            var blob = Data()
            for algorithm in HashAlgorithm.allCases {
                for value in hashes.variants[algorithm] ?? [] { withUnsafeBytes(of: value.littleEndian) { blob.append(contentsOf: $0) } }
            }
            hashRecord = ImageHashRecord(itemID: 0, ahash: hashes.values[.ahash] ?? 0, dhash: hashes.values[.dhash] ?? 0,
                                         phash: hashes.values[.phash] ?? 0, whash: hashes.values[.whash] ?? 0,
                                         variants: blob.count == 4 * 8 * 8 ? blob : nil, runID: runID)
        }
        let s = analysis.statistics
        let quality = QualityRecord(itemID: 0, meanLuminance: s?.meanLuminance, luminanceDeviation: s?.luminanceDeviation,
                                    entropy: s?.entropy, chroma: s?.chroma, meanColour: s?.meanColour,
                                    flags: analysis.flags.map(\.rawValue), runID: runID)
        return Catalog.IngestedItem(item: item, hashes: hashRecord, quality: quality)
    }
}

/// Content-addressed storage of originals: `images/<first 2 hex digits>/<remaining 62>`.
public enum ContentStore {
    /// A temporary file older than this (seconds) was left by a writer that died (a killed worker).
    public static let staleTemporaryAge: TimeInterval = 600

    /// Writes the bytes once (atomically: temporary file `images/xx/.SHA.tmp`, then rename). A
    /// temporary file of the same content older than `staleTemporaryAge` was left by a killed
    /// writer and is replaced (so the work item that is claimed again cleans up after the killed
    /// one); a younger one belongs to a writer of the same bytes now, and this write uses its own.
    /// - Returns: the path relative to the store.
    public static func put(_ data: Data, sha256: String, store: URL) throws -> String {
        let relative = "images/\(sha256.prefix(2))/\(sha256.dropFirst(2))"
        let url = store.appendingPathComponent(relative)
        let fm = FileManager.default
        if fm.fileExists(atPath: url.path) { return relative }
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let shared = url.deletingLastPathComponent().appendingPathComponent(".\(sha256).tmp")
        if let modified = (try? fm.attributesOfItem(atPath: shared.path))?[.modificationDate] as? Date,
           Date().timeIntervalSince(modified) > staleTemporaryAge {
            try? fm.removeItem(at: shared)
        }
        var temporary = shared
        do { try data.write(to: shared, options: .withoutOverwriting) } catch {
            temporary = url.deletingLastPathComponent().appendingPathComponent(".\(sha256).\(UUID().uuidString).tmp")
            try data.write(to: temporary)
        }
        if fm.fileExists(atPath: url.path) {
            try? fm.removeItem(at: temporary)
        } else {
            do { try fm.moveItem(at: temporary, to: url) } catch {
                try? fm.removeItem(at: temporary)
                if !fm.fileExists(atPath: url.path) { throw error }
            }
        }
        return relative
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}

/// The tool version recorded with every run.
public enum VitrineVersion {
    public static let current = "0.1.0"
}
