import COpenBLAS
import Foundation

/// The figures of multi-label classification (each item has a set of concepts) on one set of
/// predictions, as scikit-learn's `precision_recall_fscore_support(average=…)` with
/// `zero_division=0` on binary indicator matrices: per-label precision/recall/F1 with support
/// (items carrying the label), micro averages over the pooled (item, label) decisions, macro
/// averages over the labels with support or predictions > 0; subset accuracy (the predicted set
/// equals the true set, `accuracy_score`) and Hamming loss (the fraction of wrong item × label
/// decisions, `hamming_loss`).
public struct MultiLabelMetrics: Sendable, Codable, Equatable {
    public var labels: [String]
    public var perLabel: [ClassMetrics]
    public var microPrecision: Double
    public var microRecall: Double
    public var microF1: Double
    public var macroPrecision: Double
    public var macroRecall: Double
    public var macroF1: Double
    public var subsetAccuracy: Double
    public var hammingLoss: Double
    /// Items evaluated.
    public var count: Int
    /// Mean number of labels per item in the truth and in the predictions.
    public var labelsPerItem: Double
    public var predictedLabelsPerItem: Double
}

extension Evaluation {
    /// Multi-label figures of predicted label sets against true ones (label indices into `labels`).
    /// - Throws: ``LearningError`` when the two lists differ in length or an index is out of range.
    public static func multiLabelMetrics(truth: [Set<Int>], predicted: [Set<Int>], labels: [String]) throws -> MultiLabelMetrics {
        guard truth.count == predicted.count else {
            throw LearningError(.invalidInput, "\(truth.count) true label sets and \(predicted.count) predicted ones")
        }
        let k = labels.count
        for set in truth + predicted { if let bad = set.first(where: { !(0..<k).contains($0) }) {
            throw LearningError(.invalidInput, "label index \(bad) outside 0..<\(k)")
        } }
        var tp = [Int](repeating: 0, count: k), fp = tp, fn = tp
        var exact = 0, wrong = 0
        for (t, p) in zip(truth, predicted) {
            for c in t.intersection(p) { tp[c] += 1 }
            for c in p.subtracting(t) { fp[c] += 1 }
            for c in t.subtracting(p) { fn[c] += 1 }
            if t == p { exact += 1 }
            wrong += t.symmetricDifference(p).count
        }
        func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : 0 }
        func f1(_ p: Double, _ r: Double) -> Double { p + r > 0 ? 2 * p * r / (p + r) : 0 }
        var perLabel: [ClassMetrics] = []
        for c in 0..<k {
            let p = ratio(tp[c], tp[c] + fp[c]), r = ratio(tp[c], tp[c] + fn[c])
            perLabel.append(ClassMetrics(label: labels[c], precision: p, recall: r, f1: f1(p, r), support: tp[c] + fn[c]))
        }
        let seen = (0..<k).filter { tp[$0] + fp[$0] + fn[$0] > 0 }
        func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        let TP = tp.reduce(0, +), FP = fp.reduce(0, +), FN = fn.reduce(0, +)
        let microP = ratio(TP, TP + FP), microR = ratio(TP, TP + FN)
        let n = truth.count
        return MultiLabelMetrics(
            labels: labels, perLabel: perLabel, microPrecision: microP, microRecall: microR, microF1: f1(microP, microR),
            macroPrecision: mean(seen.map { perLabel[$0].precision }), macroRecall: mean(seen.map { perLabel[$0].recall }),
            macroF1: mean(seen.map { perLabel[$0].f1 }), subsetAccuracy: ratio(exact, n), hammingLoss: ratio(wrong, n * k),
            count: n, labelsPerItem: ratio(truth.reduce(0) { $0 + $1.count }, n),
            predictedLabelsPerItem: ratio(predicted.reduce(0) { $0 + $1.count }, n))
    }
}

extension LogisticRegression {
    /// Trains a multi-label (one-vs-rest) classifier: one L2-regularised binary logistic
    /// regression (liblinear `L2R_LR`) per concept, positives = the items carrying it, class
    /// weights n / (2 · n_c) within each concept when `options.balanced`. C is chosen by inner
    /// cross-validation (folds stratified by each item's first concept) on the micro F1 of the
    /// held-out decisions at p ≥ 0.5 (ties: the smaller C); each concept's temperature is then
    /// fitted on its held-out logits (Guo et al. 2017; for one logit z, p = σ(z / T)).
    /// - Parameters:
    ///   - rows: `n × d` features.
    ///   - labelSets: the concept indices of each row (into `classes`); an empty set is a
    ///     negative for every concept.
    /// - Returns: a model with ``multiLabel`` set; ``probabilities(_:)`` gives independent
    ///   per-concept probabilities (rows do not sum to 1).
    /// - Throws: ``LearningError`` for empty or ragged input or an index out of range.
    public static func fitOneVsRest(rows: [[Float]], labelSets: [Set<Int>], classes: [String],
                                    options: TrainingOptions = TrainingOptions()) throws -> LogisticRegression {
        guard !rows.isEmpty, rows.count == labelSets.count else {
            throw LearningError(.invalidInput, "\(rows.count) rows and \(labelSets.count) label sets (need the same, at least one)")
        }
        let d = rows[0].count
        if let bad = rows.firstIndex(where: { $0.count != d }) { throw LearningError(.invalidInput, "row \(bad) has \(rows[bad].count) values, row 0 has \(d)") }
        let k = classes.count
        if let bad = labelSets.firstIndex(where: { $0.contains { !(0..<k).contains($0) } }) {
            throw LearningError(.invalidInput, "row \(bad): a concept index outside 0..<\(k)")
        }
        func trainAll(_ indices: [Int], C: Double) throws -> [Double] {
            var weights = [Double](repeating: 0, count: k * (d + 1))
            for c in 0..<k {
                let y = indices.map { labelSets[$0].contains(c) ? 1 : 0 }
                let w = try Liblinear.train(rows: indices.map { rows[$0] }, dimension: d, labels: y, classCount: 2, C: C,
                                            classWeights: classWeights(labels: y, classCount: 2, balanced: options.balanced), eps: options.tolerance)
                for j in 0..<(d + 1) { weights[c * (d + 1) + j] = w[(d + 1) + j] }
            }
            return weights
        }
        var chosenC = options.cGrid.first ?? 1
        var innerScores: [Double] = []
        var heldOutLogits: [[Double]] = Array(repeating: [], count: k), heldOutTruth: [[Int]] = Array(repeating: [], count: k)
        let strata = labelSets.map { $0.min() ?? k }
        let inner = options.innerFolds
        if options.cGrid.count > 0, inner >= 2, rows.count >= 2 * inner {
            let folds = try KFold.stratified(labels: strata, folds: inner, seed: options.seed)
            var best = -1.0
            for C in options.cGrid {
                var truthSets: [Set<Int>] = [], predictedSets: [Set<Int>] = []
                var logits: [[Double]] = Array(repeating: [], count: k), truth: [[Int]] = Array(repeating: [], count: k)
                for f in 0..<inner {
                    let train = rows.indices.filter { folds[$0] != f }, test = rows.indices.filter { folds[$0] == f }
                    guard !train.isEmpty, !test.isEmpty else { continue }
                    let w = try trainAll(train, C: C)
                    let z = decisionValues(test.map { rows[$0] }, weights: w, classCount: k, dimension: d)
                    for (r, i) in test.enumerated() {
                        var predicted = Set<Int>()
                        for c in 0..<k {
                            if z[r * k + c] >= 0 { predicted.insert(c) }
                            logits[c].append(z[r * k + c]); truth[c].append(labelSets[i].contains(c) ? 1 : 0)
                        }
                        truthSets.append(labelSets[i]); predictedSets.append(predicted)
                    }
                }
                let score = try Evaluation.multiLabelMetrics(truth: truthSets, predicted: predictedSets, labels: classes).microF1
                innerScores.append(score)
                if score > best + 1e-12 { best = score; chosenC = C; heldOutLogits = logits; heldOutTruth = truth }
            }
        }
        let weights = try trainAll(Array(rows.indices), C: chosenC)
        let temperatures = (0..<k).map { c -> Double in
            guard !heldOutTruth[c].isEmpty else { return 1 }
            let p = heldOutLogits[c].flatMap { z -> [Double] in let s = sigmoid(z); return [1 - s, s] }
            return TemperatureScaling.fit(probabilities: p, labels: heldOutTruth[c], classCount: 2)
        }
        var model = LogisticRegression(classes: classes, dimension: d, weights: weights, C: chosenC, temperature: 1, innerAccuracy: innerScores)
        model.multiLabel = true
        model.temperatures = temperatures
        return model
    }

    /// w·x + b of every concept for every row: one `cblas_dgemm` (X · Wᵀ over the first d
    /// columns of the `k × (d + 1)` weights), then the bias column.
    /// - Returns: `n × classCount`, row-major.
    static func decisionValues(_ rows: [[Float]], weights: [Double], classCount k: Int, dimension d: Int) -> [Double] {
        let n = rows.count
        guard n > 0, k > 0 else { return [] }
        var x = [Double](repeating: 0, count: n * d)
        for (r, row) in rows.enumerated() { for j in 0..<min(d, row.count) { x[r * d + j] = Double(row[j]) } }
        var out = [Double](repeating: 0, count: n * k)
        for r in 0..<n { for c in 0..<k { out[r * k + c] = weights[c * (d + 1) + d] } }
        if d > 0 {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(k), Int32(d), 1, x, Int32(d), weights, Int32(d + 1), 1, &out, Int32(k))
        }
        return out
    }

    static func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }

    /// Independent probabilities σ(z_c / T_c) of a multi-label model (T_c = 1 when not
    /// `calibrated`). - Returns: `n × classes.count`, row-major.
    public func oneVsRestProbabilities(_ rows: [[Float]], calibrated: Bool) -> [Double] {
        let k = classes.count
        var z = Self.decisionValues(rows, weights: weights, classCount: k, dimension: dimension)
        let t = temperatures ?? []
        for i in z.indices {
            let T = calibrated && i % k < t.count ? t[i % k] : 1
            z[i] = Self.sigmoid(z[i] / T)
        }
        return z
    }
}
