import Catalog
import Foundation
import GRDB
import Imaging
import Testing

/// Runs the built `vitrine` binary as a user would.
struct CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["VITRINE_BIN"] { return URL(fileURLWithPath: path) }
        // Next to the test bundle (the same build configuration), else the debug build.
        let bundleDir = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [bundleDir.appendingPathComponent("vitrine"), root.appendingPathComponent(".build/debug/vitrine")]
            where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        return root.appendingPathComponent(".build/debug/vitrine")
    }

    static var corpus: URL? {
        let url = root.deletingLastPathComponent().appendingPathComponent("shared/corpus")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("images").path) ? url : nil
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func json(_ result: Result) throws -> [String: Any] {
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }
}

/// Items committed so far, read-only: never takes part in the running ingest's schema set-up.
func countItems(_ database: String) -> Int {
    guard FileManager.default.fileExists(atPath: database) else { return 0 }
    var configuration = Configuration()
    configuration.readonly = true
    guard let queue = try? DatabaseQueue(path: database, configuration: configuration) else { return 0 }
    defer { try? queue.close() }
    let count: Int? = try? queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM item") }
    return count ?? 0
}

func temporaryURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
}

@Suite("vitrine, end to end", .serialized)
struct EndToEndTests {
    @Test func helpListsTheCommandsAndBadOptionsAreRefused() throws {
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        for command in ["analyze", "ingest", "duplicates", "report"] { #expect(help.stdout.contains(command)) }
        let bad = try CLI.run(["duplicates", "--threshold", "99", "--store", temporaryURL("s").path])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("0…64"))
        let missing = try CLI.run(["ingest", "/nonexistent/folder", "--store", temporaryURL("s").path, "--json", "--quiet"])
        #expect(missing.status == 1)
        #expect((try CLI.json(missing)["sourceProblems"] as? [String])?.first?.contains("no such file") == true)
        let noStore = try CLI.run(["report", "--store", temporaryURL("absent").path])
        #expect(noStore.status == 1 && noStore.stderr.contains("no store at"))
    }

    /// The acceptance run: the corpus analysed in one command, then evaluated against its groups.
    @Test func analyzeTheCorpusThenEvaluateDuplicates() throws {
        guard let corpus = CLI.corpus else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared corpus is missing under CI")
            return
        }
        let store = temporaryURL("vitrine-e2e")
        defer { try? FileManager.default.removeItem(at: store) }
        // The watermark step has its own test below (on a smaller folder, to keep `make test` short).
        let analyze = try CLI.run(["analyze", corpus.appendingPathComponent("images").path, "--store", store.path, "--json", "--quiet",
                                   "--watermarks", "off"])
        #expect(analyze.status == 0, "\(analyze.stderr)")
        let summary = try CLI.json(analyze)
        let items = try #require(summary["items"] as? Int)
        #expect(items == 468)
        // Every unreadable file is an error entry (the corpus JP2 that openjpeg rejects among them).
        let errors = try #require(summary["errors"] as? Int)
        #expect(errors >= 1 && errors <= 3)
        for key in ["duplicateGroups", "duplicatePairs", "qualityFlags"] { #expect(summary[key] is Int, "\(key)") }
        let report = try #require(summary["report"] as? String)
        #expect(FileManager.default.fileExists(atPath: report))
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("Keeper"))

        let evaluate = try CLI.run(["duplicates", "--store", store.path, "--evaluate",
                                    corpus.appendingPathComponent("neardup_groups.csv").path, "--json"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let e = try CLI.json(evaluate)
        let precision = try #require(e["precision"] as? Double)
        #expect(precision >= 0.95)
        #expect(e["threshold"] as? Int == 10)
        #expect(e["recall"] is Double && e["f1"] is Double)
        let relations = try #require(e["relationRecall"] as? [[String: Any]])
        let recall = Dictionary(uniqueKeysWithValues: relations.compactMap { r -> (String, Double)? in
            guard let name = r["relation"] as? String, let value = r["recall"] as? Double else { return nil }
            return (name, value)
        })
        for relation in ["resized", "thumbnail", "recompressed_or_original", "format_variant"] {
            #expect((recall[relation] ?? 0) >= 0.95, "\(relation): \(recall[relation] ?? -1)")
        }

        // Embedding steps (issue 4): clusters, a map and similar-item lists, linked from the report;
        // `duplicates --method embedding --evaluate` reports recall per relation for both methods.
        if let steps = summary["embeddings"] as? [String: Any] {
            #expect((steps["clusters"] as? Int ?? 0) >= 2)
            for key in ["clusterPage", "mapPage", "similarPage"] {
                #expect(FileManager.default.fileExists(atPath: steps[key] as? String ?? ""), "\(key)")
            }
            #expect(html.contains("clusters/index.html") && html.contains("map/index.html"))
            let embedding = try CLI.run(["duplicates", "--store", store.path, "--method", "embedding", "--evaluate",
                                         corpus.appendingPathComponent("neardup_groups.csv").path, "--json"])
            #expect(embedding.status == 0, "\(embedding.stderr)")
            let side = try CLI.json(embedding)
            // Issue 4's acceptance: at the defaults (the copy-detection descriptor, embedded on
            // demand, at cosine ≥ 0.80) embeddings find more crops, greyscale copies and mirrors
            // than pHash at its default.
            let perRelation = try #require(side["relations"] as? [String: [String: Double]])
            for relation in ["crop", "grayscale", "mirror"] {
                let hash = try #require(perRelation[relation]?["hash"], "\(relation)")
                let byEmbedding = try #require(perRelation[relation]?["embedding"], "\(relation)")
                #expect(byEmbedding > hash, "\(relation): embedding \(byEmbedding), hash \(hash)")
            }
            let e = try #require(side["embedding"] as? [String: Any])
            #expect(e["algorithm"] as? String == "embedding:efficientnet-lite0-copy")
            #expect((side["cosineThreshold"] as? Double ?? 0) == 0.8)
            #expect((e["precision"] as? Double ?? 0) >= 0.9)
            #expect((side["bestF1CosineThreshold"] as? Double ?? 0) > 0.5)
            // --method both without --evaluate reports both finders in JSON too.
            let both = try CLI.json(try CLI.run(["duplicates", "--store", store.path, "--method", "both", "--json", "--quiet"]))
            #expect((both["hash"] as? [String: Any])?["groups"] is Int && both["pairs"] is Int)
            // Evaluations run on 0.01 steps: another --cosine is refused, not rounded; a missing
            // groups file is a plain message.
            let offStep = try CLI.run(["duplicates", "--store", store.path, "--method", "embedding", "--cosine", "0.855", "--evaluate",
                                       corpus.appendingPathComponent("neardup_groups.csv").path])
            #expect(offStep.status == 64 && offStep.stderr.contains("steps of 0.01"), "\(offStep.stderr)")
            let noGroups = try CLI.run(["duplicates", "--store", store.path, "--method", "embedding", "--evaluate", "/nonexistent/groups.csv"])
            #expect(noGroups.status == 1 && noGroups.stderr.contains("no ground-truth groups CSV at /nonexistent/groups.csv"), "\(noGroups.stderr)")

            // Issue 5's acceptance on the same embedded store: grouped vs plain k-fold on the
            // corpus categories, and the report with its confusion matrix.
            let classify = try CLI.run(["classify", "evaluate", "--store", store.path, "--labels",
                                        corpus.appendingPathComponent("labels.csv").path, "--folds", "5", "--json", "--quiet"])
            #expect(classify.status == 0, "\(classify.stderr)")
            let c = try CLI.json(classify)
            let groupedFigures = try #require(c["grouped"] as? [String: Any])
            let groupedAccuracy = try #require((groupedFigures["accuracy"] as? [String: Any])?["mean"] as? Double)
            #expect(groupedAccuracy > 0.6, "grouped accuracy \(groupedAccuracy)")
            #expect((c["groupsKeptTogether"] as? Int ?? 0) > 0)
            let classesEvaluated = try #require(c["classes"] as? [String])
            #expect(classesEvaluated.count >= 10)
            let classReport = try String(contentsOfFile: store.appendingPathComponent("reports/classification-evaluation.html").path, encoding: .utf8)
            #expect(classReport.contains("<svg") && classReport.lowercased().contains("confusion"))

            // Multi-label (one-vs-rest): each image carries its category and a broader facet
            // (document, image, object), so most items have two concepts.
            let facets: [String: String] = [
                "printed_text": "document", "newspaper": "document", "manuscript": "document", "music_score": "document", "map": "document",
                "painting": "image", "print": "image", "drawing": "image", "poster": "image", "photograph": "image", "postcard": "image",
                "musical_instrument": "object", "decorative_art": "object", "sculpture": "object", "furniture": "object", "textile": "object",
                "ceramics": "object", "jewellery": "object", "costume_accessories": "object", "coin_medal": "object",
            ]
            let labelRows = try String(contentsOf: corpus.appendingPathComponent("labels.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
            var multi = "path,label\n"
            for row in labelRows {
                let fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard fields.count > 1, fields[0].hasPrefix("images/") else { continue }
                let path = corpus.appendingPathComponent(fields[0]).path
                multi += "\(path),\(fields[1])\n"
                if let facet = facets[fields[1]] { multi += "\(path),\(facet)\n" }
            }
            let multiCSV = store.appendingPathComponent("multi-label.csv")
            try Data(multi.utf8).write(to: multiCSV)
            let train = try CLI.run(["classify", "train", "--store", store.path, "--labels", multiCSV.path, "--multi-label", "--name", "facets", "--json", "--quiet"])
            #expect(train.status == 0, "\(train.stderr)")
            let trained = try CLI.json(train)
            #expect(trained["multiLabel"] as? Bool == true)
            #expect((trained["itemsWithSeveralLabels"] as? Int ?? 0) > 300)
            let annotations = store.appendingPathComponent("facets.jsonld")
            let predict = try CLI.run(["classify", "predict", "--store", store.path, "--model", "facets", "--output", annotations.path, "--json", "--quiet"])
            #expect(predict.status == 0, "\(predict.stderr)")
            let page = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: annotations)) as? [String: Any])
            let predicted = try #require(page["items"] as? [[String: Any]])
            let predictedItems = try #require(CLI.json(predict)["items"] as? Int)
            #expect(predicted.count > predictedItems + predictedItems / 2, "\(predicted.count) annotations for \(predictedItems) items")
            let unknown = try CLI.run(["classify", "predict", "--store", store.path, "--model", "nosuch"])
            #expect(unknown.status == 1 && unknown.stderr.contains("no classifier nosuch") && unknown.stderr.contains("facets"), "\(unknown.stderr)")
            let evaluateMulti = try CLI.run(["classify", "evaluate", "--store", store.path, "--labels", multiCSV.path, "--multi-label",
                                             "--folds", "3", "--json", "--quiet"])
            #expect(evaluateMulti.status == 0, "\(evaluateMulti.stderr)")
            let m = try #require(CLI.json(evaluateMulti)["grouped"] as? [String: Any])
            let microF1 = try #require((m["microF1"] as? [String: Any])?["mean"] as? Double)
            #expect(microF1 > 0.6, "multi-label micro F1 \(microF1)")
            let pooled = try #require(m["pooled"] as? [String: Any])
            #expect((pooled["perLabel"] as? [[String: Any]])?.contains { $0["label"] as? String == "document" } == true)
        } else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true",
                    "embedding steps skipped under CI: \(summary["embeddingProblem"] ?? "?")")
        }

        // Re-running the main job adds nothing.
        let again = try CLI.run(["analyze", corpus.appendingPathComponent("images").path, "--store", store.path, "--json", "--quiet",
                                 "--watermarks", "off"])
        #expect(try CLI.json(again)["ingested"] as? Int == 0)
        // (The classification labels also name a few corpus images outside images/, which the
        // label import ingested.)
        #expect(try CLI.json(again)["items"] as? Int ?? 0 >= 468)
    }

    /// The main job trains a watermark detector when the store has none, scores every item and
    /// lists the flagged ones in the report; a re-run reuses the detector and the stored scores.
    @Test func analyzeTrainsAWatermarkDetectorAndFlagsItemsInTheReport() throws {
        guard let corpus = CLI.corpus else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared corpus is missing under CI")
            return
        }
        let folder = temporaryURL("vitrine-wm-images")
        let store = temporaryURL("vitrine-wm-store")
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: store)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // 44 JPEGs from the corpus categories, a few from each, in a stable order.
        let images = corpus.appendingPathComponent("images")
        var picked: [URL] = []
        for category in try FileManager.default.contentsOfDirectory(atPath: images.path).sorted() {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: images.appendingPathComponent(category).path)) ?? [])
                .filter { $0.lowercased().hasSuffix(".jpg") }.sorted().prefix(2)
            picked += files.map { images.appendingPathComponent(category).appendingPathComponent($0) }
        }
        try #require(picked.count >= 44, "the corpus has \(picked.count) JPEGs in pairs")
        for (i, file) in picked.prefix(44).enumerated() {
            try FileManager.default.copyItem(at: file, to: folder.appendingPathComponent(String(format: "%02d-", i) + file.lastPathComponent))
        }
        let first = try CLI.run(["analyze", folder.path, "--store", store.path, "--json", "--quiet", "--no-embeddings",
                                 "--watermark-sources", "40"])
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try CLI.json(first)
        let step = try #require(summary["watermarks"] as? [String: Any], "watermark step missing: \(summary["watermarkProblem"] ?? "?")")
        #expect(step["trained"] as? Bool == true)
        #expect(step["detector"] as? String == "default")
        #expect(step["scored"] as? Int == 44)
        #expect(FileManager.default.fileExists(atPath: store.appendingPathComponent("models/watermark/default.json").path))
        let html = try String(contentsOfFile: try #require(summary["report"] as? String), encoding: .utf8)
        #expect(html.contains("quality-watermark") && html.contains("Possible watermarks"))
        let flagged = try #require(step["flagged"] as? Int)
        #expect(flagged == 0 || html.contains("P = "))

        let again = try CLI.json(try CLI.run(["analyze", folder.path, "--store", store.path, "--json", "--quiet", "--no-embeddings"]))
        let second = try #require(again["watermarks"] as? [String: Any])
        #expect(second["trained"] as? Bool == false)
        #expect(second["scored"] as? Int == 44 && second["flagged"] as? Int == flagged)

        // A named detector that does not exist is a stated problem, not a failure of the job.
        let missing = try CLI.run(["analyze", folder.path, "--store", store.path, "--json", "--quiet", "--no-embeddings", "--watermarks", "nosuch"])
        #expect(missing.status == 0)
        #expect((try CLI.json(missing)["watermarkProblem"] as? String ?? "").contains("no watermark detector nosuch"))
    }

    /// An ingest killed half-way and started again finishes the rest: nothing lost, nothing doubled.
    @Test func killedIngestResumesWithoutLossOrDoubles() async throws {
        let folder = temporaryURL("vitrine-kill")
        let store = temporaryURL("vitrine-kill-store")
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: store)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let total = 240
        var pixels = [UInt8](repeating: 0, count: 900 * 700 * 3)
        for i in 0..<total {
            for k in stride(from: 0, to: pixels.count, by: 97) { pixels[k] = UInt8(truncatingIfNeeded: k &* (i + 3) >> 4) }
            try ImageWriter.save(PixelBuffer(width: 900, height: 700, channels: 3, pixels: pixels),
                                 to: folder.appendingPathComponent(String(format: "img-%04d.jpg", i)).path + "[Q=92]")
        }
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["ingest", folder.path, "--store", store.path, "--threads", "1", "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for at least one committed batch, then kill without warning.
        var committed = 0
        let deadline = Date().addingTimeInterval(120)
        let database = store.appendingPathComponent("catalog.sqlite").path
        while committed < 32 && process.isRunning && Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
            committed = countItems(database)
        }
        let killedMidway = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let catalog = try Catalog(store: store)
        let before = try catalog.items().count
        #expect(killedMidway, "the ingest ended before the kill; nothing to resume")
        #expect(before < total)

        let resume = try CLI.run(["ingest", folder.path, "--store", store.path, "--json", "--quiet"])
        #expect(resume.status == 0, "\(resume.stderr)")
        let summary = try CLI.json(resume)
        #expect(summary["alreadyDone"] as? Int == before)
        let items = try catalog.items()
        #expect(items.count == total)
        #expect(Set(items.map(\.sourcePath)).count == total)
        #expect(items.allSatisfy { $0.status == "ok" })
        for item in items {
            let stored = try #require(item.storedPath)
            #expect(FileManager.default.fileExists(atPath: catalog.absolute(stored).path))
        }
        #expect(try catalog.hashes().count == total)
    }
}
