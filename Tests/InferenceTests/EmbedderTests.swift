import Foundation
import Imaging
import Testing

@testable import Inference

/// A locator over the shared mirror and the machine cache (where scripts/setup converts the model).
private func testLocator() -> ModelLocator {
    var environment = ProcessInfo.processInfo.environment
    environment["VITRINE_MODEL_MIRROR"] = sharedFolder.appendingPathComponent("models").path
    return ModelLocator(storeModels: nil, environment: environment)
}

/// The converted model, or nil (with the reason printed) when scripts/setup has not made it.
private func convertedEmbedder(_ model: ModelDescriptor = ModelRegistry.efficientNetLite0) throws -> Embedder? {
    let locator = testLocator()
    let present = locator.searchFolders.contains {
        FileManager.default.fileExists(atPath: $0.appendingPathComponent(model.fileName).path)
    }
    if !present {
        #expect(!sharedRequired, "the converted EfficientNet-Lite0 is missing under CI (run scripts/setup)")
        print("skipped: \(model.fileName) is not in \(locator.searchFolders.map(\.path)) (run scripts/setup)")
        return nil
    }
    return try Embedder(model: model, locator: locator)
}

/// A 320 × 240 picture with colour blocks, a diagonal ramp and a disc — enough structure for a
/// stable embedding.
private func testPicture(grey: Bool) -> PixelBuffer {
    let w = 320, h = 240
    var pixels = [UInt8](repeating: 0, count: w * h * 3)
    for y in 0..<h {
        for x in 0..<w {
            let i = (y * w + x) * 3
            let dx = x - 200, dy = y - 110
            let disc = dx * dx + dy * dy < 60 * 60
            var rgb: (Int, Int, Int) = x < 100 ? (200, 40, 30) : (30, 90 + y / 3, 180)
            if disc { rgb = (240, 220, 40) }
            if (x + y) % 40 < 6 { rgb = ((x * 255) / w, (y * 255) / h, 128) }
            pixels[i] = UInt8(rgb.0)
            pixels[i + 1] = UInt8(rgb.1)
            pixels[i + 2] = UInt8(rgb.2)
        }
    }
    let rgb = PixelBuffer(width: w, height: h, channels: 3, pixels: pixels)
    guard grey else { return rgb }
    let luma = rgb.luma()
    return PixelBuffer(width: w, height: h, channels: 3, pixels: luma.flatMap { [$0, $0, $0] })
}

private func withChannels(_ picture: PixelBuffer, _ channels: Int) -> PixelBuffer {
    var out: [UInt8] = []
    out.reserveCapacity(picture.width * picture.height * channels)
    for p in 0..<(picture.width * picture.height) {
        let r = picture.pixels[p * 3], g = picture.pixels[p * 3 + 1], b = picture.pixels[p * 3 + 2]
        switch channels {
        case 1: out.append(r)
        case 2: out += [r, 255]
        case 4: out += [r, g, b, 255]
        default: out += [r, g, b]
        }
    }
    return PixelBuffer(width: picture.width, height: picture.height, channels: channels, pixels: out)
}

@Suite(.serialized) struct EmbedderTests {
    /// CASES.md C23: L, LA, RGB, RGBA (alpha 255), palette and 16-bit files of one picture give
    /// embeddings with cosine ≥ 0.99 to the plain RGB file's.
    @Test func greyAlphaPaletteAnd16BitInputsEmbedLikeRGB() throws {
        guard let embedder = try convertedEmbedder() else { return }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = { (name: String) in folder.appendingPathComponent(name).path }

        let colour = testPicture(grey: false)
        let grey = testPicture(grey: true)
        try ImageWriter.save(colour, to: path("rgb.png"))
        try ImageWriter.save(withChannels(colour, 4), to: path("rgba.png"))
        // A palette holds ≤ 256 colours: the palette file and its RGB twin show the same 216-colour
        // (6 levels per channel) picture, so the comparison tests decoding, not quantisation.
        let posterised = PixelBuffer(width: colour.width, height: colour.height, channels: 3,
                                     pixels: colour.pixels.map { UInt8((Int($0) + 25) / 51 * 51) })
        try ImageWriter.save(posterised, to: path("posterised.png"))
        try ImageWriter.save(posterised, to: path("palette.png[palette,dither=0]"))
        try ImageWriter.save16(colour.pixels.map { UInt16($0) * 257 }, width: colour.width, height: colour.height, channels: 3, to: path("rgb16.png"))
        try ImageWriter.save(grey, to: path("grey-rgb.png"))
        try ImageWriter.save(withChannels(grey, 1), to: path("l.png"))
        try ImageWriter.save(withChannels(grey, 2), to: path("la.png"))
        try ImageWriter.save16(withChannels(grey, 1).pixels.map { UInt16($0) * 257 }, width: grey.width, height: grey.height, channels: 1, to: path("l16.png"))

        let rgb = try embedder.embed(file: path("rgb.png")).vector
        let greyRGB = try embedder.embed(file: path("grey-rgb.png")).vector
        #expect(rgb.count == 1280)
        let norm = rgb.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(norm - 1) < 1e-4)
        let posterisedRGB = try embedder.embed(file: path("posterised.png")).vector
        for (file, reference) in [("rgba.png", rgb), ("palette.png", posterisedRGB), ("rgb16.png", rgb),
                                  ("l.png", greyRGB), ("la.png", greyRGB), ("l16.png", greyRGB)] {
            let vector = try embedder.embed(file: path(file)).vector
            let cosine = Embedder.cosine(vector, reference)
            print("C23 \(file): cosine \(cosine)")
            #expect(cosine >= 0.99, "\(file): cosine \(cosine) to the RGB version")
        }
    }

    /// The copy-detection descriptor is invariant to greyscale conversion and mirroring by
    /// construction, where the plain embedding is not (grey copies sat at cosine 0.67–0.86 on the corpus).
    @Test func copyDescriptorIsInvariantToGreyscaleAndMirroring() throws {
        guard let plain = try convertedEmbedder(), let copy = try convertedEmbedder(ModelRegistry.efficientNetLite0Copy) else { return }
        let colour = testPicture(grey: false), grey = testPicture(grey: true)
        var mirroredPixels = colour.pixels
        for y in 0..<colour.height {
            for x in 0..<colour.width {
                for c in 0..<3 { mirroredPixels[(y * colour.width + x) * 3 + c] = colour[colour.width - 1 - x, y, c] }
            }
        }
        let mirrored = PixelBuffer(width: colour.width, height: colour.height, channels: 3, pixels: mirroredPixels)
        #expect(copy.inputsPerPicture == 2)
        let c = try copy.embed([colour, grey, mirrored])
        let p = try plain.embed([colour, grey, mirrored])
        #expect(c.allSatisfy { $0.vector.count == 1280 })
        let greyCopy = Embedder.cosine(c[0].vector, c[1].vector), mirrorCopy = Embedder.cosine(c[0].vector, c[2].vector)
        let greyPlain = Embedder.cosine(p[0].vector, p[1].vector), mirrorPlain = Embedder.cosine(p[0].vector, p[2].vector)
        print("copy descriptor: grey \(greyCopy) mirror \(mirrorCopy); plain: grey \(greyPlain) mirror \(mirrorPlain)")
        #expect(greyCopy > 0.9999)
        #expect(mirrorCopy > 0.99)  // not 1: the centre crop of an odd margin is one pixel off when mirrored
        #expect(greyCopy > greyPlain && mirrorCopy > mirrorPlain)
    }

    @Test func batchedAndSingleEmbeddingsAgree() throws {
        guard let embedder = try convertedEmbedder() else { return }
        let a = testPicture(grey: false), b = testPicture(grey: true)
        let batch = try embedder.embed([a, b], includeLogits: true)
        let single = try embedder.embed([b])
        #expect(batch.count == 2)
        #expect(batch[1].logits?.count == 1000)
        #expect(Embedder.cosine(batch[1].vector, single[0].vector) > 0.99999)
    }

    /// The converter's output against the reference ONNX in the model mirror: cosine ≥ 0.9999
    /// between the two models' embeddings on every decodable corpus image.
    @Test func convertedModelMatchesTheReferenceOnEveryCorpusImage() throws {
        let images = sharedFolder.appendingPathComponent("corpus/images")
        guard FileManager.default.fileExists(atPath: images.path) else {
            #expect(!sharedRequired, "../shared/corpus is missing under CI")
            print("skipped: no corpus at \(images.path)")
            return
        }
        guard let converted = try convertedEmbedder() else { return }
        let reference = try Embedder(model: ModelRegistry.efficientNetLite0Reference, locator: testLocator())
        let files = (FileManager.default.enumerator(at: images, includingPropertiesForKeys: nil)?
            .compactMap { ($0 as? URL)?.path } ?? []).sorted()
        var compared = 0, undecodable = 0
        var lowest: Float = 1
        let regular = files.filter { file in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        for start in stride(from: 0, to: regular.count, by: 16) {
            var inputs: [Float] = []
            var count = 0
            for file in regular[start..<min(start + 16, regular.count)] {
                guard let picture = try? Embedder.decodeForEmbedding(file) else {
                    undecodable += 1
                    continue
                }
                inputs += try converted.input(for: picture, name: file)
                count += 1
            }
            guard count > 0 else { continue }
            let a = try converted.embed(inputs: inputs, count: count)
            let b = try reference.embed(inputs: inputs, count: count)
            for (x, y) in zip(a, b) { lowest = min(lowest, Embedder.cosine(x.vector, y.vector)) }
            compared += count
        }
        print("converter check: \(compared) corpus images, lowest cosine \(lowest), \(undecodable) undecodable")
        #expect(compared > 400)
        #expect(lowest >= 0.9999)
    }
}
