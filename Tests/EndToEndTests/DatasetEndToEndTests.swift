import Foundation
import Testing

/// (file name, class, bbox, iscrowd) of every annotation of a COCO file, sorted: the content
/// a round trip must keep, whatever ids the store gave.
private func cocoContent(_ url: URL) throws -> [String] {
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    let images = (json["images"] as? [[String: Any]] ?? []).reduce(into: [Int: String]()) { $0[$1["id"] as? Int ?? -1] = (($1["file_name"] as? String ?? "") as NSString).lastPathComponent }
    let names = (json["categories"] as? [[String: Any]] ?? []).reduce(into: [Int: String]()) { $0[$1["id"] as? Int ?? -1] = $1["name"] as? String ?? "" }
    return (json["annotations"] as? [[String: Any]] ?? []).map { a in
        let box = (a["bbox"] as? [Double] ?? []).map { "\($0)" }.joined(separator: ",")
        return "\(images[a["image_id"] as? Int ?? -1] ?? "?")|\(names[a["category_id"] as? Int ?? -1] ?? "?")|\(box)|\(a["iscrowd"] as? Int ?? 0)|\(a["area"] as? Double ?? -1)"
    }.sorted()
}

/// Seeded predictions from a COCO ground truth: jittered boxes, some dropped, some false positives.
private func writePredictions(from gt: URL, to url: URL, seed: UInt64, roundScores: Bool = true) throws {
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: gt)) as? [String: Any])
    var state = seed
    func random() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double((state >> 11) & ((1 << 53) - 1)) / Double(1 << 53)
    }
    var results: [[String: Any]] = []
    for a in json["annotations"] as? [[String: Any]] ?? [] {
        guard let b = a["bbox"] as? [Double], b.count == 4, random() > 0.15 else { continue }
        let box = [b[0] + (random() - 0.5) * 0.2 * b[2], b[1] + (random() - 0.5) * 0.2 * b[3], b[2] * (0.9 + 0.2 * random()), b[3] * (0.9 + 0.2 * random())]
        results.append(["image_id": a["image_id"] ?? 0, "category_id": a["category_id"] ?? 0, "bbox": box, "score": roundScores ? (random() * 100).rounded() / 100 : random()])
        if random() < 0.2 {
            results.append(["image_id": a["image_id"] ?? 0, "category_id": a["category_id"] ?? 0, "bbox": [random() * 300, random() * 300, 20 + random() * 100, 20 + random() * 100], "score": random()])
        }
    }
    try JSONSerialization.data(withJSONObject: results).write(to: url)
}

@Suite("vitrine dataset and evaluate, end to end", .serialized)
struct DatasetEndToEndTests {
    @Test func cocoRoundTripsThroughTheCatalogWithoutDuplicatingImages() throws {
        guard let corpus = CLI.corpus else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared corpus is missing under CI")
            return
        }
        let original = corpus.appendingPathComponent("annotations/coco/labelme2coco/annotations.json")
        let work = temporaryURL("vitrine-dataset-e2e")
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let a = work.appendingPathComponent("a").path, b = work.appendingPathComponent("b").path
        let first = try CLI.run(["dataset", "import", original.path, "--store", a, "--json", "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try CLI.json(first)
        #expect(summary["imagesIngested"] as? Int == 3 && summary["annotations"] as? Int == 12)
        let again = try CLI.json(try CLI.run(["dataset", "import", original.path, "--store", a, "--json", "--quiet"]))
        #expect(again["imagesIngested"] as? Int == 0 && again["imagesAlreadyInCatalog"] as? Int == 3)
        let exportA = work.appendingPathComponent("a.json"), exportB = work.appendingPathComponent("b.json")
        #expect(try CLI.run(["dataset", "export", exportA.path, "--store", a, "--quiet"]).status == 0)
        #expect(try CLI.run(["dataset", "import", exportA.path, "--store", b, "--quiet"]).status == 0)
        #expect(try CLI.run(["dataset", "export", exportB.path, "--store", b, "--quiet"]).status == 0)
        #expect(try cocoContent(exportA) == cocoContent(exportB))
        #expect(try cocoContent(exportA) == cocoContent(original))
        let items = countItems(work.appendingPathComponent("a/catalog.sqlite").path)
        #expect(items == 3)
        // Category ids renumbered from 1 (the file's start at 0), names kept.
        let exported = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: exportA)) as? [String: Any])
        #expect((exported["categories"] as? [[String: Any]])?.compactMap { $0["id"] as? Int }.min() == 1)

        // Split, card, a split's subset and a folder tree of symbolic links.
        #expect(try CLI.run(["dataset", "split", "--store", a, "--train", "0.34", "--val", "0.33", "--test", "0.33", "--quiet"]).status == 0)
        #expect(try CLI.run(["dataset", "card", "--store", a, "--quiet"]).status == 0)
        let card = try String(contentsOfFile: a + "/reports/dataset-card.md", encoding: .utf8)
        #expect(card.contains("| person |") && card.contains("Provenance of the labels") && card.contains("annotations.json"))
        let test = work.appendingPathComponent("test.json")
        #expect(try CLI.run(["dataset", "export", test.path, "--store", a, "--subset", "test", "--quiet"]).status == 0)
        #expect(try cocoContent(test).count < cocoContent(exportA).count)
        let folders = work.appendingPathComponent("folders")
        #expect(try CLI.run(["dataset", "export", folders.path, "--format", "folders", "--store", a, "--quiet"]).status == 0)
        let link = folders.appendingPathComponent("person/2011_000003.jpg").path
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link))?.contains("/images/") == true)
    }

    @Test func evaluateDetectionsMatchesPycocotoolsOnTheCorpusSample() throws {
        guard let corpus = CLI.corpus else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared corpus is missing under CI")
            return
        }
        let python = CLI.root.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            print("skipped: pycocotools is not installed (scripts/setup makes .venv)")
            return
        }
        let work = temporaryURL("vitrine-evaluate-e2e")
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for (name, seed) in [("publaynet_samples.json", UInt64(7)), ("labelme2coco/annotations.json", UInt64(8))] {
            let gt = corpus.appendingPathComponent("annotations/coco/\(name)")
            let pred = work.appendingPathComponent("pred-\(seed).json")
            try writePredictions(from: gt, to: pred, seed: seed)
            let ours = try CLI.run(["evaluate", "detections", "--gt", gt.path, "--pred", pred.path, "--protocol", "coco", "--store", work.appendingPathComponent("s").path, "--json", "--report"])
            #expect(ours.status == 0, "\(ours.stderr)")
            let stats = try #require((try CLI.json(ours)["result"] as? [String: Any])?["stats"] as? [Double])
            let process = Process()
            process.executableURL = python
            process.arguments = [CLI.root.appendingPathComponent("tools/coco_reference_eval.py").path, gt.path, pred.path]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let reference = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["stats"] as? [Double])
            #expect(reference.count == 12 && stats.count == 12)
            let delta = zip(stats, reference).map { abs($0 - $1) }.max() ?? 1
            #expect(delta < 1e-6, "\(name): \(stats) vs \(reference)")
            print("vitrine evaluate detections vs pycocotools on \(name): max |Δ| = \(delta); AP \(stats[0]), AP50 \(stats[1])")
        }
        let report = try String(contentsOfFile: work.appendingPathComponent("s/reports/detections-coco.html").path, encoding: .utf8)
        #expect(report.contains("<svg") && report.contains("precision–recall"))
    }

    @Test func evaluateDetectionsEvaluatesTheStoresOwnLabels() throws {
        guard let corpus = CLI.corpus else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared corpus is missing under CI")
            return
        }
        let work = temporaryURL("vitrine-evaluate-store")
        defer { try? FileManager.default.removeItem(at: work) }
        let store = work.appendingPathComponent("s").path
        #expect(try CLI.run(["dataset", "import", corpus.appendingPathComponent("annotations/voc/labelme2voc_bbox").path, "--store", store, "--quiet"]).status == 0)
        let csv = work.appendingPathComponent("boxes.csv")
        #expect(try CLI.run(["dataset", "export", csv.path, "--format", "csv", "--store", store, "--quiet"]).status == 0)
        let imported = try CLI.json(try CLI.run(["dataset", "import", csv.path, "--kind", "prediction", "--store", store, "--json", "--quiet"]))
        #expect(imported["imagesIngested"] as? Int == 0 && imported["imagesAlreadyInCatalog"] as? Int == 3)
        let result = try CLI.run(["evaluate", "detections", "--gt", "store", "--pred", "store", "--protocol", "voc12", "--store", store, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let stats = try #require((try CLI.json(result)["result"] as? [String: Any])?["stats"] as? [Double])
        #expect(stats == [1.0])
    }

    /// A COCO results file imported as predictions is mapped through its ground truth's ids; the
    /// store's evaluation then equals the files' evaluation.
    @Test func importedCOCOResultsAreEvaluatedFromTheStoreAsFromTheFiles() throws {
        guard let corpus = CLI.corpus else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared corpus is missing under CI")
            return
        }
        let work = temporaryURL("vitrine-results-store")
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let store = work.appendingPathComponent("s").path
        let gt = corpus.appendingPathComponent("annotations/coco/labelme2coco/annotations.json")
        let pred = work.appendingPathComponent("pred.json")
        try writePredictions(from: gt, to: pred, seed: 11, roundScores: false)
        #expect(try CLI.run(["dataset", "import", gt.path, "--store", store, "--quiet"]).status == 0)
        let imported = try CLI.json(try CLI.run(["dataset", "import", pred.path, "--kind", "prediction", "--store", store, "--json", "--quiet"]))
        #expect(imported["imagesMissing"] as? Int == 0 && imported["imagesIngested"] as? Int == 0)
        func stats(_ arguments: [String]) throws -> [Double] {
            let r = try CLI.run(["evaluate", "detections"] + arguments + ["--store", store, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            return try #require((try CLI.json(r)["result"] as? [String: Any])?["stats"] as? [Double])
        }
        let files = try stats(["--gt", gt.path, "--pred", pred.path])
        let stored = try stats(["--gt", "store", "--pred", "store"])
        #expect(files.count == 12 && zip(files, stored).allSatisfy { abs($0 - $1) < 1e-9 }, "\(files) vs \(stored)")
        // The store's predictions export as a COCO results file with scores.
        let out = work.appendingPathComponent("results.json")
        let sourceID = try #require(imported["sourceID"] as? Int)
        #expect(try CLI.run(["dataset", "export", out.path, "--source", "\(sourceID)", "--store", store, "--quiet"]).status == 0)
        let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [[String: Any]])
        #expect(!results.isEmpty && results.allSatisfy { $0["score"] is Double })
    }

    /// CASES C33: a VOC file without <size> takes the image's size in the store.
    @Test func vocWithoutSizeTakesTheImageSizeFromTheStore() throws {
        guard let corpus = CLI.corpus else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared corpus is missing under CI")
            return
        }
        let work = temporaryURL("vitrine-voc-size")
        defer { try? FileManager.default.removeItem(at: work) }
        let folder = work.appendingPathComponent("voc")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: corpus.appendingPathComponent("annotations/voc/labelme2voc_bbox/2011_000003.jpg"), to: folder.appendingPathComponent("2011_000003.jpg"))
        try Data("<annotation><filename>2011_000003.jpg</filename><object><name>person</name><bndbox><xmin>191</xmin><ymin>107.5</ymin><xmax>313</xmax><ymax>329</ymax></bndbox></object></annotation>".utf8)
            .write(to: folder.appendingPathComponent("2011_000003.xml"))
        let store = work.appendingPathComponent("s").path
        let imported = try CLI.json(try CLI.run(["dataset", "import", folder.path, "--store", store, "--json", "--quiet"]))
        #expect((imported["warnings"] as? [String])?.contains { $0.contains("no <size>") } == true)
        let out = work.appendingPathComponent("out")
        #expect(try CLI.run(["dataset", "export", out.path, "--format", "voc", "--store", store, "--quiet"]).status == 0)
        let xml = try String(contentsOf: out.appendingPathComponent(folder.appendingPathComponent("2011_000003").path.replacingOccurrences(of: "/", with: "_") + ".xml"), encoding: .utf8)
        #expect(xml.contains("<width>500</width>") && xml.contains("<height>338</height>") && xml.contains("<ymin>107.5</ymin>"))
    }

    @Test func hostileSelectionsAndDuplicateCOCOIdsFailWithStatusOneNamingTheThing() throws {
        let work = temporaryURL("vitrine-dataset-hostile")
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let store = work.appendingPathComponent("s").path
        let empty = work.appendingPathComponent("empty.json"), dup = work.appendingPathComponent("dup.json")
        try Data(#"{"images":[],"annotations":[]}"#.utf8).write(to: empty)
        try Data(#"{"images":[{"id":1,"file_name":"a.jpg"},{"id":1,"file_name":"b.jpg"}],"categories":[{"id":1,"name":"x"}],"annotations":[]}"#.utf8).write(to: dup)
        #expect(try CLI.run(["dataset", "import", empty.path, "--store", store, "--quiet"]).status == 0)
        let out = work.appendingPathComponent("out.json").path
        let noSplit = try CLI.run(["dataset", "export", out, "--split", "99", "--subset", "test", "--store", store, "--quiet"])
        #expect(noSplit.status == 1 && noSplit.stderr.contains("split 99"), "\(noSplit.stderr)")
        let noSource = try CLI.run(["dataset", "export", out, "--source", "42", "--store", store, "--quiet"])
        #expect(noSource.status == 1 && noSource.stderr.contains("source 42"), "\(noSource.stderr)")
        let evaluation = try CLI.run(["evaluate", "detections", "--gt", dup.path, "--pred", dup.path, "--protocol", "coco", "--store", store, "--quiet"])
        #expect(evaluation.status == 1 && evaluation.stderr.contains("dup.json") && evaluation.stderr.contains("image id 1"), "\(evaluation.stderr)")
        let imported = try CLI.run(["dataset", "import", dup.path, "--store", store, "--quiet"])
        #expect(imported.status == 1 && imported.stderr.contains("image id 1"), "\(imported.stderr)")
    }
}
