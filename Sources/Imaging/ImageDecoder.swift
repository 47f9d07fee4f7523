import CVipsShim
import Foundation
import VitrineCore

/// An 8-bit image in memory: `height × width × channels` bytes, row-major, interleaved.
public struct PixelBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 (grey) or 3 (sRGB).
    public let channels: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "pixel count does not match \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The sample at column `x`, row `y`, channel `c`.
    public subscript(x: Int, y: Int, c: Int) -> UInt8 { pixels[(y * width + x) * channels + c] }

    /// BT.601 luma in 0...255, rounded as Pillow's "L" conversion does
    /// (`(19595 R + 38470 G + 7471 B + 32768) >> 16`), so hashes agree with `imagehash`'s input.
    public func luma() -> [UInt8] {
        if channels == 1 { return pixels }
        var out = [UInt8](repeating: 0, count: width * height)
        pixels.withUnsafeBufferPointer { p in
            for i in 0..<(width * height) {
                let r = UInt32(p[3 * i]), g = UInt32(p[3 * i + 1]), b = UInt32(p[3 * i + 2])
                out[i] = UInt8((19595 * r + 38470 * g + 7471 * b + 32768) >> 16)
            }
        }
        return out
    }
}

/// Facts read from an image's header without decoding its pixels.
public struct ImageHeader: Sendable, Codable, Equatable {
    /// The true format, from the bytes (not the file name).
    public var format: ImageFormat
    /// Pixels, after applying the EXIF orientation (what a viewer shows).
    public var width: Int
    public var height: Int
    /// Channels as stored, alpha included (e.g. 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA or CMYK).
    public var bands: Int
    /// Colour channels, alpha excluded.
    public var colourBands: Int
    /// 1 (bilevel), 8, 16, 32 or 64.
    public var bitsPerSample: Int
    public var hasAlpha: Bool
    public var isCMYK: Bool
    /// Pages of a multi-page TIFF or frames of an animated GIF/WebP; 1 otherwise. Levels of a
    /// pyramidal TIFF are not pages.
    public var pages: Int
    /// Resolution levels of a pyramidal TIFF stored as pages (1 when not pyramidal).
    public var pyramidLevels: Int
    /// EXIF orientation, 1...8.
    public var orientation: Int
    public var hasICCProfile: Bool
    /// libvips loader that reads it (e.g. `jpegload_buffer`).
    public var loader: String
    /// A CMYK JPEG without the Adobe APP14 marker: its samples are ink values, not inverted.
    public var isPlainCMYKJPEG: Bool = false

    /// Width × height in pixels.
    public var pixelCount: Int { width * height }
}

/// How to decode. Defaults suit analysis of heritage collections.
public struct DecodeOptions: Sendable, Codable, Equatable {
    /// Decompression-bomb guard: images with more pixels (width × height) than this are
    /// rejected with `ImagingError.tooLarge`, unless the format can be decoded at reduced
    /// resolution (JPEG DCT scaling up to 1/8, JPEG 2000 resolution levels, pyramidal TIFF,
    /// WebP) and the reduced decode stays under it. Default 20 000 × 20 000.
    public var maximumPixels: Int = 20_000 * 20_000
    /// Images up to this many pixels are decoded at full resolution (for the decoded-pixel
    /// digest); larger ones only as a shrink-on-load thumbnail, which keeps memory bounded.
    /// Default 50 MP (≈ 150 MB of 8-bit RGB).
    public var fullResolutionPixels: Int = 50_000_000
    /// Longest side of the analysis thumbnail, pixels.
    public var thumbnailSide: Int = 256
    /// Treat truncated files as errors (true) rather than decoding the part that is there.
    public var failOnTruncated: Bool = true
    /// Page (multi-page TIFF) or frame (GIF) to decode; 0 = the first.
    public var page: Int = 0

    public init() {}
}

/// A decoded image: its header, the full-resolution pixels when they were decoded, and a
/// thumbnail fitting in `thumbnailSide` × `thumbnailSide`.
public struct DecodedImage: Sendable {
    public let header: ImageHeader
    /// 8-bit sRGB (3 channels), oriented, alpha over white; nil above `fullResolutionPixels`.
    public let full: PixelBuffer?
    /// Same conventions, longest side ≤ `thumbnailSide` (never enlarged).
    public let thumbnail: PixelBuffer
}

/// Decodes images with libvips, by content (magic bytes).
///
/// Conventions (all paths through Vitrine use them, so hashes and embeddings agree):
/// EXIF orientation 2–8 applied; CMYK and YCCK JPEGs (with or without the Adobe APP14 marker —
/// libjpeg/libvips apply the inversion rule for each) converted to sRGB through the embedded
/// ICC profile or libvips' default CMYK profile; 16-bit samples scaled by `v >> 8` (never
/// clipped), 32-bit by `v >> 24`; palettes expanded; alpha composited over white; grey
/// replicated to three channels.
public enum ImageDecoder {
    /// Reads the header from encoded bytes.
    /// - Parameter path: used in error messages only.
    /// - Throws: `ImagingError` `.empty`, `.unsupportedFormat` (not an image), `.corrupt`.
    public static func header(of data: Data, path: String) throws -> ImageHeader {
        try Vips.start()
        guard !data.isEmpty else { throw ImagingError(.empty, path: path, "the file is empty (0 bytes)") }
        let format = ImageFormat.sniff(data.prefix(32))
        var raw = vt_header()
        let status = data.withUnsafeBytes { bytes in vt_vips_header(bytes.baseAddress, bytes.count, &raw) }
        if status != 0 {
            let underlying = Vips.takeError()
            if format == .unknown {
                let start = String(decoding: data.prefix(64), as: UTF8.self).lowercased()
                let what = start.contains("<html") || start.contains("<!doctype") ? "an HTML page" : "not a known image format"
                throw ImagingError(.unsupportedFormat, path: path, "the bytes are \(what), not an image", underlying: underlying)
            }
            throw ImagingError(classify(underlying), path: path, "cannot read the \(format.rawValue) header", underlying: underlying)
        }
        let loader = withUnsafeBytes(of: raw.loader) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        let orientation = Int(raw.orientation)
        let swap = orientation >= 5 && orientation <= 8
        let bands = Int(raw.bands)
        let hasAlpha = raw.has_alpha != 0
        let isCMYK = Int(raw.interpretation) == Int(VIPS_INTERPRETATION_CMYK_VALUE)
        var bits = Int(raw.bits_per_sample)
        if format == .tiff, bits == 8, let tiffBits = tiffBitsPerSample(data), tiffBits < 8 { bits = tiffBits }
        return ImageHeader(
            format: format == .unknown ? formatFromLoader(loader) : format,
            width: Int(swap ? raw.height : raw.width), height: Int(swap ? raw.width : raw.height),
            bands: bands, colourBands: hasAlpha ? bands - 1 : bands,
            bitsPerSample: bits, hasAlpha: hasAlpha, isCMYK: isCMYK,
            pages: Int(raw.pages), pyramidLevels: Int(raw.pyramid_levels), orientation: orientation,
            hasICCProfile: raw.has_icc_profile != 0, loader: loader, isPlainCMYKJPEG: raw.plain_cmyk_jpeg != 0)
    }

    /// Decodes encoded bytes into a thumbnail and, when small enough, full-resolution pixels.
    /// - Returns: see `DecodedImage`; memory is bounded by `options.fullResolutionPixels`.
    /// - Throws: `ImagingError` `.tooLarge` (pixel limit), `.truncated`, `.corrupt`,
    ///   `.unsupportedFormat`, `.empty`, each naming `path`.
    public static func decode(_ data: Data, path: String, options: DecodeOptions = DecodeOptions()) throws -> DecodedImage {
        let header = try header(of: data, path: path)
        let pixels = header.pixelCount
        // Reduced-resolution decoding available: JPEG scales by up to 1/8 in the DCT; JPEG 2000
        // and pyramidal TIFF have resolution levels; WebP scales on load.
        let reduction: Int
        switch header.format {
        case .jpeg: reduction = 64
        case .jp2: reduction = 1 << 20
        case .webp: reduction = 1 << 20
        case .tiff where header.pyramidLevels > 1: reduction = 1 << (2 * (header.pyramidLevels - 1))
        default: reduction = 1
        }
        if pixels / reduction > options.maximumPixels || (reduction == 1 && pixels > options.maximumPixels) {
            throw ImagingError(.tooLarge, path: path,
                               "\(header.width) × \(header.height) px exceeds the limit of \(options.maximumPixels) px (raise --max-pixels if the file is trusted)")
        }
        let full = pixels <= options.fullResolutionPixels
        var raw = vt_decode_options(
            full: full ? 1 : 0, thumbnail_side: Int32(options.thumbnailSide), shrink_on_load: full ? 0 : 1,
            keep_grey: 0, fail_on_truncated: options.failOnTruncated ? 1 : 0, page: Int32(options.page),
            longest_side: Int32(max(header.width, header.height)),
            plain_cmyk_jpeg: header.isPlainCMYKJPEG ? 1 : 0, is_jpeg: header.format == .jpeg ? 1 : 0)
        var fullPixels = vt_pixels(), thumbPixels = vt_pixels()
        let status = data.withUnsafeBytes { bytes in
            vt_vips_decode(bytes.baseAddress, bytes.count, &raw, &fullPixels, &thumbPixels)
        }
        let fullBuffer = Vips.adopt(fullPixels)
        let thumbBuffer = Vips.adopt(thumbPixels)
        if status != 0 {
            let underlying = Vips.takeError()
            let code = classify(underlying)
            let reason = code == .truncated ? "the file is truncated (it ends before the image data does)" : "the \(header.format.rawValue) data is damaged"
            throw ImagingError(code, path: path, reason, underlying: underlying)
        }
        guard let thumbBuffer else {
            throw ImagingError(.operationFailed, path: path, "libvips returned no thumbnail")
        }
        return DecodedImage(header: header, full: fullBuffer, thumbnail: thumbBuffer)
    }

    /// Reads a file and decodes it (see `decode(_:path:options:)`).
    /// - Throws: `ImagingError.io` when the file cannot be read, plus the decoding errors.
    public static func decode(contentsOf path: String, options: DecodeOptions = DecodeOptions()) throws -> DecodedImage {
        try decode(try read(path), path: path, options: options)
    }

    /// Reads a whole file. - Throws: `ImagingError.io` naming the path.
    public static func read(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw ImagingError(.io, path: path, "cannot read the file: \(error.localizedDescription)")
        }
    }

    static func classify(_ message: String) -> ImagingError.Code {
        let m = message.lowercased()
        if m.contains("truncat") || m.contains("premature end") || m.contains("unexpected end") || m.contains("not enough data")
            || m.contains("read error") || m.contains("out of data") || m.contains("short read") {
            return .truncated
        }
        if m.contains("not a known file format") || m.contains("is not a known") { return .unsupportedFormat }
        return .corrupt
    }

    static func formatFromLoader(_ loader: String) -> ImageFormat {
        if loader.hasPrefix("jpeg") { return .jpeg }
        if loader.hasPrefix("png") { return .png }
        if loader.hasPrefix("tiff") { return .tiff }
        if loader.hasPrefix("jp2k") { return .jp2 }
        if loader.hasPrefix("webp") { return .webp }
        if loader.hasPrefix("gif") { return .gif }
        if loader.hasPrefix("pdf") { return .pdf }
        if loader.hasPrefix("svg") { return .svg }
        if loader.hasPrefix("heif") { return .heif }
        if loader.hasPrefix("ppm") { return .pnm }
        return .unknown
    }
}

/// VipsInterpretation's CMYK value (libvips `VIPS_INTERPRETATION_CMYK`), kept here so that the
/// shim header stays free of libvips types.
let VIPS_INTERPRETATION_CMYK_VALUE = 15
