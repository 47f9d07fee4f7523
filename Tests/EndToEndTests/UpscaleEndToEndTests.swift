import Foundation
import Imaging
import Testing

@Suite("vitrine upscale and quality, end to end", .serialized)
struct UpscaleEndToEndTests {
    /// The acceptance command on a small sample: PSNR/SSIM for every model and both baselines.
    @Test func evaluatePrintsPSNRAndSSIMForEveryModelAndBothBaselines() throws {
        guard let corpus = CLI.corpus else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared corpus is missing under CI")
            return
        }
        let store = temporaryURL("vitrine-sr-eval")
        defer { try? FileManager.default.removeItem(at: store) }
        let result = try CLI.run(["upscale", "--evaluate", "--scale", "2", "--limit", "3", "--side", "192",
                                  "--corpus", corpus.path, "--store", store.path, "--json", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let evaluation = try #require(try CLI.json(result)["evaluation"] as? [String: Any])
        let methods = try #require(evaluation["methods"] as? [[String: Any]])
        #expect(methods.compactMap { $0["method"] as? String } == ["bicubic", "lanczos3", "espcn", "fsrcnn", "lapsrn"])
        for method in methods {
            #expect((method["meanPSNR"] as? Double).map { $0 > 10 } == true)
            #expect((method["meanSSIM"] as? Double).map { $0 > 0 && $0 <= 1 } == true)
        }
        #expect(FileManager.default.fileExists(atPath: store.appendingPathComponent("reports/superres-evaluation-x2.html").path))
    }

    /// A small RGBA item is upscaled into a derived image (original kept, alpha kept) and scored.
    @Test func smallItemsAreUpscaledIntoDerivedImagesAndScored() throws {
        guard CLI.corpus != nil else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared models are missing under CI")
            return
        }
        let folder = temporaryURL("vitrine-sr-src"), store = temporaryURL("vitrine-sr-store")
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: store)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var pixels: [UInt8] = []
        for y in 0..<48 { for x in 0..<64 { pixels += [UInt8(x * 4), UInt8(y * 5), UInt8((x * y) % 256), UInt8(128 + x)] } }
        try ImageWriter.save(PixelBuffer(width: 64, height: 48, channels: 4, pixels: pixels), to: folder.appendingPathComponent("small.png").path)
        let ingest = try CLI.run(["ingest", folder.path, "--store", store.path, "--quiet"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let upscale = try CLI.run(["upscale", "--below", "400", "--scale", "2", "--store", store.path, "--json", "--quiet"])
        #expect(upscale.status == 0, "\(upscale.stderr)")
        let derived = try #require(try CLI.json(upscale)["derived"] as? [String])
        #expect(derived.count == 1)
        let output = try Resampling.decodeRGBA(path: store.appendingPathComponent(derived[0]).path)
        #expect(output.width == 128 && output.height == 96 && output.channels == 4)
        let quality = try CLI.run(["quality", "--store", store.path, "--json", "--quiet"])
        #expect(quality.status == 0, "\(quality.stderr)")
        #expect(try CLI.json(quality)["scored"] as? Int == 1)
    }
}
