import Foundation
import Imaging
import Testing
import VitrineCore

@Suite("Perceptual hashes")
struct HashingTests {
    @Test func hashesAreFixedWidthHexAndMismatchedAlgorithmsAreIncomparable() throws {
        let a = PerceptualHash(algorithm: .phash, value: 0xF)
        #expect(a.hex == "000000000000000f")
        #expect(try PerceptualHash(algorithm: .phash, hex: a.hex) == a)
        #expect(throws: CoreError.self) { try a.distance(to: PerceptualHash(algorithm: .dhash, value: 0xF)) }
        #expect(throws: CoreError.self) { try a.distance(to: PerceptualHash(algorithm: .phash, value: 1, bitCount: 32)) }
        #expect(throws: CoreError.self) { try PerceptualHash(algorithm: .ahash, hex: "xyz") }
        #expect(try a.distance(to: PerceptualHash(algorithm: .phash, value: 0)) == 4)
    }

    @Test func resizedAndRecompressedCopiesHashClose() throws {
        let dir = try TemporaryFolder()
        let picture = rectangles(width: 800, height: 600)
        try ImageWriter.save(picture, to: dir.path("original.png"))
        try ImageWriter.save(picture, to: dir.path("recompressed.jpg[Q=60]"))
        let original = try ImageDecoder.decode(contentsOf: dir.path("original.png"))
        let smallBuffer = try picture.resized(width: 200, height: 150)
        let h0 = try PerceptualHasher.hashes(of: original.thumbnail)
        let h1 = try PerceptualHasher.hashes(of: try ImageDecoder.decode(contentsOf: dir.path("recompressed.jpg")).thumbnail)
        let h2 = try PerceptualHasher.hashes(of: smallBuffer)
        for algorithm in HashAlgorithm.allCases {
            let d1 = try #require(h0.hash(algorithm)).distance(to: try #require(h1.hash(algorithm)))
            let d2 = try #require(h0.hash(algorithm)).distance(to: try #require(h2.hash(algorithm)))
            #expect(d1 <= 6 && d2 <= 6, "\(algorithm): recompressed \(d1), resized \(d2)")
        }
    }

    @Test func invariantVariantsMatchRotatedAndMirroredCopies() throws {
        let picture = rectangles(width: 200, height: 120)
        let rotated = rotatedClockwise(picture)
        var mirroredPixels = picture.pixels
        for y in 0..<picture.height { for x in 0..<picture.width { for c in 0..<3 {
            mirroredPixels[(y * picture.width + x) * 3 + c] = picture.pixels[(y * picture.width + (picture.width - 1 - x)) * 3 + c]
        } } }
        let mirrored = PixelBuffer(width: picture.width, height: picture.height, channels: 3, pixels: mirroredPixels)
        let original = try PerceptualHasher.hashes(of: picture, invariant: true)
        for copy in [rotated, mirrored] {
            let h = try PerceptualHasher.hashes(of: copy)
            for algorithm in HashAlgorithm.allCases {
                let variants = try #require(original.variants[algorithm])
                #expect(variants.count == 8)
                let plain = ((variants[0]) ^ (h.values[algorithm] ?? 0)).nonzeroBitCount
                let best = variants.map { ($0 ^ (h.values[algorithm] ?? 0)).nonzeroBitCount }.min() ?? 64
                #expect(best <= 4, "\(algorithm): invariant distance \(best)")
                #expect(best <= plain)
            }
        }
    }

    /// CASES.md C20: two flat images (solid blue-ish and white) are flagged blank, so they are
    /// kept out of hash-only duplicate groups.
    @Test func flatImagesAreFlaggedBlank() throws {
        for colour: [UInt8] in [[0, 0, 254], [255, 255, 255]] {
            var pixels = [UInt8](); pixels.reserveCapacity(640 * 360 * 3)
            for _ in 0..<(640 * 360) { pixels.append(contentsOf: colour) }
            let dir = try TemporaryFolder()
            try ImageWriter.save(PixelBuffer(width: 640, height: 360, channels: 3, pixels: pixels), to: dir.path("flat.png"))
            let d = try ImageDecoder.decode(contentsOf: dir.path("flat.png"))
            let stats = ImageStatistics(of: d.thumbnail)
            let flags = QualityCheck.flags(width: 640, height: 360, storedColourBands: 3, statistics: stats, format: .png, fileExtension: "png")
            #expect(flags.contains(.blank))
            #expect(stats.meanColour[2] > 250)
        }
    }

    @Test func statisticsMeasureEntropyAndChroma() {
        let grey = PixelBuffer(width: 2, height: 1, channels: 3, pixels: [0, 0, 0, 255, 255, 255])
        let s = ImageStatistics(of: grey)
        #expect(abs(s.entropy - 1.0) < 1e-9)
        #expect(s.chroma == 0)
        #expect(abs(s.meanLuminance - 127.5) < 1e-9)
        let red = PixelBuffer(width: 1, height: 1, channels: 3, pixels: [255, 0, 0])
        #expect(abs(ImageStatistics(of: red).chroma - 170) < 1e-9)
    }
}
