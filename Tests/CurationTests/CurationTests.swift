import Catalog
import Curation
import Foundation
import Imaging
import Logging
import Testing
import VitrineCore

@Suite("Ingest, duplicates, evaluation")
struct CurationTests {
    func ingest(_ folder: TemporaryFolder, store: URL) async throws -> (Catalog, IngestSummary) {
        let catalog = try Catalog(store: store)
        var options = IngestOptions()
        options.quiet = true
        options.threads = 2
        let summary = try await IngestJob(catalog: catalog, options: options).run(sources: [folder.url.path])
        return (catalog, summary)
    }

    @Test func ingestRecordsEveryFileAndIsIdempotent() async throws {
        let folder = try TemporaryFolder()
        try makeCollection(in: folder)
        let store = try TemporaryFolder("vitrine-store")
        let (catalog, first) = try await ingest(folder, store: store.url)
        #expect(first.found == 10)
        #expect(first.skippedNonImages == 1)
        #expect(first.ok == 8)
        #expect(first.errors == 2)
        #expect(first.errorsByCode["unsupported_format"] == 1)
        #expect((first.errorsByCode["truncated"] ?? 0) + (first.errorsByCode["corrupt"] ?? 0) == 1)
        let items = try catalog.items()
        #expect(items.count == 10)
        let page = try #require(items.first { $0.sourcePath.hasSuffix("page.jpg") })
        #expect(page.status == "error" && page.format == "unknown")
        let tif = try #require(items.first { $0.sourcePath.hasSuffix("same-pixels.tif") })
        let png = try #require(items.first { $0.sourcePath.hasSuffix("/original.png") })
        #expect(tif.format == "tiff" && tif.pixelSHA256 == png.pixelSHA256 && tif.sha256 != png.sha256)
        // Originals are stored once, by content.
        let copy = try #require(items.first { $0.sourcePath.hasSuffix("copy/original.png") })
        #expect(copy.storedPath == png.storedPath)
        #expect(FileManager.default.fileExists(atPath: catalog.absolute(try #require(png.storedPath)).path))

        let (_, second) = try await ingest(folder, store: store.url)
        #expect(second.processed == 0 && second.alreadyDone == 10)
        #expect(try catalog.items().count == 10)
    }

    @Test func listsBringMetadataAndResolvePathsRelativeToThemselves() async throws {
        let folder = try TemporaryFolder()
        try makeCollection(in: folder)
        let list = "path,title,creator,rights,provider,accession\n" +
            "original.png,\"Harvesters, study\",Anon.,http://creativecommons.org/publicdomain/mark/1.0/,Museum X,A-17\n" +
            "missing.png,Gone,,,,\n"
        try Data(list.utf8).write(to: URL(fileURLWithPath: folder.path("list.csv")))
        let store = try TemporaryFolder("vitrine-store")
        let catalog = try Catalog(store: store.url)
        var options = IngestOptions()
        options.quiet = true
        let summary = try await IngestJob(catalog: catalog, options: options).run(sources: [folder.path("list.csv")])
        #expect(summary.found == 2 && summary.ok == 1 && summary.errorsByCode["io"] == 1)
        let item = try #require(try catalog.items().first { $0.sourcePath.hasSuffix("original.png") })
        #expect(item.title == "Harvesters, study" && item.creator == "Anon." && item.provider == "Museum X")
        #expect(item.rights == "http://creativecommons.org/publicdomain/mark/1.0/")
        #expect(item.metadata == "{\"accession\":\"A-17\"}")
    }

    @Test func duplicatesAreGroupedWithAKeeperAndBlankImagesStayApart() async throws {
        let folder = try TemporaryFolder()
        try makeCollection(in: folder)
        let store = try TemporaryFolder("vitrine-store")
        let (catalog, _) = try await ingest(folder, store: store.url)
        let (summary, groups) = try DuplicateFinder(options: DuplicateOptions()).run(catalog: catalog)
        let names = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { i in
            i.id.map { ($0, String(i.sourcePath.dropFirst(folder.url.path.count + 1))) }
        })
        #expect(groups.count == 1)
        let group = try #require(groups.first)
        #expect(Set(group.memberIDs.compactMap { names[$0] }) == ["original.png", "copy/original.png", "resized.png", "recompressed.jpg", "same-pixels.tif"])
        #expect(group.kind == .near)
        // Largest area, then lossless, then earliest ingest: the first of the 600×400 lossless files.
        #expect(names[group.keeperID] == "copy/original.png")
        #expect(group.keeperReason.contains("lossless"))
        #expect(summary.blankExcluded == 2)
        #expect(summary.sweep.pairs.count == 33)
        #expect(try catalog.duplicateGroups(runID: summary.runID).count == 1)
    }

    @Test func mirroredCopiesAreFoundOnlyWithInvariantMatching() async throws {
        let folder = try TemporaryFolder()
        let picture = rectangles(width: 400, height: 300, seed: 3)
        var mirrored = picture.pixels
        for y in 0..<300 { for x in 0..<400 { for c in 0..<3 { mirrored[(y * 400 + x) * 3 + c] = picture.pixels[(y * 400 + 399 - x) * 3 + c] } } }
        try ImageWriter.save(picture, to: folder.path("a.png"))
        try ImageWriter.save(PixelBuffer(width: 400, height: 300, channels: 3, pixels: mirrored), to: folder.path("a-mirror.png"))
        let store = try TemporaryFolder("vitrine-store")
        let (catalog, _) = try await ingest(folder, store: store.url)
        let (plain, _) = try DuplicateFinder(options: DuplicateOptions()).run(catalog: catalog)
        #expect(plain.groups == 0)
        var options = DuplicateOptions()
        options.invariant = true
        let (invariant, groups) = try DuplicateFinder(options: options).run(catalog: catalog)
        #expect(invariant.groups == 1 && groups.first?.memberIDs.count == 2)
        #expect((groups.first?.maxDistance ?? 64) <= 4)
    }

    @Test func keeperPrefersAreaThenLosslessThenEarliest() {
        func candidate(_ id: Int64, _ w: Int, _ h: Int, _ f: ImageFormat) -> DuplicateCandidate {
            DuplicateCandidate(id: id, sha256: "\(id)", pixelSHA256: nil, width: w, height: h, format: f, code: 0, variants: [], blank: false)
        }
        let finder = DuplicateFinder(options: DuplicateOptions())
        let pairs = [HammingPairLike(0, 1), HammingPairLike(1, 2), HammingPairLike(2, 3)].map(\.pair)
        let groups = finder.group([candidate(1, 100, 100, .png), candidate(2, 200, 100, .jpeg), candidate(3, 200, 100, .tiff),
                                   candidate(4, 200, 100, .tiff)], nearPairs: pairs)
        #expect(groups.count == 1 && groups[0].keeperID == 3)
    }

    /// Same size and format: the earlier ingest run, then the first source path — never the item
    /// id, which a parallel ingest assigns in any order (the same files gave another keeper in a
    /// second store).
    @Test func keeperOfEqualCopiesDoesNotDependOnIngestOrder() {
        func candidate(_ id: Int64, run: Int64, _ path: String) -> DuplicateCandidate {
            DuplicateCandidate(id: id, sha256: "same", pixelSHA256: nil, width: 10, height: 10, format: .jpeg, code: 0, variants: [],
                               blank: false, ingestRunID: run, sourcePath: path)
        }
        let finder = DuplicateFinder(options: DuplicateOptions())
        let pairs = [HammingPairLike(0, 1)].map(\.pair)
        let forward = finder.group([candidate(1, run: 1, "/a/x.jpg"), candidate(2, run: 1, "/a/y.jpg")], nearPairs: pairs)
        let backward = finder.group([candidate(1, run: 1, "/a/y.jpg"), candidate(2, run: 1, "/a/x.jpg")], nearPairs: pairs)
        #expect(forward[0].keeperID == 1 && backward[0].keeperID == 2)  // /a/x.jpg both times
        #expect(forward[0].keeperReason.contains("first by source path"))
        let rerun = finder.group([candidate(1, run: 2, "/a/x.jpg"), candidate(2, run: 1, "/a/y.jpg")], nearPairs: pairs)
        #expect(rerun[0].keeperID == 2 && rerun[0].keeperReason.contains("earlier run"))
    }

    /// Hand-computed: items 0,1,2 form one ground-truth group, 3 and 4 are singletons.
    /// Distances: d(0,1)=2, d(0,2)=9, d(1,2)=7, d(3,4)=4, d(0,3)=5, others far/never.
    @Test func pairEvaluationMatchesAHandComputedExample() {
        let distances: [Int64: Int] = [pairKey(0, 1): 2, pairKey(0, 2): 9, pairKey(1, 2): 7, pairKey(3, 4): 4, pairKey(0, 3): 5]
        var truth = DuplicateGroundTruth(groups: ["g": [0, 1, 2]], relations: [(reference: 0, variant: 1, tags: ["resized"], variantPath: "b"),
                                                                               (reference: 0, variant: 2, tags: ["square_crop"], variantPath: "c")],
                                         unmatchedFiles: [], matchedFiles: 3)
        truth.relationGroups = [[0, 1, 2], [0, 1, 2]]
        let e = DuplicateEvaluator.evaluate(count: 5, truth: truth, maxThreshold: 10, atThreshold: 5, algorithm: "phash", invariant: false) { i, j in
            distances[pairKey(i, j)]
        }
        // t = 5: predicted {01, 34, 03}; TP = 1 (01), FP = 2, FN = 2 (02, 12).
        #expect(e.rows[5].truePositives == 1 && e.rows[5].falsePositives == 2 && e.rows[5].falseNegatives == 2)
        #expect(abs(e.precision - 1.0 / 3) < 1e-12 && abs(e.recall - 1.0 / 3) < 1e-12)
        // t = 9: all three positives found, FP = 2: P = 3/5, R = 1, F1 = 0.75 (the best).
        #expect(abs(e.rows[9].f1 - 0.75) < 1e-12)
        #expect(e.bestThreshold == 9)
        #expect(e.rows[1].precision == 1 && e.rows[1].recall == 0)
        #expect(e.relationRecall.map { $0.relation } == ["resized", "square_crop"])
        #expect(e.relationRecall[0].recall == 1 && e.relationRecall[1].missed == ["c"])
        // At 5 bits item 2 is 7 bits from item 1 and 9 from the reference: grouped with neither.
        #expect(e.relationRecall[1].groupedFound == 0)
        let at7 = DuplicateEvaluator.evaluate(count: 5, truth: truth, maxThreshold: 10, atThreshold: 7, algorithm: "phash", invariant: false) { i, j in
            distances[pairKey(i, j)]
        }
        #expect(at7.relationRecall[1].found == 0 && at7.relationRecall[1].groupedFound == 1)
    }

    @Test func sweepCountsPairsAtEveryThreshold() {
        let codes: [UInt64] = [0, 0b1, 0b11, 0xFFFF_FFFF_FFFF_FFFF]
        let candidates = codes.enumerated().map { i, c in
            DuplicateCandidate(id: Int64(i), sha256: "\(i)", pixelSHA256: nil, width: 1, height: 1, format: .png, code: c, variants: [], blank: false)
        }
        let sweep = DuplicateFinder.sweep(candidates, algorithm: .phash)
        // distances: 0–1: 1, 0–2: 2, 1–2: 1, x–3: 64, 63, 62.
        #expect(sweep.pairs[0] == 0 && sweep.pairs[1] == 2 && sweep.pairs[2] == 3 && sweep.pairs[32] == 3)
        #expect(!sweep.estimated)
    }

    /// Cosine thresholds fall into 0.01 steps whatever the Float rounding: `--cosine 0.78` is the
    /// 0.78 step (t = 22), not 0.77 (`Float(0.78)` is 0.77999997).
    @Test func cosineThresholdsMapToTheirOwnStep() {
        for hundredths in 36...100 {
            let cosine = Float(hundredths) / 100
            #expect(EmbeddingDuplicates.bucket(cosine) == 100 - hundredths, "\(cosine)")
        }
        #expect(EmbeddingDuplicates.bucket(0.78) == 22)
        #expect(EmbeddingDuplicates.bucket(0.7799) == 23)
        #expect(EmbeddingDuplicates.bucket(1.0001) == 0)
    }

    /// CASES.md C20 for the embedding method: a flat white and a flat blue picture embed alike
    /// under the copy descriptor (cosine ≥ the default threshold), yet they are not paired —
    /// blank items are matched only exactly, as by the hash finder.
    @Test func blankImagesAreNotPairedByEmbedding() async throws {
        let folder = try TemporaryFolder()
        try makeCollection(in: folder)
        let store = try TemporaryFolder("vitrine-store")
        let (catalog, _) = try await ingest(folder, store: store.url)
        let model = EmbeddingDuplicates.defaultModel
        let summary = try EmbeddingJob.run(catalog: catalog, model: model, threads: 1, quiet: true, logger: Logger(label: "test"))
        #expect(summary.embedded == 8)
        let items = try catalog.items()
        let white = try #require(items.first { $0.sourcePath.hasSuffix("blank-white.png") }?.id)
        let blue = try #require(items.first { $0.sourcePath.hasSuffix("blank-blue.png") }?.id)
        let vectors = Dictionary(uniqueKeysWithValues: try catalog.embeddings(model: model).map { ($0.itemID, $0.floats) })
        let cosine = zip(try #require(vectors[white]), try #require(vectors[blue])).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        #expect(cosine >= EmbeddingDuplicates.defaultCosine, "the case needs the two blanks to embed alike: \(cosine)")
        #expect(try EmbeddingDuplicates.blankItemIDs(catalog) == [white, blue])
        let pairs = try EmbeddingDuplicates.pairs(search: try SimilaritySearch(catalog: catalog, model: model), threshold: EmbeddingDuplicates.defaultCosine)
        #expect(!pairs.contains { [$0.a, $0.b].contains(white) || [$0.a, $0.b].contains(blue) })
        // The picture and its resized / recompressed copies still pair.
        #expect(!pairs.isEmpty)
    }

    /// The same pictures ingested in another order (so with other item ids) fall into the same
    /// clusters: k-means sees the vectors in the order of the images' SHA-256.
    @Test func clustersDoNotDependOnIngestOrder() async throws {
        let folder = try TemporaryFolder()
        var files: [String] = []
        for seed in 1...12 {
            let name = "r\(seed).png"
            try ImageWriter.save(rectangles(width: 64, height: 48, seed: UInt64(seed)), to: folder.path(name))
            files.append(folder.path(name))
        }
        func clusters(_ sources: [String]) async throws -> [String: Int] {
            let store = try TemporaryFolder("vitrine-store")
            let catalog = try Catalog(store: store.url)
            var options = IngestOptions()
            options.quiet = true
            options.threads = 1
            _ = try await IngestJob(catalog: catalog, options: options).run(sources: sources)
            var records: [EmbeddingRecord] = []
            for item in try catalog.items() {
                guard let id = item.id, let seed = Int(item.sourcePath.dropFirst(folder.url.path.count + 2).prefix { $0.isNumber }) else { continue }
                var g = SplitMix64(seed: UInt64(seed))
                var v = (0..<6).map { _ in Float.random(in: -0.2...0.2, using: &g) }
                v[seed % 3] += 1
                records.append(EmbeddingRecord(itemID: id, model: "test", modelSHA256: "00", vector: v, errorMessage: nil, runID: nil))
            }
            try catalog.saveEmbeddings(records)
            let runID = try ClusterJob.run(catalog: catalog, model: "test", k: 3, threads: 1).runID
            let sha = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { i in i.id.map { ($0, i.sha256 ?? "") } })
            return Dictionary(uniqueKeysWithValues: try catalog.clusterAssignments(runID: runID).map { (sha[$0.itemID] ?? "", $0.cluster) })
        }
        let forward = try await clusters(files)
        let backward = try await clusters(files.reversed())
        #expect(forward.count == 12)
        #expect(forward == backward)
    }
}

func pairKey(_ i: Int, _ j: Int) -> Int64 { Int64(min(i, j)) << 32 | Int64(max(i, j)) }

struct HammingPairLike {
    let pair: VectorIndexPair
    init(_ a: Int, _ b: Int) { pair = VectorIndexPair(first: a, second: b, distance: 1) }
}

/// A real HTTP server on 127.0.0.1 (Python's `http.server`) serving a folder.
final class LocalHTTPServer {
    let process = Process()
    let port: Int

    init(serving folder: URL) throws {
        port = Self.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", folder.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !Self.accepts(port) {
            guard Date() < deadline, process.isRunning else {
                process.terminate()
                throw CocoaError(.fileReadUnknown)
            }
            usleep(50_000)
        }
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// A port the kernel just handed out for 127.0.0.1 (bound to port 0, then released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    deinit {
        // No waitUntilExit: in an async test it can wait forever on Linux; Foundation reaps the child.
        kill(process.processIdentifier, SIGKILL)
    }
}

@Suite("Ingest from URL lists")
struct URLIngestTests {
    @Test func urlRowsAreDownloadedAndHTTPErrorsRecorded() async throws {
        let folder = try TemporaryFolder()
        try makeCollection(in: folder)
        let server = try LocalHTTPServer(serving: folder.url)
        let list = "url,title\n\(server.url("original.png")),Served\n\(server.url("gone.jpg")),Missing\n\(server.url("page.jpg")),HTML\n"
            + "ftp://127.0.0.1/x.png,Other scheme\n"
        let listFolder = try TemporaryFolder("vitrine-list")
        try Data(list.utf8).write(to: URL(fileURLWithPath: listFolder.path("urls.csv")))
        let store = try TemporaryFolder("vitrine-store")
        let catalog = try Catalog(store: store.url)
        var options = IngestOptions()
        options.quiet = true
        let summary = try await IngestJob(catalog: catalog, options: options).run(sources: [listFolder.path("urls.csv")])
        #expect(summary.ok == 1)
        #expect(summary.errorsByCode["http_404"] == 1)
        #expect(summary.errorsByCode["unsupported_format"] == 1)
        #expect(summary.errorsByCode["invalid_url"] == 1)
        let served = try #require(try catalog.items().first { $0.title == "Served" })
        #expect(served.originalURL == server.url("original.png") && served.format == "png" && served.width == 600)
        let again = try await IngestJob(catalog: catalog, options: options).run(sources: [listFolder.path("urls.csv")])
        #expect(again.processed == 0)
    }

    /// A Label Studio export whose tasks point at URLs (as the Europeana pilot's do): the images
    /// are downloaded and labelled; a URL that fails is counted as unmatched, not fatal.
    @Test func labelStudioTasksWithURLsAreDownloadedAndLabelled() async throws {
        let folder = try TemporaryFolder()
        try makeCollection(in: folder)
        let server = try LocalHTTPServer(serving: folder.url)
        let export = """
            [{"id": 1, "data": {"image": "\(server.url("original.png"))"}, "annotations": [{"result": [{"type": "choices", "from_name": "c", "value": {"choices": ["map", "drawing"]}}]}]},
             {"id": 2, "data": {"image": "\(server.url("gone.jpg"))"}, "annotations": [{"result": [{"type": "choices", "from_name": "c", "value": {"choices": ["toy"]}}]}]}]
            """
        let labels = try TemporaryFolder("vitrine-labels")
        try Data(export.utf8).write(to: URL(fileURLWithPath: labels.path("export.json")))
        let store = try TemporaryFolder("vitrine-store")
        let catalog = try Catalog(store: store.url)
        var options = IngestOptions()
        options.quiet = true
        let (items, summary) = try await ClassificationLabels.importLabels(URL(fileURLWithPath: labels.path("export.json")), catalog: catalog,
                                                                           ingest: options, logger: Logger(label: "test"))
        #expect(items.map(\.label) == ["map", "drawing"])
        #expect(summary.ingested == 1 && summary.unmatched == [server.url("gone.jpg")])
        #expect(try catalog.items().first { $0.originalURL == server.url("original.png") }?.width == 600)
    }
}
