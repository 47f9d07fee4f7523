/// The error type of `Inference`: a code, a message that names the model, file or shape concerned,
/// and — when OpenCV failed — the message of the C++ exception it threw.
public struct InferenceError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, independent of the wording of the message.
    public enum Code: String, Sendable, CaseIterable {
        /// A value passed by the caller is out of range (shape, element count, thread count).
        case invalidArgument
        /// No model of that name is in the registry.
        case unknownModel
        /// The model file is in none of the places it is looked up in.
        case modelNotFound
        /// The file found has another sha256 than the registry records.
        case checksumMismatch
        /// The model file could not be read.
        case fileUnreadable
        /// OpenCV could not load the model (unsupported operator, bad file).
        case loadFailed
        /// OpenCV failed during a forward pass (shape mismatch, unknown output name).
        case forwardFailed
        /// OpenCV or the shim could not allocate memory.
        case outOfMemory
        /// An image could not be prepared for the network.
        case preprocessingFailed
    }

    public let code: Code
    /// What Vitrine was doing and the thing concerned (model name, path, shape).
    public let message: String
    /// The message of the native library or of the underlying error, when there is one.
    public let underlying: String?

    public init(_ code: Code, _ message: String, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { return "\(code.rawValue): \(message) (\(underlying))" }
        return "\(code.rawValue): \(message)"
    }
}
