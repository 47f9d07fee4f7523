import CVipsResample
import CVipsShim
import Foundation

/// Full-resolution decoding with alpha kept, and exact-size bicubic resizing, for
/// super-resolution and its evaluation (libvips).
public enum Resampling {
    /// Decodes an image file at full resolution into 8-bit sRGB with 3 (RGB) or 4 (RGBA) channels:
    /// EXIF orientation applied, grey/CMYK/16-bit converted by `vips_colourspace`, alpha kept.
    /// - Parameter maximumPixels: width × height above which the file is refused (default 100 MP).
    /// - Throws: `ImagingError.io` when the file cannot be read, `.corrupt` when libvips cannot
    ///   decode it or it is over the limit, both naming the path.
    public static func decodeRGBA(path: String, maximumPixels: Int = 100_000_000) throws -> PixelBuffer {
        try Vips.start()
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ImagingError(.io, path: path, "cannot read the file", underlying: "\(error)")
        }
        var out = vt_pixels()
        let status = data.withUnsafeBytes { vt_vips_decode_rgba($0.baseAddress, data.count, Int64(maximumPixels), &out) }
        try Vips.check(status, .corrupt, path: path, "cannot decode the image at full resolution")
        guard let buffer = Vips.adopt(out) else {
            throw ImagingError(.corrupt, path: path, "libvips returned no pixels")
        }
        return buffer
    }

    /// Resizes to exactly `width × height` with libvips' bicubic: Catmull-Rom interpolation with
    /// centre-aligned pixel grids when enlarging (`vips_affine`), antialiased cubic reduction
    /// when reducing (`vips_resize`, kernel cubic).
    /// Every channel, alpha included, is resampled the same way.
    /// - Throws: `ImagingError.operationFailed` with libvips' message.
    public static func bicubic(_ image: PixelBuffer, width: Int, height: Int) throws -> PixelBuffer {
        try Vips.start()
        var out = vt_pixels()
        let status = image.pixels.withUnsafeBufferPointer { p in
            vt_vips_resize_cubic(p.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                                 Int32(width), Int32(height), &out)
        }
        try Vips.check(status, .operationFailed, path: "-", "cannot resize \(image.width)×\(image.height) to \(width)×\(height)")
        guard let buffer = Vips.adopt(out) else {
            throw ImagingError(.operationFailed, path: "-", "libvips returned no pixels")
        }
        return buffer
    }
}
