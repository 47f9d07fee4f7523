import Foundation
import Testing
@testable import Datasets

@Suite struct LabelStudioExportTests {
    @Test func choicesOfAnnotationsThatWereNotCancelledGroundTruthFirst() throws {
        let export = """
        [{"id": 7, "data": {"image": "pics/a.jpg", "title": "x"}, "annotations": [
            {"was_cancelled": false, "ground_truth": false, "result": [{"type": "choices", "from_name": "choice", "value": {"choices": ["map"]}}]},
            {"was_cancelled": true, "result": [{"type": "choices", "from_name": "choice", "value": {"choices": ["toy"]}}]},
            {"was_cancelled": false, "ground_truth": true, "result": [{"type": "choices", "from_name": "choice", "value": {"choices": ["drawing", "map"]}},
                                                                       {"type": "rectanglelabels", "from_name": "box", "value": {"rectanglelabels": ["face"]}}]}]},
         {"id": 8, "data": {"ID": "/1/x", "URL": "https://example.org/b.jpg"}, "annotations": []},
         {"id": 9, "data": {"other": "https://example.org/c.jpg"}, "annotations": [
            {"result": [{"type": "choices", "from_name": "genre", "value": {"choices": ["print"]}}]}]}]
        """
        #expect(LabelStudioExport.looksLikeExport(export))
        #expect(!LabelStudioExport.looksLikeExport("path,label\na.jpg,map\n"))
        let tasks = try LabelStudioExport.tasks(Data(export.utf8), what: "export")
        #expect(tasks.map(\.id) == [7, 8, 9])
        #expect(tasks[0].image == "pics/a.jpg" && tasks[0].choices == ["drawing", "map"] && tasks[0].annotations == 2 && tasks[0].cancelled == 1)
        #expect(tasks[1].image == "https://example.org/b.jpg" && tasks[1].choices.isEmpty)
        #expect(tasks[2].image == "https://example.org/c.jpg" && tasks[2].choices == ["print"])
        #expect(try LabelStudioExport.tasks(Data(export.utf8), what: "export", fromName: "choice")[2].choices.isEmpty)
        #expect(throws: DatasetsError.self) { try LabelStudioExport.tasks(Data("{\"a\": 1}".utf8), what: "object") }
    }

    @Test func corpusEuropeanaPilotExports() throws {
        guard let annotations = Paths.annotations else { return }
        let folder = annotations.appendingPathComponent("labelstudio")
        let small = try LabelStudioExport.tasks(try Data(contentsOf: folder.appendingPathComponent("europeana_pilot_labelstudio_export_project10.json")), what: "p10")
        #expect(small.count == 15 && small.allSatisfy { $0.choices.count == 1 && $0.image?.hasPrefix("http") == true })
        #expect(small.filter { $0.choices == ["costume_accessories"] }.count == 11 && small.filter { $0.choices == ["jewellery"] }.count == 4)
        let large = try LabelStudioExport.tasks(try Data(contentsOf: folder.appendingPathComponent("europeana_pilot_labelstudio_export_project11.json")), what: "p11")
        #expect(large.count == 546 && large.allSatisfy { !$0.choices.isEmpty && $0.image != nil })
        // The pilot's config allows several choices: 135 tasks carry more than one concept.
        #expect(large.filter { $0.choices.count > 1 }.count == 135)
        #expect(large.reduce(0) { $0 + $1.choices.count } == 710)
    }
}
