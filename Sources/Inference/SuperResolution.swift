import Foundation
import Imaging

/// The single-image super-resolution networks of OpenCV's `dnn_superres` (TensorFlow graphs from
/// the model mirror, Apache-2.0): ESPCN (Shi et al., CVPR 2016), FSRCNN (Dong et al., ECCV 2016)
/// and LapSRN (Lai et al., CVPR 2017). Each works on the luminance plane: input Y/255 NHWC
/// `[1, H, W, 1]`, output NCHW `[1, 1, sH, sW]`.
public enum SuperResolutionModel: String, CaseIterable, Sendable, Codable {
    case espcn, fsrcnn, lapsrn

    /// The scale factors a graph exists for.
    public var scales: [Int] { self == .lapsrn ? [2, 4] : [2, 3, 4] }

    /// Radius, in input pixels, of the network's receptive field rounded up with a safety
    /// factor: a tile margin at least this wide makes tiled output equal whole-image output.
    /// ESPCN: 5×5 + 3×3 + 3×3 convolutions (radius 4); FSRCNN: 5×5, four 3×3, a 9×9
    /// deconvolution (radius ≈ 9); LapSRN: ten 3×3 convolutions per pyramid level plus
    /// 4×4 transposed convolutions (radius ≈ 20 at ×4).
    public var contextRadius: Int {
        switch self {
        case .espcn: 8
        case .fsrcnn: 12
        case .lapsrn: 24
        }
    }

    /// Default tile side in input pixels: LapSRN keeps 64 feature maps at the output
    /// resolution, so its tiles are smaller.
    public var defaultTileSize: Int { self == .lapsrn ? 128 : 256 }

    /// The registry entry for one scale.
    /// - Throws: `InferenceError.invalidArgument` when no graph exists for that scale (LapSRN ×3).
    public func descriptor(scale: Int) throws(InferenceError) -> ModelDescriptor {
        guard scales.contains(scale) else {
            throw InferenceError(
                .invalidArgument,
                "\(rawValue) has no ×\(scale) graph; it exists for ×\(scales.map(String.init).joined(separator: ", ×"))")
        }
        return try ModelRegistry.descriptor(named: "\(rawValue)-x\(scale)")
    }
}

/// A rectangle of pixels: origin (`x`, `y`, top-left) and size, in pixels.
public struct PixelRect: Sendable, Equatable, Codable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
    public var pixelCount: Int { width * height }
}

/// How an image is cut into overlapping tiles so that a network's working memory stays bounded
/// by the tile size whatever the image size. The cores partition the image; each core is
/// padded by `margin` pixels on every side (clipped at the image edges), the network runs on the
/// padded tile and only the core of its output is kept. With `margin` ≥ the network's receptive
/// radius the result equals whole-image processing.
public struct TilePlan: Sendable, Equatable {
    public struct Tile: Sendable, Equatable {
        /// The pixels this tile is responsible for.
        public let core: PixelRect
        /// The pixels fed to the network: the core plus the margin, clipped to the image.
        public let padded: PixelRect
    }

    public let width: Int
    public let height: Int
    public let tileSize: Int
    public let margin: Int
    /// Number of tiles across and down.
    public let columns: Int
    public let rows: Int

    /// - Throws: `InferenceError.invalidArgument` for an empty image, a tile side < 1 or a
    ///   negative margin.
    public init(width: Int, height: Int, tileSize: Int, margin: Int) throws(InferenceError) {
        guard width >= 1, height >= 1, tileSize >= 1, margin >= 0 else {
            throw InferenceError(
                .invalidArgument, "cannot tile \(width)×\(height) with tiles of \(tileSize) and a margin of \(margin)")
        }
        self.width = width
        self.height = height
        self.tileSize = tileSize
        self.margin = margin
        columns = (width + tileSize - 1) / tileSize
        rows = (height + tileSize - 1) / tileSize
    }

    public var count: Int { columns * rows }

    /// The largest padded tile, in pixels: `(tileSize + 2 · margin)²`, independent of the image.
    public var maximumTilePixels: Int { (tileSize + 2 * margin) * (tileSize + 2 * margin) }

    /// Tile `index` in row-major order (`0 ..< count`).
    public func tile(_ index: Int) -> Tile {
        let column = index % columns, row = index / columns
        let x = column * tileSize, y = row * tileSize
        let core = PixelRect(x: x, y: y, width: min(tileSize, width - x), height: min(tileSize, height - y))
        let left = max(0, x - margin), top = max(0, y - margin)
        let right = min(width, core.x + core.width + margin), bottom = min(height, core.y + core.height + margin)
        return Tile(core: core, padded: PixelRect(x: left, y: top, width: right - left, height: bottom - top))
    }
}

/// Upscales images with one super-resolution graph, tile by tile.
///
/// Colour: the network runs on the luminance Y = 0.299 R + 0.587 G + 0.114 B (BT.601 full range,
/// OpenCV's `COLOR_BGR2YCrCb`, as `dnn_superres` does). Chroma comes from a libvips bicubic
/// upscale of the whole image; since R, G and B are each Y plus a function of (Cr, Cb), putting
/// the network's Y back amounts to adding ΔY = Y_network − Y_bicubic to each channel of the
/// bicubic image. Alpha is the bicubic upscale of the alpha band.
///
/// Memory: the network only ever sees one padded tile (`TilePlan.maximumTilePixels` input
/// pixels), so its feature maps are bounded by the tile size; the image planes themselves take
/// about 4 · (1 + s²) bytes per input pixel (float Y in and out) plus the 8-bit output.
public final class SuperResolver: Sendable {
    public let model: SuperResolutionModel
    public let scale: Int
    public let descriptor: ModelDescriptor
    public let tileSize: Int
    public let margin: Int
    private let network: Network

    /// Locates (sha256-checked) and loads the graph.
    /// - Parameters:
    ///   - tileSize: tile side in input pixels (default `model.defaultTileSize`).
    ///   - margin: tile margin in input pixels (default `model.contextRadius`).
    /// - Throws: `InferenceError` from the registry, the locator or OpenCV.
    public init(model: SuperResolutionModel, scale: Int, locator: ModelLocator, tileSize: Int? = nil, margin: Int? = nil)
        throws(InferenceError)
    {
        self.model = model
        self.scale = scale
        descriptor = try model.descriptor(scale: scale)
        self.tileSize = tileSize ?? model.defaultTileSize
        self.margin = margin ?? model.contextRadius
        guard self.tileSize >= 1, self.margin >= 0 else {
            throw InferenceError(.invalidArgument, "tile size \(self.tileSize) and margin \(self.margin) must be ≥ 1 and ≥ 0")
        }
        try registerSuperResolutionLayers()
        network = try locator.load(descriptor)
    }

    /// The tiles an image of this size is processed in.
    public func plan(width: Int, height: Int) throws(InferenceError) -> TilePlan {
        try TilePlan(width: width, height: height, tileSize: tileSize, margin: margin)
    }

    /// Upscales a luminance plane.
    /// - Parameters:
    ///   - luma: `width × height` values in 0…1, row-major.
    /// - Returns: `(scale · width) × (scale · height)` values, row-major (not clipped).
    /// - Throws: `InferenceError.invalidArgument` for a plane of the wrong size,
    ///   `.forwardFailed` when OpenCV fails or returns another shape than `[1, 1, sH, sW]`.
    public func upscaleLuma(_ luma: [Float], width: Int, height: Int) throws(InferenceError) -> [Float] {
        guard luma.count == width * height else {
            throw InferenceError(.invalidArgument, "luma plane has \(luma.count) values, \(width)×\(height) needs \(width * height)")
        }
        let plan = try plan(width: width, height: height)
        let s = scale
        let outWidth = width * s
        var output = [Float](repeating: 0, count: outWidth * height * s)
        for index in 0..<plan.count {
            let tile = plan.tile(index)
            let p = tile.padded
            var input = [Float](repeating: 0, count: p.pixelCount)
            luma.withUnsafeBufferPointer { source in
                for row in 0..<p.height {
                    let from = (p.y + row) * width + p.x
                    for column in 0..<p.width { input[row * p.width + column] = source[from + column] }
                }
            }
            // OpenCV's TensorFlow importer turns the graph's NHWC input into an NCHW blob; with one
            // channel the values are laid out the same either way.
            let tensor = try Tensor(shape: [1, 1, p.height, p.width], values: input)
            let name = descriptor.outputNames.first ?? "NCHW_output"
            let outputs = try network.forward(tensor, inputName: descriptor.inputName, outputs: [name])
            guard let result = outputs[name], result.shape == [1, 1, p.height * s, p.width * s] else {
                throw InferenceError(
                    .forwardFailed,
                    "\(descriptor.name) returned shape \(outputs[name]?.shape ?? []) for a \(p.width)×\(p.height) tile, expected [1, 1, \(p.height * s), \(p.width * s)]")
            }
            let c = tile.core
            let offsetX = (c.x - p.x) * s, offsetY = (c.y - p.y) * s
            let tileWidth = p.width * s
            result.values.withUnsafeBufferPointer { values in
                output.withUnsafeMutableBufferPointer { out in
                    for row in 0..<(c.height * s) {
                        let from = (offsetY + row) * tileWidth + offsetX
                        let to = (c.y * s + row) * outWidth + c.x * s
                        for column in 0..<(c.width * s) { out[to + column] = values[from + column] }
                    }
                }
            }
        }
        return output
    }

    /// Upscales an 8-bit image with 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels.
    /// - Returns: the image `scale` times wider and higher, same channels.
    /// - Throws: `InferenceError.preprocessingFailed` when libvips fails, or errors of `upscaleLuma`.
    public func upscale(_ image: PixelBuffer) throws(InferenceError) -> PixelBuffer {
        let n = image.width * image.height
        let channels = image.channels
        let colour = channels >= 3
        var luma = [Float](repeating: 0, count: n)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let base = i * channels
                luma[i] = colour
                    ? (0.299 * Float(p[base]) + 0.587 * Float(p[base + 1]) + 0.114 * Float(p[base + 2])) / 255
                    : Float(p[base]) / 255
            }
        }
        let upscaledLuma = try upscaleLuma(luma, width: image.width, height: image.height)
        let outWidth = image.width * scale, outHeight = image.height * scale
        let bicubic: PixelBuffer
        do { bicubic = try Resampling.bicubic(image, width: outWidth, height: outHeight) } catch {
            throw InferenceError(.preprocessingFailed, "cannot upscale the chroma of a \(image.width)×\(image.height) image bicubically", underlying: "\(error)")
        }
        var pixels = bicubic.pixels
        let colourChannels = colour ? 3 : 1
        pixels.withUnsafeMutableBufferPointer { p in
            upscaledLuma.withUnsafeBufferPointer { y in
                for i in 0..<(outWidth * outHeight) {
                    let base = i * channels
                    let target = y[i] * 255
                    let current: Float = colour
                        ? 0.299 * Float(p[base]) + 0.587 * Float(p[base + 1]) + 0.114 * Float(p[base + 2])
                        : Float(p[base])
                    let delta = target - current
                    for c in 0..<colourChannels {
                        p[base + c] = UInt8(max(0, min(255, (Float(p[base + c]) + delta).rounded())))
                    }
                }
            }
        }
        return PixelBuffer(width: outWidth, height: outHeight, channels: channels, pixels: pixels)
    }
}
