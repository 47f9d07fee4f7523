import Catalog
import Foundation
import Testing

@Suite("Catalog: annotations, detections and splits (v4-datasets)")
struct DatasetCatalogTests {
    func item(_ catalog: Catalog, _ path: String) throws -> Int64 {
        try catalog.save([Catalog.IngestedItem(item: ItemRecord(sourceKind: "file", sourcePath: path, status: "ok"), hashes: nil, quality: nil)])[0]
    }

    @Test(arguments: CatalogBackend.allCases)
    func detectionsAreStoredWithModelAndRunAndReadBack(_ backend: CatalogBackend) throws {
        guard let (catalog, done) = try backend.open() else { return }
        defer { done() }
        let id = try item(catalog, "/x/a.jpg")
        let run = try catalog.startRun(kind: "detect", toolVersion: "test", config: ["model": "yolox-nano"])
        let source = try catalog.saveDetections([NewDetection(itemID: id, className: "person", score: 0.9, x: 1.5, y: 2, width: 30, height: 40)],
                                                runID: run, model: "yolox-nano", modelSHA256: "abc", modelPath: "/m/yolox.onnx")
        let sources = try catalog.annotationSources()
        #expect(sources.count == 1 && sources[0].kind == "prediction" && sources[0].runID == run && sources[0].modelSHA256 == "abc")
        let stored = try catalog.annotations(sourceIDs: [source])
        #expect(stored.count == 1 && stored[0].score == 0.9 && stored[0].v0 == 1.5 && stored[0].v3 == 40 && stored[0].boxForm == "xywh")
        #expect(try catalog.categories().map(\.name) == ["person"])
    }

    @Test(arguments: CatalogBackend.allCases)
    func reimportingTheSameFileReplacesItsLabels(_ backend: CatalogBackend) throws {
        guard let (catalog, done) = try backend.open() else { return }
        defer { done() }
        let id = try item(catalog, "/x/a.jpg")
        for _ in 0..<2 {
            var a = AnnotationRecord(sourceID: 0, itemID: id, categoryID: 0)
            a.boxForm = "corners"
            (a.v0, a.v1, a.v2, a.v3) = (1, 2, 3, 4)
            try catalog.saveAnnotations(source: AnnotationSourceRecord(name: "f", kind: "ground_truth", format: "voc", path: "/x/a.xml"), annotations: [a], categoryNames: ["saint"])
        }
        #expect(try catalog.annotationSources().count == 1)
        #expect(try catalog.annotations().count == 1)
        let split = try catalog.saveSplit([id: "train"], seed: 42, config: "{}", runID: nil)
        #expect(try catalog.splitMembers(splitID: split) == [id: "train"])
        #expect(try catalog.latestSplit()?.id == split)
    }
}
