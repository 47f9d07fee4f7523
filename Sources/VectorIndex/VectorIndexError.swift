/// The error type of `VectorIndex`: a code, a message that names the operation and the values
/// concerned, and — when FAISS failed — the message of the C++ exception it threw.
public enum VectorIndexError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, independent of the wording of the message.
    public enum Code: String, Sendable, CaseIterable {
        /// A value passed by the caller is out of range (negative distance, k < 1, …).
        case invalidArgument
        /// The result would exceed the caller's limit on pairs or matches.
        case resultTooLarge
        /// The `CFaiss` shim refused an argument before calling FAISS.
        case nativeInvalidArgument
        /// FAISS threw a `faiss::FaissException` or another `std::exception`.
        case faissError
        /// FAISS or the shim could not allocate memory (`std::bad_alloc`).
        case outOfMemory
        /// FAISS threw something that is not a `std::exception`.
        case unknownNativeError
    }

    /// Bad input detected in Swift; nothing was sent to FAISS.
    case invalidArgument(message: String)
    /// A search found more pairs or matches than the limit it was given; raise the limit or lower
    /// the distance (message says which and how many were found before stopping).
    case resultTooLarge(message: String)
    /// The `CFaiss` shim returned a failure status.
    /// - Parameters:
    ///   - code: the status mapped to a `Code`.
    ///   - message: what Vitrine was doing (operation, index kind, sizes).
    ///   - underlying: the shim's or FAISS's own message (the exception's `what()`).
    case native(code: Code, message: String, underlying: String)

    public var code: Code {
        switch self {
        case .invalidArgument: .invalidArgument
        case .resultTooLarge: .resultTooLarge
        case .native(let code, _, _): code
        }
    }

    public var message: String {
        switch self {
        case .invalidArgument(let message), .resultTooLarge(let message): message
        case .native(_, let message, _): message
        }
    }

    /// The message of the native library, when the failure came from it.
    public var underlyingMessage: String? {
        switch self {
        case .invalidArgument, .resultTooLarge: nil
        case .native(_, _, let underlying): underlying
        }
    }

    public var description: String {
        switch self {
        case .invalidArgument(let message), .resultTooLarge(let message):
            "\(code.rawValue): \(message)"
        case .native(let code, let message, let underlying):
            "\(code.rawValue): \(message) (FAISS: \(underlying))"
        }
    }
}
