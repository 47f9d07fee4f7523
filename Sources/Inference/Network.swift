import Foundation

/// A neural network loaded by OpenCV DNN (CPU, OpenCV backend), run on float32 tensors.
///
/// `@unchecked Sendable` because the only mutable state is the native `cv::dnn::Net`, which is not
/// thread-safe (a forward pass writes the network's input and intermediate blobs): every call into
/// it goes through `lock`, so one forward pass runs at a time per `Network`, and the handle is
/// freed once, in `deinit`. Use one `Network` per worker for parallel inference.
public final class Network: @unchecked Sendable {
    /// Model name (registry name or file name), for messages.
    public let name: String
    /// Names of the network's unconnected output layers, in OpenCV's order.
    public let outputNames: [String]
    private let native: NativeNet
    private let lock = NSLock()

    /// Loads a model file.
    /// - Parameters:
    ///   - path: an ONNX or TensorFlow `.pb` file.
    ///   - format: the file's format; by default from the extension (`.pb` = TensorFlow).
    ///   - name: a name for messages; the file name by default.
    /// - Throws: `InferenceError.loadFailed` with OpenCV's message.
    public init(path: String, format: ModelFormat? = nil, name: String? = nil) throws(InferenceError) {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw InferenceError(.fileUnreadable, "model file \(path) does not exist or is not readable")
        }
        let chosen = format ?? (url.pathExtension.lowercased() == "pb" ? .tensorflow : .onnx)
        native = try NativeNet(path: path, format: chosen)
        self.name = name ?? url.lastPathComponent
        outputNames = native.outputNames
    }

    /// Runs one forward pass.
    /// - Parameters:
    ///   - input: the input tensor, e.g. NCHW `[N, 3, 224, 224]`.
    ///   - inputName: the input blob's name (`nil` = the first input).
    ///   - outputs: the output names to compute (empty = every unconnected output).
    /// - Returns: one tensor per requested output name (or per `outputNames`), keyed by name.
    /// - Throws: `InferenceError.forwardFailed` with OpenCV's message (wrong shape, unknown name).
    public func forward(_ input: Tensor, inputName: String? = nil, outputs: [String] = [])
        throws(InferenceError) -> [String: Tensor]
    {
        let names = outputs.isEmpty ? outputNames : outputs
        lock.lock()
        defer { lock.unlock() }
        let tensors = try native.forward(input: input, inputName: inputName, outputs: outputs, model: name)
        guard tensors.count == names.count else {
            throw InferenceError(
                .forwardFailed, "\(name) returned \(tensors.count) outputs for \(names.count) names \(names)")
        }
        return Dictionary(uniqueKeysWithValues: zip(names, tensors))
    }

    /// OpenCV's worker-thread count for the whole process (`cv::setNumThreads`): 0 runs
    /// sequentially, a positive value uses that many threads. OpenCV has one pool per process, so
    /// this affects every `Network`.
    public static var threads: Int {
        get { NativeThreads.get() }
        set { NativeThreads.set(newValue) }
    }
}
