import Foundation
import Testing
@testable import Datasets

/// import → export → import of every corpus annotation file gives the same dataset.
@Suite("corpus round trips")
struct CorpusRoundTripTests {
    func files(_ folder: URL, suffix: String) -> [URL] {
        guard let e = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        return e.compactMap { $0 as? URL }.filter { $0.lastPathComponent.lowercased().hasSuffix(suffix) }.sorted { $0.path < $1.path }
    }

    @Test func cocoFilesRoundTrip() throws {
        guard let root = Paths.annotations else { return }
        let all = files(root.appendingPathComponent("coco"), suffix: ".json")
        #expect(all.count == 3)
        for url in all {
            let first = try COCOFormat.read(url)
            let again = try COCOFormat.read(COCOFormat.document(first), what: "export of \(url.lastPathComponent)")
            let isResults = first.extra["vitrine_results"] != nil
            #expect(again == (isResults ? first : first.renumberingCategories()), "\(url.lastPathComponent)")
            #expect(try COCOFormat.read(COCOFormat.document(first, options: .init(keepCategoryIDs: true)), what: "kept") == first)
            #expect(first.annotations.count > 0)
        }
    }

    @Test func vocFilesRoundTrip() throws {
        guard let root = Paths.annotations else { return }
        let all = files(root.appendingPathComponent("voc"), suffix: ".xml")
        #expect(all.count == 49)
        var boxes = 0
        for url in all {
            var first = Dataset()
            try PascalVOCFormat.read(url, into: &first)
            var again = Dataset()
            try PascalVOCFormat.read(Data(PascalVOCFormat.xml(first, imageID: 1).utf8), what: "export of \(url.lastPathComponent)", into: &again)
            #expect(again == first, "\(url.lastPathComponent)")
            boxes += first.annotations.count
            // Through COCO and back to VOC the boxes keep their numbers.
            let viaCOCO = try COCOFormat.read(COCOFormat.document(first, options: .init(keepCategoryIDs: true)), what: "coco")
            #expect(viaCOCO.annotations.map { $0.box?.xywh } == first.annotations.map { $0.box?.xywh })
        }
        #expect(boxes > 0)
    }

    @Test func labelmeFilesRoundTrip() throws {
        guard let root = Paths.annotations else { return }
        let all = files(root.appendingPathComponent("labelme"), suffix: ".json")
        #expect(all.count == 6)
        for url in all {
            var first = Dataset()
            try LabelmeFormat.read(url, into: &first)
            var again = Dataset()
            try LabelmeFormat.read(LabelmeFormat.document(first, imageID: 1), what: "export", into: &again)
            #expect(again == first, "\(url.lastPathComponent)")
            #expect(first.annotations.count > 0)
        }
    }

    @Test func detectionCSVsRoundTrip() throws {
        guard let root = Paths.annotations else { return }
        let all = files(root.appendingPathComponent("detections"), suffix: ".csv")
        #expect(all.count == 19)
        for url in all {
            let first = try DetectionCSVFormat.read(url)
            let text = DetectionCSVFormat.text(first)
            #expect(try DetectionCSVFormat.read(text: text, what: "export") == first)
            #expect(text == (try String(contentsOf: url, encoding: .utf8)), "\(url.lastPathComponent) written back byte for byte")
            // And through the box CSV.
            let boxes = try BoxCSVFormat.read(text: BoxCSVFormat.text(first), what: "box csv")
            #expect(boxes.annotations.map { $0.box?.xywh } == first.annotations.map { $0.box?.xywh })
            #expect(boxes.annotations.map(\.score) == first.annotations.map(\.score))
        }
    }

    @Test func zooniverseExportsRoundTrip() throws {
        guard let root = Paths.annotations else { return }
        let all = files(root.appendingPathComponent("zooniverse"), suffix: ".csv").filter { $0.lastPathComponent.contains("classifications") || $0.lastPathComponent.contains("cls_export") }
        #expect(all.count == 3)
        var dropped = 0
        for url in all {
            let (first, counts) = try ZooniverseFormat.read(url)
            dropped += counts.droppedShapes
            let (again, _) = try ZooniverseFormat.read(text: try ZooniverseFormat.text(first), what: "export of \(url.lastPathComponent)")
            #expect(again == first, "\(url.lastPathComponent)")
            #expect(first.images.count > 0)
        }
        // The corpus drawing export has circles, not rectangles: nothing imported, all counted.
        #expect(dropped > 0)
    }

    @Test func w3cAnnotationsWithImageRegionsRoundTrip() throws {
        guard let root = Paths.annotations else { return }
        var withRegions = 0
        for url in files(root.appendingPathComponent("w3c"), suffix: ".json") {
            guard let (first, _) = try? WebAnnotationFormat.read(url), !first.annotations.isEmpty else { continue }
            withRegions += 1
            let (again, skipped) = try WebAnnotationFormat.read(WebAnnotationFormat.document(first), what: "export of \(url.lastPathComponent)")
            #expect(skipped == 0)
            #expect(again == first, "\(url.lastPathComponent)")
        }
        #expect(withRegions > 0)
        print("W3C files with xywh= image regions: \(withRegions)")
    }
}
