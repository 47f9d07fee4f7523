import Foundation
import Testing
import VitrineCore

@Suite struct VocabularyTests {
    @Test func builtInPilotVocabularyHasTwentyAATConcepts() {
        let v = Vocabulary.europeanaPilot
        #expect(v.concepts.count == 20)
        #expect(v.concepts.allSatisfy { $0.uri.hasPrefix("http://vocab.getty.edu/aat/300") })
        #expect(v.concept(matching: "painting")?.uri == "http://vocab.getty.edu/aat/300033618")
        #expect(v.concept(matching: "costume_accessories")?.uri == "http://vocab.getty.edu/aat/300209273")
    }

    @Test func labelsOutsideTheVocabularyGetALocalURI() {
        #expect(Vocabulary.europeanaPilot.conceptOrLocal("music_score").uri == "urn:vitrine:label:music_score")
    }

    @Test func csvVocabularyMergesLanguagesAndKeepsBroader() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("uri,label,lang,broader\nhttp://x/1,map,en,\nhttp://x/1,carte,fr,\nhttp://x/2,sea chart,en,http://x/1\n".utf8).write(to: url)
        let v = try Vocabulary.readCSV(url)
        #expect(v.concepts.count == 2)
        #expect(v.concepts[0].prefLabels == ["en": "map", "fr": "carte"])
        #expect(v.concepts[1].broader == "http://x/1")
        #expect(v.concept(matching: "carte")?.uri == "http://x/1")
    }

    @Test func csvVocabularyWithoutURIColumnIsRejected() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("label\nmap\n".utf8).write(to: url)
        #expect(throws: CoreError.self) { try Vocabulary.readCSV(url) }
    }
}
