import VitrineCore
import Foundation
import Testing
@testable import Learning

/// Two well-separated 4-d clusters per class, seeded.
private func blobs(classes: Int, perClass: Int, seed: UInt64) -> (rows: [[Float]], labels: [Int]) {
    var g = SplitMix64(seed: seed)
    var rows: [[Float]] = [], labels: [Int] = []
    for c in 0..<classes {
        for _ in 0..<perClass {
            var row = [Float](repeating: 0, count: 4)
            for j in 0..<4 { row[j] = Float.random(in: -0.3...0.3, using: &g) }
            row[c % 4] += 1
            rows.append(row)
            labels.append(c)
        }
    }
    return (rows, labels)
}

@Suite struct ClassificationMetricsTests {
    @Test func confusionMatrixCountsTruthByPrediction() throws {
        let m = try Evaluation.confusionMatrix(truth: [0, 0, 1, 1, 2, 2], predicted: [0, 1, 1, 1, 0, 2], classCount: 3)
        #expect(m == [[1, 1, 0], [0, 2, 0], [1, 0, 1]])
    }

    @Test func macroAndMicroF1DifferOnImbalancedClasses() throws {
        // Class a: 8 items, all right; class b: 2 items, one right, one predicted a.
        let truth = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1], predicted = [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]
        let m = try Evaluation.metrics(truth: truth, predicted: predicted, labels: ["a", "b"])
        // a: P = 8/9, R = 1, F1 = 16/17; b: P = 1, R = 1/2, F1 = 2/3.
        #expect(abs(m.perClass[0].f1 - 16.0 / 17.0) < 1e-12)
        #expect(abs(m.perClass[1].f1 - 2.0 / 3.0) < 1e-12)
        #expect(abs(m.macroF1 - (16.0 / 17.0 + 2.0 / 3.0) / 2) < 1e-12)
        #expect(abs(m.microF1 - 0.9) < 1e-12)
        #expect(abs(m.accuracy - 0.9) < 1e-12)
        #expect(m.perClass.map(\.support) == [8, 2])
    }

    @Test func expectedCalibrationErrorMatchesHandComputation() throws {
        // Bins of width 1/15: 0.95 and 0.97 share bin 15 (acc 1/2, conf 0.96); 0.5 is alone in bin 8 (acc 1).
        let (ece, bins) = try Evaluation.expectedCalibrationError(confidences: [0.95, 0.97, 0.5], correct: [true, false, true])
        let expected = 2.0 / 3.0 * abs(0.5 - 0.96) + 1.0 / 3.0 * abs(1 - 0.5)
        #expect(abs(ece - expected) < 1e-12)
        #expect(bins.count == 15)
        #expect(bins[14].count == 2 && bins[7].count == 1)
    }

    @Test func coverageCurveKeepsConfidentPredictions() throws {
        let points = try Evaluation.coverageCurve(confidences: [0.9, 0.8, 0.4, 0.3], correct: [true, true, false, true], thresholds: [0, 0.5, 0.85])
        #expect(points.map(\.kept) == [4, 2, 1])
        #expect(points.map(\.accuracy) == [0.75, 1, 1])
    }

    @Test func badInputIsRejectedWithTheElement() {
        #expect(throws: LearningError.self) { try Evaluation.confusionMatrix(truth: [0, 1], predicted: [0], classCount: 2) }
        #expect(throws: LearningError.self) { try Evaluation.confusionMatrix(truth: [0, 3], predicted: [0, 0], classCount: 2) }
        #expect(throws: LearningError.self) { try Evaluation.expectedCalibrationError(confidences: [1.5], correct: [true]) }
    }
}

@Suite struct FoldTests {
    @Test func groupedFoldsNeverSplitAGroup() throws {
        var g = SplitMix64(seed: 7)
        let labels = (0..<200).map { _ in Int.random(in: 0..<4, using: &g) }
        let groups = (0..<200).map { $0 / 3 }  // groups of three
        let folds = try KFold.stratifiedGrouped(labels: labels, groups: groups, folds: 5, seed: 1)
        for group in Set(groups) {
            #expect(Set(groups.indices.filter { groups[$0] == group }.map { folds[$0] }).count == 1)
        }
        #expect(Set(folds) == Set(0..<5))
    }

    @Test func plainStratifiedFoldsBalanceEveryClass() throws {
        let labels = [Int](repeating: 0, count: 10) + [Int](repeating: 1, count: 5)
        let folds = try KFold.stratified(labels: labels, folds: 5, seed: 3)
        for f in 0..<5 {
            #expect(labels.indices.filter { folds[$0] == f && labels[$0] == 0 }.count == 2)
            #expect(labels.indices.filter { folds[$0] == f && labels[$0] == 1 }.count == 1)
        }
    }

    @Test func foldsAreReproducibleWithASeed() throws {
        let labels = (0..<50).map { $0 % 3 }
        #expect(try KFold.stratified(labels: labels, folds: 4, seed: 9) == KFold.stratified(labels: labels, folds: 4, seed: 9))
    }
}

@Suite struct LogisticRegressionTests {
    @Test func separableClassesAreLearnedAndProbabilitiesSumToOne() throws {
        let (rows, labels) = blobs(classes: 3, perClass: 20, seed: 1)
        let model = try LogisticRegression.fit(rows: rows, labels: labels, classes: ["a", "b", "c"])
        let p = try model.probabilities(rows)
        var right = 0
        for i in rows.indices {
            let sum = (0..<3).reduce(0.0) { $0 + p[i * 3 + $1] }
            #expect(abs(sum - 1) < 1e-9)
            if LogisticRegression.argmax(p, row: i, width: 3) == labels[i] { right += 1 }
        }
        #expect(right >= 57)
        #expect(model.temperature > 0)
        #expect(model.innerAccuracy.count == 3)
    }

    @Test func predictionsAreReproducibleWithAFixedSeed() throws {
        let (rows, labels) = blobs(classes: 4, perClass: 12, seed: 5)
        let a = try LogisticRegression.fit(rows: rows, labels: labels, classes: ["a", "b", "c", "d"])
        let b = try LogisticRegression.fit(rows: rows, labels: labels, classes: ["a", "b", "c", "d"])
        #expect(try a.probabilities(rows) == b.probabilities(rows))
    }

    @Test func twoClassesWork() throws {
        let (rows, labels) = blobs(classes: 2, perClass: 15, seed: 2)
        let model = try LogisticRegression.fit(rows: rows, labels: labels, classes: ["x", "y"])
        let p = try model.probabilities([rows[0], rows[29]])
        #expect(p[0] > 0.5 && p[3] > 0.5)
    }

    @Test func modelFileRoundTrips() throws {
        let (rows, labels) = blobs(classes: 3, perClass: 10, seed: 3)
        let model = try LogisticRegression.fit(rows: rows, labels: labels, classes: ["a", "b", "c"])
        let file = ClassifierModelFile(name: "t", vocabulary: ["a", "b", "c"].map { .init(uri: "http://example.org/\($0)", label: $0) },
                                       embeddingModel: "m", embeddingModelSHA256: "00", classifier: model,
                                       trainingMetrics: ["innerAccuracy": 1], createdAt: Date(timeIntervalSince1970: 1_800_000_000), toolVersion: "test")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-model-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try file.write(to: url)
        let back = try ClassifierModelFile.read(url)
        #expect(back == file)
        #expect(try back.classifier.probabilities(rows) == model.probabilities(rows))
    }

    @Test func raggedRowsAreRejected() {
        #expect(throws: LearningError.self) { try LogisticRegression.fit(rows: [[1, 2], [1]], labels: [0, 1], classes: ["a", "b"]) }
    }
}
