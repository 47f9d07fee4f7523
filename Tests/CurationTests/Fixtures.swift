import Foundation
import Imaging

final class TemporaryFolder {
    let url: URL
    init(_ name: String = "vitrine-curation") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Seeded rectangles: a picture with structure at several scales.
func rectangles(width: Int, height: Int, seed: UInt64) -> PixelBuffer {
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

func solid(_ colour: [UInt8], width: Int, height: Int) -> PixelBuffer {
    var pixels = [UInt8]()
    pixels.reserveCapacity(width * height * 3)
    for _ in 0..<(width * height) { pixels.append(contentsOf: colour) }
    return PixelBuffer(width: width, height: height, channels: 3, pixels: pixels)
}

/// A small collection with known duplicates:
/// - `original.png` 600×400, its `resized.png` (300×200), `recompressed.jpg` (quality 70),
///   `same-pixels.tif` (identical pixels, another codec) and `copy/original.png` (same bytes);
/// - `other.jpg`, an unrelated picture;
/// - `blank-white.png`, `blank-blue.png`: flat images (CASES.md C20), never grouped by hash;
/// - `broken.jpg` (truncated), `page.jpg` (an HTML page), `notes.txt` (skipped).
func makeCollection(in folder: TemporaryFolder) throws {
    let picture = rectangles(width: 600, height: 400, seed: 11)
    try ImageWriter.save(picture, to: folder.path("original.png"))
    try ImageWriter.save(try picture.resized(width: 300, height: 200), to: folder.path("resized.png"))
    try ImageWriter.save(picture, to: folder.path("recompressed.jpg[Q=70]"))
    try ImageWriter.save(picture, to: folder.path("same-pixels.tif[compression=lzw]"))
    try FileManager.default.createDirectory(atPath: folder.path("copy"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: folder.path("original.png"), toPath: folder.path("copy/original.png"))
    try ImageWriter.save(rectangles(width: 500, height: 500, seed: 99), to: folder.path("other.jpg"))
    try ImageWriter.save(solid([255, 255, 255], width: 640, height: 360), to: folder.path("blank-white.png"))
    try ImageWriter.save(solid([0, 0, 254], width: 640, height: 360), to: folder.path("blank-blue.png"))
    try ImageWriter.save(rectangles(width: 1000, height: 1000, seed: 5), to: folder.path("whole.jpg"))
    let whole = try Data(contentsOf: URL(fileURLWithPath: folder.path("whole.jpg")))
    try whole.prefix(whole.count * 6 / 10).write(to: URL(fileURLWithPath: folder.path("broken.jpg")))
    try FileManager.default.removeItem(atPath: folder.path("whole.jpg"))
    try Data("<!DOCTYPE html><html><body>Not found</body></html>".utf8).write(to: URL(fileURLWithPath: folder.path("page.jpg")))
    try Data("sidecar notes".utf8).write(to: URL(fileURLWithPath: folder.path("notes.txt")))
}

import VectorIndex
typealias VectorIndexPair = HammingPair
