import Foundation
import Testing
import VectorIndex

@testable import Inference

@Suite struct SearchTests {
    /// The nearest neighbours of the milkmaid reference, among its near-duplicate group and 40
    /// other corpus images, are mostly its own group's members.
    @Test func neighboursOfACorpusImageIncludeItsNearDuplicateGroupMembers() throws {
        let corpus = sharedFolder.appendingPathComponent("corpus")
        let groups = corpus.appendingPathComponent("neardup_groups.csv")
        guard FileManager.default.fileExists(atPath: groups.path) else {
            #expect(!sharedRequired, "../shared/corpus is missing under CI")
            return
        }
        var environment = ProcessInfo.processInfo.environment
        environment["VITRINE_MODEL_MIRROR"] = sharedFolder.appendingPathComponent("models").path
        let locator = ModelLocator(storeModels: nil, environment: environment)
        guard FileManager.default.fileExists(atPath: locator.searchFolders.last?.appendingPathComponent(ModelRegistry.efficientNetLite0.fileName).path ?? "") else {
            #expect(!sharedRequired, "the converted model is missing under CI (run scripts/setup)")
            return
        }
        let embedder = try Embedder(model: ModelRegistry.efficientNetLite0, locator: locator)
        let rows = try String(contentsOf: groups, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let group = rows.filter { $0[0] == "milkmaid" }
        let reference = try #require(group.first { $0[2] == "reference" })
        var others: [String] = []
        var seenGroups = Set<String>()
        for row in rows where row[0] != "milkmaid" && !seenGroups.contains(row[0]) {
            seenGroups.insert(row[0])
            others.append(row[1])
            if others.count == 40 { break }
        }
        let paths = group.map { $0[1] } + others
        let index = try FloatVectorIndex(dimension: 1280, kind: .flat)
        for (i, path) in paths.enumerated() {
            let vector = try embedder.embed(file: corpus.appendingPathComponent(path).path).vector
            try index.add(vector, ids: [Int64(i)])
        }
        let query = try embedder.embed(file: corpus.appendingPathComponent(reference[1]).path).vector
        let hits = try index.search(query, k: group.count)[0]
        let members = Set(0..<group.count).map(Int64.init)
        let found = hits.filter { members.contains($0.id) }.count
        print("milkmaid: \(found) of the top \(group.count) neighbours are group members")
        #expect(found * 2 >= group.count)
    }
}
