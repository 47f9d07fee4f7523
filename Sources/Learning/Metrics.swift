import Foundation

/// Figures for one class of a confusion matrix.
public struct ClassMetrics: Sendable, Codable, Equatable {
    public var label: String
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// Ground-truth items of the class.
    public var support: Int
}

/// The figures of single-label classification on one set of predictions.
///
/// Precision, recall and F1 as in scikit-learn's `precision_recall_fscore_support` with
/// `zero_division=0`: a class never predicted has precision 0, a class without support recall 0.
/// Macro averages run over the classes with support > 0 or predictions > 0 (the labels seen);
/// micro averages pool the counts (for single-label problems micro P = R = F1 = accuracy).
public struct ClassificationMetrics: Sendable, Codable, Equatable {
    public var labels: [String]
    /// `confusion[i][j]`: items of true class i predicted as j.
    public var confusion: [[Int]]
    public var accuracy: Double
    public var macroPrecision: Double
    public var macroRecall: Double
    public var macroF1: Double
    public var microPrecision: Double
    public var microRecall: Double
    public var microF1: Double
    public var perClass: [ClassMetrics]
    public var count: Int
}

/// One row of the abstention curve: predictions with confidence ≥ threshold are kept.
public struct CoveragePoint: Sendable, Codable, Equatable {
    public var threshold: Double
    /// Fraction of items kept, in [0, 1].
    public var coverage: Double
    /// Accuracy on the kept items (1 when none is kept, by convention; see `kept`).
    public var accuracy: Double
    public var kept: Int
}

/// One bin of a reliability diagram.
public struct ReliabilityBin: Sendable, Codable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    /// Mean confidence and accuracy of the bin (0 when empty).
    public var confidence: Double
    public var accuracy: Double
}

/// Pure evaluation functions: ground truth and predictions in, figures out. Each validates its
/// inputs and throws ``LearningError/Code/invalidInput`` naming the first bad element.
public enum Evaluation {
    /// The confusion matrix of class indices. - Complexity: O(n).
    /// - Throws: when the arrays differ in length or an index is outside `0..<classCount`.
    public static func confusionMatrix(truth: [Int], predicted: [Int], classCount: Int) throws -> [[Int]] {
        guard truth.count == predicted.count else {
            throw LearningError(.invalidInput, "truth has \(truth.count) labels but predictions \(predicted.count)")
        }
        guard classCount > 0 else { throw LearningError(.invalidInput, "classCount must be positive") }
        var m = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        for (i, (t, p)) in zip(truth, predicted).enumerated() {
            guard (0..<classCount).contains(t), (0..<classCount).contains(p) else {
                throw LearningError(.invalidInput, "item \(i): class index \(t) or \(p) outside 0..<\(classCount)")
            }
            m[t][p] += 1
        }
        return m
    }

    /// Accuracy, macro and micro precision/recall/F1 and the per-class table from a confusion matrix.
    public static func metrics(confusion: [[Int]], labels: [String]) throws -> ClassificationMetrics {
        let k = labels.count
        guard confusion.count == k, confusion.allSatisfy({ $0.count == k }) else {
            throw LearningError(.invalidInput, "confusion matrix is not \(k) × \(k) for \(k) labels")
        }
        let total = confusion.reduce(0) { $0 + $1.reduce(0, +) }
        var perClass: [ClassMetrics] = []
        var tpSum = 0, fpSum = 0, fnSum = 0
        var macroP = 0.0, macroR = 0.0, macroF = 0.0, seen = 0
        for c in 0..<k {
            let tp = confusion[c][c]
            let support = confusion[c].reduce(0, +)
            let predicted = (0..<k).reduce(0) { $0 + confusion[$1][c] }
            let p = predicted > 0 ? Double(tp) / Double(predicted) : 0
            let r = support > 0 ? Double(tp) / Double(support) : 0
            let f = p + r > 0 ? 2 * p * r / (p + r) : 0
            perClass.append(ClassMetrics(label: labels[c], precision: p, recall: r, f1: f, support: support))
            tpSum += tp
            fpSum += predicted - tp
            fnSum += support - tp
            if support > 0 || predicted > 0 { macroP += p; macroR += r; macroF += f; seen += 1 }
        }
        let microP = tpSum + fpSum > 0 ? Double(tpSum) / Double(tpSum + fpSum) : 0
        let microR = tpSum + fnSum > 0 ? Double(tpSum) / Double(tpSum + fnSum) : 0
        let microF = microP + microR > 0 ? 2 * microP * microR / (microP + microR) : 0
        let n = Double(max(seen, 1))
        return ClassificationMetrics(labels: labels, confusion: confusion, accuracy: total > 0 ? Double(tpSum) / Double(total) : 0,
                                     macroPrecision: macroP / n, macroRecall: macroR / n, macroF1: macroF / n,
                                     microPrecision: microP, microRecall: microR, microF1: microF, perClass: perClass, count: total)
    }

    /// Metrics of class-index predictions.
    public static func metrics(truth: [Int], predicted: [Int], labels: [String]) throws -> ClassificationMetrics {
        try metrics(confusion: confusionMatrix(truth: truth, predicted: predicted, classCount: labels.count), labels: labels)
    }

    /// Expected calibration error (Guo et al. 2017, "On Calibration of Modern Neural Networks"):
    /// Σ_b |B_b|/n · |acc(B_b) − conf(B_b)| over `bins` equal-width confidence bins of (0, 1]
    /// (bin b holds confidences in ((b−1)/B, b/B]; a confidence of 0 falls in the first bin).
    /// - Parameters: confidence of the predicted class in [0, 1] and whether it was right, per item.
    /// - Returns: the ECE in [0, 1] and the bins (for a reliability diagram).
    public static func expectedCalibrationError(confidences: [Double], correct: [Bool], bins: Int = 15) throws -> (ece: Double, bins: [ReliabilityBin]) {
        guard confidences.count == correct.count else {
            throw LearningError(.invalidInput, "\(confidences.count) confidences but \(correct.count) outcomes")
        }
        guard bins > 0 else { throw LearningError(.invalidInput, "bins must be positive") }
        var count = [Int](repeating: 0, count: bins), conf = [Double](repeating: 0, count: bins), hits = [Int](repeating: 0, count: bins)
        for (i, (c, ok)) in zip(confidences, correct).enumerated() {
            guard c.isFinite, (0...1).contains(c) else { throw LearningError(.invalidInput, "item \(i): confidence \(c) outside [0, 1]") }
            let b = min(bins - 1, max(0, Int((c * Double(bins)).rounded(.up)) - 1))
            count[b] += 1
            conf[b] += c
            if ok { hits[b] += 1 }
        }
        let n = Double(max(confidences.count, 1))
        var ece = 0.0
        var out: [ReliabilityBin] = []
        for b in 0..<bins {
            let mc = count[b] > 0 ? conf[b] / Double(count[b]) : 0
            let acc = count[b] > 0 ? Double(hits[b]) / Double(count[b]) : 0
            ece += Double(count[b]) / n * abs(acc - mc)
            out.append(ReliabilityBin(lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins), count: count[b], confidence: mc, accuracy: acc))
        }
        return (ece, out)
    }

    /// Accuracy and coverage when abstaining below each threshold (kept: confidence ≥ threshold).
    public static func coverageCurve(confidences: [Double], correct: [Bool], thresholds: [Double] = (0...19).map { Double($0) / 20 }) throws -> [CoveragePoint] {
        guard confidences.count == correct.count else {
            throw LearningError(.invalidInput, "\(confidences.count) confidences but \(correct.count) outcomes")
        }
        return thresholds.map { t in
            var kept = 0, right = 0
            for (c, ok) in zip(confidences, correct) where c >= t - 1e-12 { kept += 1; if ok { right += 1 } }
            return CoveragePoint(threshold: t, coverage: confidences.isEmpty ? 0 : Double(kept) / Double(confidences.count),
                                 accuracy: kept > 0 ? Double(right) / Double(kept) : 1, kept: kept)
        }
    }

    /// Mean and (population) standard deviation.
    public static func meanAndStd(_ values: [Double]) -> (mean: Double, std: Double) {
        guard !values.isEmpty else { return (0, 0) }
        let m = values.reduce(0, +) / Double(values.count)
        let v = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count)
        return (m, v.squareRoot())
    }
}
