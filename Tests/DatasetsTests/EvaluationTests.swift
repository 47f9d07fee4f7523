import Foundation
import Testing
@testable import Datasets

/// COCO's precision is tp / (tp + fp + eps), so a perfect AP is 1 − 2.2e-16, as in pycocotools.
private func near(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-9 }

private func box(_ x: Double, _ y: Double, _ w: Double, _ h: Double) -> BoundingBox { BoundingBox(x: x, y: y, width: w, height: h) }

private func evaluate(_ gt: [GroundTruthObject], _ dt: [Detection], _ p: DetectionProtocol, images: [Int64] = [1]) throws -> DetectionEvaluationResult {
    try DetectionEvaluator.evaluate(groundTruth: gt, detections: dt, imageIDs: images, categories: [1: "thing"], protocol: p)
}

@Suite("detection evaluation")
struct EvaluationTests {
    @Test func onePerfectPredictionGivesAPOne() throws {
        let gt = [GroundTruthObject(id: 1, imageID: 1, categoryID: 1, box: box(10, 10, 50, 50))]
        let dt = [Detection(imageID: 1, categoryID: 1, box: box(10, 10, 50, 50), score: 0.9)]
        for p in DetectionProtocol.allCases { #expect(near(try evaluate(gt, dt, p).perClass[0].ap50, 1.0)) }
        #expect(near(try evaluate(gt, dt, .coco).stats[0], 1.0))
    }

    @Test func threeGroundTruthsTwoPerfectPredictionsGiveTheHandComputedAPs() throws {
        let gt = (1...3).map { GroundTruthObject(id: Int64($0), imageID: 1, categoryID: 1, box: box(Double($0) * 100, 0, 50, 50)) }
        let dt = (1...2).map { Detection(imageID: 1, categoryID: 1, box: box(Double($0) * 100, 0, 50, 50), score: 0.9) }
        let coco = try evaluate(gt, dt, .coco).perClass[0].ap50
        #expect(abs(coco - 67.0 / 101.0) < 1e-12)
        #expect(String(format: "%.4f", coco) == "0.6634")
        #expect(String(format: "%.4f", try evaluate(gt, dt, .voc12).perClass[0].ap) == "0.6667")
        #expect(String(format: "%.4f", try evaluate(gt, dt, .voc07).perClass[0].ap) == "0.6364")
    }

    /// CASES C25: matching is by descending score, not input order.
    @Test func matchingFollowsDescendingScoreNotInputOrder() throws {
        let g = box(0, 0, 100, 100)
        let gt = [GroundTruthObject(id: 1, imageID: 1, categoryID: 1, box: g)]
        // A: IoU 0.60 (60×100 inside), B: IoU 0.95.
        let a = Detection(imageID: 1, categoryID: 1, box: box(0, 0, 60, 100), score: 0.50)
        let b = Detection(imageID: 1, categoryID: 1, box: box(0, 0, 95, 100), score: 0.99)
        #expect(abs(DetectionEvaluator.cocoIoU(a.box, g, crowd: false) - 0.60) < 1e-12)
        #expect(abs(DetectionEvaluator.cocoIoU(b.box, g, crowd: false) - 0.95) < 1e-12)
        for p in DetectionProtocol.allCases {
            let result = try evaluate(gt, [a, b], p).perClass[0]
            #expect(near(result.ap50, 1.0))
            let point = try #require(DetectionEvaluator.operatingPoint(result.curve, scoreThreshold: 0.5))
            #expect(abs(point.precision - 0.5) < 1e-9 && point.recall == 1.0)
        }
    }

    /// CASES C27 (a) and (b).
    @Test func eachGroundTruthMatchesAtMostOnceAndImpossibleMatchVectorsAreRejected() throws {
        let gt = [GroundTruthObject(id: 1, imageID: 1, categoryID: 1, box: box(0, 0, 100, 100))]
        let dt = [
            Detection(imageID: 1, categoryID: 1, box: box(0, 0, 75, 100), score: 0.9),
            Detection(imageID: 1, categoryID: 1, box: box(300, 300, 10, 10), score: 0.5),
            Detection(imageID: 1, categoryID: 1, box: box(500, 500, 10, 10), score: 0.4),
        ]
        for p in DetectionProtocol.allCases {
            let result = try evaluate(gt, dt, p).perClass[0]
            #expect(near(result.ap50, 1.0))
            let lowest = try #require(DetectionEvaluator.operatingPoint(result.curve, scoreThreshold: 0.4))
            #expect(abs(lowest.precision - 1.0 / 3.0) < 1e-9)
            #expect(result.curve.allSatisfy { $0.recall <= 1 })
        }
        let vector = [true, true, true, false, true, true, false, false, false, false]
        for p in DetectionProtocol.allCases {
            #expect(throws: DatasetsError.self) { try DetectionEvaluator.averagePrecision(matches: vector, groundTruths: 4, protocol: p) }
            let ap = try DetectionEvaluator.averagePrecision(matches: [true, true, false, true, false, true], groundTruths: 4, protocol: p)
            #expect(ap >= 0 && ap <= 1)
        }
    }

    @Test func invalidBoxesAndScoresAreRejectedWithTheirImage() {
        let gt = [GroundTruthObject(id: 1, imageID: 7, categoryID: 1, box: box(0, 0, -5, 10))]
        #expect(throws: DatasetsError.self) { try evaluate(gt, [], .coco, images: [7]) }
        let dt = [Detection(imageID: 7, categoryID: 1, box: box(0, 0, 5, 5), score: .nan)]
        #expect(throws: DatasetsError.self) { try evaluate([], dt, .voc12, images: [7]) }
    }

    @Test func difficultObjectsAreNeitherCountedNorPenalisedByVOC() throws {
        let gt = [
            GroundTruthObject(id: 1, imageID: 1, categoryID: 1, box: BoundingBox(xmin: 0, ymin: 0, xmax: 99, ymax: 99)),
            GroundTruthObject(id: 2, imageID: 1, categoryID: 1, box: BoundingBox(xmin: 200, ymin: 200, xmax: 299, ymax: 299), difficult: true),
        ]
        let dt = [
            Detection(imageID: 1, categoryID: 1, box: BoundingBox(xmin: 200, ymin: 200, xmax: 299, ymax: 299), score: 0.95),
            Detection(imageID: 1, categoryID: 1, box: BoundingBox(xmin: 0, ymin: 0, xmax: 99, ymax: 99), score: 0.9),
        ]
        let r = try evaluate(gt, dt, .voc12).perClass[0]
        #expect(r.groundTruths == 1)
        #expect(r.ap == 1.0)
    }

    @Test func crowdRegionsAreIgnoredNotMissed() throws {
        let gt = [
            GroundTruthObject(id: 1, imageID: 1, categoryID: 1, box: box(0, 0, 50, 50)),
            GroundTruthObject(id: 2, imageID: 1, categoryID: 1, box: box(100, 100, 200, 200), isCrowd: true),
        ]
        let dt = [
            Detection(imageID: 1, categoryID: 1, box: box(0, 0, 50, 50), score: 0.9),
            Detection(imageID: 1, categoryID: 1, box: box(120, 120, 40, 40), score: 0.95),
            Detection(imageID: 1, categoryID: 1, box: box(150, 150, 40, 40), score: 0.8),
        ]
        let r = try evaluate(gt, dt, .coco)
        #expect(near(r.stats[0], 1.0))  // detections inside the crowd region are ignored, not false positives
    }

    @Test func undefinedFiguresAreMinusOne() throws {
        let gt = [GroundTruthObject(id: 1, imageID: 1, categoryID: 1, box: box(0, 0, 200, 200))]
        let r = try evaluate(gt, [Detection(imageID: 1, categoryID: 1, box: box(0, 0, 200, 200), score: 1)], .coco)
        #expect(r.stats[3] == -1 && r.stats[4] == -1 && near(r.stats[5], 1))  // no small or medium objects
    }

    @Test func recallAndIoUThresholdsAreNumpysLinspace() {
        #expect(DetectionEvaluator.COCOParameters.recallThresholds.count == 101)
        #expect(DetectionEvaluator.COCOParameters.iouThresholds.count == 10)
        #expect(DetectionEvaluator.COCOParameters.iouThresholds[5] == 0.75)
        #expect(DetectionEvaluator.COCOParameters.recallThresholds[7] == 7 * 0.01)
    }
}
