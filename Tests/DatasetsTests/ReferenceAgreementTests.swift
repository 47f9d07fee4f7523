import VitrineCore
import Foundation
import Testing
@testable import Datasets

/// Predictions made from a ground truth: each object jittered (up to ±`jitter` of its size),
/// dropped with probability 0.15, duplicated now and then, plus false positives; scores seeded.
func jitteredPredictions(_ dataset: Dataset, seed: UInt64, jitter: Double = 0.15, falsePositivesPerImage: Int = 2, quantiseScores: Bool = false) -> [Detection] {
    var rng = SplitMix64(seed: seed)
    var detections: [Detection] = []
    let categoryIDs = dataset.categories.map(\.id)
    func score() -> Double {
        let s = Double.random(in: 0.05...0.99, using: &rng)
        return quantiseScores ? (s * 5).rounded() / 5 : s  // few distinct values: many ties
    }
    for a in dataset.annotations {
        guard let b = a.box?.xywh else { continue }
        if Double.random(in: 0..<1, using: &rng) < 0.15 { continue }
        let copies = Double.random(in: 0..<1, using: &rng) < 0.1 ? 2 : 1
        for _ in 0..<copies {
            let dx = Double.random(in: -jitter...jitter, using: &rng) * b.width, dy = Double.random(in: -jitter...jitter, using: &rng) * b.height
            let sw = 1 + Double.random(in: -jitter...jitter, using: &rng), sh = 1 + Double.random(in: -jitter...jitter, using: &rng)
            detections.append(Detection(imageID: a.imageID, categoryID: a.categoryID,
                                        box: BoundingBox(x: b.x + dx, y: b.y + dy, width: b.width * sw, height: b.height * sh), score: score()))
        }
    }
    for image in dataset.images {
        let w = Double(image.width ?? 640), h = Double(image.height ?? 480)
        for _ in 0..<falsePositivesPerImage {
            guard let c = categoryIDs.randomElement(using: &rng) else { continue }
            let bw = Double.random(in: 4...(w / 2), using: &rng), bh = Double.random(in: 4...(h / 2), using: &rng)
            detections.append(Detection(imageID: image.id, categoryID: c, box: BoundingBox(x: Double.random(in: 0...(w - bw), using: &rng),
                                                                                           y: Double.random(in: 0...(h - bh), using: &rng), width: bw, height: bh), score: score()))
        }
    }
    detections.shuffle(using: &rng)
    return detections
}

/// A generated ground truth exercising what `cocoeval` is sensitive to: category ids 0,
/// sparse and 74673216; crowd regions; objects in every area range; images with > 100 boxes.
func generatedGroundTruth(seed: UInt64) -> Dataset {
    var rng = SplitMix64(seed: seed)
    var d = Dataset()
    d.categories = [DatasetCategory(id: 0, name: "zero"), DatasetCategory(id: 17, name: "sparse"), DatasetCategory(id: 74_673_216, name: "huge")]
    var nextID: Int64 = 0
    for imageID in Int64(1)...6 {
        d.images.append(DatasetImage(id: imageID * 1000, fileName: "img\(imageID).jpg", width: 1000, height: 800))
        let count = imageID == 3 ? 130 : Int.random(in: 3...12, using: &rng)
        for _ in 0..<count {
            let side: Double = [Double.random(in: 4...31, using: &rng), Double.random(in: 33...95, using: &rng), Double.random(in: 97...300, using: &rng)].randomElement(using: &rng) ?? 50
            let w = side * Double.random(in: 0.6...1.4, using: &rng), h = side * Double.random(in: 0.6...1.4, using: &rng)
            let crowd = Double.random(in: 0..<1, using: &rng) < 0.06
            let c = d.categories.randomElement(using: &rng)?.id ?? 0
            d.annotations.append(DatasetAnnotation(id: nextID, imageID: imageID * 1000, categoryID: c,
                                                   box: BoundingBox(x: Double.random(in: 0...(1000 - w), using: &rng), y: Double.random(in: 0...(800 - h), using: &rng), width: w, height: h),
                                                   area: w * h * Double.random(in: 0.7...1.0, using: &rng), isCrowd: crowd))
            nextID += 1
        }
    }
    return d
}

@Suite("agreement with pycocotools", .serialized)
struct ReferenceAgreementTests {
    /// Compares every summary figure and per-category AP/AP50/AP75; returns the largest |Δ|.
    func compare(_ gt: Dataset, _ dt: [Detection], label: String) throws -> Double? {
        guard let reference = try pycocotools(groundTruth: gt, detections: dt) else { return nil }
        let ours = try DetectionEvaluator.evaluate(groundTruth: gt.groundTruthObjects, detections: dt, imageIDs: gt.images.map(\.id),
                                                   categories: gt.categoryNames, protocol: .coco)
        #expect(reference.stats.count == 12)
        var largest = 0.0
        for (i, (a, b)) in zip(ours.stats, reference.stats).enumerated() {
            largest = max(largest, abs(a - b))
            #expect(abs(a - b) < 1e-6, "\(label): \(DetectionEvaluationResult.cocoStatNames[i]) \(a) vs pycocotools \(b)")
        }
        for c in ours.perClass {
            let ref = try #require(reference.perCategory[c.categoryID], "\(label): category \(c.categoryID) missing from pycocotools")
            for (a, b) in zip([c.ap, c.ap50, c.ap75 ?? -1], ref) {
                largest = max(largest, abs(a - b))
                #expect(abs(a - b) < 1e-6, "\(label): category \(c.categoryID) \(a) vs \(b)")
            }
        }
        print("pycocotools agreement, \(label): max |Δ| = \(largest) over 12 summary figures and \(ours.perClass.count) × 3 per-category APs; stats \(ours.stats.map { String(format: "%.4f", $0) })")
        return largest
    }

    @Test func corpusCOCOSampleAgreesWithPycocotools() throws {
        guard let annotations = Paths.annotations else { return }
        for (name, seed) in [("publaynet_samples.json", UInt64(1)), ("labelme2coco/annotations.json", UInt64(2))] {
            let gt = try COCOFormat.read(annotations.appendingPathComponent("coco").appendingPathComponent(name))
            for variant in 0..<3 {
                let dt = jitteredPredictions(gt, seed: seed * 10 + UInt64(variant), jitter: [0.05, 0.15, 0.3][variant], quantiseScores: variant == 2)
                _ = try compare(gt, dt, label: "\(name) variant \(variant)")
            }
        }
    }

    @Test func generatedCasesAgreeWithPycocotools() throws {
        for seed in UInt64(1)...4 {
            let gt = generatedGroundTruth(seed: seed)
            let dt = jitteredPredictions(gt, seed: seed + 100, jitter: 0.2, falsePositivesPerImage: seed == 2 ? 40 : 5, quantiseScores: seed % 2 == 0)
            _ = try compare(gt, dt, label: "generated seed \(seed)")
        }
    }
}
