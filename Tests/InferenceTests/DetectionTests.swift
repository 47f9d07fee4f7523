import Foundation
import Imaging
import Testing

@testable import Inference

@Suite struct DetectionDecodingTests {
    @Test func nonMaximumSuppressionKeepsTheBestBoxPerClassAndOverlappingBoxesOfOtherClasses() {
        let a = PixelBox(x: 0, y: 0, width: 10, height: 10)
        let b = PixelBox(x: 1, y: 0, width: 10, height: 10)  // IoU with a = 90 / 110 = 0.818
        let c = PixelBox(x: 20, y: 20, width: 5, height: 5)
        let kept = NonMaximumSuppression.classWise([
            Detection(classIndex: 0, label: "p", score: 0.6, box: b),
            Detection(classIndex: 0, label: "p", score: 0.9, box: a),
            Detection(classIndex: 1, label: "q", score: 0.5, box: b),
            Detection(classIndex: 0, label: "p", score: 0.4, box: c),
        ], iouThreshold: 0.5)
        #expect(kept.map(\.score) == [0.9, 0.5, 0.4])
        #expect(abs(a.intersectionOverUnion(b) - 90.0 / 110.0) < 1e-12)
    }

    @Test func letterboxScalesTheLongerSideToTheInputAndKeepsTheAspectRatio() {
        let lb = Letterbox(width: 832, height: 416, side: 416)
        #expect(lb.scale == 0.5)
        #expect(lb.resizedWidth == 416 && lb.resizedHeight == 208)
        #expect(YOLOXDecoder.anchorCount(side: 416) == 3549)
    }

    @Test func yoloxRowsDecodeToGridCentresAndExponentialSizesInOriginalPixels() throws {
        let classes = ["a", "b"]
        let columns = 7
        var output = [Float](repeating: 0, count: 3549 * columns)
        // Stride 16 grid (26 × 26) starts after the 52² stride-8 rows; cell x = 3, y = 2.
        let row = 52 * 52 + 2 * 26 + 3
        output[row * columns + 0] = 0.5       // centre x = (0.5 + 3) · 16 = 56
        output[row * columns + 1] = 0.25      // centre y = (0.25 + 2) · 16 = 36
        output[row * columns + 2] = Float(log(2.0))  // w = 2 · 16 = 32
        output[row * columns + 3] = 0         // h = 16
        output[row * columns + 4] = 0.9       // objectness
        output[row * columns + 5] = 0.5       // class a → 0.45
        output[row * columns + 6] = 1.0       // class b → 0.9
        let letterbox = Letterbox(width: 832, height: 832, side: 416)  // scale 0.5
        let detections = try YOLOXDecoder.decode(
            output: output, letterbox: letterbox, classNames: classes,
            imageWidth: 832, imageHeight: 832, minimumScore: 0.3)
        #expect(detections.count == 2)
        let best = try #require(detections.first)
        #expect(best.label == "b")
        #expect(abs(best.score - 0.9) < 1e-6)
        // Box in letterbox pixels: x 40…72, y 28…44; divided by the scale 0.5.
        #expect(abs(best.box.x - 80) < 1e-4 && abs(best.box.y - 56) < 1e-4)
        #expect(abs(best.box.width - 64) < 1e-4 && abs(best.box.height - 32) < 1e-4)
    }

    @Test func yoloxOutputOfTheWrongSizeIsAnError() {
        #expect(throws: InferenceError.self) {
            _ = try YOLOXDecoder.decode(
                output: [0, 1, 2], letterbox: Letterbox(width: 10, height: 10, side: 416), classNames: ["a"],
                imageWidth: 10, imageHeight: 10, minimumScore: 0.3)
        }
    }

    @Test func ultraFaceCornersAreScaledToTheImageAndLowScoresDropped() throws {
        let scores: [Float] = [0.1, 0.9, 0.8, 0.2]
        let boxes: [Float] = [0.25, 0.5, 0.75, 1.0, 0, 0, 0.5, 0.5]
        let faces = try UltraFaceDecoder.decode(scores: scores, boxes: boxes, imageWidth: 200, imageHeight: 100, minimumScore: 0.7)
        #expect(faces.count == 1)
        #expect(faces.first?.box == PixelBox(x: 50, y: 50, width: 100, height: 50))
    }

    @Test func cocoClassNamesMatchTheMirrorFileUpToItsVOCSpellings() throws {
        let url = sharedFolder.appendingPathComponent("models/detection/yolox_coco.names")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            #expect(!sharedRequired, "\(url.path) is missing under CI")
            print("skipped: no \(url.path)")
            return
        }
        let mirror = text.split(whereSeparator: \.isNewline).map(String.init)
        #expect(mirror.count == COCOClasses.names.count)
        for (ours, theirs) in zip(COCOClasses.names, mirror) {
            #expect(ours == theirs || COCOClasses.vocSpellings[ours] == theirs, "\(ours) vs \(theirs)")
        }
    }
}

/// The real models from the mirror on real corpus images.
@Suite struct DetectorTests {
    static let locator = ModelLocator(storeModels: nil, environment: ["VITRINE_MODEL_MIRROR": sharedFolder.appendingPathComponent("models").path])

    func picture(_ relative: String, detector: Detector) throws -> (PixelBuffer, ImageHeader)? {
        let path = sharedFolder.appendingPathComponent("corpus/images/\(relative)").path
        guard FileManager.default.fileExists(atPath: path) else {
            #expect(!sharedRequired, "\(path) is missing under CI")
            print("skipped: no \(path)")
            return nil
        }
        var options = DecodeOptions()
        options.thumbnailSide = detector.workingSide
        options.fullResolutionPixels = 0
        let decoded = try ImageDecoder.decode(contentsOf: path, options: options)
        return (decoded.thumbnail, decoded.header)
    }

    func loaded(_ model: ModelDescriptor) throws -> Detector? {
        guard FileManager.default.fileExists(atPath: sharedFolder.appendingPathComponent("models").path) else {
            #expect(!sharedRequired, "the model mirror is missing under CI")
            return nil
        }
        return try Detector(model: model, locator: Self.locator)
    }

    /// GallicaPix's own face detector found 6 faces with confidence ≥ 0.99 on this page
    /// (`annotations/detections/gallicapix_face/bpt6k252609d-1-3.csv`).
    @Test func ultraFaceFindsTheSixConfidentFacesOfTheGallicaPixCSV() throws {
        guard let detector = try loaded(ModelRegistry.ultraFace320),
              let (picture, header) = try picture("newspaper/gallicapix__bpt6k252609d-1-3.jpg", detector: detector)
        else { return }
        let reference = [
            PixelBox(x: 372, y: 95, width: 97, height: 140), PixelBox(x: 59, y: 108, width: 89, height: 137),
            PixelBox(x: 197, y: 42, width: 129, height: 189), PixelBox(x: 223, y: 303, width: 100, height: 116),
            PixelBox(x: 387, y: 281, width: 102, height: 145), PixelBox(x: 27, y: 290, width: 107, height: 157),
        ]
        let faces = try detector.detect(picture, originalWidth: header.width, originalHeight: header.height, minimumScore: 0.7)
        let found = reference.filter { ref in faces.contains { $0.box.intersectionOverUnion(ref) >= 0.5 } }
        print("ultraface-320: \(faces.count) faces, \(found.count)/6 reference faces at IoU ≥ 0.5")
        #expect(found.count == 6)
        for face in faces {
            #expect(face.box.x >= 0 && face.box.y >= 0)
            #expect(face.box.x + face.box.width <= Double(header.width) + 1e-9)
            #expect(face.box.y + face.box.height <= Double(header.height) + 1e-9)
        }
    }

    @Test func yoloxFindsPeopleInAGroupPortraitPhotograph() throws {
        guard let detector = try loaded(ModelRegistry.yoloxNano),
              let (picture, header) = try picture("photograph/epl__group_portrait_photo_19c.jpg", detector: detector)
        else { return }
        let detections = try detector.detect(picture, originalWidth: header.width, originalHeight: header.height, minimumScore: 0.3)
        let people = detections.filter { $0.label == "person" }
        print("yolox-nano: \(detections.count) detections, \(people.count) person")
        #expect(people.count >= 2)
        #expect(detections.allSatisfy { $0.score > 0.3 && $0.score <= 1 })
        #expect(zip(detections, detections.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test func aNonDetectorModelIsRefused() {
        #expect(throws: InferenceError.self) {
            _ = try Detector(model: ModelRegistry.efficientNetLite0Reference, locator: Self.locator)
        }
    }
}
