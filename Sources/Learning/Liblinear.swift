import CLinear
import Foundation

/// The only file that calls liblinear. Dense rows become liblinear's sparse `feature_node`
/// arrays (1-based indices, a bias feature of value 1, a `-1` terminator).
enum Liblinear {
    /// liblinear prints progress on stdout unless told otherwise; silenced once.
    private static let silenced: Void = { set_print_string_function { _ in } }()

    /// Trains L2-regularised logistic regression (`L2R_LR`, one-vs-rest for > 2 classes).
    /// - Parameters:
    ///   - rows: `n × d` features, row-major.
    ///   - labels: class index per row in `0..<classCount`.
    ///   - classWeights: weight per class index (multiplies C for that class).
    /// - Returns: weights `classCount × (d + 1)` row-major (last column: bias), for every class
    ///   index even when a class is absent from `labels` (its row is then −∞-like: bias −30).
    static func train(rows: [[Float]], dimension d: Int, labels: [Int], classCount: Int, C: Double,
                      classWeights: [Double], eps: Double = 0.01) throws -> [Double] {
        _ = silenced
        let n = rows.count
        let stride = d + 2
        var nodes = [feature_node](repeating: feature_node(index: -1, value: 0), count: n * stride)
        for (i, row) in rows.enumerated() {
            for j in 0..<d { nodes[i * stride + j] = feature_node(index: Int32(j + 1), value: Double(row[j])) }
            nodes[i * stride + d] = feature_node(index: Int32(d + 1), value: 1)
            nodes[i * stride + d + 1] = feature_node(index: -1, value: 0)
        }
        var y = labels.map(Double.init)
        let present = Array(Set(labels)).sorted()
        var weightLabels = present.map { Int32($0) }
        var weights = present.map { classWeights[$0] }
        return try nodes.withUnsafeMutableBufferPointer { nodeBuffer -> [Double] in
            guard let base = nodeBuffer.baseAddress else { throw LearningError(.invalidInput, "no training rows") }
            var rowPointers: [UnsafeMutablePointer<feature_node>?] = (0..<n).map { base + $0 * stride }
            return try rowPointers.withUnsafeMutableBufferPointer { xp -> [Double] in
                try y.withUnsafeMutableBufferPointer { yp -> [Double] in
                    try weightLabels.withUnsafeMutableBufferPointer { wl -> [Double] in
                        try weights.withUnsafeMutableBufferPointer { wp -> [Double] in
                            var problem = problem(l: Int32(n), n: Int32(d + 1), y: yp.baseAddress, x: xp.baseAddress, bias: -1)
                            var parameter = CLinear.parameter(solver_type: Int32(L2R_LR), eps: eps, C: C, nr_weight: Int32(present.count),
                                                              weight_label: wl.baseAddress, weight: wp.baseAddress, p: 0.1,
                                                              init_sol: nil)
                            if let message = check_parameter(&problem, &parameter) {
                                throw LearningError(.training, "liblinear rejected C=\(C): \(String(cString: message))")
                            }
                            guard let model = CLinear.train(&problem, &parameter) else {
                                throw LearningError(.training, "liblinear failed to train on \(n) × \(d)")
                            }
                            var m: UnsafeMutablePointer<CLinear.model>? = model
                            defer { free_and_destroy_model(&m) }
                            let nrClass = Int(get_nr_class(model))
                            var modelLabels = [Int32](repeating: 0, count: nrClass)
                            get_labels(model, &modelLabels)
                            var out = [Double](repeating: 0, count: classCount * (d + 1))
                            for c in 0..<classCount { out[c * (d + 1) + d] = -30 }
                            if nrClass == 1 {
                                // One class only: it always wins.
                                out[Int(modelLabels[0]) * (d + 1) + d] = 30
                                return out
                            }
                            // liblinear keeps one decision function for two classes (for its first label).
                            let functions = nrClass == 2 ? 1 : nrClass
                            for k in 0..<functions {
                                let c = Int(modelLabels[k])
                                for j in 0..<(d + 1) { out[c * (d + 1) + j] = get_decfun_coef(model, Int32(j + 1), Int32(k)) }
                            }
                            if nrClass == 2 {
                                let a = Int(modelLabels[0]), b = Int(modelLabels[1])
                                for j in 0..<(d + 1) { out[b * (d + 1) + j] = -out[a * (d + 1) + j] }
                            }
                            return out
                        }
                    }
                }
            }
        }
    }

    /// Class probabilities of rows through liblinear's `predict_probability`, from weights laid
    /// out as ``train(rows:dimension:labels:classCount:C:classWeights:eps:)`` returns them.
    /// For L2R_LR with more than two classes liblinear normalises the one-vs-rest sigmoids.
    /// - Returns: `n × classCount` probabilities, row-major; each row sums to 1.
    static func probabilities(rows: [[Float]], dimension d: Int, weights: [Double], classCount: Int) -> [Double] {
        let functions = classCount == 2 ? 1 : classCount
        var w = [Double](repeating: 0, count: (d + 1) * functions)
        for j in 0..<(d + 1) { for k in 0..<functions { w[j * functions + k] = weights[k * (d + 1) + j] } }
        var labels = (0..<classCount).map { Int32($0) }
        var out = [Double](repeating: 0, count: rows.count * classCount)
        var x = [feature_node](repeating: feature_node(index: -1, value: 0), count: d + 2)
        x[d] = feature_node(index: Int32(d + 1), value: 1)
        w.withUnsafeMutableBufferPointer { wp in
            labels.withUnsafeMutableBufferPointer { lp in
                var model = CLinear.model(
                    param: CLinear.parameter(solver_type: Int32(L2R_LR), eps: 0.01, C: 1, nr_weight: 0, weight_label: nil, weight: nil, p: 0.1, init_sol: nil),
                    nr_class: Int32(classCount), nr_feature: Int32(d + 1), w: wp.baseAddress, label: lp.baseAddress, bias: -1)
                var estimates = [Double](repeating: 0, count: classCount)
                for (i, row) in rows.enumerated() {
                    for j in 0..<d { x[j] = feature_node(index: Int32(j + 1), value: Double(row[j])) }
                    _ = predict_probability(&model, x, &estimates)
                    for c in 0..<classCount { out[i * classCount + c] = estimates[c] }
                }
            }
        }
        return out
    }
}
