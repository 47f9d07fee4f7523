import Foundation

/// The error thrown by the Reports module.
///
/// It names the file or the input element at fault and, for I/O failures, carries the
/// underlying system message.
public struct ReportsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Equatable {
        /// A folder of the report could not be created.
        case createDirectory = "create-directory"
        /// A file of the report could not be written.
        case writeFile = "write-file"
        /// The report input could not be encoded as JSON.
        case encodeInput = "encode-input"
        /// The report input is inconsistent (e.g. a keeper index outside its group).
        case invalidInput = "invalid-input"
    }

    /// What went wrong.
    public var code: Code
    /// The file path, or for ``Code/invalidInput`` the input element (e.g. "duplicateGroups[3] (id g17)").
    public var path: String
    /// What happened and what to do about it.
    public var message: String
    /// The underlying error's description (system or encoder message), if any.
    public var underlying: String?

    /// Creates an error.
    public init(code: Code, path: String, message: String, underlying: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.underlying = underlying
    }

    /// One line: code, path, message and the underlying message.
    public var description: String {
        var text = "reports: \(code.rawValue): \(path): \(message)"
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
