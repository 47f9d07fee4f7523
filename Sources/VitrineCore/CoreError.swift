/// The error type of `VitrineCore`: a code, a message naming the thing concerned, and where
/// it was thrown.
public struct CoreError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case invalidHash, incomparableHashes, invalidInput
    }

    public let code: Code
    public let message: String
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
