import CImageFixtures
import Foundation
import Imaging
import Testing
import VitrineCore

@Suite("Decoding heritage formats with libvips")
struct DecodingTests {
    @Test func baselineAndProgressiveJPEGDecodeAlike() throws {
        let dir = try TemporaryFolder()
        let picture = gradient(width: 120, height: 80)
        try ImageWriter.save(picture, to: dir.path("baseline.jpg[Q=95]"))
        try ImageWriter.save(picture, to: dir.path("progressive.jpg[Q=95,interlace]"))
        let a = try ImageDecoder.decode(contentsOf: dir.path("baseline.jpg"))
        let b = try ImageDecoder.decode(contentsOf: dir.path("progressive.jpg"))
        #expect(a.header.format == .jpeg && b.header.format == .jpeg)
        #expect(a.header.width == 120 && a.header.height == 80)
        let fa = try #require(a.full), fb = try #require(b.full)
        #expect(meanAbsoluteDifference(fa, fb) < 1.0)
    }

    /// CASES.md C13: three CMYK encodings of M = Y = 100 %, C = K = 0 all decode to red.
    @Test(arguments: [(adobe: 0, ycck: 0), (adobe: 1, ycck: 0), (adobe: 1, ycck: 1)])
    func cmykAndYCCKJPEGsDecodeToRed(variant: (adobe: Int, ycck: Int)) throws {
        let dir = try TemporaryFolder()
        let path = dir.path("cmyk.jpg")
        let ink: [UInt8] = [0, 255, 255, 0]
        #expect(vt_fixture_write_cmyk_jpeg(path, 16, 16, ink, Int32(variant.adobe), Int32(variant.ycck)) == 0)
        let decoded = try ImageDecoder.decode(contentsOf: path)
        #expect(decoded.header.isCMYK)
        let full = try #require(decoded.full)
        let (r, g, b) = (full[8, 8, 0], full[8, 8, 1], full[8, 8, 2])
        #expect(r >= 200 && g <= 80 && b <= 80, "adobe=\(variant.adobe) ycck=\(variant.ycck) gave \(r),\(g),\(b)")
    }

    /// CASES.md C12: EXIF Orientation=6 and the physically rotated picture decode alike.
    @Test func exifOrientationIsApplied() throws {
        let dir = try TemporaryFolder()
        let picture = gradient(width: 64, height: 32)
        try ImageWriter.save(picture, to: dir.path("tagged.jpg[Q=100]"), orientation: 6)
        try ImageWriter.save(rotatedClockwise(picture), to: dir.path("rotated.jpg[Q=100]"), orientation: 1)
        let a = try ImageDecoder.decode(contentsOf: dir.path("tagged.jpg"))
        let b = try ImageDecoder.decode(contentsOf: dir.path("rotated.jpg"))
        #expect(a.header.orientation == 6)
        #expect(a.header.width == 32 && a.header.height == 64)
        let fa = try #require(a.full), fb = try #require(b.full)
        #expect(fa.width == 32 && fa.height == 64 && fb.width == 32 && fb.height == 64)
        #expect(meanAbsoluteDifference(fa, fb) < 3.0)
        let ha = try PerceptualHasher.hashes(of: fa), hb = try PerceptualHasher.hashes(of: fb)
        let distance = try #require(ha.hash(.phash)).distance(to: try #require(hb.hash(.phash)))
        #expect(distance <= 2)
    }

    @Test func everyOrientationValueIsApplied() throws {
        let dir = try TemporaryFolder()
        let picture = gradient(width: 40, height: 24)
        try ImageWriter.save(picture, to: dir.path("o1.png"))
        let reference = try #require(try ImageDecoder.decode(contentsOf: dir.path("o1.png")).full)
        for orientation in 2...8 {
            try ImageWriter.save(picture, to: dir.path("o\(orientation).jpg[Q=100]"), orientation: orientation)
            let decoded = try ImageDecoder.decode(contentsOf: dir.path("o\(orientation).jpg"))
            let swapped = orientation >= 5
            #expect(decoded.header.width == (swapped ? 24 : 40), "orientation \(orientation)")
            #expect(decoded.full?.width == (swapped ? 24 : 40))
            _ = reference
        }
    }

    @Test func pngPaletteGreyAlphaAnd16BitDecode() throws {
        let dir = try TemporaryFolder()
        // RGBA with a fully transparent left half: composited over white.
        var rgba = [UInt8](repeating: 0, count: 20 * 10 * 4)
        for y in 0..<10 { for x in 0..<20 {
            let i = (y * 20 + x) * 4
            rgba[i] = 10; rgba[i + 1] = 100; rgba[i + 2] = 200; rgba[i + 3] = x < 10 ? 0 : 255
        } }
        let rgbaBuffer = PixelBuffer(width: 20, height: 10, channels: 4, pixels: rgba)
        try ImageWriter.save(rgbaBuffer, to: dir.path("rgba.png"))
        try ImageWriter.save(rgbaBuffer, to: dir.path("palette-alpha.png[palette]"))
        try ImageWriter.save(gradient(width: 20, height: 10), to: dir.path("palette.png[palette]"))
        try ImageWriter.save(gradient(width: 20, height: 10, channels: 1), to: dir.path("grey.png"))
        var greyAlpha = [UInt8](repeating: 0, count: 20 * 10 * 2)
        for i in 0..<200 { greyAlpha[2 * i] = 50; greyAlpha[2 * i + 1] = i % 20 < 10 ? 0 : 255 }
        try ImageWriter.save(PixelBuffer(width: 20, height: 10, channels: 2, pixels: greyAlpha), to: dir.path("grey-alpha.png"))

        for name in ["rgba.png", "palette-alpha.png"] {
            let d = try ImageDecoder.decode(contentsOf: dir.path(name))
            let full = try #require(d.full)
            #expect(full.channels == 3)
            #expect(full[2, 5, 0] == 255 && full[2, 5, 1] == 255 && full[2, 5, 2] == 255, "\(name): transparent → white")
            #expect(abs(Int(full[15, 5, 2]) - 200) <= 8, "\(name): opaque pixel kept")
        }
        let ga = try #require(try ImageDecoder.decode(contentsOf: dir.path("grey-alpha.png")).full)
        #expect(ga[2, 5, 0] == 255 && ga[15, 5, 0] == 50)
        let palette = try ImageDecoder.decode(contentsOf: dir.path("palette.png"))
        #expect(palette.full?.channels == 3)
        let grey = try ImageDecoder.decode(contentsOf: dir.path("grey.png"))
        #expect(grey.header.colourBands == 1 && grey.full?.channels == 3)
    }

    /// CASES.md C14: 16-bit grey at x × 257 decodes to x (v >> 8), PNG and TIFF alike.
    @Test(arguments: ["grey16.png", "grey16.tif"])
    func sixteenBitGreyScalesByValue(name: String) throws {
        let dir = try TemporaryFolder()
        var samples = [UInt16](repeating: 0, count: 256 * 16)
        for y in 0..<16 { for x in 0..<256 { samples[y * 256 + x] = UInt16(x * 257) } }
        try ImageWriter.save16(samples, width: 256, height: 16, channels: 1, to: dir.path(name))
        let d = try ImageDecoder.decode(contentsOf: dir.path(name))
        #expect(d.header.bitsPerSample == 16)
        let full = try #require(d.full)
        var levels = Set<UInt8>()
        for x in 0..<256 {
            #expect(full[x, 3, 0] == UInt8(x))
            levels.insert(full[x, 3, 0])
        }
        #expect(levels.count == 256)
    }

    @Test func sixteenBitRGBScalesByValue() throws {
        let dir = try TemporaryFolder()
        var samples = [UInt16](repeating: 0, count: 64 * 4 * 3)
        for y in 0..<4 { for x in 0..<64 { for c in 0..<3 { samples[(y * 64 + x) * 3 + c] = UInt16((x * 4 + c) * 257) } } }
        try ImageWriter.save16(samples, width: 64, height: 4, channels: 3, to: dir.path("rgb16.tif"))
        let full = try #require(try ImageDecoder.decode(contentsOf: dir.path("rgb16.tif")).full)
        #expect(full[10, 1, 0] == 40 && full[10, 1, 1] == 41 && full[10, 1, 2] == 42)
    }

    @Test func tiffBilevelGreyMultipageAndPyramid() throws {
        let dir = try TemporaryFolder()
        var bilevel = [UInt8](repeating: 255, count: 64 * 32)
        for i in 0..<bilevel.count where (i / 64 + i % 64) % 7 == 0 { bilevel[i] = 0 }
        try ImageWriter.save(PixelBuffer(width: 64, height: 32, channels: 1, pixels: bilevel), to: dir.path("bilevel.tif[bitdepth=1]"))
        let b = try ImageDecoder.decode(contentsOf: dir.path("bilevel.tif"))
        #expect(b.header.bitsPerSample == 1)
        #expect(b.full?[0, 0, 0] == 0 && b.full?[1, 0, 0] == 255)

        try ImageWriter.save(gradient(width: 50, height: 30, channels: 1), to: dir.path("grey.tif"))
        #expect(try ImageDecoder.decode(contentsOf: dir.path("grey.tif")).header.colourBands == 1)

        // Three pages of 40 × 30 stacked vertically.
        try ImageWriter.save(gradient(width: 40, height: 90), to: dir.path("pages.tif"), pageHeight: 30)
        let pages = try ImageDecoder.decode(contentsOf: dir.path("pages.tif"))
        #expect(pages.header.pages == 3)
        #expect(pages.header.height == 30 && pages.full?.height == 30)

        try ImageWriter.save(gradient(width: 1024, height: 768), to: dir.path("pyramid.tif[tile,pyramid,compression=jpeg]"))
        let pyramid = try ImageDecoder.decode(contentsOf: dir.path("pyramid.tif"))
        #expect(pyramid.header.pages == 1)
        #expect(pyramid.header.pyramidLevels > 1)
        #expect(pyramid.header.width == 1024)
    }

    @Test func jpeg2000WebPGIFAndBMPDecode() throws {
        let dir = try TemporaryFolder()
        let picture = gradient(width: 96, height: 64)
        try ImageWriter.save(picture, to: dir.path("a.jp2"))
        try ImageWriter.save(picture, to: dir.path("a.webp"))
        try ImageWriter.save(picture, to: dir.path("a.bmp"))
        try ImageWriter.save(PixelBuffer(width: 96, height: 128, channels: 3, pixels: picture.pixels + picture.pixels),
                             to: dir.path("frames.gif"), pageHeight: 64)
        for (name, format) in [("a.jp2", ImageFormat.jp2), ("a.webp", .webp), ("a.bmp", .bmp), ("frames.gif", .gif)] {
            let d = try ImageDecoder.decode(contentsOf: dir.path(name))
            #expect(d.header.format == format, "\(name)")
            #expect(d.header.width == 96 && d.header.height == 64, "\(name)")
            let full = try #require(d.full)
            // GIF quantises to a 256-colour palette with dithering.
            #expect(meanAbsoluteDifference(full, picture) < (format == .gif ? 20 : 8), "\(name)")
        }
        #expect(try ImageDecoder.decode(contentsOf: dir.path("frames.gif")).header.pages == 2)
    }

    @Test func formatComesFromTheBytesNotTheName() throws {
        let dir = try TemporaryFolder()
        try ImageWriter.save(gradient(width: 30, height: 20), to: dir.path("really-png.png"))
        try FileManager.default.moveItem(atPath: dir.path("really-png.png"), toPath: dir.path("named.jpg"))
        let d = try ImageDecoder.decode(contentsOf: dir.path("named.jpg"))
        #expect(d.header.format == .png)
    }

    @Test func pixelLimitRejectsBombsButShrinkOnLoadFormatsPass() throws {
        let dir = try TemporaryFolder()
        let big = gradient(width: 3000, height: 2000)
        try ImageWriter.save(big, to: dir.path("big.png[compression=1]"))
        try ImageWriter.save(big, to: dir.path("big.jpg"))
        try ImageWriter.save(big, to: dir.path("big.jp2"))
        var options = DecodeOptions()
        options.maximumPixels = 1_000_000
        options.fullResolutionPixels = 500_000
        #expect {
            try ImageDecoder.decode(contentsOf: dir.path("big.png"), options: options)
        } throws: { ($0 as? ImagingError)?.code == .tooLarge }
        for name in ["big.jpg", "big.jp2"] {
            let d = try ImageDecoder.decode(contentsOf: dir.path(name), options: options)
            #expect(d.full == nil, "\(name): no full decode above the full-resolution limit")
            #expect(d.thumbnail.width == 256 && d.thumbnail.height == 171, "\(name)")
            #expect(d.header.width == 3000 && d.header.height == 2000)
        }
    }

    /// CASES.md C17: truncated baseline and progressive JPEGs give a per-item error naming the file.
    @Test func truncatedJPEGsGiveTypedErrors() throws {
        let dir = try TemporaryFolder()
        let picture = gradient(width: 1000, height: 1000)
        try ImageWriter.save(picture, to: dir.path("baseline.jpg"))
        try ImageWriter.save(picture, to: dir.path("progressive.jpg[interlace]"))
        let baseline = try Data(contentsOf: URL(fileURLWithPath: dir.path("baseline.jpg")))
        let cut = baseline.prefix(baseline.count * 6 / 10)
        #expect {
            try ImageDecoder.decode(Data(cut), path: "cut-baseline.jpg")
        } throws: { error in
            guard let e = error as? ImagingError else { return false }
            return (e.code == .truncated || e.code == .corrupt) && e.path == "cut-baseline.jpg"
        }
        // Cut the progressive file right after its first scan (second SOS marker onwards removed).
        let progressive = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path("progressive.jpg"))))
        var sosPositions: [Int] = []
        for i in 0..<(progressive.count - 1) where progressive[i] == 0xFF && progressive[i + 1] == 0xDA { sosPositions.append(i) }
        #expect(sosPositions.count > 1)
        let firstScanOnly = Data(progressive[0..<sosPositions[1]])
        #expect {
            try ImageDecoder.decode(firstScanOnly, path: "cut-progressive.jpg")
        } throws: { ($0 as? ImagingError)?.code == .truncated || ($0 as? ImagingError)?.code == .corrupt }
    }

    @Test func notAnImageEmptyAndGarbageGiveTypedErrors() throws {
        #expect { try ImageDecoder.decode(Data("<!DOCTYPE html><html><body>404</body></html>".utf8), path: "page.jpg") }
            throws: { ($0 as? ImagingError)?.code == .unsupportedFormat }
        #expect { try ImageDecoder.decode(Data(), path: "empty.jpg") } throws: { ($0 as? ImagingError)?.code == .empty }
        var garbage: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0]
        var state: UInt32 = 12345
        for _ in 0..<4000 { state = state &* 1_664_525 &+ 1_013_904_223; garbage.append(UInt8(truncatingIfNeeded: state >> 24)) }
        #expect { try ImageDecoder.decode(Data(garbage), path: "garbage.jpg") } throws: { $0 is ImagingError }
        #expect { try ImageDecoder.decode(contentsOf: "/nonexistent/x.jpg") } throws: { ($0 as? ImagingError)?.code == .io }
    }

    @Test func contactSheetIsWritten() throws {
        let dir = try TemporaryFolder()
        try ImageWriter.save(gradient(width: 60, height: 40), to: dir.path("a.png"))
        try ImageWriter.save(gradient(width: 40, height: 60), to: dir.path("b.jpg"))
        try ImageWriter.contactSheet(of: [dir.path("a.png"), dir.path("b.jpg")], columns: 2, cell: 50, spacing: 4, to: dir.path("sheet.png"))
        let sheet = try ImageDecoder.decode(contentsOf: dir.path("sheet.png"))
        #expect(sheet.header.width == 108 && sheet.header.height == 54)
    }

    /// The one corpus JPEG 2000 that Debian's openjpeg rejects must fail cleanly, not crash.
    @Test func corpusJPEG2000FailsCleanlyOrDecodes() throws {
        guard let path = corpusPath("images/printed_text/loris__typescript_page_gray.jp2") else {
            #expect(!corpusRequired, "the shared corpus is missing under CI")
            return
        }
        do {
            let d = try ImageDecoder.decode(contentsOf: path)
            #expect(d.header.format == .jp2)
        } catch let error as ImagingError {
            #expect(error.path == path)
        }
    }
}

/// CASES.md C16 (the part that needs no 1.2-gigapixel fixture): a 40 000 × 30 000 PNG header is
/// read without decoding, and decoding fails with a clear "too large" error instead of
/// allocating 3.6 GB (PNG cannot be decoded at reduced resolution).
@Test func hugeCanvasHeaderIsReadAndDecodingIsRefused() throws {
    func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
    func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    let ihdrBody: [UInt8] = Array("IHDR".utf8) + be32(40_000) + be32(30_000) + [8, 0, 0, 0, 0]  // 8-bit grey
    var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    png += be32(13) + ihdrBody + be32(crc32(ihdrBody))
    let idatBody: [UInt8] = Array("IDAT".utf8) + [0x78, 0x9C, 0x03, 0x00]  // a stub: the rest is missing
    png += be32(4) + idatBody + be32(crc32(idatBody))
    let header = try ImageDecoder.header(of: Data(png), path: "huge.png")
    #expect(header.width == 40_000 && header.height == 30_000 && header.format == .png)
    #expect {
        try ImageDecoder.decode(Data(png), path: "huge.png")
    } throws: { error in
        guard let e = error as? ImagingError else { return false }
        return e.code == .tooLarge && e.message.contains("40000 × 30000")
    }
}
