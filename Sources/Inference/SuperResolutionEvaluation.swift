import Foundation
import Imaging

/// A way of enlarging an image by an integer factor: a network or an interpolation baseline.
public enum UpscaleMethod: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// libvips bicubic (`vips_resize`, kernel cubic: Catmull-Rom interpolation when enlarging).
    case bicubic
    /// Lanczos3 (a = 3, Pillow's definition; see `QualityImageOps.lanczos3`).
    case lanczos3
    case network(SuperResolutionModel)

    public var description: String {
        switch self {
        case .bicubic: "bicubic"
        case .lanczos3: "lanczos3"
        case .network(let model): model.rawValue
        }
    }

    /// The baselines then every network that has a graph for `scale`.
    public static func all(scale: Int) -> [UpscaleMethod] {
        [.bicubic, .lanczos3] + SuperResolutionModel.allCases.filter { $0.scales.contains(scale) }.map { .network($0) }
    }
}

/// One corpus image to evaluate on.
public struct EvaluationImage: Sendable, Equatable {
    public var path: String
    public var category: String
    public init(path: String, category: String) {
        self.path = path
        self.category = category
    }
}

/// Results of a super-resolution evaluation.
///
/// Protocol (the usual one of the SR literature, e.g. Dong et al., "Image Super-Resolution
/// Using Deep Convolutional Networks", TPAMI 2016; Lim et al., "Enhanced Deep Residual Networks
/// for Single Image Super-Resolution" (EDSR), CVPRW 2017): the high-resolution reference HR is the
/// corpus image fitted in `side` px (libvips bicubic) and cropped to a multiple of the scale s;
/// the low-resolution input is HR downscaled by 1/s with libvips bicubic (antialiased cubic
/// reduction, as MATLAB's `imresize`); each method enlarges it by s; PSNR and SSIM are computed
/// on the ITU-R BT.601 Y channel (16…235) with s pixels cut from every border; identical
/// planes (PSNR +∞) count as 100 dB.
public struct SuperResolutionEvaluation: Sendable, Codable, Equatable {
    public struct MethodSummary: Sendable, Codable, Equatable {
        public var method: String
        /// Model registry name and sha256 for networks; nil for baselines.
        public var model: String?
        public var modelSHA256: String?
        public var images: Int
        public var failures: Int
        /// Means over images, dB and −1…1.
        public var meanPSNR: Double
        public var meanSSIM: Double
        /// Mean PSNR and SSIM per corpus category.
        public var perCategory: [String: FullReferenceQuality.Scores]
        /// Seconds per output megapixel, total time over total output pixels.
        public var secondsPerMegapixel: Double
        /// Mean PSNR below bicubic's on this material.
        public var worseThanBicubic: Bool
    }

    public struct ImageResult: Sendable, Codable, Equatable {
        public var path: String
        public var category: String
        public var width: Int
        public var height: Int
        /// Method name → scores.
        public var scores: [String: FullReferenceQuality.Scores]
        public var error: String?
    }

    public var scale: Int
    public var side: Int
    public var border: Int
    public var methods: [MethodSummary]
    public var images: [ImageResult]
    public var protocolNote: String
}

/// Runs the evaluation.
public struct SuperResolutionEvaluator: Sendable {
    public let scale: Int
    /// The HR reference is fitted in this many pixels (longer side).
    public let side: Int
    public let locator: ModelLocator

    public init(scale: Int, side: Int = 384, locator: ModelLocator) {
        self.scale = scale
        self.side = side
        self.locator = locator
    }

    /// Evaluates every method of `UpscaleMethod.all(scale:)` on the images. An image that cannot
    /// be decoded is recorded with its error and left out of the means.
    /// - Parameter progress: called after each image.
    /// - Throws: `InferenceError` when a model cannot be located or loaded.
    public func evaluate(_ images: [EvaluationImage], progress: @Sendable (Int) -> Void = { _ in })
        throws(InferenceError) -> SuperResolutionEvaluation
    {
        let methods = UpscaleMethod.all(scale: scale)
        var resolvers: [SuperResolutionModel: SuperResolver] = [:]
        for case .network(let model) in methods {
            resolvers[model] = try SuperResolver(model: model, scale: scale, locator: locator)
        }
        var seconds: [String: Double] = [:], pixels: [String: Int] = [:]
        var results: [SuperResolutionEvaluation.ImageResult] = []
        for (index, image) in images.enumerated() {
            defer { progress(index + 1) }
            var result = SuperResolutionEvaluation.ImageResult(
                path: image.path, category: image.category, width: 0, height: 0, scores: [:], error: nil)
            do {
                let (reference, small) = try pair(path: image.path)
                result.width = reference.width
                result.height = reference.height
                for method in methods {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let enlarged: PixelBuffer
                    switch method {
                    case .bicubic: enlarged = try Resampling.bicubic(small, width: reference.width, height: reference.height)
                    case .lanczos3: enlarged = try QualityImageOps.lanczos3(small, width: reference.width, height: reference.height)
                    case .network(let model):
                        guard let resolver = resolvers[model] else { continue }
                        enlarged = try resolver.upscale(small)
                    }
                    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    seconds[method.description, default: 0] += elapsed
                    pixels[method.description, default: 0] += reference.width * reference.height
                    var scores = try FullReferenceQuality.scores(reference: reference, test: enlarged, border: scale)
                    // Identical planes (flat images) have infinite PSNR; they count as 100 dB.
                    scores.psnr = min(scores.psnr, 100)
                    result.scores[method.description] = scores
                }
            } catch {
                result.error = "\(error)"
            }
            results.append(result)
        }
        let scored = results.filter { $0.error == nil }
        func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        let bicubicPSNR = mean(scored.compactMap { $0.scores["bicubic"]?.psnr })
        let summaries = methods.map { method -> SuperResolutionEvaluation.MethodSummary in
            let name = method.description
            let mine = scored.compactMap { r in r.scores[name].map { (r.category, $0) } }
            var perCategory: [String: FullReferenceQuality.Scores] = [:]
            for category in Set(mine.map(\.0)) {
                let values = mine.filter { $0.0 == category }.map(\.1)
                perCategory[category] = .init(psnr: mean(values.map(\.psnr)), ssim: mean(values.map(\.ssim)))
            }
            let meanPSNR = mean(mine.map(\.1.psnr))
            var descriptor: ModelDescriptor?
            if case .network(let model) = method { descriptor = resolvers[model]?.descriptor }
            let megapixels = Double(pixels[name] ?? 0) / 1e6
            return .init(
                method: name, model: descriptor?.name, modelSHA256: descriptor?.sha256, images: mine.count,
                failures: results.count - mine.count, meanPSNR: meanPSNR, meanSSIM: mean(mine.map(\.1.ssim)),
                perCategory: perCategory, secondsPerMegapixel: megapixels > 0 ? (seconds[name] ?? 0) / megapixels : 0,
                worseThanBicubic: method != .bicubic && meanPSNR < bicubicPSNR)
        }
        return SuperResolutionEvaluation(
            scale: scale, side: side, border: scale, methods: summaries, images: results,
            protocolNote: "HR = image fitted in \(side) px (libvips bicubic), cropped to a multiple of \(scale); LR = HR downscaled ×1/\(scale) with libvips bicubic (antialiased); PSNR/SSIM on BT.601 Y (16–235), \(scale) px borders excluded; SSIM: 11×11 Gaussian σ 1.5, K1 0.01, K2 0.03 (Wang et al. 2004)")
    }

    /// The reference (HR) and its downscaled input (LR) for one file; alpha is dropped.
    func pair(path: String) throws -> (PixelBuffer, PixelBuffer) {
        let decoded = NoReferenceQuality.dropAlpha(try Resampling.decodeRGBA(path: path))
        let fitted = try NoReferenceQuality.fit(decoded, side: side)
        let width = fitted.width / scale * scale, height = fitted.height / scale * scale
        guard width / scale >= 12, height / scale >= 12 else {
            throw InferenceError(.invalidArgument, "\(path) is too small (\(fitted.width)×\(fitted.height)) for ×\(scale) evaluation")
        }
        let reference = crop(fitted, width: width, height: height)
        return (reference, try Resampling.bicubic(reference, width: width / scale, height: height / scale))
    }

    func crop(_ image: PixelBuffer, width: Int, height: Int) -> PixelBuffer {
        if image.width == width && image.height == height { return image }
        var out = [UInt8](repeating: 0, count: width * height * image.channels)
        let rowBytes = width * image.channels
        for y in 0..<height {
            let from = y * image.width * image.channels
            out[(y * rowBytes)..<((y + 1) * rowBytes)] = image.pixels[from..<(from + rowBytes)]
        }
        return PixelBuffer(width: width, height: height, channels: image.channels, pixels: out)
    }

    /// A seeded, category-balanced sample: each category's images in a seeded order (SplitMix64),
    /// then taken round-robin over the categories (sorted by name) until `limit` (0 = all).
    public static func sample(_ images: [EvaluationImage], limit: Int, seed: UInt64) -> [EvaluationImage] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var byCategory: [String: [EvaluationImage]] = [:]
        for image in images.sorted(by: { $0.path < $1.path }) { byCategory[image.category, default: []].append(image) }
        var queues: [[EvaluationImage]] = []
        for category in byCategory.keys.sorted() {
            var list = byCategory[category] ?? []
            if list.count > 1 {
                for i in stride(from: list.count - 1, to: 0, by: -1) {
                    let j = Int(next() % UInt64(i + 1))
                    list.swapAt(i, j)
                }
            }
            queues.append(list)
        }
        let wanted = limit > 0 ? min(limit, images.count) : images.count
        var out: [EvaluationImage] = []
        var round = 0
        while out.count < wanted {
            var added = false
            for queue in queues where round < queue.count && out.count < wanted {
                out.append(queue[round])
                added = true
            }
            if !added { break }
            round += 1
        }
        return out
    }
}
