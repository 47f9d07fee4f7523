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

@Suite struct MultiLabelTests {
    /// Hand-computed: 3 items, labels {a, b, c}.
    /// item 1: truth {a, b}, predicted {a}      → a TP, b FN
    /// item 2: truth {b},    predicted {b, c}   → b TP, c FP
    /// item 3: truth {a, c}, predicted {a, c}   → a TP, c TP (exact)
    /// a: P 2/2, R 2/2, F1 1; b: P 1/1, R 1/2, F1 2/3; c: P 1/2, R 1/1, F1 2/3.
    /// micro: TP 4, FP 1, FN 1 → P = R = F1 = 0.8; macro F1 = (1 + 2/3 + 2/3) / 3 = 7/9;
    /// subset accuracy 1/3; Hamming loss 2 wrong of 9 decisions.
    @Test func multiLabelMetricsMatchHandComputation() throws {
        let m = try Evaluation.multiLabelMetrics(truth: [[0, 1], [1], [0, 2]], predicted: [[0], [1, 2], [0, 2]], labels: ["a", "b", "c"])
        for value in [m.microPrecision, m.microRecall, m.microF1] { #expect(abs(value - 0.8) < 1e-12) }
        #expect(abs(m.macroF1 - 7.0 / 9) < 1e-12)
        let macroP: Double = 2.5 / 3, macroR: Double = 2.5 / 3
        #expect(abs(m.macroPrecision - macroP) < 1e-12)
        #expect(abs(m.macroRecall - macroR) < 1e-12)
        #expect(abs(m.subsetAccuracy - 1.0 / 3) < 1e-12)
        #expect(abs(m.hammingLoss - 2.0 / 9) < 1e-12)
        #expect(m.perLabel.map(\.support) == [2, 2, 1])
        let perItem: Double = 5.0 / 3
        #expect(abs(m.labelsPerItem - perItem) < 1e-12)
        #expect(abs(m.predictedLabelsPerItem - perItem) < 1e-12)
        #expect(throws: LearningError.self) { try Evaluation.multiLabelMetrics(truth: [[3]], predicted: [[]], labels: ["a"]) }
    }

    /// Items carry concept 0 or 1 (a 4-d blob each) and, independently, concept 2 when their
    /// fourth coordinate is high: one-vs-rest learns all three, several per item.
    @Test func oneVsRestLearnsOverlappingConceptsAndRoundTrips() throws {
        var g = SplitMix64(seed: 11)
        var rows: [[Float]] = [], sets: [Set<Int>] = []
        for i in 0..<120 {
            var row = (0..<4).map { _ in Float.random(in: -0.3...0.3, using: &g) }
            let base = i % 2
            row[base] += 1
            var set: Set<Int> = [base]
            if i % 3 == 0 { row[3] += 1; set.insert(2) }
            rows.append(row); sets.append(set)
        }
        let model = try LogisticRegression.fitOneVsRest(rows: rows, labelSets: sets, classes: ["a", "b", "c"])
        #expect(model.isMultiLabel && model.temperatures?.count == 3)
        let p = try model.probabilities(rows)
        let predicted = (0..<rows.count).map { r in Set((0..<3).filter { p[r * 3 + $0] >= 0.5 }) }
        let m = try Evaluation.multiLabelMetrics(truth: sets, predicted: predicted, labels: model.classes)
        #expect(m.microF1 > 0.95, "\(m.microF1)")
        #expect(predicted.filter { $0.count >= 2 }.count >= 30)
        // Independent probabilities: rows need not sum to 1.
        var sums: [Double] = []
        for r in 0..<rows.count {
            let a: Double = p[3 * r], b: Double = p[3 * r + 1], c: Double = p[3 * r + 2]
            sums.append(a + b + c)
        }
        #expect(sums.contains { abs($0 - 1) > 0.2 })
        // Same seed, same model.
        #expect(try LogisticRegression.fitOneVsRest(rows: rows, labelSets: sets, classes: ["a", "b", "c"]) == model)

        let file = ClassifierModelFile(name: "ml", vocabulary: ["a", "b", "c"].map { .init(uri: "http://example.org/\($0)", label: $0) },
                                       embeddingModel: "m", embeddingModelSHA256: "00", classifier: model,
                                       trainingMetrics: [:], createdAt: Date(timeIntervalSince1970: 1_800_000_000), toolVersion: "test")
        #expect(file.version == 2)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-ml-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try file.write(to: url)
        let back = try ClassifierModelFile.read(url)
        #expect(back == file)
        #expect(try back.classifier.probabilities(rows) == p)
    }

    @Test func badLabelSetsAreRejected() {
        #expect(throws: LearningError.self) { try LogisticRegression.fitOneVsRest(rows: [[1, 2]], labelSets: [[5]], classes: ["a"]) }
        #expect(throws: LearningError.self) { try LogisticRegression.fitOneVsRest(rows: [[1, 2], [1]], labelSets: [[0], [0]], classes: ["a"]) }
    }
}
