import Foundation
import Imaging

/// An object or face detector on OpenCV DNN: YOLOX-nano (80 COCO classes) or UltraFace RFB-320 /
/// RFB-640 (faces), each with the preprocessing and box decoding its authors define.
///
/// - YOLOX-nano (`ModelRegistry.yoloxNano`): letterbox to 416 × 416 (top-left, pad 114), BGR,
///   raw 0…255, NCHW; grid decoding on strides 8/16/32; class-aware scores; class-wise NMS at IoU 0.45.
/// - UltraFace (`ultraFace320`, `ultraFace640`): resize to 320 × 240 or 640 × 480 (aspect ratio not
///   kept), RGB, (x − 127) / 128, NCHW; corner boxes normalised to 0…1; NMS at IoU 0.3.
///
/// `Sendable`: the `Network` serialises forward passes (see its documentation); everything else is
/// immutable.
public final class Detector: Sendable {
    /// The two box decoders Vitrine knows.
    public enum Family: String, Sendable, Codable {
        case yolox, ultraface
    }

    public let model: ModelDescriptor
    public let family: Family
    /// Class names in the order of the model's class scores.
    public let classNames: [String]
    /// IoU above which a box of the same class is suppressed.
    public let iouThreshold: Double
    private let network: Network

    /// The NMS IoU of a family: 0.45 as YOLOX's demo, 0.3 as UltraFace's.
    static func iouThreshold(_ family: Family) -> Double { family == .yolox ? 0.45 : 0.3 }

    /// The NMS IoU `Detector(model:)` uses for `model`, without loading it; nil for a model that is not a detector.
    public static func iouThreshold(for model: ModelDescriptor) -> Double? { family(model).map(iouThreshold) }

    static func family(_ model: ModelDescriptor) -> Family? {
        switch model.name {
        case ModelRegistry.yoloxNano.name: .yolox
        case ModelRegistry.ultraFace320.name, ModelRegistry.ultraFace640.name: .ultraface
        default: nil
        }
    }

    /// Loads a detector model through `locator` (sha256 checked).
    /// - Throws: `InferenceError.unknownModel` for a model that is not a detector, and the
    ///   locator's and OpenCV's errors.
    public init(model: ModelDescriptor, locator: ModelLocator) throws(InferenceError) {
        guard let family = Self.family(model) else {
            throw InferenceError(.unknownModel, "model \(model.name) is not a detector (use yolox-nano, ultraface-320 or ultraface-640)")
        }
        self.family = family
        classNames = family == .yolox ? COCOClasses.names : ["face"]
        iouThreshold = Self.iouThreshold(family)
        self.model = model
        network = try locator.load(model)
    }

    /// The detector models of the registry, by name.
    public static let models: [ModelDescriptor] = [ModelRegistry.yoloxNano, ModelRegistry.ultraFace320, ModelRegistry.ultraFace640]

    /// Side of the picture worth decoding for this model (twice the input's longer side), so that
    /// a shrink-on-load thumbnail can stand in for the full image.
    public var workingSide: Int { 2 * max(model.inputWidth ?? 416, model.inputHeight ?? 416) }

    /// Detects objects in `picture` (8-bit RGB, 3 channels, any size, e.g. a thumbnail) and returns
    /// boxes in the pixels of the original image of `originalWidth × originalHeight` that the
    /// picture was made from (boxes are scaled by `originalWidth / picture.width` and
    /// `originalHeight / picture.height`), by descending score.
    /// - Parameter minimumScore: detections scoring at or below it are dropped (0…1).
    /// - Throws: `InferenceError.preprocessingFailed` (resize), `.forwardFailed` (OpenCV, or an
    ///   output of unexpected size).
    public func detect(
        _ picture: PixelBuffer, originalWidth: Int, originalHeight: Int, minimumScore: Double
    ) throws(InferenceError) -> [Detection] {
        guard picture.channels == 3, picture.width > 0, picture.height > 0 else {
            throw InferenceError(.preprocessingFailed, "\(model.name) needs an RGB picture, got \(picture.channels) channels, \(picture.width) × \(picture.height) px")
        }
        let detections: [Detection]
        switch family {
        case .yolox: detections = try detectYOLOX(picture, minimumScore: minimumScore)
        case .ultraface: detections = try detectUltraFace(picture, minimumScore: minimumScore)
        }
        let sx = Double(originalWidth) / Double(picture.width)
        let sy = Double(originalHeight) / Double(picture.height)
        return detections.map { d in
            var scaled = d
            scaled.box = PixelBox(x: d.box.x * sx, y: d.box.y * sy, width: d.box.width * sx, height: d.box.height * sy)
            return scaled
        }
    }

    private func resized(_ picture: PixelBuffer, _ width: Int, _ height: Int) throws(InferenceError) -> PixelBuffer {
        if picture.width == width && picture.height == height { return picture }
        do {
            return try picture.resized(width: width, height: height)
        } catch {
            throw InferenceError(.preprocessingFailed, "cannot resize a \(picture.width) × \(picture.height) picture for \(model.name)", underlying: "\(error)")
        }
    }

    private func output(_ outputs: [String: Tensor], _ name: String) throws(InferenceError) -> Tensor {
        guard let tensor = outputs[name] else {
            throw InferenceError(.forwardFailed, "\(model.name) gave no output named \(name)")
        }
        return tensor
    }

    private func detectYOLOX(_ picture: PixelBuffer, minimumScore: Double) throws(InferenceError) -> [Detection] {
        let side = model.inputWidth ?? 416
        let letterbox = Letterbox(width: picture.width, height: picture.height, side: side)
        let small = try resized(picture, letterbox.resizedWidth, letterbox.resizedHeight)
        let plane = side * side
        var values = [Float](repeating: 114, count: 3 * plane)
        for y in 0..<small.height {
            for x in 0..<small.width {
                let source = (y * small.width + x) * 3
                let target = y * side + x
                // BGR order: channel 0 is blue.
                values[target] = Float(small.pixels[source + 2])
                values[plane + target] = Float(small.pixels[source + 1])
                values[2 * plane + target] = Float(small.pixels[source])
            }
        }
        let input = try Tensor(shape: [1, 3, side, side], values: values)
        let outputs = try network.forward(input, inputName: model.inputName, outputs: model.outputNames)
        let raw = try output(outputs, model.outputNames.first ?? "output")
        return try YOLOXDecoder.decode(
            output: raw.values, letterbox: letterbox, classNames: classNames,
            imageWidth: picture.width, imageHeight: picture.height,
            minimumScore: minimumScore, iouThreshold: iouThreshold)
    }

    private func detectUltraFace(_ picture: PixelBuffer, minimumScore: Double) throws(InferenceError) -> [Detection] {
        let width = model.inputWidth ?? 320, height = model.inputHeight ?? 240
        let small = try resized(picture, width, height)
        let plane = width * height
        var values = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            for c in 0..<3 {
                values[c * plane + i] = (Float(small.pixels[i * 3 + c]) - 127) / 128
            }
        }
        let input = try Tensor(shape: [1, 3, height, width], values: values)
        let outputs = try network.forward(input, inputName: model.inputName, outputs: ["scores", "boxes"])
        return try UltraFaceDecoder.decode(
            scores: try output(outputs, "scores").values, boxes: try output(outputs, "boxes").values,
            imageWidth: picture.width, imageHeight: picture.height,
            minimumScore: minimumScore, iouThreshold: iouThreshold)
    }
}

/// The 80 COCO object classes in the order of YOLOX's class scores (the `COCO_CLASSES` of YOLOX and
/// `coco.names` of the OpenCV model zoo; a test checks it against the mirror's file).
public enum COCOClasses {
    public static let names: [String] = [
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
        "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
        "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
        "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
        "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
        "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant",
        "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
        "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors",
        "teddy bear", "hair drier", "toothbrush",
    ]

    /// The older (VOC-style) spellings that some class lists, e.g. the OpenCV model zoo's
    /// `coco.names`, use for six of these classes.
    public static let vocSpellings: [String: String] = [
        "motorcycle": "motorbike", "airplane": "aeroplane", "couch": "sofa",
        "potted plant": "pottedplant", "dining table": "diningtable", "tv": "tvmonitor",
    ]
}
