import Foundation

/// An axis-aligned box in pixels of the original (EXIF-oriented) image, COCO convention:
/// top-left corner `x`, `y`, then `width` and `height`, all in pixels (fractional allowed).
public struct PixelBox: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The box spanning two corners (x1, y1) to (x2, y2), in pixels.
    public init(x1: Double, y1: Double, x2: Double, y2: Double) {
        self.init(x: x1, y: y1, width: x2 - x1, height: y2 - y1)
    }

    /// Area in square pixels (0 for an empty or inverted box).
    public var area: Double { max(0, width) * max(0, height) }

    /// Intersection over union with `other`, in [0, 1]; 0 when either box is empty.
    /// Continuous coordinates, as COCO defines it (no +1 pixel convention).
    public func intersectionOverUnion(_ other: PixelBox) -> Double {
        let ix = max(0, min(x + width, other.x + other.width) - max(x, other.x))
        let iy = max(0, min(y + height, other.y + other.height) - max(y, other.y))
        let intersection = ix * iy
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }

    /// The box clipped to `0…width × 0…height` pixels.
    public func clipped(width imageWidth: Double, height imageHeight: Double) -> PixelBox {
        let x1 = min(max(x, 0), imageWidth), y1 = min(max(y, 0), imageHeight)
        let x2 = min(max(x + width, 0), imageWidth), y2 = min(max(y + height, 0), imageHeight)
        return PixelBox(x1: x1, y1: y1, x2: x2, y2: y2)
    }
}

/// One detected object: its class (index into the model's class list and name), the model's
/// confidence in [0, 1], and its box in original pixels.
public struct Detection: Sendable, Equatable, Codable {
    public var classIndex: Int
    public var label: String
    public var score: Double
    public var box: PixelBox

    public init(classIndex: Int, label: String, score: Double, box: PixelBox) {
        self.classIndex = classIndex
        self.label = label
        self.score = score
        self.box = box
    }
}

/// Greedy non-maximum suppression.
public enum NonMaximumSuppression {
    /// Keeps, class by class, the highest-scoring box and drops every box of the same class whose
    /// IoU with a kept one is above `iouThreshold` (the greedy NMS of YOLOX's `multiclass_nms` and of
    /// torchvision's `batched_nms`). Ties in score keep input order. Returns at most `limit`
    /// detections, by descending score.
    /// - Complexity: O(n²) in the number of candidates of one class in the worst case.
    public static func classWise(_ candidates: [Detection], iouThreshold: Double, limit: Int = 300) -> [Detection] {
        let order = candidates.indices.sorted { a, b in
            candidates[a].score != candidates[b].score ? candidates[a].score > candidates[b].score : a < b
        }
        var keptByClass: [Int: [PixelBox]] = [:]
        var kept: [Detection] = []
        for index in order {
            let candidate = candidates[index]
            let others = keptByClass[candidate.classIndex, default: []]
            if others.contains(where: { $0.intersectionOverUnion(candidate.box) > iouThreshold }) { continue }
            keptByClass[candidate.classIndex, default: []].append(candidate.box)
            kept.append(candidate)
            if kept.count == limit { break }
        }
        return kept
    }
}

/// Letterbox geometry as YOLOX defines it (`preproc` in YOLOX's data augmentation): the image is
/// scaled by `min(side / width, side / height)`, placed at the top-left of a `side × side` canvas
/// and the rest is filled with the value 114.
public struct Letterbox: Sendable, Equatable {
    public let side: Int
    public let scale: Double
    public let resizedWidth: Int
    public let resizedHeight: Int

    /// - Parameters: `width`, `height` of the picture given to the model, in pixels (> 0).
    public init(width: Int, height: Int, side: Int) {
        self.side = side
        scale = min(Double(side) / Double(width), Double(side) / Double(height))
        resizedWidth = max(1, min(side, Int((Double(width) * scale).rounded())))
        resizedHeight = max(1, min(side, Int((Double(height) * scale).rounded())))
    }
}

/// Decodes the raw output of YOLOX (Ge et al., "YOLOX: Exceeding YOLO Series in 2021",
/// arXiv:2107.08430), as exported to ONNX with `decode_in_inference = False`.
public enum YOLOXDecoder {
    /// The strides of the three detection heads.
    public static let strides = [8, 16, 32]

    /// Number of anchor points for a square input of `side` pixels: Σ (side / stride)².
    public static func anchorCount(side: Int) -> Int {
        strides.reduce(0) { $0 + (side / $1) * (side / $1) }
    }

    /// Turns the `[anchors, 5 + classes]` output into detections in the pixels of the image that
    /// was letterboxed.
    ///
    /// Row layout per anchor point (grids of the strides 8, 16, 32, each row-major, y then x):
    /// `cx, cy` offsets in the cell, `log w, log h`, objectness, then one score per class; all
    /// scores already in 0…1. Decoding: centre = (offset + cell) × stride, size = exp(log) × stride,
    /// score = objectness × class score; every class whose score is above `minimumScore` gives a
    /// candidate (class-aware, as YOLOX's `multiclass_nms_class_aware`). Boxes are divided by the
    /// letterbox scale and clipped to `imageWidth × imageHeight`, then class-wise NMS is applied.
    /// - Parameters:
    ///   - output: row-major `anchors × (5 + classNames.count)` Float32 values.
    ///   - letterbox: the geometry the input was made with.
    ///   - imageWidth, imageHeight: size of the letterboxed picture in pixels.
    /// - Throws: `InferenceError.forwardFailed` when the output does not have the expected size.
    public static func decode(
        output: [Float], letterbox: Letterbox, classNames: [String],
        imageWidth: Int, imageHeight: Int, minimumScore: Double, iouThreshold: Double = 0.45
    ) throws(InferenceError) -> [Detection] {
        let columns = 5 + classNames.count
        let anchors = anchorCount(side: letterbox.side)
        guard output.count == anchors * columns else {
            throw InferenceError(.forwardFailed, "YOLOX output has \(output.count) values, expected \(anchors) × \(columns)")
        }
        var candidates: [Detection] = []
        var row = 0
        output.withUnsafeBufferPointer { values in
            for stride in strides {
                let cells = letterbox.side / stride
                for cy in 0..<cells {
                    for cx in 0..<cells {
                        defer { row += 1 }
                        let base = row * columns
                        let objectness = Double(values[base + 4])
                        guard objectness > minimumScore else { continue }
                        let centreX = (Double(values[base]) + Double(cx)) * Double(stride)
                        let centreY = (Double(values[base + 1]) + Double(cy)) * Double(stride)
                        let w = exp(Double(values[base + 2])) * Double(stride)
                        let h = exp(Double(values[base + 3])) * Double(stride)
                        let box = PixelBox(
                            x: (centreX - w / 2) / letterbox.scale, y: (centreY - h / 2) / letterbox.scale,
                            width: w / letterbox.scale, height: h / letterbox.scale
                        ).clipped(width: Double(imageWidth), height: Double(imageHeight))
                        guard box.area > 0 else { continue }
                        for c in 0..<classNames.count {
                            let score = objectness * Double(values[base + 5 + c])
                            if score > minimumScore {
                                candidates.append(Detection(classIndex: c, label: classNames[c], score: score, box: box))
                            }
                        }
                    }
                }
            }
        }
        return NonMaximumSuppression.classWise(candidates, iouThreshold: iouThreshold)
    }
}

/// Decodes the outputs of the UltraFace RFB face detector (Linzaer, "Ultra-Light-Fast-Generic-
/// Face-Detector-1MB"): `scores` `[anchors, 2]` (softmaxed; column 1 is "face") and `boxes`
/// `[anchors, 4]` as corners x1, y1, x2, y2 normalised to 0…1 of the input.
public enum UltraFaceDecoder {
    /// Detections of the class "face" (index 0) in pixels of a `imageWidth × imageHeight` image;
    /// scores above `minimumScore`, then NMS at `iouThreshold` (the reference demo uses 0.7 and 0.3).
    /// - Throws: `InferenceError.forwardFailed` when the two outputs disagree in size.
    public static func decode(
        scores: [Float], boxes: [Float], imageWidth: Int, imageHeight: Int,
        minimumScore: Double, iouThreshold: Double = 0.3
    ) throws(InferenceError) -> [Detection] {
        guard scores.count % 2 == 0, boxes.count == scores.count * 2 else {
            throw InferenceError(.forwardFailed, "UltraFace outputs disagree: \(scores.count) scores, \(boxes.count) box values")
        }
        let w = Double(imageWidth), h = Double(imageHeight)
        var candidates: [Detection] = []
        for anchor in 0..<(scores.count / 2) {
            let score = Double(scores[anchor * 2 + 1])
            guard score > minimumScore else { continue }
            let b = anchor * 4
            let box = PixelBox(
                x1: Double(boxes[b]) * w, y1: Double(boxes[b + 1]) * h,
                x2: Double(boxes[b + 2]) * w, y2: Double(boxes[b + 3]) * h
            ).clipped(width: w, height: h)
            guard box.area > 0 else { continue }
            candidates.append(Detection(classIndex: 0, label: "face", score: score, box: box))
        }
        return NonMaximumSuppression.classWise(candidates, iouThreshold: iouThreshold)
    }
}
