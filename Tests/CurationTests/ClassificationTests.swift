import VitrineCore
import Catalog
import Foundation
import Imaging
import Logging
import Testing
@testable import Curation
import Datasets
import Learning

@Suite struct ClassificationJobTests {
    /// Near-duplicate clusters: each group is three nearly identical rows of one class.
    private func groupedData() -> (rows: [[Float]], labels: [Int], groups: [Int]) {
        var g = SplitMix64(seed: 11)
        var rows: [[Float]] = [], labels: [Int] = [], groups: [Int] = []
        for group in 0..<30 {
            let c = group % 3
            var base = [Float](repeating: 0, count: 6)
            for j in 0..<6 { base[j] = Float.random(in: -1...1, using: &g) }
            base[c] += 0.8
            for _ in 0..<3 {
                rows.append(base.map { $0 + Float.random(in: -0.01...0.01, using: &g) })
                labels.append(c)
                groups.append(group)
            }
        }
        return (rows, labels, groups)
    }

    /// Label sets for multi-label training: every distinct label of an item, classes below the
    /// minimum and a concept that every item carries (no negatives) left out, items left with no
    /// concept dropped, items without a vector ignored.
    @Test func labelSetsKeepLearnableConceptsOnly() {
        let labelled = [(1, "map"), (1, "document"), (2, "map"), (2, "document"), (3, "painting"), (3, "document"),
                        (4, "painting"), (4, "document"), (4, "painting"), (5, "toy"), (5, "document"), (6, "map")]
            .map { LabelledItem(itemID: Int64($0.0), label: $0.1) }
        let vectors: [Int64: [Float]] = [1: [0], 2: [0], 3: [0], 4: [0], 5: [0]]
        let data = ClassificationData.labelSets(labelled, vectors: vectors, minimumPerClass: 2)
        #expect(data.classes == ["map", "painting"])  // document: on every item; toy: 1 item
        #expect(data.ids == [1, 2, 3, 4])
        #expect(data.sets == [[0], [0], [1], [1]])
        #expect(data.counts == ["map": 2, "document": 5, "painting": 2, "toy": 1])
        #expect(data.multiLabelled == 0)
    }

    @Test func groupedEvaluationKeepsGroupsApartAndReportsEveryFigure() throws {
        let (rows, labels, groups) = groupedData()
        let folds = try KFold.stratifiedGrouped(labels: labels, groups: groups, folds: 3, seed: 1)
        for group in Set(groups) { #expect(Set(groups.indices.filter { groups[$0] == group }.map { folds[$0] }).count == 1) }
        let result = try ClassificationEvaluationJob.evaluate(scheme: "grouped", rows: rows, labels: labels, ids: rows.indices.map { Int64($0 + 1) },
                                                             classes: ["a", "b", "c"], folds: folds, k: 3, training: TrainingOptions())
        #expect(result.accuracy.perFold.count == 3)
        #expect(result.pooled.count == rows.count)
        #expect(result.pooled.confusion.count == 3)
        #expect(result.reliability.count == 15)
        #expect(result.coverage.first?.coverage == 1)
        #expect((0...1).contains(result.pooledECE))
    }

    @Test func webAnnotationsClassifyWithTheConceptURIAndSkipUncertainItems() throws {
        let p = [
            ItemPrediction(itemID: 1, path: "/x/a.jpg", iiifService: "https://iiif.example.org/a", top: [.init(label: "painting", uri: "http://vocab.getty.edu/aat/300033618", confidence: 0.9)],
                           uncertain: false, margin: 0.8, entropy: 0.2),
            ItemPrediction(itemID: 2, path: "/x/b.jpg", iiifService: nil, top: [.init(label: "map", uri: "http://vocab.getty.edu/aat/300028094", confidence: 0.3)],
                           uncertain: true, margin: 0.01, entropy: 1.0),
        ]
        let page = ClassifierJobs.webAnnotations(p, model: "m")
        let items = page["items"]?.array ?? []
        #expect(items.count == 1)
        #expect(items.first?["motivation"]?.string == "classifying")
        #expect(items.first?["body"]?["source"]?.string == "http://vocab.getty.edu/aat/300033618")
        #expect(items.first?["target"]?.string == "https://iiif.example.org/a")
        let csv = ClassifierJobs.csv(p)
        #expect(csv.hasPrefix("item_id,path,label,concept_uri,confidence,uncertain,margin,entropy\n1,/x/a.jpg,painting,"))
        #expect(csv.contains(",true,"))
    }
}

@Suite struct ClassificationLabelImportTests {
    @Test func folderTreeAndCSVLabelsIngestMissingFilesAndKeepTheirOrigin() async throws {
        let folder = try TemporaryFolder("vitrine-labels")
        try FileManager.default.createDirectory(atPath: folder.path("tree/map"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.path("tree/painting"), withIntermediateDirectories: true)
        try ImageWriter.save(rectangles(width: 64, height: 48, seed: 1), to: folder.path("tree/map/a.png"))
        try ImageWriter.save(rectangles(width: 64, height: 48, seed: 2), to: folder.path("tree/painting/b.png"))
        let catalog = try Catalog(store: folder.url.appendingPathComponent("store"))
        var ingest = IngestOptions()
        ingest.quiet = true
        ingest.threads = 1
        let (items, summary) = try await ClassificationLabels.importLabels(folder.url.appendingPathComponent("tree"), catalog: catalog, ingest: ingest,
                                                                           logger: Logger(label: "test"))
        #expect(Set(items.map(\.label)) == ["map", "painting"])
        #expect(summary.ingested == 2)
        try Data("path,category\ntree/map/a.png,map\nmissing.png,map\n".utf8).write(to: folder.url.appendingPathComponent("labels.csv"))
        let (again, second) = try await ClassificationLabels.importLabels(folder.url.appendingPathComponent("labels.csv"), catalog: catalog, ingest: ingest,
                                                                          logger: Logger(label: "test"))
        #expect(again.count == 1 && second.ingested == 0)
        #expect(second.unmatched.count == 1)
        #expect(try catalog.annotationSources().map(\.kind) == ["ground_truth", "ground_truth"])
        #expect(try catalog.annotationSources().map(\.format) == ["folders", "csv"])
    }

    @Test func labelStudioExportsIngestTheirImagesAsCuratorLabels() async throws {
        let folder = try TemporaryFolder("vitrine-labels")
        try FileManager.default.createDirectory(atPath: folder.path("pics"), withIntermediateDirectories: true)
        try ImageWriter.save(rectangles(width: 64, height: 48, seed: 3), to: folder.path("pics/a.png"))
        try ImageWriter.save(rectangles(width: 64, height: 48, seed: 4), to: folder.path("pics/b.png"))
        let export = """
            [{"id": 1, "data": {"image": "pics/a.png"}, "annotations": [{"result": [{"type": "choices", "from_name": "c", "value": {"choices": ["map", "drawing"]}}]}]},
             {"id": 2, "data": {"image": "pics/b.png"}, "annotations": [{"was_cancelled": true, "result": [{"type": "choices", "from_name": "c", "value": {"choices": ["toy"]}}]},
                                                                        {"result": [{"type": "choices", "from_name": "c", "value": {"choices": ["painting"]}}]}]},
             {"id": 3, "data": {"image": "pics/missing.png"}, "annotations": [{"result": [{"type": "choices", "from_name": "c", "value": {"choices": ["map"]}}]}]}]
            """
        try Data(export.utf8).write(to: folder.url.appendingPathComponent("export.json"))
        let catalog = try Catalog(store: folder.url.appendingPathComponent("store"))
        var ingest = IngestOptions()
        ingest.quiet = true
        ingest.threads = 1
        let (items, summary) = try await ClassificationLabels.importLabels(folder.url.appendingPathComponent("export.json"), catalog: catalog, ingest: ingest,
                                                                           logger: Logger(label: "test"))
        #expect(items.map(\.label) == ["map", "drawing", "painting"])
        #expect(summary.ingested == 2 && summary.unmatched.count == 1)
        #expect(try catalog.annotationSources().map(\.kind) == ["curator"])
        #expect(try catalog.annotationSources().map(\.format) == ["labelstudio"])
    }
}
