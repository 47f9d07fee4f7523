/// The error type of `Datasets`: a code, a message naming the file, image, annotation or
/// category concerned, and the underlying cause when there is one.
public struct DatasetsError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// The file could not be read or written.
        case io
        /// The file is not valid JSON / XML / CSV, or lacks a required field.
        case malformed
        /// Values that cannot be right (negative box size, NaN score, unknown reference).
        case invalidInput
        /// Input that implies more true positives than ground-truth objects (CASES C27).
        case inconsistentMatches
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
        "datasets \(code.rawValue): \(message)" + (underlying.map { " (\($0))" } ?? "")
    }
}
