import COpenCVQuality
import Foundation
import Imaging

// Image-quality measures: full-reference (PSNR, SSIM) for the super-resolution evaluation and
// no-reference (BRISQUE, variance of the Laplacian) for the quality checks. Calls into the
// `COpenCVQuality` shim (OpenCV contrib `quality` module and imgproc).

private let qualityErrorCapacity = 2048

private func qualityChecked(
    _ failureCode: InferenceError.Code, _ operation: @autoclosure () -> String,
    _ call: (UnsafeMutablePointer<CChar>, Int) -> Int32
) throws(InferenceError) {
    var failure: (status: Int32, underlying: String)?
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: qualityErrorCapacity) { buffer in
        guard let base = buffer.baseAddress else { return }
        base.initialize(to: 0)
        let status = call(base, qualityErrorCapacity)
        if status != VT_QUALITY_OK { failure = (status, String(cString: base)) }
    }
    guard let failure else { return }
    let code: InferenceError.Code =
        switch failure.status {
        case VT_QUALITY_INVALID_ARGUMENT: .invalidArgument
        case VT_QUALITY_OUT_OF_MEMORY: .outOfMemory
        default: failureCode
        }
    throw InferenceError(code, operation(), underlying: failure.underlying)
}

/// Registers OpenCV contrib `dnn_superres`'s `DepthToSpace` layer, which the super-resolution
/// graphs use and OpenCV 4.6's DNN module lacks.
func registerSuperResolutionLayers() throws(InferenceError) {
    try qualityChecked(.loadFailed, "cannot register the dnn_superres layers") { error, capacity in
        vt_dnn_superres_register_layers(error, capacity)
    }
}

/// Full-reference measures as the super-resolution literature reports them.
public enum FullReferenceQuality {
    /// PSNR and SSIM of one image pair.
    public struct Scores: Sendable, Equatable, Codable {
        /// Decibels, peak 255; `+inf` for identical planes.
        public var psnr: Double
        /// Mean SSIM, −1…1.
        public var ssim: Double
    }

    /// ITU-R BT.601 studio-swing luma, as MATLAB's `rgb2ycbcr` and the SR literature compute it
    /// (SRCNN, Dong et al. 2014; EDSR, Lim et al. 2017):
    /// Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255 for 8-bit R, G, B; range 16…235.
    /// Grey images (1–2 channels) use Y = 16 + 219 · v / 255. Alpha is ignored.
    /// - Returns: `width × height` values, row-major.
    public static func lumaBT601(_ image: PixelBuffer) -> [Float] {
        let n = image.width * image.height, channels = image.channels
        var out = [Float](repeating: 0, count: n)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let b = i * channels
                if channels >= 3 {
                    out[i] = 16 + (65.481 * Float(p[b]) + 128.553 * Float(p[b + 1]) + 24.966 * Float(p[b + 2])) / 255
                } else {
                    out[i] = 16 + 219 * Float(p[b]) / 255
                }
            }
        }
        return out
    }

    /// PSNR (peak 255) and SSIM (Wang, Bovik, Sheikh, Simoncelli 2004: 11×11 Gaussian window,
    /// σ 1.5, K1 0.01, K2 0.03, L 255, mean over window positions wholly inside the plane, as
    /// scikit-image's `structural_similarity(gaussian_weights=True, use_sample_covariance=False)`)
    /// of two planes, with `border` pixels cut from every side first (the SR convention of
    /// ignoring `scale` pixels at the edges).
    /// - Throws: `InferenceError.invalidArgument` when the planes differ in size or are smaller
    ///   than 11×11 after the crop.
    public static func scores(reference: [Float], test: [Float], width: Int, height: Int, border: Int)
        throws(InferenceError) -> Scores
    {
        guard reference.count == width * height, test.count == width * height else {
            throw InferenceError(
                .invalidArgument,
                "planes of \(reference.count) and \(test.count) values do not match \(width)×\(height)")
        }
        var psnr = 0.0, ssim = 0.0
        try qualityChecked(.invalidArgument, "cannot compare two \(width)×\(height) planes") { error, capacity in
            reference.withUnsafeBufferPointer { a in
                test.withUnsafeBufferPointer { b in
                    vt_quality_psnr_ssim(a.baseAddress, b.baseAddress, Int32(width), Int32(height), Int32(border),
                                         &psnr, &ssim, error, capacity)
                }
            }
        }
        return Scores(psnr: psnr, ssim: ssim)
    }

    /// Scores of two images of the same size on their BT.601 Y planes.
    public static func scores(reference: PixelBuffer, test: PixelBuffer, border: Int) throws(InferenceError) -> Scores {
        guard reference.width == test.width, reference.height == test.height else {
            throw InferenceError(
                .invalidArgument,
                "cannot compare \(reference.width)×\(reference.height) with \(test.width)×\(test.height)")
        }
        return try scores(reference: lumaBT601(reference), test: lumaBT601(test), width: reference.width,
                          height: reference.height, border: border)
    }
}

/// Pixel operations of the quality shim that libvips does not offer in the form needed.
public enum QualityImageOps {
    /// Lanczos3 resampling to exactly `width × height` (Pillow's `Image.LANCZOS` definition:
    /// a = 3, kernel widened by the factor when downsampling). libvips 8.14's `vips_resize`
    /// upsamples with its bicubic interpolator whatever kernel is asked, so the Lanczos3
    /// super-resolution baseline uses this.
    /// - Throws: `InferenceError.invalidArgument` for an empty image or size.
    public static func lanczos3(_ image: PixelBuffer, width: Int, height: Int) throws(InferenceError) -> PixelBuffer {
        var out = [UInt8](repeating: 0, count: max(0, width * height * image.channels))
        try qualityChecked(.preprocessingFailed, "cannot resize \(image.width)×\(image.height) to \(width)×\(height) with Lanczos3") { error, capacity in
            image.pixels.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { o in
                    vt_quality_lanczos3(p.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                                        Int32(width), Int32(height), o.baseAddress, error, capacity)
                }
            }
        }
        return PixelBuffer(width: width, height: height, channels: image.channels, pixels: out)
    }

    /// Gaussian blur with standard deviation `sigma` pixels (OpenCV `GaussianBlur`).
    public static func gaussianBlur(_ image: PixelBuffer, sigma: Double) throws(InferenceError) -> PixelBuffer {
        var pixels = image.pixels
        try qualityChecked(.preprocessingFailed, "cannot blur a \(image.width)×\(image.height) image") { error, capacity in
            pixels.withUnsafeMutableBufferPointer { p in
                vt_quality_gaussian_blur(p.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                                         sigma, error, capacity)
            }
        }
        return PixelBuffer(width: image.width, height: image.height, channels: image.channels, pixels: pixels)
    }

    /// Adds seeded zero-mean Gaussian noise of standard deviation `sigma` (0…255 scale).
    public static func gaussianNoise(_ image: PixelBuffer, sigma: Double, seed: UInt64) throws(InferenceError) -> PixelBuffer {
        var pixels = image.pixels
        try qualityChecked(.preprocessingFailed, "cannot add noise to a \(image.width)×\(image.height) image") { error, capacity in
            pixels.withUnsafeMutableBufferPointer { p in
                vt_quality_add_gaussian_noise(p.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                                              sigma, seed, error, capacity)
            }
        }
        return PixelBuffer(width: image.width, height: image.height, channels: image.channels, pixels: pixels)
    }
}

extension ModelRegistry {
    /// BRISQUE SVR model trained on the LIVE IQA database (OpenCV contrib `quality`, Debian
    /// `opencv-data` 4.6.0).
    public static let brisqueModel = ModelDescriptor(
        name: "brisque-model-live", version: "4.6.0", fileName: "brisque_model_live.yml",
        mirrorPath: "quality/brisque_model_live.yml",
        sha256: "4c44c7eec9e5139830c0bb0e4a044c9cd351ba5bbc9e3798beca3243e2782ff4",
        source: "Debian package opencv-data 4.6.0+dfsg-12, /usr/share/opencv4/quality/brisque_model_live.yml",
        license: "Apache-2.0 AND BSD-3-Clause", format: .opencvData, inputWidth: nil, inputHeight: nil,
        colourOrder: .y, layout: .nhwc, normalisation: .identity, inputName: nil, outputNames: [],
        embeddingDimension: nil)

    /// Feature ranges that go with `brisqueModel`.
    public static let brisqueRange = ModelDescriptor(
        name: "brisque-range-live", version: "4.6.0", fileName: "brisque_range_live.yml",
        mirrorPath: "quality/brisque_range_live.yml",
        sha256: "a18427f4f7ad087524bd0d63389649a3899b51ca6d44a4d5f8d8171f1f914a9c",
        source: "Debian package opencv-data 4.6.0+dfsg-12, /usr/share/opencv4/quality/brisque_range_live.yml",
        license: "Apache-2.0 AND BSD-3-Clause", format: .opencvData, inputWidth: nil, inputHeight: nil,
        colourOrder: .y, layout: .nhwc, normalisation: .identity, inputName: nil, outputNames: [],
        embeddingDimension: nil)
}

/// No-reference quality: BRISQUE (Mittal, Moorthy, Bovik, "No-Reference Image Quality
/// Assessment in the Spatial Domain", IEEE TIP 2012) through OpenCV's `QualityBRISQUE`, and
/// sharpness as the variance of the Laplacian (Pech-Pacheco et al., ICPR 2000).
///
/// `@unchecked Sendable`: the native handle is only used under `lock`.
public final class NoReferenceQuality: @unchecked Sendable {
    /// Thresholds of the no-reference checks.
    public struct Thresholds: Sendable, Codable, Equatable {
        /// BRISQUE score (≈ 0…100, lower is better) above which an image is flagged
        /// `low_quality`. On the LIVE database pristine images score ≈ 10–30 and strongly
        /// distorted ones (JPEG/blur/noise at the worst DMOS levels) 50 and more; 50 is the
        /// middle of the scale, flagging only clearly degraded files.
        public var brisque: Double = 50
        /// Variance of the 3×3 Laplacian (0…255 samples) of the image fitted in 512 px, below which
        /// it is flagged `blurry`. 100 is the usual rule of thumb (Pech-Pacheco's measure as used
        /// with OpenCV); measuring at a fixed size keeps it independent of the resolution.
        public var sharpness: Double = 100
        /// Side the image is fitted in before both measures.
        public var measureSide: Int = 512
        public init() {}
    }

    /// Scores of one image.
    public struct Scores: Sendable, Codable, Equatable {
        public var brisque: Double
        public var laplacianVariance: Double
    }

    public let thresholds: Thresholds
    /// sha256 of the BRISQUE model and range files (for stored runs).
    public let modelSHA256: String
    private let handle: OpaquePointer
    private let lock = NSLock()

    /// Locates (sha256-checked) and loads the BRISQUE model.
    /// - Throws: `InferenceError` from the locator, `.loadFailed` when OpenCV cannot read the files.
    public init(locator: ModelLocator, thresholds: Thresholds = Thresholds()) throws(InferenceError) {
        let model = try locator.locate(ModelRegistry.brisqueModel)
        let range = try locator.locate(ModelRegistry.brisqueRange)
        var out: OpaquePointer?
        try qualityChecked(.loadFailed, "OpenCV could not load the BRISQUE model \(model.path)") { error, capacity in
            vt_quality_brisque_load(model.path, range.path, &out, error, capacity)
        }
        guard let out else { throw InferenceError(.loadFailed, "BRISQUE model \(model.path) gave no handle") }
        handle = out
        self.thresholds = thresholds
        modelSHA256 = ModelRegistry.brisqueModel.sha256 + "+" + ModelRegistry.brisqueRange.sha256
    }

    deinit { vt_quality_brisque_destroy(handle) }

    /// BRISQUE and Laplacian variance of an image (alpha dropped; resized with libvips bicubic to
    /// fit `thresholds.measureSide` when larger).
    /// - Throws: `InferenceError.invalidArgument` for an empty image, `.preprocessingFailed` when
    ///   libvips or OpenCV fail.
    public func scores(_ image: PixelBuffer) throws(InferenceError) -> Scores {
        let fitted = try Self.fit(Self.dropAlpha(image), side: thresholds.measureSide)
        var brisque = 0.0, variance = 0.0
        lock.lock()
        defer { lock.unlock() }
        try qualityChecked(.preprocessingFailed, "cannot compute BRISQUE of a \(fitted.width)×\(fitted.height) image") { error, capacity in
            fitted.pixels.withUnsafeBufferPointer { p in
                vt_quality_brisque_score(handle, p.baseAddress, Int32(fitted.width), Int32(fitted.height),
                                         Int32(fitted.channels), &brisque, error, capacity)
            }
        }
        let grey = fitted.luma()
        try qualityChecked(.preprocessingFailed, "cannot compute the Laplacian of a \(fitted.width)×\(fitted.height) image") { error, capacity in
            grey.withUnsafeBufferPointer { p in
                vt_quality_laplacian_variance(p.baseAddress, Int32(fitted.width), Int32(fitted.height), &variance, error, capacity)
            }
        }
        return Scores(brisque: brisque, laplacianVariance: variance)
    }

    /// Flag names (`low_quality`, `blurry`) for scores under these thresholds.
    public func flags(for scores: Scores) -> [String] {
        var flags: [String] = []
        if scores.brisque > thresholds.brisque { flags.append("low_quality") }
        if scores.laplacianVariance < thresholds.sharpness { flags.append("blurry") }
        return flags
    }

    static func dropAlpha(_ image: PixelBuffer) -> PixelBuffer {
        guard image.channels == 2 || image.channels == 4 else { return image }
        let keep = image.channels - 1
        var out = [UInt8](repeating: 0, count: image.width * image.height * keep)
        for i in 0..<(image.width * image.height) {
            for c in 0..<keep { out[i * keep + c] = image.pixels[i * image.channels + c] }
        }
        return PixelBuffer(width: image.width, height: image.height, channels: keep, pixels: out)
    }

    static func fit(_ image: PixelBuffer, side: Int) throws(InferenceError) -> PixelBuffer {
        let longest = max(image.width, image.height)
        guard longest > side else { return image }
        let factor = Double(side) / Double(longest)
        let width = max(1, Int((Double(image.width) * factor).rounded()))
        let height = max(1, Int((Double(image.height) * factor).rounded()))
        do { return try Resampling.bicubic(image, width: width, height: height) } catch {
            throw InferenceError(.preprocessingFailed, "cannot fit a \(image.width)×\(image.height) image in \(side) px", underlying: "\(error)")
        }
    }
}
