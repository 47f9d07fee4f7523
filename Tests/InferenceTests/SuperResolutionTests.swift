import Foundation
import Imaging
import Testing

@testable import Inference

/// A deterministic test image: smooth gradients plus a few hard edges, `channels` 3 or 4.
func syntheticImage(width: Int, height: Int, channels: Int = 3) -> PixelBuffer {
    var pixels = [UInt8](repeating: 0, count: width * height * channels)
    for y in 0..<height {
        for x in 0..<width {
            let i = (y * width + x) * channels
            let edge: Int = ((x / 9 + y / 7) % 2 == 0) ? 60 : 0
            pixels[i] = UInt8((x * 255 / max(1, width - 1) + edge) % 256)
            pixels[i + 1] = UInt8((y * 255 / max(1, height - 1)) % 256)
            pixels[i + 2] = UInt8(((x * y) % 97) + 80)
            if channels == 4 { pixels[i + 3] = UInt8((x * 3 + y) % 256) }
        }
    }
    return PixelBuffer(width: width, height: height, channels: channels, pixels: pixels)
}

/// A locator on the shared model mirror, or nil (with a note) when it is absent outside CI.
func mirrorLocator() -> ModelLocator? {
    let mirror = sharedFolder.appendingPathComponent("models")
    guard FileManager.default.fileExists(atPath: mirror.path) else {
        #expect(!sharedRequired, "../shared/models is missing under CI")
        print("skipped: no \(mirror.path)")
        return nil
    }
    return ModelLocator(storeModels: nil, environment: ["VITRINE_MODEL_MIRROR": mirror.path, "HOME": "/nonexistent"])
}

@Suite struct FullReferenceQualityTests {
    /// The planes scikit-image 0.24.0 was run on: a[y][x] = (7x + 13y) mod 256,
    /// b = (x² + 3y + (xy mod 17)) mod 256, c = clip(a + ((5x + 3y) mod 9) − 4, 0, 255), 32×24.
    static func planes() -> (a: [Float], b: [Float], c: [Float]) {
        var a: [Float] = [], b: [Float] = [], c: [Float] = []
        for y in 0..<24 {
            for x in 0..<32 {
                let av = Float((x * 7 + y * 13) % 256)
                a.append(av)
                b.append(Float((x * x + 3 * y + (x * y) % 17) % 256))
                c.append(min(255, max(0, av + Float((x * 5 + y * 3) % 9 - 4))))
            }
        }
        return (a, b, c)
    }

    /// Reference values from `skimage.metrics.structural_similarity(A, T, gaussian_weights=True,
    /// sigma=1.5, use_sample_covariance=False, data_range=255)` and `peak_signal_noise_ratio(…,
    /// data_range=255)` (scikit-image 0.24.0, numpy 1.26.4, float64) on the cropped planes.
    @Test(arguments: [
        ("b", 0, 8.205763763618785, 0.09215292360187613),
        ("b", 2, 8.113218535673736, 0.07624747527318439),
        ("c", 0, 39.95236210203936, 0.9965601395961924),
        ("c", 2, 39.96129235904321, 0.9972769426888856),
    ])
    func psnrAndSSIMMatchScikitImage(test: String, border: Int, psnr: Double, ssim: Double) throws {
        let p = Self.planes()
        let scores = try FullReferenceQuality.scores(reference: p.a, test: test == "b" ? p.b : p.c, width: 32, height: 24, border: border)
        #expect(abs(scores.psnr - psnr) < 1e-6)
        #expect(abs(scores.ssim - ssim) < 1e-5)
    }

    @Test func identicalPlanesHaveInfinitePSNRAndSSIMOne() throws {
        let p = Self.planes()
        let scores = try FullReferenceQuality.scores(reference: p.a, test: p.a, width: 32, height: 24, border: 2)
        #expect(scores.psnr == .infinity)
        #expect(abs(scores.ssim - 1) < 1e-12)
    }

    /// Hand-checked: a constant offset d gives MSE d², PSNR 10 log10(255² / d²); two constant
    /// planes μa, μb give SSIM (2 μa μb + C1) / (μa² + μb² + C1) with C1 = (0.01 · 255)².
    @Test func constantPlanesGiveTheClosedFormValues() throws {
        let a = [Float](repeating: 100, count: 20 * 20), b = [Float](repeating: 110, count: 20 * 20)
        let scores = try FullReferenceQuality.scores(reference: a, test: b, width: 20, height: 20, border: 0)
        #expect(abs(scores.psnr - 10 * log10(255.0 * 255.0 / 100.0)) < 1e-9)
        let c1: Double = (0.01 * 255) * (0.01 * 255)
        #expect(abs(scores.ssim - (2 * 100 * 110 + c1) / (100 * 100 + 110 * 110 + c1)) < 1e-9)
    }

    @Test func planesSmallerThanTheWindowAfterTheBorderAreAnError() {
        let a = [Float](repeating: 0, count: 14 * 14)
        #expect(throws: InferenceError.self) {
            try FullReferenceQuality.scores(reference: a, test: a, width: 14, height: 14, border: 2)
        }
    }

    @Test func bt601LumaIsTheStudioSwingFormula() {
        let image = PixelBuffer(width: 3, height: 1, channels: 3, pixels: [0, 0, 0, 255, 255, 255, 255, 0, 0])
        let y = FullReferenceQuality.lumaBT601(image)
        #expect(abs(y[0] - 16) < 1e-4)
        #expect(abs(y[1] - 235) < 1e-3)
        #expect(abs(y[2] - (16 + 65.481)) < 1e-3)
    }

    @Test func lanczos3KeepsAConstantImageAndGivesTheExactSize() throws {
        let flat = PixelBuffer(width: 10, height: 7, channels: 3, pixels: [UInt8](repeating: 77, count: 210))
        let up = try QualityImageOps.lanczos3(flat, width: 30, height: 21)
        #expect(up.width == 30 && up.height == 21)
        #expect(up.pixels.allSatisfy { $0 == 77 })
    }
}

@Suite struct TilePlanTests {
    /// Memory bound by construction: a 10 000 × 10 000 image is processed in 256 px tiles with a
    /// 12 px margin; the cores partition the image, no tile fed to the network exceeds
    /// 280 × 280 pixels, so the network's working set does not grow with the image.
    @Test func aTenThousandPixelSquareImageIsCutIntoBoundedTiles() throws {
        let plan = try TilePlan(width: 10_000, height: 10_000, tileSize: 256, margin: 12)
        #expect(plan.columns == 40 && plan.rows == 40 && plan.count == 1600)
        #expect(plan.maximumTilePixels == 280 * 280)
        var covered = 0
        var largest = 0
        for index in 0..<plan.count {
            let tile = plan.tile(index)
            covered += tile.core.pixelCount
            largest = max(largest, tile.padded.pixelCount)
            #expect(tile.padded.x <= tile.core.x && tile.padded.y <= tile.core.y)
            #expect(tile.padded.x + tile.padded.width >= tile.core.x + tile.core.width)
            #expect(tile.padded.x >= 0 && tile.padded.x + tile.padded.width <= 10_000)
        }
        #expect(covered == 10_000 * 10_000)
        #expect(largest <= plan.maximumTilePixels)
        // The last column and row hold the remainder: 10 000 − 39 · 256 = 16 px.
        #expect(plan.tile(plan.count - 1).core == PixelRect(x: 9984, y: 9984, width: 16, height: 16))
    }

    @Test func invalidTilingIsAnError() {
        #expect(throws: InferenceError.self) { try TilePlan(width: 0, height: 10, tileSize: 256, margin: 8) }
        #expect(throws: InferenceError.self) { try TilePlan(width: 10, height: 10, tileSize: 0, margin: 8) }
    }
}

/// The real graphs from the model mirror.
@Suite struct SuperResolutionTests {
    @Test(arguments: [SuperResolutionModel.espcn, .fsrcnn, .lapsrn])
    func tiledOutputEqualsWholeImageOutput(model: SuperResolutionModel) throws {
        guard let locator = mirrorLocator() else { return }
        let image = syntheticImage(width: 90, height: 70)
        let luma = image.luma().map { Float($0) / 255 }
        let whole = try SuperResolver(model: model, scale: 2, locator: locator, tileSize: 1000, margin: 0)
        let tiled = try SuperResolver(model: model, scale: 2, locator: locator, tileSize: 32)
        #expect(try tiled.plan(width: 90, height: 70).count == 9)
        let a = try whole.upscaleLuma(luma, width: 90, height: 70)
        let b = try tiled.upscaleLuma(luma, width: 90, height: 70)
        #expect(a.count == 180 * 140 && b.count == a.count)
        let largest = zip(a, b).map { abs($0 - $1) }.max() ?? 1
        #expect(largest < 1e-4, "largest difference \(largest) between tiled and whole-image \(model) output")
    }

    @Test func upscalingKeepsAlphaAndGivesScaleTimesTheSize() throws {
        guard let locator = mirrorLocator() else { return }
        let image = syntheticImage(width: 40, height: 30, channels: 4)
        let resolver = try SuperResolver(model: .espcn, scale: 3, locator: locator)
        let up = try resolver.upscale(image)
        #expect(up.width == 120 && up.height == 90 && up.channels == 4)
        let bicubic = try Resampling.bicubic(image, width: 120, height: 90)
        var alphaEqual = true
        for i in 0..<(120 * 90) where up.pixels[i * 4 + 3] != bicubic.pixels[i * 4 + 3] { alphaEqual = false }
        #expect(alphaEqual, "alpha is the bicubic upscale of the alpha band")
    }

    @Test func lapSRNHasNoTimesThreeGraph() {
        #expect(throws: InferenceError.self) { try SuperResolutionModel.lapsrn.descriptor(scale: 3) }
    }

    /// On a real corpus photograph downscaled ×2 (bicubic), ESPCN recovers it at least about as
    /// well as bicubic upscaling (PSNR on BT.601 Y, 2 px border).
    @Test func espcnRestoresADownscaledCorpusPhotographAboutAsWellAsBicubic() throws {
        guard let locator = mirrorLocator() else { return }
        let path = sharedFolder.appendingPathComponent("corpus/images/photograph/epl__film_still_dancers.jpg").path
        guard FileManager.default.fileExists(atPath: path) else {
            #expect(!sharedRequired, "\(path) is missing under CI")
            return
        }
        let original = try Resampling.decodeRGBA(path: path)
        let fitted = try Resampling.bicubic(original, width: 240, height: 240 * original.height / original.width / 2 * 2)
        let small = try Resampling.bicubic(fitted, width: fitted.width / 2, height: fitted.height / 2)
        let resolver = try SuperResolver(model: .espcn, scale: 2, locator: locator)
        let sr = try FullReferenceQuality.scores(reference: fitted, test: try resolver.upscale(small), border: 2)
        let bicubic = try FullReferenceQuality.scores(
            reference: fitted, test: try Resampling.bicubic(small, width: fitted.width, height: fitted.height), border: 2)
        #expect(sr.psnr > 20 && bicubic.psnr > 20)
        #expect(sr.psnr > bicubic.psnr - 0.5, "ESPCN \(sr.psnr) dB vs bicubic \(bicubic.psnr) dB")
    }
}

@Suite struct NoReferenceQualityTests {
    /// Blurred (Gaussian σ 2 px) and noisy (Gaussian σ 25) versions of corpus images score worse
    /// than the originals: higher BRISQUE, lower variance of the Laplacian for the blur.
    @Test(arguments: [
        "photograph/epl__film_still_dancers.jpg", "photograph/epl__folk_musicians_photo.jpg",
        "painting/byzart__IMG_5031_aug_003598c4.jpg",
    ])
    func blurredAndNoisyVersionsScoreWorse(relative: String) throws {
        guard let locator = mirrorLocator() else { return }
        let path = sharedFolder.appendingPathComponent("corpus/images/\(relative)").path
        guard FileManager.default.fileExists(atPath: path) else {
            #expect(!sharedRequired, "\(path) is missing under CI")
            return
        }
        let quality = try NoReferenceQuality(locator: locator)
        let original = try NoReferenceQuality.fit(try Resampling.decodeRGBA(path: path), side: 512)
        let blurred = try QualityImageOps.gaussianBlur(original, sigma: 2)
        let noisy = try QualityImageOps.gaussianNoise(original, sigma: 25, seed: 7)
        let o = try quality.scores(original), b = try quality.scores(blurred), n = try quality.scores(noisy)
        #expect(b.brisque > o.brisque, "blurred BRISQUE \(b.brisque) vs original \(o.brisque)")
        #expect(n.brisque > o.brisque, "noisy BRISQUE \(n.brisque) vs original \(o.brisque)")
        #expect(b.laplacianVariance < o.laplacianVariance)
    }

    @Test func aFlatImageIsFlaggedBlurry() throws {
        guard let locator = mirrorLocator() else { return }
        let quality = try NoReferenceQuality(locator: locator)
        let flat = try QualityImageOps.gaussianBlur(syntheticImage(width: 64, height: 64), sigma: 8)
        let scores = try quality.scores(flat)
        #expect(quality.flags(for: scores).contains("blurry"))
    }
}

@Suite struct ResamplingTests {
    /// Enlarging a horizontal ramp 8·x by 2 with centre-aligned grids: output x samples input
    /// (x + 0.5) / 2 − 0.5, so away from the edges output x is 4·x − 2.
    @Test func bicubicEnlargingKeepsPixelCentresAligned() throws {
        var pixels: [UInt8] = []
        for _ in 0..<8 { for x in 0..<32 { pixels.append(UInt8(x * 8)) } }
        let ramp = PixelBuffer(width: 32, height: 8, channels: 1, pixels: pixels)
        let up = try Resampling.bicubic(ramp, width: 64, height: 16)
        #expect(up.width == 64 && up.height == 16)
        for x in 4..<58 { #expect(Int(up[x, 8, 0]) == 4 * x - 2, "column \(x)") }
    }
}

@Suite struct SuperResolutionEvaluationTests {
    @Test func theSampleIsSeededAndBalancedOverCategories() {
        let images = (0..<30).map { EvaluationImage(path: "p\($0).jpg", category: ["a", "b", "c"][$0 % 3]) }
        let first = SuperResolutionEvaluator.sample(images, limit: 6, seed: 1)
        #expect(first == SuperResolutionEvaluator.sample(images, limit: 6, seed: 1))
        #expect(first != SuperResolutionEvaluator.sample(images, limit: 6, seed: 2))
        #expect(first.filter { $0.category == "a" }.count == 2 && first.filter { $0.category == "c" }.count == 2)
        #expect(SuperResolutionEvaluator.sample(images, limit: 0, seed: 1).count == 30)
    }

    /// Every model with a ×2 graph and both baselines are scored on two corpus images; the
    /// networks trained for ×2 beat bicubic on a photograph.
    @Test func everyMethodIsScoredOnCorpusImages() throws {
        guard let locator = mirrorLocator() else { return }
        let paths = ["photograph/epl__film_still_dancers.jpg", "painting/byzart__IMG_5031_aug_003598c4.jpg"]
            .map { sharedFolder.appendingPathComponent("corpus/images/\($0)").path }
        guard paths.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
            #expect(!sharedRequired, "corpus images are missing under CI")
            return
        }
        let images = [EvaluationImage(path: paths[0], category: "photograph"), EvaluationImage(path: paths[1], category: "painting"),
                      EvaluationImage(path: "/nonexistent.jpg", category: "painting")]
        let result = try SuperResolutionEvaluator(scale: 2, side: 192, locator: locator).evaluate(images)
        #expect(result.methods.map(\.method) == ["bicubic", "lanczos3", "espcn", "fsrcnn", "lapsrn"])
        #expect(result.images.count == 3 && result.images[2].error != nil, "an unreadable file is recorded with its error")
        for method in result.methods {
            #expect(method.images == 2 && method.failures == 1)
            #expect(method.meanPSNR > 15 && method.meanPSNR < 60 && method.meanSSIM > 0.3 && method.meanSSIM <= 1)
            #expect(Set(method.perCategory.keys) == ["photograph", "painting"])
        }
        let bicubic = result.methods[0].meanPSNR
        #expect(result.methods.first { $0.method == "fsrcnn" }.map { $0.meanPSNR > bicubic } == true)
        #expect(result.methods.first { $0.method == "bicubic" }?.worseThanBicubic == false)
    }
}
