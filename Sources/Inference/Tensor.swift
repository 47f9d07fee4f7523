/// A dense float32 tensor: `shape` extents and `values` in row-major (C) order, so element
/// `[i0, i1, …]` is at `((i0 · s1 + i1) · s2 + …)`. Images are NCHW (batch, channels, height, width).
public struct Tensor: Sendable, Equatable {
    /// Extents, outermost first; every extent ≥ 1.
    public let shape: [Int]
    /// `shape.reduce(1, *)` values, row-major.
    public let values: [Float]

    /// - Throws: `InferenceError.invalidArgument` when an extent is < 1 or the value count is not
    ///   the product of the extents.
    public init(shape: [Int], values: [Float]) throws(InferenceError) {
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else {
            throw InferenceError(.invalidArgument, "tensor shape \(shape) has an extent < 1 or no extent")
        }
        let count = shape.reduce(1, *)
        guard count == values.count else {
            throw InferenceError(
                .invalidArgument, "tensor shape \(shape) needs \(count) values, got \(values.count)")
        }
        self.shape = shape
        self.values = values
    }

    /// Number of elements.
    public var count: Int { values.count }

    /// Row `index` of a tensor seen as `shape[0] × (count / shape[0])`, e.g. one item of a batch.
    /// - Precondition: `0 <= index < shape[0]`.
    public func row(_ index: Int) -> ArraySlice<Float> {
        precondition(index >= 0 && index < shape[0], "row \(index) outside 0..<\(shape[0])")
        let width = count / shape[0]
        return values[(index * width)..<((index + 1) * width)]
    }
}
