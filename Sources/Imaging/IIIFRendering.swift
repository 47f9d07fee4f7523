import CVipsShim
import Foundation

/// Renders IIIF Image API 3.0 image requests through libvips (https://iiif.io/api/image/3.0/):
/// the first page of a file, EXIF orientation applied, 8-bit sRGB with alpha flattened over white.
public enum IIIFRendering {
    /// Output qualities (IIIF `quality`): `default` and `color` are the same for colour images.
    public enum Quality: Int32, Sendable {
        case colour = 0, grey = 1, bitonal = 2
    }

    /// Width and height in pixels as served (after EXIF orientation).
    /// - Throws: `ImagingError.operationFailed` with the path and libvips' message.
    public static func size(path: String) throws -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0
        try Vips.check(vt_iiif_size(path, &width, &height), .operationFailed, path: path, "cannot read the size of the image")
        return (Int(width), Int(height))
    }

    /// Encodes one request's answer.
    /// - Parameters:
    ///   - region: `x, y, width, height` in pixels of the oriented image, inside it.
    ///   - width, height: output size in pixels before rotation.
    ///   - mirror: mirror left–right before rotating (IIIF `!` rotation prefix).
    ///   - rotation: 0, 90, 180 or 270 degrees clockwise.
    ///   - format: `jpg`, `png` or `webp`.
    /// - Returns: the encoded bytes.
    /// - Throws: `ImagingError.operationFailed` with the path and libvips' message.
    public static func render(
        path: String, region: (x: Int, y: Int, width: Int, height: Int), width: Int, height: Int,
        mirror: Bool, rotation: Int, quality: Quality, format: String
    ) throws -> Data {
        let suffix: String
        switch format {
        case "jpg": suffix = ".jpg[Q=85,strip]"
        case "png": suffix = ".png[strip]"
        case "webp": suffix = ".webp[Q=85,strip]"
        default: throw ImagingError(.unsupportedFormat, path: path, "IIIF output format \(format) is not jpg, png or webp")
        }
        var out: UnsafeMutableRawPointer?
        var length = 0
        try Vips.check(
            vt_iiif_render(path, Int32(region.x), Int32(region.y), Int32(region.width), Int32(region.height),
                           Int32(width), Int32(height), mirror ? 1 : 0, Int32(rotation), quality.rawValue, suffix, &out, &length),
            .operationFailed, path: path, "cannot render the IIIF request")
        guard let out else { throw ImagingError(.operationFailed, path: path, "libvips returned no bytes") }
        defer { vt_vips_free(out) }
        return Data(bytes: out, count: length)
    }
}
