import Crypto
import Foundation
import Imaging
import VitrineCore

/// Everything Vitrine learns from one file in a single decode: checksums, header facts,
/// perceptual hashes (with their 8 rotations/mirrors), statistics and quality flags.
public struct ImageAnalysis: Sendable {
    public var sha256: String
    public var byteSize: Int
    public var header: ImageHeader?
    public var pixelSHA256: String?
    public var hashes: ImageHashes?
    public var statistics: ImageStatistics?
    public var flags: [QualityFlag]
    public var thumbnail: PixelBuffer?
    /// Set when the file could not be decoded.
    public var error: ImagingError?
}

public enum ImageAnalyzer {
    /// Lower-case hex SHA-256 of bytes (FIPS 180-4, via swift-crypto).
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256 over the decoded pixels, prefixed by width, height and channel count so that
    /// two pictures with the same bytes in different shapes do not collide.
    public static func pixelDigest(_ image: PixelBuffer) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("\(image.width)x\(image.height)x\(image.channels);".utf8))
        image.pixels.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Analyses encoded bytes. Never throws: a decoding failure is returned in `error`, with
    /// the `unreadable` flag (and `extension_mismatch` when the name lies about the content).
    /// - Parameters:
    ///   - name: file name or path, for the extension check and error messages.
    public static func analyze(_ data: Data, name: String, options: DecodeOptions = DecodeOptions(),
                               thresholds: QualityThresholds = QualityThresholds()) -> ImageAnalysis {
        let digest = sha256(data)
        let ext = (name as NSString).pathExtension
        let sniffed = ImageFormat.sniff(data.prefix(32))
        var analysis = ImageAnalysis(sha256: digest, byteSize: data.count, header: nil, pixelSHA256: nil, hashes: nil,
                                     statistics: nil, flags: [], thumbnail: nil, error: nil)
        do {
            let decoded = try ImageDecoder.decode(data, path: name, options: options)
            analysis.header = decoded.header
            analysis.thumbnail = decoded.thumbnail
            analysis.pixelSHA256 = decoded.full.map(pixelDigest)
            analysis.hashes = try PerceptualHasher.hashes(of: decoded.thumbnail, invariant: true)
            let statistics = ImageStatistics(of: decoded.thumbnail)
            analysis.statistics = statistics
            analysis.flags = QualityCheck.flags(width: decoded.header.width, height: decoded.header.height,
                                                storedColourBands: decoded.header.isCMYK ? 3 : decoded.header.colourBands,
                                                statistics: statistics, format: decoded.header.format,
                                                fileExtension: ext, thresholds: thresholds)
        } catch let error as ImagingError {
            analysis.error = error
            analysis.header = try? ImageDecoder.header(of: data, path: name)
            analysis.flags = [.unreadable]
            if sniffed != .unknown, !ext.isEmpty, !sniffed.matches(fileExtension: ext) { analysis.flags.append(.extensionMismatch) }
        } catch {
            analysis.error = ImagingError(.operationFailed, path: name, "\(error)")
            analysis.flags = [.unreadable]
        }
        return analysis
    }
}
