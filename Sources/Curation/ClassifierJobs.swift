import Catalog
import Crypto
import Datasets
import Foundation
import Inference
import Learning
import Logging
import VitrineCore

/// What `vitrine classify train` did.
public struct ClassifierTrainSummary: Sendable, Codable, Equatable {
    public var runID: Int64
    public var name: String
    public var modelFile: String
    public var classes: [String]
    public var items: Int
    public var C: Double
    public var temperature: Double
    /// Inner cross-validation accuracy at the chosen C; for a multi-label model, micro F1.
    public var innerAccuracy: Double
    public var seconds: Double
    public var classesLeftOut: [String: Int]
    /// A multi-label (one-vs-rest) model: every concept of an item is a positive.
    public var multiLabel: Bool
    /// Items carrying two or more distinct labels (single-label mode keeps the first row's).
    public var itemsWithSeveralLabels: Int
}

/// One item's prediction: top classes with calibrated confidence; `uncertain` when the best is
/// below the threshold (the item is then not forced into a class).
public struct ItemPrediction: Sendable, Codable, Equatable {
    public struct Choice: Sendable, Codable, Equatable {
        public var label: String
        public var uri: String
        public var confidence: Double
    }
    public var itemID: Int64
    public var path: String
    /// IIIF Image API service of the item, when it has one (the Web Annotation target).
    public var iiifService: String?
    /// Single-label model: the `--top` best classes. Multi-label model: the concepts whose
    /// probability reaches the threshold (at most `--top`), or the single best when none does.
    public var top: [Choice]
    public var uncertain: Bool
    /// Best minus second-best confidence (smallest: the most useful to label next). Multi-label:
    /// 2 · min over concepts of |p − 0.5|, the most undecided concept's distance to its boundary.
    public var margin: Double
    /// Entropy of the calibrated distribution, in nats (multi-label: the sum of the concepts'
    /// binary entropies).
    public var entropy: Double
    /// From a multi-label (one-vs-rest) model: every choice of `top` is an assigned concept.
    public var multiLabel: Bool = false
    /// Multi-label: the concept whose probability is closest to 0.5 (the one `margin` measures).
    public var undecided: Choice? = nil
}

public struct ClassifierPredictSummary: Sendable, Codable, Equatable {
    public var runID: Int64
    public var model: String
    public var items: Int
    public var uncertain: Int
    public var minimumConfidence: Double
    public var perClass: [String: Int]
    public var sourceID: Int64
    public var seconds: Double
    public var predictionsPerSecond: Double
}

/// Training, saving and applying classifiers; every run is stored.
public enum ClassifierJobs {
    /// `STORE/models/classifiers/NAME.json`.
    public static func modelURL(store: URL, name: String) -> URL {
        store.appendingPathComponent("models/classifiers/\(name).json")
    }

    /// Trains and saves a classifier on the labels' items (imported, ingested and embedded as
    /// needed). Single-label: each item's first label, multinomial-style one-vs-rest liblinear
    /// with normalised probabilities and one temperature. `multiLabel`: every distinct label of an
    /// item is a positive, one binary model per concept with its own temperature
    /// (``LogisticRegression/fitOneVsRest(rows:labelSets:classes:options:)``).
    /// - Throws: `CoreError(.invalidInput)` with fewer than two classes of `minimumPerClass` items.
    public static func train(labels url: URL, vocabulary: Vocabulary, name: String, catalog: Catalog, model modelName: String, minimumPerClass: Int,
                             multiLabel: Bool = false, training: TrainingOptions = TrainingOptions(), ingest: IngestOptions, threads: Int,
                             quiet: Bool, logger: Logger) async throws -> ClassifierTrainSummary {
        let started = Date()
        let descriptor = try ModelRegistry.descriptor(named: modelName)
        let (labelled, imported) = try await ClassificationLabels.importLabels(url, catalog: catalog, ingest: ingest, logger: logger)
        let (vectors, _) = try ClassificationData.embeddings(for: labelled, catalog: catalog, model: descriptor.name, embedMissing: true,
                                                             threads: threads, quiet: quiet, logger: logger)
        let sets = ClassificationData.labelSets(labelled, vectors: vectors, minimumPerClass: minimumPerClass)
        // What each mode learns from: its classes, the items kept, those left out, and the fit.
        let classes: [String], itemIDs: [Int64], leftOut: [String: Int], classifierName: String
        let fit: ([[Float]]) throws -> LogisticRegression
        if multiLabel {
            guard sets.classes.count >= 1 else { throw CoreError(.invalidInput, "\(url.path): no concept with ≥ \(minimumPerClass) embedded items that some item lacks (a concept every item carries cannot be learned); \(imported.matchNote)") }
            (classes, itemIDs) = (sets.classes, sets.ids)
            leftOut = sets.counts.filter { !sets.classes.contains($0.key) }
            classifierName = "liblinear L2R_LR binary per concept (one-vs-rest, multi-label), balanced weights per concept"
            fit = { try LogisticRegression.fitOneVsRest(rows: $0, labelSets: sets.sets, classes: sets.classes, options: training) }
        } else {
            var seen = Set<Int64>()
            let usable = labelled.filter { vectors[$0.itemID] != nil && seen.insert($0.itemID).inserted }
            var counts: [String: Int] = [:]
            for item in usable { counts[item.label, default: 0] += 1 }
            classes = counts.filter { $0.value >= minimumPerClass }.keys.sorted()
            guard classes.count >= 2 else { throw CoreError(.invalidInput, "\(url.path): fewer than two classes with ≥ \(minimumPerClass) embedded items; \(imported.matchNote)") }
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($0.element, $0.offset) })
            let kept = usable.filter { index[$0.label] != nil }
            itemIDs = kept.map(\.itemID)
            leftOut = counts.filter { $0.value < minimumPerClass }
            classifierName = "liblinear L2R_LR one-vs-rest, balanced class weights"
            fit = { [classes] in try LogisticRegression.fit(rows: $0, labels: kept.compactMap { index[$0.label] }, classes: classes, options: training) }
        }
        let runID = try catalog.startRun(kind: "classifier-train", toolVersion: VitrineVersion.current, config: [
            "labels": url.path, "name": name, "model": descriptor.name, "modelSHA256": descriptor.sha256, "vocabulary": vocabulary.name,
            "classifier": classifierName, "cGrid": training.cGrid.map { "\($0)" }.joined(separator: ","),
        ])
        let classifier = try fit(itemIDs.compactMap { vectors[$0] })
        let seconds = Date().timeIntervalSince(started)
        let inner = classifier.innerAccuracy.max() ?? 0
        var metrics = ["items": Double(itemIDs.count), "C": classifier.C, "seconds": seconds]
        if multiLabel {
            metrics["innerMicroF1"] = inner
            metrics["itemsWithSeveralLabels"] = Double(sets.multiLabelled)
        } else {
            metrics["innerAccuracy"] = inner
            metrics["temperature"] = classifier.temperature
        }
        let file = ClassifierModelFile(name: name, vocabulary: classes.map { let c = vocabulary.conceptOrLocal($0); return .init(uri: c.uri, label: $0) },
                                       embeddingModel: descriptor.name, embeddingModelSHA256: descriptor.sha256, classifier: classifier,
                                       trainingMetrics: metrics, toolVersion: VitrineVersion.current)
        let out = modelURL(store: catalog.store, name: name)
        try file.write(to: out)
        let summary = ClassifierTrainSummary(runID: runID, name: name, modelFile: out.path, classes: classes, items: itemIDs.count, C: classifier.C,
                                             temperature: classifier.temperature, innerAccuracy: inner, seconds: seconds, classesLeftOut: leftOut,
                                             multiLabel: multiLabel, itemsWithSeveralLabels: sets.multiLabelled)
        try catalog.finishRun(runID, summary: summary)
        return summary
    }

    /// The saved classifier `name` of the store: its file, contents and sha256 (hex).
    /// - Throws: `CoreError.invalidInput` naming the known classifiers when there is none of that name.
    public static func classifier(name: String, catalog: Catalog) throws -> (url: URL, file: ClassifierModelFile, sha256: String) {
        let url = modelURL(store: catalog.store, name: name)
        guard !name.isEmpty, !name.contains("/"), FileManager.default.fileExists(atPath: url.path) else {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)) ?? [])
                .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
            throw CoreError(.invalidInput, "no classifier \(name) in \(catalog.store.path) (known: \(known.isEmpty ? "none" : known.joined(separator: ", "))); train one with `vitrine classify train --name \(name)`")
        }
        let file = try ClassifierModelFile.read(url)
        let sha = (try? Data(contentsOf: url)).map { SHA256.hash(data: $0).map { String(format: "%02x", $0) }.joined() } ?? ""
        return (url, file, sha)
    }

    /// Predicts every embedded item, stores the top classes as labels of a `prediction` source
    /// (model name + file sha256 + run, confidence in `score`, `rank` and `uncertain` in `extra`).
    public static func predict(name: String, catalog: Catalog, minimumConfidence: Double, top: Int, store: Bool = true, logger: Logger) throws -> (ClassifierPredictSummary, [ItemPrediction]) {
        let started = Date()
        let (url, file, sha) = try classifier(name: name, catalog: catalog)
        let items = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { i in i.id.map { ($0, i) } })
        let records = try catalog.embeddings(model: file.embeddingModel).filter { $0.vector != nil && $0.dimension == file.classifier.dimension }
        let runID = try catalog.startRun(kind: "classifier-predict", toolVersion: VitrineVersion.current, config: [
            "model": name, "modelFile": url.path, "modelSHA256": sha, "embeddingModel": file.embeddingModel,
            "minimumConfidence": "\(minimumConfidence)", "top": "\(top)",
        ])
        let k = file.classifier.classes.count
        let p = try file.classifier.probabilities(records.map(\.floats))
        let predictSeconds = Date().timeIntervalSince(started)
        var predictions: [ItemPrediction] = []
        var annotations: [AnnotationRecord] = [], names: [String] = []
        var perClass: [String: Int] = [:]
        for (r, record) in records.enumerated() {
            let prediction = Self.prediction(row: Array(p[(r * k)..<((r + 1) * k)]), itemID: record.itemID, path: items[record.itemID]?.sourcePath ?? "",
                                             file: file, minimumConfidence: minimumConfidence, top: top)
            predictions.append(prediction)
            if prediction.multiLabel && !prediction.uncertain {
                for c in prediction.top { perClass[c.label, default: 0] += 1 }
            } else {
                perClass[prediction.uncertain ? "uncertain" : prediction.top[0].label, default: 0] += 1
            }
            let (a, n) = try Self.annotations(prediction)
            annotations += a
            names += n
        }
        guard store else {
            try catalog.finishRun(runID, summary: ["stored": "no", "items": "\(predictions.count)"])
            return (ClassifierPredictSummary(runID: runID, model: name, items: predictions.count, uncertain: predictions.filter(\.uncertain).count,
                                             minimumConfidence: minimumConfidence, perClass: perClass, sourceID: 0, seconds: Date().timeIntervalSince(started),
                                             predictionsPerSecond: predictSeconds > 0 ? Double(records.count) / predictSeconds : 0), predictions)
        }
        let sourceID = try catalog.saveAnnotations(
            source: AnnotationSourceRecord(name: "classifier:\(name)", kind: "prediction", format: "model", path: url.path, model: name, modelSHA256: sha, runID: runID),
            annotations: annotations, categoryNames: names)
        let summary = ClassifierPredictSummary(runID: runID, model: name, items: predictions.count, uncertain: predictions.filter(\.uncertain).count,
                                               minimumConfidence: minimumConfidence, perClass: perClass, sourceID: sourceID,
                                               seconds: Date().timeIntervalSince(started),
                                               predictionsPerSecond: predictSeconds > 0 ? Double(records.count) / predictSeconds : 0)
        try catalog.finishRun(runID, summary: summary)
        logger.info("classify predict: \(predictions.count) items, \(summary.uncertain) uncertain below \(minimumConfidence)")
        return (summary, predictions)
    }

    /// One item's prediction from its row of calibrated probabilities (one per class of `file`):
    /// single-label, the `top` best (uncertain below `minimumConfidence`); multi-label, the concepts
    /// at or above it (at most `top`; the single best, uncertain, when none is).
    public static func prediction(row: [Double], itemID: Int64, path: String, file: ClassifierModelFile, minimumConfidence: Double, top: Int) -> ItemPrediction {
        let k = row.count
        let order = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }
        func choice(_ c: Int) -> ItemPrediction.Choice { .init(label: file.vocabulary[c].label, uri: file.vocabulary[c].uri, confidence: row[c]) }
        let choices: [ItemPrediction.Choice], uncertain: Bool, margin: Double, entropy: Double
        var undecided: ItemPrediction.Choice?
        let multiLabel = file.classifier.isMultiLabel
        if multiLabel {
            undecided = row.indices.min { abs(row[$0] - 0.5) != abs(row[$1] - 0.5) ? abs(row[$0] - 0.5) < abs(row[$1] - 0.5) : $0 < $1 }.map(choice)
            let assigned = order.filter { row[$0] >= minimumConfidence }
            choices = (assigned.isEmpty ? [order[0]] : Array(assigned.prefix(max(1, top)))).map(choice)
            uncertain = assigned.isEmpty
            margin = 2 * (row.map { abs($0 - 0.5) }.min() ?? 0.5)
            entropy = row.reduce(0.0) { e, q in e - (q > 0 ? q * log(q) : 0) - (q < 1 ? (1 - q) * log(1 - q) : 0) }
        } else {
            choices = order.prefix(max(1, top)).map(choice)
            let best = row[order[0]], second = k > 1 ? row[order[1]] : 0
            uncertain = best < minimumConfidence
            margin = best - second
            entropy = -row.reduce(0.0) { $0 + ($1 > 0 ? $1 * log($1) : 0) }
        }
        return ItemPrediction(itemID: itemID, path: path, iiifService: nil, top: choices, uncertain: uncertain, margin: margin,
                              entropy: entropy, multiLabel: multiLabel, undecided: undecided)
    }

    /// The stored labels of a prediction: one annotation per choice (confidence in `score`;
    /// `rank`, `uncertain` and `conceptURI` in `extra`), and each one's category name.
    public static func annotations(_ prediction: ItemPrediction) throws -> ([AnnotationRecord], [String]) {
        var annotations: [AnnotationRecord] = [], names: [String] = []
        for (rank, choice) in prediction.top.enumerated() {
            var a = AnnotationRecord(sourceID: 0, itemID: prediction.itemID, categoryID: 0)
            a.score = choice.confidence
            a.extra = try JSONValue.serialize(.object(["rank": .int(Int64(rank + 1)), "uncertain": .bool(prediction.uncertain), "conceptURI": .string(choice.uri)]))
            annotations.append(a)
            names.append(choice.label)
        }
        return (annotations, names)
    }

    /// CSV of predictions: `item_id,path,label,concept_uri,confidence,uncertain,margin,entropy`
    /// (the best class; a multi-label prediction has one row per assigned concept).
    public static func csv(_ predictions: [ItemPrediction]) -> String {
        func q(_ s: String) -> String { s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        var out = "item_id,path,label,concept_uri,confidence,uncertain,margin,entropy\n"
        for p in predictions {
            let rows: [ItemPrediction.Choice?] = p.multiLabel && !p.uncertain ? p.top : [p.top.first]
            for b in rows { out += "\(p.itemID),\(q(p.path)),\(q(b?.label ?? "")),\(q(b?.uri ?? "")),\(String(format: "%.4f", b?.confidence ?? 0)),\(p.uncertain),\(String(format: "%.4f", p.margin)),\(String(format: "%.4f", p.entropy))\n" }
        }
        return out
    }

    /// W3C Web Annotations (an `AnnotationPage`), motivation `classifying`, body the concept URI
    /// (a `SpecificResource` with purpose `classifying`), target the item's IIIF image service
    /// when known, else its file; uncertain items are left out; a multi-label prediction gives one
    /// annotation per assigned concept (ids `…/ITEM`, `…/ITEM/2`, …).
    public static func webAnnotations(_ predictions: [ItemPrediction], model: String, pageID: String = "urn:vitrine:classifications") -> JSONValue {
        var items: [JSONValue] = []
        for p in predictions where !p.uncertain {
            for (n, b) in (p.multiLabel ? p.top : Array(p.top.prefix(1))).enumerated() {
                let target = p.iiifService ?? URL(fileURLWithPath: p.path).absoluteString
                items.append(.object([
                    "id": .string(n == 0 ? "\(pageID)/\(p.itemID)" : "\(pageID)/\(p.itemID)/\(n + 1)"), "type": .string("Annotation"), "motivation": .string("classifying"),
                    "body": .object(["type": .string("SpecificResource"), "source": .string(b.uri), "purpose": .string("classifying")]),
                    "target": .string(target),
                    "creator": .object(["type": .string("Software"), "name": .string("vitrine classifier \(model)")]),
                    "score": .double(b.confidence),
                ]))
            }
        }
        return .object(["@context": .string("http://www.w3.org/ns/anno.jsonld"), "id": .string(pageID), "type": .string("AnnotationPage"), "items": .array(items)])
    }
}
