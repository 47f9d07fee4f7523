import Foundation
import Imaging

/// A temporary folder removed when the value is released.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-imaging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A smooth colour gradient with some structure (so hashes are not degenerate).
func gradient(width: Int, height: Int, channels: Int = 3) -> PixelBuffer {
    var pixels = [UInt8](repeating: 0, count: width * height * channels)
    for y in 0..<height {
        for x in 0..<width {
            let base = (y * width + x) * channels
            let r = UInt8((x * 255) / max(1, width - 1))
            let g = UInt8((y * 255) / max(1, height - 1))
            let fx = Double(x) / Double(max(1, width - 1)), fy = Double(y) / Double(max(1, height - 1))
            let b = UInt8(127.5 + 120 * sin(2 * Double.pi * (1.5 * fx + 0.7 * fy)) * cos(2 * Double.pi * fy))
            let values = [r, g, b]
            for c in 0..<channels { pixels[base + c] = channels == 1 ? UInt8((Int(r) + Int(g)) / 2) : values[c % 3] }
        }
    }
    return PixelBuffer(width: width, height: height, channels: channels, pixels: pixels)
}

/// Rotates a buffer 90° clockwise.
func rotatedClockwise(_ image: PixelBuffer) -> PixelBuffer {
    let w = image.width, h = image.height, c = image.channels
    var out = [UInt8](repeating: 0, count: w * h * c)
    for y in 0..<h {
        for x in 0..<w {
            // (x, y) goes to (h - 1 - y, x) in a picture h wide and w high.
            for k in 0..<c { out[(x * h + (h - 1 - y)) * c + k] = image.pixels[(y * w + x) * c + k] }
        }
    }
    return PixelBuffer(width: h, height: w, channels: c, pixels: out)
}

func meanAbsoluteDifference(_ a: PixelBuffer, _ b: PixelBuffer) -> Double {
    precondition(a.pixels.count == b.pixels.count)
    var total = 0
    for i in 0..<a.pixels.count { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
    return Double(total) / Double(a.pixels.count)
}

func corpusPath(_ relative: String) -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpus")
    let path = root.appendingPathComponent(relative).path
    return FileManager.default.fileExists(atPath: path) ? path : nil
}

/// True when the shared corpus must be present (under CI its absence is a failure).
var corpusRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

/// A seeded picture of overlapping coloured rectangles: structure at several scales, like a
/// photograph of objects, so that hash tests do not depend on near-zero DCT coefficients.
func rectangles(width: Int, height: Int, seed: UInt64 = 7) -> PixelBuffer {
    var state = seed
    func next() -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(truncatingIfNeeded: (state >> 33) & 0x7FFF_FFFF)
    }
    var pixels = [UInt8](repeating: 128, count: width * height * 3)
    for _ in 0..<40 {
        let w = max(4, next() % (width / 2)), h = max(4, next() % (height / 2))
        let x0 = next() % max(1, width - w), y0 = next() % max(1, height - h)
        let colour = [UInt8(next() % 256), UInt8(next() % 256), UInt8(next() % 256)]
        for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { for c in 0..<3 { pixels[(y * width + x) * 3 + c] = colour[c] } } }
    }
    return PixelBuffer(width: width, height: height, channels: 3, pixels: pixels)
}
