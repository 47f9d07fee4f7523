import Foundation

/// The one error type of `Learning`: a code, a message that names the thing (shape, class,
/// file) and the underlying cause.
public struct LearningError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// Inputs of the wrong shape or content (lengths differ, a class index out of range, NaN).
        case invalidInput
        /// liblinear refused the parameters or failed to train.
        case training
        /// A model file cannot be read or written, or has an unknown version.
        case modelFile
    }

    public let code: Code
    public let message: String
    public let underlying: String?

    public init(_ code: Code, _ message: String, underlying: Error? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying.map { "\($0)" }
    }

    public var description: String {
        "learning.\(code.rawValue): \(message)" + (underlying.map { " (\($0))" } ?? "")
    }
}
