import ArgumentParser
import Catalog
import Curation
import Foundation
import Inference
import Reports
import VitrineCore

/// Which duplicate finder `vitrine duplicates` runs.
enum DuplicateMethod: String, ExpressibleByArgument, CaseIterable {
    /// Exact bytes, identical pixels and perceptual hashes (the default).
    case hash
    /// Cosine similarity of embeddings (FAISS range search).
    case embedding
    /// Both, side by side.
    case both
}

extension HashAlgorithm: ExpressibleByArgument {}

/// How near duplicates are matched; shared by `duplicates` and `analyze`.
struct MatchingOptions: ParsableArguments {
    @Option(name: .customLong("hash"), help: "Hash for near duplicates: ahash, dhash, phash, whash.")
    var algorithm: HashAlgorithm = DuplicateDefaults.algorithm

    @Option(name: .long, help: "Hamming threshold in bits, inclusive (default depends on --hash: ahash 2, dhash 5, phash 10, whash 0).")
    var threshold: Int?

    @Flag(name: .long, help: "Match under the 8 rotations and mirrors (distance = the minimum).")
    var invariant = false

    func validate() throws {
        if let threshold, !(0...64).contains(threshold) { throw ValidationError("--threshold must be within 0…64 bits") }
    }

    var options: DuplicateOptions {
        var options = DuplicateOptions()
        options.algorithm = algorithm
        options.threshold = threshold
        options.invariant = invariant
        return options
    }
}

struct Duplicates: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find exact and near duplicates, group them and propose a keeper; sweep or evaluate thresholds.",
        discussion: """
        Exact copies share their SHA-256; identical pictures in two codecs share their decoded-pixel digest; near \
        duplicates have perceptual hashes within --threshold bits (Hamming distance, inclusive), found through a FAISS \
        binary index. Blank images are matched only exactly. Default: pHash at 10 bits, chosen from the corpus evaluation.
        """)

    @OptionGroup var common: CommonOptions

    @OptionGroup var matching: MatchingOptions

    @Flag(name: .long, help: "Print the number of pairs for every threshold 0…32.")
    var sweep = false

    @Option(name: .long, help: "Ground-truth groups CSV (group_id,path[,role,relation_tags]); prints precision/recall/F1.")
    var evaluate: String?

    @Option(name: .long, help: "Duplicate finder: hash (bytes, pixels, perceptual hash), embedding (cosine of embeddings), both.")
    var method: DuplicateMethod = .hash

    @Option(name: .long, help: "Cosine similarity threshold for --method embedding (default 0.80: pair precision ≥ 0.90 on the corpus; see README).")
    var cosine: Float?

    @Option(name: .long, help: ArgumentHelp(
        "Embedding model for --method embedding (default: the copy-detection descriptor efficientnet-lite0-copy).",
        discussion: "Items that lack a vector for the model are embedded first (resumable, as `vitrine embed --model NAME`)."))
    var model: String = EmbeddingDuplicates.defaultModel

    func validate() throws {
        if let cosine, !(cosine > 0 && cosine <= 1) { throw ValidationError("--cosine must be within (0, 1]") }
        if let cosine, evaluate != nil, method != .hash {
            let hundredths = Double(cosine) * 100
            guard cosine >= 0.36, abs(hundredths - hundredths.rounded()) < 1e-3 else {
                throw ValidationError("with --evaluate, --cosine is evaluated in steps of 0.01 from 0.36 to 1.00 (got \(cosine))")
            }
        }
        guard ModelRegistry.all.contains(where: { $0.name == model && $0.embeddingDimension != nil }) else {
            throw ValidationError("--model \(model) is not an embedding model; known: \(ModelRegistry.all.filter { $0.embeddingDimension != nil }.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        try await failing {
            let catalog = try common.openCatalog(mustExist: true)
            let finder = DuplicateFinder(options: matching.options)
            if method != .hash {
                try runEmbedding(catalog: catalog, finder: finder)
                return
            }
            if let evaluate {
                let evaluation = try Self.evaluate(catalog: catalog, finder: finder, csv: URL(fileURLWithPath: evaluate))
                if common.json { try printJSON(evaluation) } else { Self.printEvaluation(evaluation) }
                return
            }
            let (summary, groups) = try finder.run(catalog: catalog, logger: common.makeLogger("vitrine.duplicates"))
            if common.json {
                try printJSON(summary)
                return
            }
            print("\(summary.groups) duplicate groups (\(summary.itemsInGroups) items) among \(summary.items) items; \(summary.pairs) near pairs at ≤ \(summary.threshold) bits of \(summary.algorithm)\(summary.invariant ? " (rotation/mirror invariant)" : ""); \(summary.blankExcluded) blank images matched only exactly")
            for (kind, n) in summary.groupsByKind.sorted(by: { $0.key < $1.key }) { print("  \(kind): \(n)") }
            let items = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { i in i.id.map { ($0, i) } })
            for group in groups.prefix(10) {
                print("  [\(group.kind.rawValue), ≤ \(group.maxDistance) bits] keep \(items[group.keeperID]?.sourcePath ?? "?") — \(group.keeperReason)")
                for id in group.memberIDs where id != group.keeperID {
                    print("      \(items[id]?.sourcePath ?? "?") (distance \(group.distanceToKeeper[id] ?? 0))")
                }
            }
            if groups.count > 10 { print("  … and \(groups.count - 10) more groups (see `vitrine report`)") }
            if sweep {
                let chart = SVGChart.thresholdSweep(ReportSweep(
                    hashName: summary.algorithm, points: summary.sweep.pairs.enumerated().map { ReportSweep.Point(threshold: $0.offset, pairs: $0.element) },
                    chosenThreshold: summary.threshold))
                let file = catalog.store.appendingPathComponent("reports/sweep-\(summary.algorithm).svg")
                try Data(chart.utf8).write(to: file)
                print("sweep chart: \(file.path)")
                print("threshold  pairs\(summary.sweep.estimated ? " (estimated from a sample of \(summary.sweep.sampleSize))" : "")")
                for (t, n) in summary.sweep.pairs.enumerated() { print(String(format: "%9d  %d", t, n)) }
            }
        }
    }

    static func checkGroupsFile(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw CoreError(.invalidInput, "no ground-truth groups CSV at \(path)")
        }
    }

    static func evaluate(catalog: Catalog, finder: DuplicateFinder, csv: URL) throws -> DuplicateEvaluation {
        try checkGroupsFile(csv.path)
        let candidates = try DuplicateFinder.candidates(from: catalog, algorithm: finder.options.algorithm)
        let truth = try DuplicateEvaluator.readGroundTruth(csv: csv, candidates: candidates, items: try catalog.items())
        guard truth.matchedFiles > 0 else {
            throw CoreError(.invalidInput, "none of the \(truth.unmatchedFiles.count) files of \(csv.path) is in the catalog (paths are read relative to the CSV's folder); ingest them first")
        }
        let evaluation = DuplicateEvaluator.evaluate(
            count: candidates.count, truth: truth, atThreshold: finder.options.effectiveThreshold,
            algorithm: finder.options.algorithm.rawValue, invariant: finder.options.invariant,
            distance: DuplicateEvaluator.finderDistance(candidates, invariant: finder.options.invariant))
        let runID = try catalog.startRun(kind: "evaluation", toolVersion: VitrineVersion.current, config: [
            "groups": csv.path, "algorithm": finder.options.algorithm.rawValue,
            "threshold": "\(finder.options.effectiveThreshold)", "invariant": "\(finder.options.invariant)",
        ])
        try catalog.finishRun(runID, summary: evaluation)
        return evaluation
    }

    static func printEvaluation(_ e: DuplicateEvaluation) {
        print("\(e.algorithm)\(e.invariant ? " (invariant)" : ""): \(e.groundTruthPairs) ground-truth pairs, \(e.items) items, \(e.matchedFiles) files matched, \(e.unmatchedFiles.count) not in the catalog")
        print(String(format: "at threshold %d: precision %.3f  recall %.3f  F1 %.3f", e.threshold, e.precision, e.recall, e.f1))
        print(String(format: "best F1 %.3f at threshold %d", e.bestF1, e.bestThreshold))
        print("threshold  precision  recall     F1      TP     FP     FN")
        for r in e.rows {
            print(String(format: "%9d  %9.3f  %6.3f  %6.3f  %5d  %5d  %5d", r.threshold, r.precision, r.recall, r.f1, r.truePositives, r.falsePositives, r.falseNegatives))
        }
        print("recall per relation at threshold \(e.threshold) (linked to the reference; in brackets: linked to any member of its group):")
        for r in e.relationRecall {
            print("  \(r.relation.padding(toLength: 28, withPad: " ", startingAt: 0)) \(r.found)/\(r.total)  \(String(format: "%.3f", r.recall))  (\(r.groupedFound)/\(r.total))")
            for path in r.missed.prefix(5) { print("      missed: \(path)") }
        }
        for f in e.unmatchedFiles.prefix(20) { print("  not in the catalog: \(f)") }
    }

    /// Output of `--method embedding|both --evaluate`: each method's evaluation.
    struct SideBySide: Encodable {
        var hash: DuplicateEvaluation?
        var embedding: DuplicateEvaluation
        var cosineThreshold: Double
        var bestF1CosineThreshold: Double
        /// How to read the evaluations' `threshold`, `bestThreshold` and `rows[].threshold`.
        var thresholdSteps = "embedding threshold t means cosine ≥ 1 − t/100 (t = 20: cosine ≥ 0.80); hash thresholds are Hamming bits"
        /// relation → (hash recall, embedding recall).
        var relations: [String: [String: Double]]
    }

    struct EmbeddingDuplicatesSummary: Encodable {
        var model: String
        var cosineThreshold: Float
        var pairs: Int
        var groups: [[Int64]]
        var runID: Int64?
        /// `--method both`: the hash finder's summary.
        var hash: DuplicatesSummary?
    }

    /// Embeds the items that lack a vector for `model` (nothing to do: no run is recorded).
    func embedMissing(catalog: Catalog) throws {
        let done = try catalog.embeddedItemIDs(model: model)
        let missing = try catalog.items().contains { $0.status == "ok" && $0.id.map { !done.contains($0) } ?? false }
        guard missing else { return }
        let summary = try EmbeddingJob.run(catalog: catalog, model: model, threads: common.threads, quiet: common.quiet || common.json,
                                           logger: common.makeLogger("vitrine.embed"))
        if !common.json && !common.quiet {
            FileHandle.standardError.write(Data("embedded \(summary.embedded) items with \(model) (\(summary.errors) errors) in \(String(format: "%.1f", summary.seconds)) s\n".utf8))
        }
    }

    func runEmbedding(catalog: Catalog, finder: DuplicateFinder) throws {
        if let evaluate { try Self.checkGroupsFile(evaluate) }
        try embedMissing(catalog: catalog)
        if let evaluate {
            let csv = URL(fileURLWithPath: evaluate)
            let embedding = try EmbeddingDuplicates.evaluate(catalog: catalog, model: model, csv: csv, cosine: cosine)
            let hash = method == .both || method == .embedding ? try Self.evaluate(catalog: catalog, finder: finder, csv: csv) : nil
            let threshold = 1 - Double(embedding.threshold) / 100
            let bestCosine = Float(1 - Double(embedding.bestThreshold) / 100)
            let atBest = try EmbeddingDuplicates.evaluate(catalog: catalog, model: model, csv: csv, cosine: bestCosine)
            var relations: [String: [String: Double]] = [:]
            for r in embedding.relationRecall { relations[r.relation, default: [:]]["embedding"] = r.recall }
            for r in atBest.relationRecall { relations[r.relation, default: [:]]["embedding_best_f1"] = r.recall }
            for r in hash?.relationRecall ?? [] { relations[r.relation, default: [:]]["hash"] = r.recall }
            let runID = try catalog.startRun(kind: "evaluation", toolVersion: VitrineVersion.current, config: [
                "groups": csv.path, "method": "embedding", "model": model, "cosine": String(format: "%.2f", threshold),
            ])
            try catalog.finishRun(runID, summary: embedding)
            if common.json {
                try printJSON(SideBySide(hash: hash, embedding: embedding, cosineThreshold: threshold, bestF1CosineThreshold: Double(bestCosine),
                                         relations: relations))
                return
            }
            print("embedding (\(model)): \(embedding.groundTruthPairs) ground-truth pairs, \(embedding.items) items")
            print(String(format: "at cosine ≥ %.2f: precision %.3f  recall %.3f  F1 %.3f", threshold, embedding.precision, embedding.recall, embedding.f1))
            print(String(format: "best F1 %.3f at cosine ≥ %.2f", embedding.bestF1, 1 - Double(embedding.bestThreshold) / 100))
            if let hash {
                print(String(format: "hash (%@ ≤ %d bits): precision %.3f  recall %.3f  F1 %.3f", hash.algorithm, hash.threshold, hash.precision, hash.recall, hash.f1))
            }
            print(String(format: "recall per relation          hash     embedding ≥ %.2f   embedding ≥ %.2f (best F1)", threshold, bestCosine))
            for (relation, values) in relations.sorted(by: { $0.key < $1.key }) {
                let h = values["hash"].map { String(format: "%.3f", $0) } ?? "  -  "
                let e = values["embedding"].map { String(format: "%.3f", $0) } ?? "  -  "
                let b = values["embedding_best_f1"].map { String(format: "%.3f", $0) } ?? "  -  "
                print("  \(relation.padding(toLength: 26, withPad: " ", startingAt: 0)) \(h)    \(e)            \(b)")
            }
            return
        }
        let threshold = cosine ?? EmbeddingDuplicates.defaultCosine
        let hashSummary = method == .both ? try finder.run(catalog: catalog, logger: common.makeLogger("vitrine.duplicates")).0 : nil
        if method == .both && !common.json, let hashSummary {
            print("hash: \(hashSummary.groups) groups (\(hashSummary.itemsInGroups) items), \(hashSummary.pairs) near pairs at ≤ \(hashSummary.threshold) bits of \(hashSummary.algorithm)")
        }
        guard try catalog.embeddingSummary(model: model) != nil else {
            // No readable item (an empty store, or every file failed): nothing to pair.
            let summary = EmbeddingDuplicatesSummary(model: model, cosineThreshold: threshold, pairs: 0, groups: [], runID: nil, hash: hashSummary)
            if common.json { try printJSON(summary) } else { print("embedding: 0 groups; no item of the store has a \(model) embedding (no readable images)") }
            return
        }
        let search = try SimilaritySearch(catalog: catalog, model: model)
        let runID = try catalog.startRun(kind: "duplicates-embedding", toolVersion: VitrineVersion.current, config: [
            "model": model, "modelSHA256": search.meta.modelSHA256, "cosine": "\(threshold)", "index": search.meta.kind.description,
        ])
        let pairs = try EmbeddingDuplicates.pairs(search: search, threshold: threshold)
        let groups = EmbeddingDuplicates.groups(pairs)
        let summary = EmbeddingDuplicatesSummary(model: model, cosineThreshold: threshold, pairs: pairs.count, groups: groups, runID: runID, hash: hashSummary)
        try catalog.finishRun(runID, summary: summary)
        if common.json { try printJSON(summary); return }
        let items = Dictionary(uniqueKeysWithValues: try catalog.items().compactMap { i in i.id.map { ($0, i) } })
        print("embedding: \(groups.count) groups (\(groups.reduce(0) { $0 + $1.count }) items), \(pairs.count) pairs at cosine ≥ \(threshold) (\(model))")
        for group in groups.prefix(10) {
            print("  group of \(group.count):")
            for id in group { print("      \(items[id]?.sourcePath ?? "?")") }
        }
        if groups.count > 10 { print("  … and \(groups.count - 10) more groups") }
    }
}
