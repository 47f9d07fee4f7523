import Foundation
import Testing
@testable import Datasets

@Suite("annotation formats")
struct FormatTests {
    /// CASES C28: degenerate rings dropped with a warning; the rest kept; never read as a bbox.
    @Test func degeneratePolygonRingsAreDroppedAndTheAnnotationKept() throws {
        let json = try JSONValue.parse("""
        {"images":[{"id":1,"file_name":"a.jpg","width":2000,"height":1000}],"categories":[{"id":1,"name":"x"}],
         "annotations":[
          {"id":1,"image_id":1,"category_id":1,"iscrowd":0,"bbox":[1215,496,37,23],
           "segmentation":[[1250,510,1250,515],[1215,496,1252,496,1252,519,1215,519]]},
          {"id":2,"image_id":1,"category_id":1,"iscrowd":0,"bbox":[1,2,3,4],"segmentation":[[5.0,5.0]]}]}
        """, what: "c28")
        let d = try COCOFormat.read(json, what: "c28")
        #expect(d.annotations.count == 2)
        #expect(d.annotations[0].segmentation == .polygons([[1215, 496, 1252, 496, 1252, 519, 1215, 519]]))
        #expect(d.annotations[0].box == BoundingBox(x: 1215, y: 496, width: 37, height: 23))
        #expect(d.annotations[1].segmentation == nil)
        #expect(d.annotations[1].box == BoundingBox(x: 1, y: 2, width: 3, height: 4))
        #expect(d.warnings.count == 2)
        #expect(d.warnings[1].contains("bbox only"))
    }

    /// CASES C29: id 0 is a valid category, huge ids are dictionary keys, export renumbers from 1
    /// keeping names (or keeps ids when told).
    @Test func categoryIdsAreMappedThroughADictionaryAndRenumberedOnExport() throws {
        let json = try JSONValue.parse("""
        {"images":[{"id":5,"file_name":"a.jpg"}],"categories":[{"id":0,"name":"zero"},{"id":1,"name":"one"},{"id":74673216,"name":"huge"}],
         "annotations":[{"id":1,"image_id":5,"category_id":0,"bbox":[0,0,10,10]},{"id":2,"image_id":5,"category_id":74673216,"bbox":[1,1,5,5]}]}
        """, what: "c29")
        let d = try COCOFormat.read(json, what: "c29")
        try d.validate()
        #expect(d.countsByCategory() == ["zero": 1, "huge": 1])
        let exported = COCOFormat.document(d)
        let ids = exported["categories"]?.array?.compactMap { $0["id"]?.integer }
        #expect(ids == [1, 2, 3])
        #expect(exported["annotations"]?.array?.compactMap { $0["category_id"]?.integer } == [1, 3])
        let again = try COCOFormat.read(exported, what: "export")
        #expect(again.countsByCategory() == ["zero": 1, "huge": 1])
        #expect(again == d.renumberingCategories())
        let kept = try COCOFormat.read(COCOFormat.document(d, options: .init(keepCategoryIDs: true)), what: "kept")
        #expect(kept == d)
    }

    @Test func cocoDuplicateImageOrCategoryIdsAreRejectedNamingTheId() throws {
        let images = try JSONValue.parse(#"{"images":[{"id":1,"file_name":"a.jpg"},{"id":1,"file_name":"b.jpg"}],"annotations":[]}"#, what: "dup")
        #expect(throws: DatasetsError.self) { try COCOFormat.read(images, what: "dup.json") }
        do { _ = try COCOFormat.read(images, what: "dup.json") } catch let error as DatasetsError {
            #expect(error.code == .invalidInput)
            #expect(error.message.contains("dup.json") && error.message.contains("image id 1"))
        }
        let categories = try JSONValue.parse(#"{"categories":[{"id":3,"name":"x"},{"id":3,"name":"y"}]}"#, what: "dup")
        #expect(throws: DatasetsError.self) { try COCOFormat.read(categories, what: "dup.json") }
    }

    /// CASES C31: both RLE forms decoded column-major whatever iscrowd says.
    @Test func runLengthMasksDecodeColumnMajorInBothForms() throws {
        let json = try JSONValue.parse("""
        {"images":[{"id":1,"file_name":"a.jpg","width":3,"height":4}],"categories":[{"id":1,"name":"x"}],
         "annotations":[{"id":1,"image_id":1,"category_id":1,"iscrowd":1,"segmentation":{"size":[4,3],"counts":[1,2,9]}},
                        {"id":2,"image_id":1,"category_id":1,"iscrowd":0,"segmentation":{"size":[4,3],"counts":"129"}}]}
        """, what: "c31")
        let d = try COCOFormat.read(json, what: "c31")
        for a in d.annotations {
            guard case .rle(let mask)? = a.segmentation else { Issue.record("no mask"); continue }
            #expect(mask.pixels.map { [$0.x, $0.y] } == [[0, 1], [0, 2]])
            #expect(mask.area == 2)
            #expect(a.area == 2)
            #expect(a.box == BoundingBox(x: 0, y: 1, width: 1, height: 2))
        }
        #expect(d.annotations[0].isCrowd && !d.annotations[1].isCrowd)
        #expect(RunLengthMask.encodeCounts([1, 2, 9]) == "129")
        let long = [100, 3, 250, 47, 1, 9999]
        #expect(try RunLengthMask.decodeCounts(RunLengthMask.encodeCounts(long), what: "t") == long)
        // Crowd regions are ignore regions in AP matching, not misses.
        let gt = d.groundTruthObjects
        #expect(gt[0].isCrowd)
        // Both forms written back as they were read.
        #expect(try COCOFormat.read(COCOFormat.document(d), what: "again") == d)
    }

    /// CASES C32: decimal coordinates kept to the digit through VOC → internal → VOC.
    @Test func vocDecimalCoordinatesRoundTripToTheDigit() throws {
        let xml = """
        <annotation><filename>a.jpg</filename><size><width>500</width><height>400</height><depth>3</depth></size>
        <object><name>saint</name><bndbox><xmin>45.7</xmin><ymin>281.70000076293945</ymin><xmax>120</xmax><ymax>390.25</ymax></bndbox></object>
        </annotation>
        """
        var d = Dataset()
        try PascalVOCFormat.read(Data(xml.utf8), what: "c32", into: &d)
        #expect(d.annotations[0].box?.values == [45.7, 281.70000076293945, 120, 390.25])
        let written = PascalVOCFormat.xml(d, imageID: 1)
        #expect(written.contains("<ymin>281.70000076293945</ymin>") && written.contains("<xmin>45.7</xmin>") && written.contains("<xmax>120</xmax>"))
        var again = Dataset()
        try PascalVOCFormat.read(Data(written.utf8), what: "again", into: &again)
        #expect(again == d)
    }

    /// CASES C33: missing optional elements take defaults; a missing size is a warning.
    @Test func vocMissingOptionalElementsTakeDefaults() throws {
        let xml = "<annotation><filename>b.jpg</filename><object><name>x</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object><object><name>y</name><bndbox><xmin>5</xmin><ymin>6</ymin><xmax>7</xmax><ymax>8</ymax></bndbox></object></annotation>"
        var d = Dataset()
        try PascalVOCFormat.read(Data(xml.utf8), what: "c33", into: &d)
        #expect(d.annotations.count == 2)
        for a in d.annotations { #expect(!a.difficult && !a.truncated && a.pose == "Unspecified" && a.occluded == nil) }
        #expect(d.images[0].width == nil && d.images[0].extra["verified"] == nil)
        #expect(d.warnings.contains { $0.contains("no <size>") })
        var broken = Dataset()
        #expect(throws: DatasetsError.self) { try PascalVOCFormat.read(Data("<annotation><object>".utf8), what: "bad", into: &broken) }
    }

    /// CASES C34: a null answer is an abstention, not a vote.
    @Test func zooniverseNullAnswersAreAbstentions() throws {
        let csv = """
        classification_id,annotations,subject_data,subject_ids
        1,"[{""task"": ""T0"", ""task_label"": ""Ship present?"", ""value"": null}]","{""9"": {}}",9
        2,"[{""task"": ""T0"", ""value"": 1}]","{""9"": {}}",9
        3,"[{""task"": ""T0"", ""value"": 0}]","{""9"": {}}",9
        4,"[{""task"": ""T0"", ""value"": 1}]","{""9"": {}}",9
        """
        let consensus = try ZooniverseFormat.questionConsensus(text: csv, what: "c34")
        #expect(consensus.count == 1)
        #expect(consensus[0].abstentions == 1)
        #expect(consensus[0].votes == ["1": 2, "0": 1])
        #expect(consensus[0].fractions["1"] == 2.0 / 3.0)
        #expect(consensus[0].votes["None"] == nil)
    }

    /// CASES C35 and rectangles: subject_data joined on subject_ids, prefixed names matched,
    /// negative sizes normalised, zero-area boxes dropped and counted.
    @Test func zooniverseRectanglesJoinSubjectDataAndNormaliseBoxes() throws {
        let marks = #"[{""task"": ""T0"", ""value"": [{""x"": 100, ""y"": 50, ""width"": -40, ""height"": 30, ""tool"": 0, ""tool_label"": ""ship""}, {""x"": 5, ""y"": 5, ""width"": 0, ""height"": 10, ""tool"": 0}, {""x"": 1, ""y"": 1, ""r"": 4, ""tool"": 1}]}]"#
        let csv = """
        classification_id,user_name,annotations,subject_data,subject_ids
        11,ann,"\(marks)","{""71234567"": {""retired"": null, ""#Filename"": ""page_001.jpg"", "" Institution "": ""X""}}",71234567
        12,bob,"[]","{""1"": {""//Filename"": ""a.jpg""}, ""2"": {""!filename"": ""b.jpg""}}",1;2
        """
        let (d, counts) = try ZooniverseFormat.read(text: csv, what: "c35")
        #expect(d.images.first?.id == 71_234_567 && d.images.first?.fileName == "page_001.jpg")
        #expect(ZooniverseFormat.metadataValue(d.images[0].extra["subject_data"]?.object ?? [:], "Institution") == .string("X"))
        #expect(d.images[0].extra["subject_data"]?["#Filename"] == .string("page_001.jpg"))  // original kept
        #expect(d.images.map(\.fileName) == ["page_001.jpg", "a.jpg", "b.jpg"])
        #expect(d.annotations.count == 1)
        #expect(d.annotations[0].box == BoundingBox(x: 60, y: 50, width: 40, height: 30))
        #expect(counts.zeroAreaDropped == 1 && counts.droppedShapes == 1 && counts.negativeSizesNormalised == 1)
        let (again, _) = try ZooniverseFormat.read(text: try ZooniverseFormat.text(d), what: "again")
        #expect(again == d)
    }

    @Test func webAnnotationsWithIIIFRegionsRoundTrip() throws {
        var d = Dataset()
        d.images = [DatasetImage(id: 1, fileName: "https://iiif.example.org/iiif/page1/full/max/0/default.jpg")]
        let c = d.category(named: "dragon")
        d.annotations = [DatasetAnnotation(id: 1, imageID: 1, categoryID: c, box: BoundingBox(x: 10, y: 20.5, width: 300, height: 40), score: 0.8)]
        let page = WebAnnotationFormat.document(d)
        let target = page["items"]?.array?.first?["target"]
        #expect(target?["selector"]?["value"] == .string("xywh=10,20.5,300,40"))
        let (again, skipped) = try WebAnnotationFormat.read(page, what: "page")
        #expect(skipped == 0)
        #expect(again.annotations.map(\.box) == d.annotations.map(\.box))
        #expect(again.categories.map(\.name) == ["dragon"])
        let (back, _) = try WebAnnotationFormat.read(WebAnnotationFormat.document(again), what: "again")
        #expect(back == again)
        #expect(WebAnnotationFormat.parseFragment("xywh=pixel:1,2,3,4") == BoundingBox(x: 1, y: 2, width: 3, height: 4))
        #expect(WebAnnotationFormat.parseFragment("xywh=percent:1,2,3,4") == nil)
    }
}
