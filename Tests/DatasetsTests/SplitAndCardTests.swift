import Foundation
import Testing
@testable import Datasets

@Suite("splits and dataset cards")
struct SplitAndCardTests {
    func candidates() -> [SplitCandidate] {
        var result: [SplitCandidate] = []
        for i in 1...200 {
            let label: String = i % 4 == 0 ? "map" : (i % 2 == 0 ? "painting" : "photograph")
            let group: Int64? = i <= 60 ? Int64((i - 1) / 6) : nil
            result.append(SplitCandidate(itemID: Int64(i), label: label, group: group))
        }
        return result
    }

    @Test func nearDuplicateGroupsNeverCrossSubsets() throws {
        let c = candidates()
        let split = try DatasetSplitter.split(c, fractions: [("train", 0.8), ("val", 0.1), ("test", 0.1)], seed: 42, stratify: true)
        #expect(split.count == c.count)
        for group in Set(c.compactMap(\.group)) {
            let subsets = Set(c.filter { $0.group == group }.compactMap { split[$0.itemID] })
            #expect(subsets.count == 1, "group \(group) crosses subsets: \(subsets)")
        }
    }

    @Test func splitsAreStratifiedByLabelAndCloseToTheFractions() throws {
        let c = candidates()
        let split = try DatasetSplitter.split(c, fractions: [("train", 0.8), ("val", 0.1), ("test", 0.1)], seed: 7, stratify: true)
        for label in ["map", "painting", "photograph"] {
            let members = c.filter { $0.label == label }
            let train = members.filter { split[$0.itemID] == "train" }.count
            #expect(abs(Double(train) / Double(members.count) - 0.8) < 0.12, "\(label): \(train)/\(members.count) in train")
            #expect(members.contains { split[$0.itemID] == "test" })
        }
    }

    @Test func theSameSeedGivesTheSameSplitAndAnotherSeedAnother() throws {
        let f: [(name: String, fraction: Double)] = [("train", 0.8), ("val", 0.1), ("test", 0.1)]
        let a = try DatasetSplitter.split(candidates(), fractions: f, seed: 42, stratify: true)
        #expect(try DatasetSplitter.split(candidates().reversed(), fractions: f, seed: 42, stratify: true) == a)
        #expect(try DatasetSplitter.split(candidates(), fractions: f, seed: 43, stratify: true) != a)
        #expect(throws: DatasetsError.self) { try DatasetSplitter.split(candidates(), fractions: [("train", 0.9), ("test", 0.2)], seed: 1, stratify: false) }
    }

    @Test func rightsStatementsAreReadByTheDocumentedTable() {
        #expect(RightsCategory.of("http://creativecommons.org/publicdomain/zero/1.0/") == .open)
        #expect(RightsCategory.of("https://creativecommons.org/licenses/by-sa/4.0/") == .open)
        #expect(RightsCategory.of("http://creativecommons.org/licenses/by-nc/4.0/") == .restricted)
        #expect(RightsCategory.of("http://rightsstatements.org/vocab/InC/1.0/") == .restricted)
        #expect(RightsCategory.of("http://rightsstatements.org/vocab/NoC-US/1.0/") == .open)
        #expect(RightsCategory.of("http://rightsstatements.org/vocab/CNE/1.0/") == .unknown)
        #expect(RightsCategory.of(nil) == .unknown)
    }

    @Test func cardsListCountsRightsProvidersDuplicatesAndProvenance() {
        let input = DatasetCardInput(
            title: "Saints", countsByClassAndSplit: ["saint": ["train": 8, "test": 2], "dragon": ["train": 3]], imagesBySplit: ["train": 6, "test": 1],
            imageSizes: [[640, 480], [800, 600], [100, 50]], rights: ["http://creativecommons.org/publicdomain/mark/1.0/": 5, "": 2],
            providers: ["Europeana": 7], duplicatesRemoved: 2, linkFailures: 1,
            labelSources: [.init(id: 1, name: "voc", kind: "ground_truth", format: "voc", path: "/data/voc", importedAt: Date(timeIntervalSince1970: 0), annotations: 13),
                           .init(id: 2, name: "yolox-nano", kind: "prediction", format: "model", path: "/models/yolox.onnx", importedAt: Date(timeIntervalSince1970: 0), annotations: 4, model: "yolox-nano", modelSHA256: "abcdef0123456789", runID: 9)],
            split: "split 1")
        let md = DatasetCard.markdown(input)
        #expect(md.contains("| saint | 8 | 2 | 10 |"))
        #expect(md.contains("| open | 5 |") && md.contains("| unknown | 2 |"))
        #expect(md.contains("| Europeana | 7 |"))
        #expect(md.contains("| duplicates removed | 2 |"))
        #expect(md.contains("yolox-nano, sha256 abcdef012345, run 9"))
        #expect(md.contains("| width (px) | 100 | 640 | 800 |"))
        let html = DatasetCard.html(input)
        #expect(html.contains("<h2>Provenance of the labels</h2>") && html.contains("<td>saint</td>"))
    }
}
