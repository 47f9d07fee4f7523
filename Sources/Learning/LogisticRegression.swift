import Foundation

/// Options of ``LogisticRegression/fit(rows:labels:classes:options:)``.
public struct TrainingOptions: Sendable, Codable, Equatable {
    /// Inverse regularisation strengths tried by the inner cross-validation.
    public var cGrid: [Double] = [0.1, 1, 10]
    /// Inner folds for choosing C and for the held-out predictions temperature scaling is fitted on.
    public var innerFolds: Int = 3
    /// Weight classes by n / (k · n_c) (scikit-learn's `class_weight="balanced"`).
    public var balanced = true
    public var seed: UInt64 = 42
    /// liblinear's stopping tolerance.
    public var tolerance: Double = 0.01
    public init() {}
}

/// A trained linear classifier: L2-regularised logistic regression (liblinear `L2R_LR`,
/// one-vs-rest for more than two classes, probabilities normalised as liblinear's
/// `predict_probability` does), followed by temperature scaling (Guo et al. 2017): calibrated
/// p = softmax(log p / T).
public struct LogisticRegression: Sendable, Codable, Equatable {
    public var classes: [String]
    public var dimension: Int
    /// `classes.count × (dimension + 1)` row-major; the last column is the bias.
    public var weights: [Double]
    public var C: Double
    public var temperature: Double
    /// Mean accuracy of the inner cross-validation for each C tried (same order as the grid);
    /// for a multi-label model, the micro F1 of the inner held-out decisions.
    public var innerAccuracy: [Double]
    /// True for a multi-label (one-vs-rest) model from ``fitOneVsRest(rows:labelSets:classes:options:)``:
    /// each row of ``weights`` is one concept's binary decision function and ``probabilities(_:)``
    /// gives independent probabilities. Absent (nil) in single-label models and older files.
    public var multiLabel: Bool? = nil
    /// Per-concept temperatures of a multi-label model (``temperature`` is then 1).
    public var temperatures: [Double]? = nil

    /// Whether this is a multi-label (one-vs-rest) model.
    public var isMultiLabel: Bool { multiLabel == true }

    /// Trains on rows with class indices into `classes`, choosing C by inner stratified
    /// cross-validation (accuracy; ties: the smaller C) and fitting the temperature on the
    /// held-out inner predictions at that C.
    /// - Parameters:
    ///   - rows: `n × d` features (e.g. L2-normalised 1280-d embeddings).
    ///   - labels: class index per row in `0..<classes.count`.
    /// - Throws: ``LearningError`` for empty or ragged input, or when liblinear fails.
    public static func fit(rows: [[Float]], labels: [Int], classes: [String], options: TrainingOptions = TrainingOptions()) throws -> LogisticRegression {
        guard !rows.isEmpty, rows.count == labels.count else {
            throw LearningError(.invalidInput, "\(rows.count) rows and \(labels.count) labels (need the same, at least one)")
        }
        let d = rows[0].count
        if let bad = rows.firstIndex(where: { $0.count != d }) { throw LearningError(.invalidInput, "row \(bad) has \(rows[bad].count) values, row 0 has \(d)") }
        if let bad = labels.firstIndex(where: { !(0..<classes.count).contains($0) }) {
            throw LearningError(.invalidInput, "row \(bad): class index \(labels[bad]) outside 0..<\(classes.count)")
        }
        let k = classes.count
        let weights = classWeights(labels: labels, classCount: k, balanced: options.balanced)
        var chosenC = options.cGrid.first ?? 1
        var innerAccuracy: [Double] = []
        var heldOut: [Double] = []
        var heldOutLabels: [Int] = []
        let inner = min(options.innerFolds, max(2, Set(labels).count > 0 ? labels.count / 2 : 2))
        if options.cGrid.count > 0, labels.count >= 2 * inner, inner >= 2 {
            let folds = try KFold.stratified(labels: labels, folds: inner, seed: options.seed)
            var best = -1.0
            var bestProbabilities: [Double] = [], bestLabels: [Int] = []
            for C in options.cGrid {
                var right = 0
                var probabilities: [Double] = [], truth: [Int] = []
                for f in 0..<inner {
                    let train = labels.indices.filter { folds[$0] != f }, test = labels.indices.filter { folds[$0] == f }
                    guard !train.isEmpty, !test.isEmpty else { continue }
                    let w = try Liblinear.train(rows: train.map { rows[$0] }, dimension: d, labels: train.map { labels[$0] }, classCount: k,
                                                C: C, classWeights: weights, eps: options.tolerance)
                    let p = Liblinear.probabilities(rows: test.map { rows[$0] }, dimension: d, weights: w, classCount: k)
                    for (r, i) in test.enumerated() {
                        if argmax(p, row: r, width: k) == labels[i] { right += 1 }
                        truth.append(labels[i])
                    }
                    probabilities += p
                }
                let accuracy = truth.isEmpty ? 0 : Double(right) / Double(truth.count)
                innerAccuracy.append(accuracy)
                if accuracy > best + 1e-12 { best = accuracy; chosenC = C; bestProbabilities = probabilities; bestLabels = truth }
            }
            heldOut = bestProbabilities
            heldOutLabels = bestLabels
        }
        let w = try Liblinear.train(rows: rows, dimension: d, labels: labels, classCount: k, C: chosenC, classWeights: weights, eps: options.tolerance)
        let temperature = heldOutLabels.isEmpty ? 1 : TemperatureScaling.fit(probabilities: heldOut, labels: heldOutLabels, classCount: k)
        return LogisticRegression(classes: classes, dimension: d, weights: w, C: chosenC, temperature: temperature, innerAccuracy: innerAccuracy)
    }

    /// Calibrated class probabilities. - Returns: `n × classes.count`, row-major; rows sum to 1,
    /// except for a multi-label model, whose values are independent per concept.
    /// - Throws: when a row's length is not ``dimension``.
    public func probabilities(_ rows: [[Float]]) throws -> [Double] {
        if let bad = rows.firstIndex(where: { $0.count != dimension }) {
            throw LearningError(.invalidInput, "row \(bad) has \(rows[bad].count) values; the model expects \(dimension)")
        }
        if isMultiLabel { return oneVsRestProbabilities(rows, calibrated: true) }
        let raw = Liblinear.probabilities(rows: rows, dimension: dimension, weights: weights, classCount: classes.count)
        return TemperatureScaling.apply(raw, temperature: temperature, classCount: classes.count)
    }

    /// n / (k · n_c) for classes present (1 otherwise), or all 1 when not balanced.
    static func classWeights(labels: [Int], classCount k: Int, balanced: Bool) -> [Double] {
        guard balanced else { return [Double](repeating: 1, count: k) }
        var counts = [Int](repeating: 0, count: k)
        for l in labels { counts[l] += 1 }
        let present = Double(counts.filter { $0 > 0 }.count)
        return counts.map { $0 > 0 ? Double(labels.count) / (present * Double($0)) : 1 }
    }

    /// Index of the largest value of row `row` of an `n × width` matrix.
    public static func argmax(_ values: [Double], row: Int, width: Int) -> Int {
        var best = 0
        for c in 1..<max(width, 1) where values[row * width + c] > values[row * width + best] { best = c }
        return best
    }
}

/// Temperature scaling (Guo et al. 2017, §4.2): one scalar T > 0 dividing the logits, fitted by
/// minimising the negative log-likelihood of held-out predictions. Logits here are log p.
public enum TemperatureScaling {
    /// T in [0.05, 20] minimising NLL, by golden-section search on log T.
    public static func fit(probabilities: [Double], labels: [Int], classCount k: Int) -> Double {
        func nll(_ t: Double) -> Double {
            let p = apply(probabilities, temperature: t, classCount: k)
            var s = 0.0
            for (i, l) in labels.enumerated() { s -= log(max(p[i * k + l], 1e-12)) }
            return s
        }
        var a = log(0.05), b = log(20.0)
        let g = (sqrt(5.0) - 1) / 2
        var c = b - g * (b - a), d = a + g * (b - a)
        var fc = nll(exp(c)), fd = nll(exp(d))
        for _ in 0..<60 {
            if fc < fd { b = d; d = c; fd = fc; c = b - g * (b - a); fc = nll(exp(c)) } else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = nll(exp(d)) }
        }
        return exp((a + b) / 2)
    }

    /// softmax(log p / T) per row of an `n × k` matrix.
    public static func apply(_ probabilities: [Double], temperature t: Double, classCount k: Int) -> [Double] {
        guard t != 1 else { return probabilities }
        var out = probabilities
        let rows = k > 0 ? probabilities.count / k : 0
        for r in 0..<rows {
            var m = -Double.infinity
            for c in 0..<k { out[r * k + c] = log(max(probabilities[r * k + c], 1e-300)) / t; m = max(m, out[r * k + c]) }
            var s = 0.0
            for c in 0..<k { out[r * k + c] = exp(out[r * k + c] - m); s += out[r * k + c] }
            for c in 0..<k { out[r * k + c] /= s }
        }
        return out
    }
}
