import Catalog
import Datasets
import Foundation
import Reports

/// What `vitrine evaluate detections` compares: a file (in a format) or the store's own
/// labels (`store` = every ground-truth source for `--gt`, the latest prediction source for
/// `--pred`; `store:ID` = one source).
public enum DetectionSide: Sendable, Equatable {
    case file(URL, AnnotationFormat)
    case store(sourceID: Int64?)

    public static func parse(_ text: String, format: AnnotationFormat?) throws -> DetectionSide {
        if text == "store" { return .store(sourceID: nil) }
        if text.hasPrefix("store:") {
            guard let id = Int64(text.dropFirst(6)) else { throw DatasetsError(.invalidInput, "`\(text)`: write store or store:SOURCE_ID") }
            return .store(sourceID: id)
        }
        let url = URL(fileURLWithPath: text).standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.path) else { throw DatasetsError(.io, "no such file or folder: \(url.path)") }
        return .file(url, format ?? AnnotationFormat.guess(url))
    }
}

/// A detection evaluation with how its inputs were matched.
public struct DetectionEvaluationSummary: Codable, Sendable, Equatable {
    public var runID: Int64?
    public var result: DetectionEvaluationResult
    /// Predictions left out: image or category unknown to the ground truth.
    public var predictionsWithUnknownImage: Int
    public var predictionsWithUnknownCategory: Int
    /// `ids` (pycocotools: a results file against its COCO ground truth) or `names`.
    public var matchedBy: String
    public var report: String?
}

public enum DetectionEvaluationJob {
    /// Loads one side as a dataset.
    static func load(_ side: DetectionSide, catalog: Catalog?, predictions: Bool) throws -> Dataset {
        switch side {
        case .file(let url, let format):
            // Images found on disk are named by their absolute path too, so that a file's
            // labels meet the store's (whose file names are the items' source paths).
            var (dataset, folders, files) = try DatasetJobs.readWithFiles(url, format: format)
            for i in dataset.images.indices {
                if let found = DatasetJobs.locate(dataset.images[i], folder: folders[dataset.images[i].id], annotationFile: files[dataset.images[i].id]) {
                    dataset.images[i].extra["vitrine_resolved_path"] = .string(found.path)
                }
            }
            return dataset
        case .store(let id):
            guard let catalog else { throw DatasetsError(.invalidInput, "`store` needs an existing --store") }
            let jobs = DatasetJobs(catalog: catalog)
            if let id { return try jobs.dataset(.init(sourceIDs: [id])) }
            if predictions {
                guard let latest = try catalog.annotationSources().last(where: { $0.kind == "prediction" })?.id else {
                    throw DatasetsError(.invalidInput, "the store has no predictions (import a results file with --kind prediction, or run a detector)")
                }
                return try jobs.dataset(.init(sourceIDs: [latest]))
            }
            let d = try jobs.dataset(.init())
            guard !d.annotations.isEmpty else { throw DatasetsError(.invalidInput, "the store has no ground-truth annotations (vitrine dataset import)") }
            return d
        }
    }

    /// Evaluates; stores the evaluation as a run when a catalog is given; writes the HTML
    /// report (per-class precision–recall SVGs) to `reportURL` when given.
    public static func run(gt: DetectionSide, pred: DetectionSide, protocol p: DetectionProtocol, catalog: Catalog?, reportURL: URL?,
                           gtText: String, predText: String) throws -> DetectionEvaluationSummary {
        let truth = try load(gt, catalog: catalog, predictions: false)
        let predicted = try load(pred, catalog: catalog, predictions: true)
        let byIDs = predicted.extra["vitrine_results"] == .bool(true)
        var unknownImage = 0, unknownCategory = 0
        var detections: [Detection] = []
        if byIDs {
            // pycocotools: ids of the results file are the ground truth's ids.
            let images = Set(truth.images.map(\.id)), categories = Set(truth.categories.map(\.id))
            for a in predicted.annotations {
                guard let box = a.box else { continue }
                guard images.contains(a.imageID) else { unknownImage += 1; continue }
                guard categories.contains(a.categoryID) else { unknownCategory += 1; continue }
                detections.append(Detection(imageID: a.imageID, categoryID: a.categoryID, box: box, score: a.score ?? 1))
            }
        } else {
            // By file name (exact, then last path component) and class name.
            var exact: [String: Int64] = [:], last: [String: Int64] = [:]
            for image in truth.images {
                exact[image.fileName] = image.id
                if let resolved = image.extra["vitrine_resolved_path"]?.string { exact[resolved] = image.id }
                last[(image.fileName as NSString).lastPathComponent] = image.id
            }
            let resolvedPred = Dictionary(predicted.images.compactMap { i in i.extra["vitrine_resolved_path"]?.string.map { (i.id, $0) } }, uniquingKeysWith: { a, _ in a })
            let categoryByName = Dictionary(truth.categories.map { ($0.name, $0.id) }, uniquingKeysWith: { a, _ in a })
            let predImages = Dictionary(predicted.images.map { ($0.id, $0.fileName) }, uniquingKeysWith: { a, _ in a })
            let predNames = Dictionary(predicted.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            for a in predicted.annotations {
                guard let box = a.box else { continue }
                let file = predImages[a.imageID] ?? ""
                guard let image = resolvedPred[a.imageID].flatMap({ exact[$0] }) ?? exact[file] ?? last[(file as NSString).lastPathComponent] else { unknownImage += 1; continue }
                guard let category = categoryByName[predNames[a.categoryID] ?? ""] else { unknownCategory += 1; continue }
                detections.append(Detection(imageID: image, categoryID: category, box: box, score: a.score ?? 1))
            }
        }
        let groundTruth = truth.annotations.compactMap { a -> GroundTruthObject? in
            guard let box = a.box else { return nil }
            return GroundTruthObject(id: a.id, imageID: a.imageID, categoryID: a.categoryID, box: box, area: a.effectiveArea, isCrowd: a.isCrowd, difficult: a.difficult)
        }
        let names = Dictionary(truth.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let result = try DetectionEvaluator.evaluate(groundTruth: groundTruth, detections: detections, imageIDs: truth.images.map(\.id), categories: names, protocol: p)
        var summary = DetectionEvaluationSummary(runID: nil, result: result, predictionsWithUnknownImage: unknownImage,
                                                 predictionsWithUnknownCategory: unknownCategory, matchedBy: byIDs ? "ids" : "names", report: nil)
        if let reportURL {
            try writeReport(summary, gt: gtText, pred: predText, to: reportURL)
            summary.report = reportURL.path
        }
        if let catalog {
            let runID = try catalog.startRun(kind: "evaluation-detections", toolVersion: VitrineVersion.current, config: ["gt": gtText, "pred": predText, "protocol": p.rawValue])
            var stored = summary
            stored.runID = runID
            for i in stored.result.perClass.indices { stored.result.perClass[i].curve = [] }
            try catalog.finishRun(runID, summary: stored)
            summary.runID = runID
        }
        return summary
    }

    static func writeReport(_ s: DetectionEvaluationSummary, gt: String, pred: String, to url: URL) throws {
        func f(_ v: Double) -> String { v <= -1 ? "–" : String(format: "%.4f", v) }
        let names = s.result.protocolName == "coco" ? DetectionEvaluationResult.cocoStatNames : ["mAP"]
        let page = ReportDetectionEvaluation(
            title: "Detection evaluation", protocolName: s.result.protocolName,
            summary: zip(names, s.result.stats).map { [$0.0, f($0.1)] },
            classRows: s.result.perClass.map { [$0.name, String($0.groundTruths), String($0.detections), f($0.ap), f($0.ap50), $0.ap75.map(f) ?? "–"] },
            curves: s.result.perClass.map { c in ReportPrecisionRecallCurve(name: c.name, points: c.curve.map { [$0.recall, $0.precision] }, ap: c.ap50) },
            notes: ["Ground truth: \(gt)", "Predictions: \(pred) (matched by \(s.matchedBy); \(s.predictionsWithUnknownImage) on unknown images and \(s.predictionsWithUnknownCategory) of unknown classes left out)"])
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(DetectionReportPage.html(page).utf8).write(to: url, options: .atomic)
        } catch { throw DatasetsError(.io, "cannot write the report \(url.path)", underlying: error) }
    }
}

/// Splits and cards over the catalog.
extension DatasetJobs {
    /// Splits the annotated items (ground-truth and crowd sources), keeping near-duplicate groups
    /// of the latest duplicates run whole, stratified by each item's most frequent class.
    public func split(fractions: [(name: String, fraction: Double)], seed: UInt64, stratify: Bool) throws -> (splitID: Int64, counts: [String: Int]) {
        let dataset = try dataset(Selection())
        let names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var labels: [Int64: [String: Int]] = [:]
        for a in dataset.annotations { labels[a.imageID, default: [:]][names[a.categoryID] ?? "", default: 0] += 1 }
        var groupOf: [Int64: Int64] = [:]
        var duplicatesRun: Int64? = nil
        if let run = try catalog.latestRun(kind: "duplicates"), let id = run.id {
            duplicatesRun = id
            for (group, members) in try catalog.duplicateGroups(runID: id) { for m in members { groupOf[m.itemID] = group.id } }
        }
        let candidates = dataset.images.map { image in
            SplitCandidate(itemID: image.id, label: labels[image.id]?.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.first?.key,
                           group: groupOf[image.id])
        }
        let assignment = try DatasetSplitter.split(candidates, fractions: fractions, seed: seed, stratify: stratify)
        var config: [String: JSONValue] = ["fractions": .object(Dictionary(fractions.map { ($0.name, .double($0.fraction)) }, uniquingKeysWith: { a, _ in a })),
                                           "stratify": .string(stratify ? "label" : "none"), "seed": .int(Int64(bitPattern: seed))]
        if let duplicatesRun { config["duplicatesRun"] = .int(duplicatesRun) }
        let configText = try JSONValue.serialize(.object(config))
        let runID = try catalog.startRun(kind: "split", toolVersion: VitrineVersion.current, config: ["config": configText])
        let splitID = try catalog.saveSplit(assignment, seed: Int64(bitPattern: seed), config: configText, runID: runID)
        var counts: [String: Int] = [:]
        for subset in assignment.values { counts[subset, default: 0] += 1 }
        try catalog.finishRun(runID, summary: ["splitID": "\(splitID)"].merging(counts.mapValues(String.init)) { a, _ in a })
        return (splitID, counts)
    }

    /// The card's input from the catalog (a split's subsets when `splitID` is given).
    public func cardInput(title: String, splitID: Int64?) throws -> DatasetCardInput {
        let dataset = try dataset(Selection(splitID: splitID))
        let members = try splitID.map { try catalog.splitMembers(splitID: $0) } ?? [:]
        let names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var counts: [String: [String: Int]] = [:], imagesBySplit: [String: Int] = [:]
        for a in dataset.annotations { counts[names[a.categoryID] ?? "", default: [:]][members[a.imageID] ?? "all", default: 0] += 1 }
        let items = Dictionary(try catalog.items().compactMap { i in i.id.map { ($0, i) } }, uniquingKeysWith: { a, _ in a })
        var rights: [String: Int] = [:], providers: [String: Int] = [:], sizes: [[Int]] = []
        var failures = 0
        for image in dataset.images {
            imagesBySplit[members[image.id] ?? "all", default: 0] += 1
            guard let item = items[image.id] else { continue }
            rights[item.rights ?? "", default: 0] += 1
            providers[item.dataProvider ?? item.provider ?? "", default: 0] += 1
            if let w = item.width, let h = item.height { sizes.append([w, h]) }
            if item.status != "ok" { failures += 1 }
        }
        let duplicates = try nonKeeperDuplicates().intersection(dataset.images.map(\.id)).count
        var perSource: [Int64: Int] = [:]
        for a in try catalog.annotations() { perSource[a.sourceID, default: 0] += 1 }
        let sources = try catalog.annotationSources().map { s in
            DatasetCardInput.LabelSource(id: s.id ?? 0, name: s.name, kind: s.kind, format: s.format, path: s.path, importedAt: s.importedAt,
                                         annotations: perSource[s.id ?? 0] ?? 0, model: s.model, modelSHA256: s.modelSHA256, runID: s.runID)
        }
        return DatasetCardInput(title: title, countsByClassAndSplit: counts, imagesBySplit: imagesBySplit, imageSizes: sizes, rights: rights, providers: providers,
                                duplicatesRemoved: duplicates, linkFailures: failures, labelSources: sources, split: splitID.map { "split \($0)" })
    }
}
