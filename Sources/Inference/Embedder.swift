import Foundation
import Imaging

/// The output of an image-embedding model for one image.
public struct ImageEmbedding: Sendable, Equatable {
    /// The pooled feature, L2-normalised (`dimension` Float32, ‖v‖ = 1); cosine similarity between
    /// two embeddings is their dot product.
    public let vector: [Float]
    /// The ImageNet-1k logits (1000, no softmax), when asked for.
    public let logits: [Float]?
}

/// Embeds images with an ImageNet-trained backbone, preprocessing each picture as the model was
/// trained: RGB (grey replicated, alpha composited over white, 16-bit scaled by `v >> 8`), shorter
/// side resized to 256 px (libvips Lanczos3), centre crop 224 × 224, `(x − mean) / std` per
/// channel (EfficientNet-Lite: `(x − 127) / 128`), NCHW float32.
///
/// Model: EfficientNet-Lite0 (Tan & Le, "EfficientNet", ICML 2019; Lite variant by the TensorFlow
/// TPU team). `Sendable` because `Network` serialises forward passes.
public final class Embedder: Sendable {
    public let model: ModelDescriptor
    /// Side of the square network input, pixels.
    public let inputSide: Int
    /// Shorter side before the centre crop, pixels.
    public let resizeSide: Int
    private let network: Network

    /// Loads the model through the locator (sha256 checked).
    /// - Throws: `InferenceError` (`.modelNotFound`, `.checksumMismatch`, `.loadFailed`).
    public init(model: ModelDescriptor = ModelRegistry.efficientNetLite0, locator: ModelLocator) throws(InferenceError) {
        guard model.embeddingDimension != nil, model.outputNames.contains("embedding") else {
            throw InferenceError(.invalidArgument, "model \(model.name) has no embedding output")
        }
        self.model = model
        inputSide = model.inputWidth ?? 224
        resizeSide = inputSide * 256 / 224
        network = try locator.load(model)
    }

    /// Embedding dimension (1280 for EfficientNet-Lite0).
    public var dimension: Int { model.embeddingDimension ?? 0 }

    /// Network inputs per picture: 1 for `.plain`, 2 for `.copyDetection` (grey and grey mirrored).
    public var inputsPerPicture: Int { model.embeddingDescriptor == .copyDetection ? 2 : 1 }

    /// The network input for one decoded picture: `inputsPerPicture × 3 × side × side` Float32,
    /// channel-major (CHW); for `.copyDetection` the luma picture's input, then the same mirrored.
    /// - Throws: `InferenceError.preprocessingFailed` naming the image.
    public func input(for picture: PixelBuffer, name: String = "-") throws(InferenceError) -> [Float] {
        guard model.embeddingDescriptor == .copyDetection else { return try singleInput(for: picture, name: name) }
        let grey = PixelBuffer(width: picture.width, height: picture.height, channels: 1, pixels: picture.luma())
        let upright = try singleInput(for: grey, name: name)
        var mirrored = upright
        let side = inputSide
        for row in 0..<(3 * side) {
            let start = row * side
            for x in 0..<side { mirrored[start + x] = upright[start + side - 1 - x] }
        }
        return upright + mirrored
    }

    private func singleInput(for picture: PixelBuffer, name: String, crop: Bool = true) throws(InferenceError) -> [Float] {
        var square: PixelBuffer
        do {
            square = crop ? try picture.centreCropped(shorterSide: resizeSide, crop: inputSide)
                : try picture.resized(width: inputSide, height: inputSide)
            if square.channels != 3 { square = square.replicatedToRGB() }
        } catch {
            throw InferenceError(.preprocessingFailed, "cannot resize \(name) for \(model.name)", underlying: "\(error)")
        }
        let plane = inputSide * inputSide
        var out = [Float](repeating: 0, count: 3 * plane)
        let mean = model.normalisation.mean
        let std = model.normalisation.std
        let order = model.colourOrder == .bgr ? [2, 1, 0] : [0, 1, 2]
        square.pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for c in 0..<3 {
                    let sourceChannel = order[c]
                    let m = mean[min(c, mean.count - 1)]
                    let s = 1 / std[min(c, std.count - 1)]
                    for p in 0..<plane { target[c * plane + p] = (Float(source[p * 3 + sourceChannel]) - m) * s }
                }
            }
        }
        return out
    }

    /// Embeds a batch of decoded pictures in one forward pass.
    /// - Parameters:
    ///   - pictures: 8-bit buffers (1 or 3 channels) of any size.
    ///   - includeLogits: also return the 1000 ImageNet logits.
    /// - Returns: one `ImageEmbedding` per picture, in order.
    public func embed(_ pictures: [PixelBuffer], includeLogits: Bool = false) throws(InferenceError) -> [ImageEmbedding] {
        guard !pictures.isEmpty else { return [] }
        var batch: [Float] = []
        batch.reserveCapacity(pictures.count * 3 * inputSide * inputSide)
        for (index, picture) in pictures.enumerated() { batch += try input(for: picture, name: "picture \(index)") }
        return try embed(inputs: batch, count: pictures.count, includeLogits: includeLogits)
    }

    /// The network input of a whole picture resized to `inputSide × inputSide` (Lanczos3, aspect
    /// ratio not kept, nothing cropped away) instead of the training-time centre crop: for
    /// detectors that must see edges and corners (watermarks). Same normalisation, 3 × side × side
    /// Float32 (CHW); `.plain` descriptors only.
    /// - Throws: `InferenceError.preprocessingFailed` naming the picture.
    public func uncroppedInput(for picture: PixelBuffer, name: String = "-") throws(InferenceError) -> [Float] {
        guard model.embeddingDescriptor != .copyDetection else {
            throw InferenceError(.preprocessingFailed, "\(model.name) is a copy-detection descriptor; uncropped inputs need a plain one")
        }
        return try singleInput(for: picture, name: name, crop: false)
    }

    /// Embeds whole pictures through `uncroppedInput(for:)` in one forward pass.
    /// - Returns: one L2-normalised `dimension`-d vector per picture, in order.
    public func embedUncropped(_ pictures: [PixelBuffer]) throws(InferenceError) -> [[Float]] {
        guard !pictures.isEmpty else { return [] }
        var batch: [Float] = []
        batch.reserveCapacity(pictures.count * 3 * inputSide * inputSide)
        for (index, picture) in pictures.enumerated() { batch += try uncroppedInput(for: picture, name: "view \(index)") }
        return try embed(inputs: batch, count: pictures.count).map(\.vector)
    }

    /// Embeds preprocessed inputs of `count` pictures (`count × inputsPerPicture × 3 × side × side`
    /// Float32, NCHW, as `input(for:)` makes them). For `.copyDetection` the two passes of each
    /// picture are summed before normalising, and the logits are those of the upright grey input.
    public func embed(inputs: [Float], count: Int, includeLogits: Bool = false) throws(InferenceError) -> [ImageEmbedding] {
        let passes = inputsPerPicture
        let tensor = try Tensor(shape: [count * passes, 3, inputSide, inputSide], values: inputs)
        let names = includeLogits ? ["embedding", "logits"] : ["embedding"]
        let outputs = try network.forward(tensor, inputName: model.inputName, outputs: names)
        guard let embedding = outputs["embedding"], embedding.shape.first == count * passes else {
            throw InferenceError(.forwardFailed, "\(model.name) returned no embedding of batch \(count)")
        }
        let logits = outputs["logits"]
        return (0..<count).map { i in
            var sum = Array(embedding.row(i * passes))
            for pass in 1..<passes {
                for (k, value) in embedding.row(i * passes + pass).enumerated() { sum[k] += value }
            }
            return ImageEmbedding(vector: Self.normalised(sum), logits: logits.map { Array($0.row(i * passes)) })
        }
    }

    /// Decodes a file (Imaging conventions) and embeds it.
    /// - Throws: `ImagingError` for undecodable files, `InferenceError` otherwise.
    public func embed(file path: String, includeLogits: Bool = false) throws -> ImageEmbedding {
        let picture = try Self.decodeForEmbedding(path)
        let result = try embed([picture], includeLogits: includeLogits)
        guard let first = result.first else {
            throw InferenceError(.forwardFailed, "\(model.name) returned nothing for \(path)")
        }
        return first
    }

    /// Decodes a file into the 8-bit RGB buffer the embedder starts from (full resolution when
    /// under the decoder's limit, otherwise its largest shrink-on-load thumbnail).
    public static func decodeForEmbedding(_ path: String) throws -> PixelBuffer {
        var options = DecodeOptions()
        options.thumbnailSide = 512
        let decoded = try ImageDecoder.decode(contentsOf: path, options: options)
        return decoded.full ?? decoded.thumbnail
    }

    /// `v / ‖v‖` (v unchanged when it is zero).
    public static func normalised(_ v: [Float]) -> [Float] {
        var sum: Float = 0
        for x in v { sum += x * x }
        let norm = sum.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }

    /// Cosine similarity of two vectors of equal length, in [−1, 1].
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "cosine of vectors of lengths \(a.count) and \(b.count)")
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for i in 0..<a.count {
            dot += a[i] * b[i]
            na += a[i] * a[i]
            nb += b[i] * b[i]
        }
        return na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
    }
}
