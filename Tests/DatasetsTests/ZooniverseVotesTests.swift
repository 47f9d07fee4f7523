import Foundation
import Testing
@testable import Datasets

@Suite struct ZooniverseVotesTests {
    private let header = "classification_id,user_name,annotations,subject_data,subject_ids\n"
    private func row(_ id: Int, _ value: String, subject: String = "71234567", data: String? = nil) -> String {
        let annotations = "[{\"task\": \"T0\", \"task_label\": \"Ship present?\", \"value\": \(value)}]"
        let subjectData = data ?? "{\"\(subject)\": {\"retired\": null, \"#Filename\": \"page_001.jpg\", \"Institution\": \"X\"}}"
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return "\(id),u\(id),\(q(annotations)),\(q(subjectData)),\(subject)\n"
    }

    @Test func nullAnswerIsAnAbstentionNotAVote() throws {  // CASES C34
        let text = header + row(1, "null") + row(2, "1") + row(3, "1") + row(4, "0") + row(5, "1")
        let tallies = try ZooniverseVotes.aggregate(text: text, what: "c34")
        #expect(tallies.count == 1)
        let t = try #require(tallies.first)
        #expect(t.votes == ["1": 3, "0": 1])
        #expect(t.abstentions == 1)
        #expect(t.share == 0.75)
        #expect(t.label == "1")
    }

    @Test func subjectsJoinThroughSubjectIDsAndHiddenKeysAreMatched() throws {  // CASES C35
        let text = header + row(1, "\"yes\"") + row(2, "\"yes\"") + row(3, "\"yes\"")
        let t = try #require(try ZooniverseVotes.aggregate(text: text, what: "c35").first)
        #expect(t.subjectID == 71234567)
        #expect(t.fileName == "page_001.jpg")
        #expect(t.metadata["#Filename"]?.string == "page_001.jpg")
        #expect(t.metadata["Institution"]?.string == "X")
    }

    @Test func twoSubjectKeysBothGetTheVote() throws {  // CASES C35 variant
        let data = "{\"11\": {\"#Filename\": \"a.jpg\"}, \"12\": {\"#Filename\": \"b.jpg\"}}"
        let text = header + row(1, "\"yes\"", subject: "11;12", data: data)
        let tallies = try ZooniverseVotes.aggregate(text: text, what: "two", thresholds: .init(minimumVotes: 1))
        #expect(tallies.map(\.fileName) == ["a.jpg", "b.jpg"])
        #expect(tallies.allSatisfy { $0.label == "yes" })
    }

    @Test func tiesAndTooFewVotesAreNoConsensusWithCountsKept() throws {
        let tie = try ZooniverseVotes.aggregate(text: header + row(1, "\"a\"") + row(2, "\"b\"") + row(3, "\"a\"") + row(4, "\"b\""), what: "tie")
        #expect(tie.first?.label == nil)
        #expect(tie.first?.votes == ["a": 2, "b": 2])
        let few = try ZooniverseVotes.aggregate(text: header + row(1, "\"a\"") + row(2, "\"a\""), what: "few")
        #expect(few.first?.label == nil)
    }

    @Test func corpusSurveyExportAggregatesWithoutErrors() throws {
        guard let annotations = Paths.annotations else { return }
        let url = annotations.appendingPathComponent("zooniverse/panoptes_classifications_wildcam_gorongosa_survey_sample.csv")
        let tallies = try ZooniverseVotes.read(url, thresholds: .init(minimumVotes: 1))
        #expect(!tallies.isEmpty)
        #expect(tallies.allSatisfy { $0.votes.values.allSatisfy { $0 > 0 } })
    }
}
