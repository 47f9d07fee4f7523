/// An encoded image format, recognised from the file's leading bytes (magic numbers), never
/// from its name.
///
/// Signatures: JPEG `FF D8 FF` (ITU-T T.81 SOI marker); PNG `89 50 4E 47 0D 0A 1A 0A`
/// (ISO/IEC 15948 §5.2); TIFF `II*\0` / `MM\0*` (TIFF 6.0 §2) and BigTIFF `II+\0` / `MM\0+`;
/// JPEG 2000 JP2 signature box `00 00 00 0C 6A 50 20 20` and raw codestream `FF 4F FF 51`
/// (ISO/IEC 15444-1 Annex I and A); WebP `RIFF....WEBP`; GIF `GIF87a` / `GIF89a`; BMP `BM`;
/// PDF `%PDF-`; HEIF/AVIF `ftyp` boxes; SVG by an `<svg` or `<?xml` start.
public enum ImageFormat: String, Sendable, Codable, CaseIterable, Hashable {
    case jpeg, png, tiff, jp2, webp, gif, bmp, pdf, heif, svg, pnm, unknown

    /// Identifies the format from at least the first 32 bytes of a file.
    /// - Returns: `.unknown` when no signature matches (e.g. an HTML error page).
    /// - Complexity: O(1).
    public static func sniff<Bytes: Collection>(_ bytes: Bytes) -> ImageFormat where Bytes.Element == UInt8 {
        let b = Array(bytes.prefix(32))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            b.count >= offset + prefix.count && Array(b[offset..<offset + prefix.count]) == prefix
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A])
            || starts([0x49, 0x49, 0x2B, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2B]) { return .tiff }
        if starts([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || starts([0xFF, 0x4F, 0xFF, 0x51]) { return .jp2 }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts(Array("ftyp".utf8), at: 4) {
            let brand = b.count >= 12 ? String(decoding: b[8..<12], as: UTF8.self) : ""
            if ["heic", "heix", "mif1", "msf1", "avif", "avis", "hevc"].contains(brand) { return .heif }
        }
        if starts(Array("BM".utf8)) && b.count >= 14 { return .bmp }
        if b.count >= 2, b[0] == 0x50, (0x31...0x36).contains(b[1]) { return .pnm }
        let text = String(decoding: b, as: UTF8.self).trimmingLeadingWhitespace().lowercased()
        if text.hasPrefix("<svg") || (text.hasPrefix("<?xml") && text.contains("svg")) { return .svg }
        return .unknown
    }

    /// File name extensions (lower case, without the dot) that name this format.
    public var extensions: Set<String> {
        switch self {
        case .jpeg: ["jpg", "jpeg", "jpe", "jfif"]
        case .png: ["png"]
        case .tiff: ["tif", "tiff"]
        case .jp2: ["jp2", "j2k", "jpf", "jpx", "j2c", "jpc"]
        case .webp: ["webp"]
        case .gif: ["gif"]
        case .bmp: ["bmp", "dib"]
        case .pdf: ["pdf"]
        case .heif: ["heic", "heif", "avif"]
        case .svg: ["svg", "svgz"]
        case .pnm: ["pbm", "pgm", "ppm", "pnm"]
        case .unknown: []
        }
    }

    /// Preference when choosing which of several same-size copies to keep (lower is better):
    /// lossless full-colour formats first (TIFF, PNG, JPEG 2000, BMP, PNM), then the lossy ones
    /// (WebP, JPEG), then GIF, whose 256-colour palette degrades photographs and paintings.
    public var keeperRank: Int {
        switch self {
        case .tiff, .png: 0
        case .jp2, .bmp, .pnm: 1
        case .webp, .jpeg, .heif: 2
        case .gif: 3
        default: 4
        }
    }

    /// Whether `fileExtension` (with or without dot, any case) names this format.
    public func matches(fileExtension: String) -> Bool {
        var ext = fileExtension.lowercased()
        if ext.hasPrefix(".") { ext.removeFirst() }
        return extensions.contains(ext)
    }
}

extension String {
    fileprivate func trimmingLeadingWhitespace() -> String {
        String(drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" }))
    }
}
