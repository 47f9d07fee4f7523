/// The error type of `Imaging`: what went wrong, with which file, and libvips' own message.
public struct ImagingError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// The file could not be read from disk.
        case io
        /// The file is empty.
        case empty
        /// The bytes are not an image format Vitrine decodes (e.g. an HTML error page).
        case unsupportedFormat = "unsupported_format"
        /// The file ends before the image data does.
        case truncated
        /// The image data is damaged or invalid.
        case corrupt
        /// Width × height exceeds the configured pixel limit (decompression-bomb guard).
        case tooLarge = "too_large"
        /// A libvips operation failed on a valid image (resize, save, …).
        case operationFailed = "operation_failed"
    }

    public let code: Code
    /// The file path or name the error concerns.
    public let path: String
    /// What happened and, where useful, what to do.
    public let message: String
    /// libvips' error text, when libvips reported one.
    public let underlying: String?

    public init(_ code: Code, path: String, _ message: String, underlying: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        var text = "\(path): \(code.rawValue): \(message)"
        if let underlying, !underlying.isEmpty { text += " (libvips: \(underlying))" }
        return text
    }
}
