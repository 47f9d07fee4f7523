import CVipsShim
import Foundation

/// Writes images with libvips: thumbnails for reports, contact sheets, and test fixtures.
public enum ImageWriter {
    /// Saves an 8-bit buffer; the path's suffix picks the format (`.jpg`, `.png`, `.tif`,
    /// `.webp`, `.gif`, `.jp2`, …) and may carry libvips save options in brackets, e.g.
    /// `"x.jpg[Q=90,interlace]"`, `"x.tif[compression=lzw,tile,pyramid]"`.
    /// - Parameters:
    ///   - orientation: EXIF orientation tag to write (1...8), or nil for none.
    ///   - pageHeight: for multi-page files, the height of one page (the buffer stacks pages).
    /// - Throws: `ImagingError.operationFailed` with libvips' message.
    public static func save(_ image: PixelBuffer, to path: String, orientation: Int? = nil, pageHeight: Int? = nil) throws {
        try Vips.start()
        let status = image.pixels.withUnsafeBufferPointer { p in
            vt_vips_save(p.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels), 1,
                         Int32(orientation ?? 0), Int32(pageHeight ?? 0), path)
        }
        try Vips.check(status, .operationFailed, path: path, "cannot save the image")
    }

    /// Saves 16-bit samples (`height × width × channels`, native endian) as PNG or TIFF.
    /// - Throws: `ImagingError.operationFailed` with libvips' message.
    public static func save16(_ samples: [UInt16], width: Int, height: Int, channels: Int, to path: String) throws {
        try Vips.start()
        precondition(samples.count == width * height * channels, "sample count does not match the size")
        let status = samples.withUnsafeBufferPointer { p in
            vt_vips_save(p.baseAddress, Int32(width), Int32(height), Int32(channels), 2, 0, 0, path)
        }
        try Vips.check(status, .operationFailed, path: path, "cannot save the 16-bit image")
    }

    /// Joins image files into one grid picture (PNG or JPEG by the output's suffix).
    /// - Parameters:
    ///   - files: images to place, in reading order (any format libvips reads).
    ///   - columns: cells per row; `cell`: cell side in pixels; `spacing`: white gap in pixels.
    /// - Throws: `ImagingError.operationFailed` naming the output.
    public static func contactSheet(of files: [String], columns: Int, cell: Int = 160, spacing: Int = 8, to output: String) throws {
        try Vips.start()
        guard !files.isEmpty else { throw ImagingError(.operationFailed, path: output, "a contact sheet needs at least one image") }
        let cStrings = files.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = cStrings.map { $0.map { UnsafePointer($0) } }
        let status = pointers.withUnsafeBufferPointer { p in
            vt_vips_contact_sheet(p.baseAddress, Int32(files.count), Int32(max(1, columns)), Int32(cell), Int32(spacing), output)
        }
        try Vips.check(status, .operationFailed, path: output, "cannot write the contact sheet")
    }
}

extension PixelBuffer {
    /// The pixels of the region `x, y, width, height` (pixels, clipped to the image), as IIIF's
    /// `x,y,w,h` region does.
    /// - Throws: `ImagingError.operationFailed` when the region does not overlap the image.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) throws -> PixelBuffer {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + w), y1 = min(height, y + h)
        guard x1 > x0, y1 > y0 else {
            throw ImagingError(.operationFailed, path: "-", "the region \(x),\(y),\(w),\(h) is outside the \(width) × \(height) image")
        }
        var out = [UInt8]()
        out.reserveCapacity((x1 - x0) * (y1 - y0) * channels)
        for row in y0..<y1 {
            let start = (row * width + x0) * channels
            out.append(contentsOf: pixels[start..<(start + (x1 - x0) * channels)])
        }
        return PixelBuffer(width: x1 - x0, height: y1 - y0, channels: channels, pixels: out)
    }
}
