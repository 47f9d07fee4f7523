import Foundation

extension PixelBuffer {
    /// The centre `crop × crop` square of the image after resizing it (libvips Lanczos3, aspect
    /// ratio kept) so that its shorter side is `shorterSide` pixels — the "resize 256, centre-crop
    /// 224" preprocessing of ImageNet classifiers. Grey buffers are replicated to 3 channels.
    /// - Parameters:
    ///   - shorterSide: pixels of the shorter side after resizing (≥ `crop`).
    ///   - crop: side of the square crop, pixels.
    /// - Returns: a `crop × crop × 3` interleaved 8-bit RGB buffer.
    /// - Throws: `ImagingError.operationFailed` when libvips cannot resize.
    public func centreCropped(shorterSide: Int, crop: Int) throws -> PixelBuffer {
        precondition(shorterSide >= crop && crop > 0, "shorterSide \(shorterSide) must be ≥ crop \(crop) > 0")
        let rgb = channels == 3 ? self : replicatedToRGB()
        let scale = Double(shorterSide) / Double(min(width, height))
        let w = max(crop, Int((Double(width) * scale).rounded()))
        let h = max(crop, Int((Double(height) * scale).rounded()))
        let resized = (w == width && h == height) ? rgb : try rgb.resized(width: w, height: h)
        let left = (w - crop) / 2
        let top = (h - crop) / 2
        var out = [UInt8](repeating: 0, count: crop * crop * 3)
        resized.pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<crop {
                    let from = ((top + y) * w + left) * 3
                    for i in 0..<(crop * 3) { target[y * crop * 3 + i] = source[from + i] }
                }
            }
        }
        return PixelBuffer(width: crop, height: crop, channels: 3, pixels: out)
    }

    /// The buffer with 3 channels: grey replicated, the first 3 channels of wider buffers kept.
    public func replicatedToRGB() -> PixelBuffer {
        if channels == 3 { return self }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for p in 0..<(width * height) {
            for c in 0..<3 { out[p * 3 + c] = pixels[p * channels + (channels == 1 ? 0 : min(c, channels - 1))] }
        }
        return PixelBuffer(width: width, height: height, channels: 3, pixels: out)
    }
}
