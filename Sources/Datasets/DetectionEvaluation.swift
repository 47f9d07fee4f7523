import Foundation

/// A ground-truth object for detection evaluation. Boxes in original-image pixels.
public struct GroundTruthObject: Sendable, Equatable, Codable {
    public var id: Int64
    public var imageID: Int64
    public var categoryID: Int64
    public var box: BoundingBox
    /// Square pixels, for COCO's area ranges (COCO `area`, else the box's `w × h`).
    public var area: Double
    /// COCO `iscrowd`: an ignore region, matched with the crowd IoU (intersection / detection area).
    public var isCrowd: Bool
    /// VOC `difficult`: neither counted nor penalised by the VOC protocols.
    public var difficult: Bool

    public init(id: Int64, imageID: Int64, categoryID: Int64, box: BoundingBox, area: Double? = nil, isCrowd: Bool = false, difficult: Bool = false) {
        self.id = id
        self.imageID = imageID
        self.categoryID = categoryID
        self.box = box
        self.area = area ?? box.area
        self.isCrowd = isCrowd
        self.difficult = difficult
    }
}

/// A detection (prediction) for evaluation: class, score, box in original-image pixels.
public struct Detection: Sendable, Equatable, Codable {
    public var imageID: Int64
    public var categoryID: Int64
    public var box: BoundingBox
    /// Confidence; higher first. Ties keep the input order (stable sort), as pycocotools.
    public var score: Double

    public init(imageID: Int64, categoryID: Int64, box: BoundingBox, score: Double) {
        self.imageID = imageID
        self.categoryID = categoryID
        self.box = box
        self.score = score
    }
}

/// The evaluation protocols of `vitrine evaluate detections`.
public enum DetectionProtocol: String, Sendable, Codable, CaseIterable {
    /// COCO `cocoeval` (bbox): IoU 0.50:0.05:0.95, 101 recall points, maxDets 1/10/100, area ranges.
    case coco
    /// Pascal VOC2007: IoU > 0.5 (devkit inclusive-pixel areas), 11-point interpolated AP.
    case voc07
    /// Pascal VOC2010+: IoU > 0.5, all-point (area under the monotone envelope) AP.
    case voc12
}

/// One point of a precision–recall curve.
public struct PrecisionRecallPoint: Sendable, Equatable, Codable {
    public var recall: Double
    public var precision: Double
    /// The detection score at this point (the threshold that gives it).
    public var score: Double
}

/// Per-class figures of a detection evaluation.
public struct ClassEvaluation: Sendable, Equatable, Codable {
    public var categoryID: Int64
    public var name: String
    /// Ground-truth objects that count (not crowd, not difficult).
    public var groundTruths: Int
    public var detections: Int
    /// AP (COCO: averaged over the 10 IoU thresholds; VOC: at IoU > 0.5); −1 when undefined.
    public var ap: Double
    /// AP at IoU 0.5 (COCO) — equal to `ap` for VOC; −1 when undefined.
    public var ap50: Double
    /// COCO AP at IoU 0.75; nil for VOC.
    public var ap75: Double?
    /// The precision–recall curve at IoU 0.5 (raw, before the envelope), by descending score.
    public var curve: [PrecisionRecallPoint]
}

/// The result of a detection evaluation.
public struct DetectionEvaluationResult: Sendable, Equatable, Codable {
    public var protocolName: String
    /// COCO: the 12 figures of `COCOeval.summarize()` in its order — AP, AP50, AP75, APs, APm,
    /// APl, AR1, AR10, AR100, ARs, ARm, ARl (−1 where undefined). VOC: [mAP].
    public var stats: [Double]
    public var perClass: [ClassEvaluation]
    public var images: Int
    public var groundTruths: Int
    public var detections: Int

    public static let cocoStatNames = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]
}

/// Detection evaluation exactly as the references define it, as pure functions that validate
/// their input.
///
/// - COCO: `pycocotools/cocoeval.py` (`COCOeval`, iouType `bbox`, `useCats=1`), figure for
///   figure: per image and class, detections sorted by descending score (stable), at most
///   `maxDets[-1] = 100` kept, ground truths ignored when crowd or outside the area range and
///   sorted after the others; greedy matching per IoU threshold (each ground truth at most once,
///   crowd regions any number of times, with IoU = intersection / detection area); precision
///   `tp / (tp + fp + eps)`, made monotone from the right, read at 101 recall points
///   (`searchsorted` left); −1 where no ground truth counts. Deliberate difference: a ground
///   truth with annotation id 0 is matched like any other (pycocotools stores matches as ids
///   and reads id 0 as "unmatched").
/// - VOC: `voc_eval.py` of the devkit ports: per class, detections by descending score, the
///   ground truth of largest IoU (inclusive-pixel areas, `+1`), a match when IoU > 0.5; a match
///   with a difficult object is neither TP nor FP; a second match of the same object is an FP.
///   VOC2007 averages the best precision at recall ≥ 0, 0.1, …, 1.0; VOC2010+ sums the area
///   under the monotone precision envelope at every recall change.
public enum DetectionEvaluator {
    /// COCO parameters (`Params(iouType='bbox')`).
    public struct COCOParameters: Sendable {
        public var maxDetections: [Int] = [1, 10, 100]
        public var areaRanges: [(String, Double, Double)] = [
            ("all", 0, 1e5 * 1e5), ("small", 0, 32 * 32), ("medium", 32 * 32, 96 * 96), ("large", 96 * 96, 1e5 * 1e5),
        ]
        public init() {}

        /// `np.linspace(.5, 0.95, 10)`, bit for bit.
        public static let iouThresholds: [Double] = linspace(0.5, 0.95, 10)
        /// `np.linspace(.0, 1.00, 101)`, bit for bit.
        public static let recallThresholds: [Double] = linspace(0, 1, 101)

        static func linspace(_ start: Double, _ stop: Double, _ num: Int) -> [Double] {
            let step = (stop - start) / Double(num - 1)
            var values = (0..<num).map { Double($0) * step + start }
            values[num - 1] = stop
            return values
        }
    }

    /// Checks the inputs: finite boxes with non-negative sizes, finite scores, unique ground-truth ids.
    /// - Throws: `DatasetsError.invalidInput` naming the object.
    public static func validate(groundTruth: [GroundTruthObject], detections: [Detection]) throws {
        var ids = Set<Int64>()
        for g in groundTruth {
            guard g.box.isValid else { throw DatasetsError(.invalidInput, "ground truth \(g.id) (image \(g.imageID)) has an invalid box \(g.box.values)") }
            guard g.area.isFinite, g.area >= 0 else { throw DatasetsError(.invalidInput, "ground truth \(g.id) has an invalid area \(g.area)") }
            guard ids.insert(g.id).inserted else { throw DatasetsError(.invalidInput, "ground-truth id \(g.id) repeats") }
        }
        for (i, d) in detections.enumerated() {
            guard d.box.isValid else { throw DatasetsError(.invalidInput, "detection #\(i) (image \(d.imageID)) has an invalid box \(d.box.values)") }
            guard d.score.isFinite else { throw DatasetsError(.invalidInput, "detection #\(i) (image \(d.imageID)) has a non-finite score") }
        }
    }

    /// Evaluates detections under a protocol.
    /// - Parameters:
    ///   - imageIDs: the images evaluated (COCO: every ground-truth image, `cocoGt.getImgIds()`);
    ///     detections on other images are left out.
    ///   - categories: id → name of the classes evaluated (COCO `getCatIds()`).
    /// - Throws: `DatasetsError.invalidInput` for invalid boxes or scores.
    /// - Complexity: O(T · D · G) per image and class (T IoU thresholds).
    public static func evaluate(groundTruth: [GroundTruthObject], detections: [Detection], imageIDs: [Int64],
                                categories: [Int64: String], protocol: DetectionProtocol) throws -> DetectionEvaluationResult {
        try validate(groundTruth: groundTruth, detections: detections)
        switch `protocol` {
        case .coco: return coco(groundTruth: groundTruth, detections: detections, imageIDs: imageIDs, categories: categories)
        case .voc07, .voc12: return voc(groundTruth: groundTruth, detections: detections, imageIDs: imageIDs, categories: categories, elevenPoint: `protocol` == .voc07)
        }
    }

    // MARK: COCO

    /// `maskUtils.iou` for boxes (`bbIou` of `maskApi.c`).
    static func cocoIoU(_ d: BoundingBox, _ g: BoundingBox, crowd: Bool) -> Double {
        let dx = d.x, dy = d.y, dw = d.width, dh = d.height
        let gx = g.x, gy = g.y, gw = g.width, gh = g.height
        let da = dw * dh, ga = gw * gh
        let w = min(dx + dw, gx + gw) - max(dx, gx)
        if w <= 0 { return 0 }
        let h = min(dy + dh, gy + gh) - max(dy, gy)
        if h <= 0 { return 0 }
        let i = w * h
        let u = crowd ? da : da + ga - i
        return i / u
    }

    struct ImageEvaluation {
        var scores: [Double]
        /// [T][D]: matched (to a non-ignored or ignored gt).
        var matched: [[Bool]]
        var ignored: [[Bool]]
        var gtIgnored: [Bool]
    }

    struct Key: Hashable { var image: Int64; var category: Int64 }

    static func coco(groundTruth: [GroundTruthObject], detections: [Detection], imageIDs: [Int64], categories: [Int64: String]) -> DetectionEvaluationResult {
        let params = COCOParameters()
        let iouThresholds = COCOParameters.iouThresholds, recallThresholds = COCOParameters.recallThresholds
        let images = Array(Set(imageIDs)).sorted(), categoryIDs = categories.keys.sorted()
        let imageSet = Set(images), categorySet = Set(categoryIDs)
        var gts: [Key: [GroundTruthObject]] = [:], dts: [Key: [Detection]] = [:]
        for g in groundTruth where imageSet.contains(g.imageID) && categorySet.contains(g.categoryID) { gts[Key(image: g.imageID, category: g.categoryID), default: []].append(g) }
        var usedDetections = 0
        for d in detections where imageSet.contains(d.imageID) && categorySet.contains(d.categoryID) {
            dts[Key(image: d.imageID, category: d.categoryID), default: []].append(d)
            usedDetections += 1
        }
        let maxDet = params.maxDetections.last ?? 100
        let T = iouThresholds.count, R = recallThresholds.count, K = categoryIDs.count, A = params.areaRanges.count, M = params.maxDetections.count
        // precision[t][r][k][a][m], recall[t][k][a][m]
        var precision = [Double](repeating: -1, count: T * R * K * A * M)
        var recall = [Double](repeating: -1, count: T * K * A * M)
        func pIndex(_ t: Int, _ r: Int, _ k: Int, _ a: Int, _ m: Int) -> Int { (((t * R + r) * K + k) * A + a) * M + m }
        func rIndex(_ t: Int, _ k: Int, _ a: Int, _ m: Int) -> Int { ((t * K + k) * A + a) * M + m }
        var curves: [Int64: [PrecisionRecallPoint]] = [:]

        for (k, categoryID) in categoryIDs.enumerated() {
            for (a, range) in params.areaRanges.enumerated() {
                // evaluateImg for every image (maxDet = 100).
                var evaluations: [ImageEvaluation] = []
                for image in images {
                    let key = Key(image: image, category: categoryID)
                    let g = gts[key] ?? [], d = dts[key] ?? []
                    if g.isEmpty && d.isEmpty { continue }
                    evaluations.append(evaluateImage(gt: g, dt: d, range: (range.1, range.2), maxDet: maxDet, thresholds: iouThresholds))
                }
                for (m, maxDetections) in params.maxDetections.enumerated() {
                    if evaluations.isEmpty { continue }
                    var scores: [Double] = []
                    var matched = [[Bool]](repeating: [], count: T), ignored = [[Bool]](repeating: [], count: T)
                    var npig = 0
                    for e in evaluations {
                        let n = min(maxDetections, e.scores.count)
                        scores += e.scores[0..<n]
                        for t in 0..<T {
                            matched[t] += e.matched[t][0..<n]
                            ignored[t] += e.ignored[t][0..<n]
                        }
                        npig += e.gtIgnored.filter { !$0 }.count
                    }
                    if npig == 0 { continue }
                    let order = stableOrder(scores)
                    let sortedScores = order.map { scores[$0] }
                    for t in 0..<T {
                        var tp = 0.0, fp = 0.0
                        var rc: [Double] = [], pr: [Double] = []
                        rc.reserveCapacity(order.count)
                        for i in order {
                            let isTP = matched[t][i] && !ignored[t][i]
                            let isFP = !matched[t][i] && !ignored[t][i]
                            if isTP { tp += 1 }
                            if isFP { fp += 1 }
                            rc.append(tp / Double(npig))
                            pr.append(tp / (fp + tp + Double.ulpOfOne))
                        }
                        let nd = rc.count
                        recall[rIndex(t, k, a, m)] = nd > 0 ? rc[nd - 1] : 0
                        if t == 0 && a == 0 && m == M - 1 {
                            curves[categoryID] = (0..<nd).map { PrecisionRecallPoint(recall: rc[$0], precision: pr[$0], score: sortedScores[$0]) }
                        }
                        var envelope = pr
                        if nd > 1 { for i in stride(from: nd - 1, to: 0, by: -1) where envelope[i] > envelope[i - 1] { envelope[i - 1] = envelope[i] } }
                        for (r, threshold) in recallThresholds.enumerated() {
                            let position = searchSortedLeft(rc, threshold)
                            precision[pIndex(t, r, k, a, m)] = position < nd ? envelope[position] : 0
                        }
                    }
                }
            }
        }

        func summarize(ap: Bool, iou: Double?, area: String, maxDets: Int) -> Double {
            guard let a = params.areaRanges.firstIndex(where: { $0.0 == area }), let m = params.maxDetections.firstIndex(of: maxDets) else { return -1 }
            let ts = iou.map { value in iouThresholds.indices.filter { iouThresholds[$0] == value } } ?? Array(0..<T)
            var values: [Double] = []
            for t in ts {
                for k in 0..<K {
                    if ap { for r in 0..<R { values.append(precision[pIndex(t, r, k, a, m)]) } } else { values.append(recall[rIndex(t, k, a, m)]) }
                }
            }
            let valid = values.filter { $0 > -1 }
            return valid.isEmpty ? -1 : pairwiseSum(valid) / Double(valid.count)
        }
        let stats = [
            summarize(ap: true, iou: nil, area: "all", maxDets: 100), summarize(ap: true, iou: 0.5, area: "all", maxDets: 100),
            summarize(ap: true, iou: 0.75, area: "all", maxDets: 100), summarize(ap: true, iou: nil, area: "small", maxDets: 100),
            summarize(ap: true, iou: nil, area: "medium", maxDets: 100), summarize(ap: true, iou: nil, area: "large", maxDets: 100),
            summarize(ap: false, iou: nil, area: "all", maxDets: 1), summarize(ap: false, iou: nil, area: "all", maxDets: 10),
            summarize(ap: false, iou: nil, area: "all", maxDets: 100), summarize(ap: false, iou: nil, area: "small", maxDets: 100),
            summarize(ap: false, iou: nil, area: "medium", maxDets: 100), summarize(ap: false, iou: nil, area: "large", maxDets: 100),
        ]
        let m = M - 1
        var perClass: [ClassEvaluation] = []
        for (k, categoryID) in categoryIDs.enumerated() {
            func classAP(_ ts: [Int]) -> Double {
                var values: [Double] = []
                for t in ts { for r in 0..<R { values.append(precision[pIndex(t, r, k, 0, m)]) } }
                let valid = values.filter { $0 > -1 }
                return valid.isEmpty ? -1 : pairwiseSum(valid) / Double(valid.count)
            }
            let counted = groundTruth.filter { $0.categoryID == categoryID && imageSet.contains($0.imageID) && !$0.isCrowd }.count
            perClass.append(ClassEvaluation(
                categoryID: categoryID, name: categories[categoryID] ?? "\(categoryID)", groundTruths: counted,
                detections: dts.filter { $0.key.category == categoryID }.reduce(0) { $0 + $1.value.count },
                ap: classAP(Array(0..<T)), ap50: classAP([0]), ap75: classAP([5]), curve: curves[categoryID] ?? []))
        }
        return DetectionEvaluationResult(protocolName: DetectionProtocol.coco.rawValue, stats: stats, perClass: perClass, images: images.count,
                                         groundTruths: gts.values.reduce(0) { $0 + $1.count }, detections: usedDetections)
    }

    /// `COCOeval.evaluateImg` for one image, class and area range.
    static func evaluateImage(gt allGT: [GroundTruthObject], dt allDT: [Detection], range: (Double, Double), maxDet: Int, thresholds: [Double]) -> ImageEvaluation {
        let ignoreFlags = allGT.map { $0.isCrowd || $0.area < range.0 || $0.area > range.1 }
        let gtOrder = stableOrder(ignoreFlags.map { $0 ? 0.0 : 1.0 })  // not ignored first (argsort of _ignore, mergesort)
        let gt = gtOrder.map { allGT[$0] }
        let gtIgnored = gtOrder.map { ignoreFlags[$0] }
        let dt = Array(stableOrder(allDT.map(\.score)).prefix(maxDet).map { allDT[$0] })
        let T = thresholds.count, G = gt.count, D = dt.count
        var ious = [[Double]](repeating: [Double](repeating: 0, count: G), count: D)
        for d in 0..<D { for g in 0..<G { ious[d][g] = cocoIoU(dt[d].box, gt[g].box, crowd: gt[g].isCrowd) } }
        var gtMatched = [[Bool]](repeating: [Bool](repeating: false, count: G), count: T)
        var dtMatched = [[Bool]](repeating: [Bool](repeating: false, count: D), count: T)
        var dtIgnored = [[Bool]](repeating: [Bool](repeating: false, count: D), count: T)
        if D > 0 && G > 0 {
            for (t, threshold) in thresholds.enumerated() {
                for d in 0..<D {
                    var iou = min(threshold, 1 - 1e-10)
                    var m = -1
                    for g in 0..<G {
                        if gtMatched[t][g] && !gt[g].isCrowd { continue }
                        if m > -1 && !gtIgnored[m] && gtIgnored[g] { break }
                        if ious[d][g] < iou { continue }
                        iou = ious[d][g]
                        m = g
                    }
                    if m == -1 { continue }
                    dtIgnored[t][d] = gtIgnored[m]
                    dtMatched[t][d] = true
                    gtMatched[t][m] = true
                }
            }
        }
        for d in 0..<D {
            let area = dt[d].box.area
            let outside = area < range.0 || area > range.1
            for t in 0..<T where !dtMatched[t][d] && outside { dtIgnored[t][d] = true }
        }
        return ImageEvaluation(scores: dt.map(\.score), matched: dtMatched, ignored: dtIgnored, gtIgnored: gtIgnored)
    }

    /// Indices that sort `scores` by descending value, ties in input order (`np.argsort(-s, kind='mergesort')`).
    static func stableOrder(_ scores: [Double]) -> [Int] {
        scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    /// `np.searchsorted(a, v, side='left')` on an ascending array.
    static func searchSortedLeft(_ a: [Double], _ v: Double) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// numpy's pairwise summation (blocks of 8 unrolled, split above 128), so that means agree
    /// with `np.mean` to the last bit as often as possible.
    static func pairwiseSum(_ a: [Double]) -> Double {
        // np.add.reduce starts from the first element and adds the pairwise sum of the rest.
        guard let first = a.first else { return 0 }
        return first + pairwise(a[1...])
    }

    private static func pairwise(_ a: ArraySlice<Double>) -> Double {
        let n = a.count
        if n < 8 {
            var s = 0.0
            for v in a { s += v }
            return s
        } else if n <= 128 {
            var r = [Double](repeating: 0, count: 8)
            let base = a.startIndex
            for j in 0..<8 { r[j] = a[base + j] }
            var i = 8
            while i < n - (n % 8) {
                for j in 0..<8 { r[j] += a[base + i + j] }
                i += 8
            }
            var s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n { s += a[base + i]; i += 1 }
            return s
        } else {
            var n2 = n / 2
            n2 -= n2 % 8
            return pairwise(a[a.startIndex..<(a.startIndex + n2)]) + pairwise(a[(a.startIndex + n2)...])
        }
    }

    // MARK: VOC

    /// Devkit IoU with inclusive pixel areas (`+1`), on corners.
    static func vocIoU(_ d: BoundingBox, _ g: BoundingBox) -> Double {
        let ixmin = max(g.x, d.x), iymin = max(g.y, d.y), ixmax = min(g.xmax, d.xmax), iymax = min(g.ymax, d.ymax)
        let iw = max(ixmax - ixmin + 1, 0), ih = max(iymax - iymin + 1, 0)
        let inters = iw * ih
        let uni = (d.xmax - d.x + 1) * (d.ymax - d.y + 1) + (g.xmax - g.x + 1) * (g.ymax - g.y + 1) - inters
        return inters / uni
    }

    static func voc(groundTruth: [GroundTruthObject], detections: [Detection], imageIDs: [Int64], categories: [Int64: String], elevenPoint: Bool) -> DetectionEvaluationResult {
        let imageSet = Set(imageIDs)
        var perClass: [ClassEvaluation] = []
        var used = 0
        for categoryID in categories.keys.sorted() {
            var objects: [Int64: [GroundTruthObject]] = [:]
            for g in groundTruth where g.categoryID == categoryID && imageSet.contains(g.imageID) && !g.isCrowd { objects[g.imageID, default: []].append(g) }
            let npos = objects.values.reduce(0) { $0 + $1.filter { !$0.difficult }.count }
            let dets = detections.filter { $0.categoryID == categoryID && imageSet.contains($0.imageID) }
            used += dets.count
            let order = stableOrder(dets.map(\.score))
            var taken: [Int64: [Bool]] = objects.mapValues { [Bool](repeating: false, count: $0.count) }
            var matches: [Bool?] = []  // true TP, false FP, nil neither (difficult)
            for i in order {
                let d = dets[i]
                let candidates = objects[d.imageID] ?? []
                var best = -Double.infinity, j = -1
                for (index, g) in candidates.enumerated() {
                    let o = vocIoU(d.box, g.box)
                    if o > best { best = o; j = index }
                }
                if best > 0.5 && j >= 0 {
                    if candidates[j].difficult { matches.append(nil) } else if taken[d.imageID]?[j] == false {
                        taken[d.imageID]?[j] = true
                        matches.append(true)
                    } else { matches.append(false) }
                } else { matches.append(false) }
            }
            var tp = 0.0, fp = 0.0
            var rec: [Double] = [], prec: [Double] = [], curve: [PrecisionRecallPoint] = []
            for (position, m) in matches.enumerated() {
                if m == true { tp += 1 } else if m == false { fp += 1 }
                let r = npos > 0 ? tp / Double(npos) : 0
                let p = tp / max(tp + fp, Double.ulpOfOne)
                rec.append(r)
                prec.append(p)
                curve.append(PrecisionRecallPoint(recall: r, precision: p, score: dets[order[position]].score))
            }
            let ap = npos == 0 ? -1 : vocAP(recall: rec, precision: prec, elevenPoint: elevenPoint)
            perClass.append(ClassEvaluation(categoryID: categoryID, name: categories[categoryID] ?? "\(categoryID)", groundTruths: npos,
                                            detections: dets.count, ap: ap, ap50: ap, ap75: nil, curve: curve))
        }
        let defined = perClass.map(\.ap).filter { $0 > -1 }
        let mAP = defined.isEmpty ? -1 : defined.reduce(0, +) / Double(defined.count)
        return DetectionEvaluationResult(protocolName: elevenPoint ? "voc07" : "voc12", stats: [mAP], perClass: perClass, images: imageSet.count,
                                         groundTruths: groundTruth.filter { imageSet.contains($0.imageID) }.count, detections: used)
    }

    /// `voc_ap` of the devkit ports: 11-point (VOC2007) or all-point (VOC2010+) AP from
    /// recall and precision in detection order. Always in [0, 1].
    public static func vocAP(recall: [Double], precision: [Double], elevenPoint: Bool) -> Double {
        if elevenPoint {
            var ap = 0.0
            for i in 0...10 {
                let t = Double(i) * 0.1
                let p = zip(recall, precision).filter { $0.0 >= t }.map(\.1).max() ?? 0
                ap += p / 11
            }
            return ap
        }
        let mrec = [0] + recall + [1]
        var mpre = [0] + precision + [0]
        if mpre.count > 1 { for i in stride(from: mpre.count - 1, to: 0, by: -1) { mpre[i - 1] = max(mpre[i - 1], mpre[i]) } }
        var ap = 0.0
        for i in 0..<(mrec.count - 1) where mrec[i + 1] != mrec[i] { ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1] }
        return ap
    }

    /// AP from a match vector in descending-score order (`true` = TP) and the number of ground
    /// truths, with the protocol's interpolation.
    /// - Throws: `DatasetsError.inconsistentMatches` when the vector has more TPs than there are
    ///   ground truths (each ground truth matches at most one detection; CASES C27b), and
    ///   `.invalidInput` for a negative count.
    public static func averagePrecision(matches: [Bool], groundTruths: Int, protocol: DetectionProtocol) throws -> Double {
        guard groundTruths >= 0 else { throw DatasetsError(.invalidInput, "ground-truth count \(groundTruths) is negative") }
        let tps = matches.filter { $0 }.count
        guard tps <= groundTruths else {
            throw DatasetsError(.inconsistentMatches, "the match vector has \(tps) true positives for \(groundTruths) ground truths; each ground truth matches at most one detection")
        }
        if groundTruths == 0 { return -1 }
        var tp = 0.0, fp = 0.0
        var rec: [Double] = [], prec: [Double] = []
        for m in matches {
            if m { tp += 1 } else { fp += 1 }
            rec.append(tp / Double(groundTruths))
            switch `protocol` {
            case .coco: prec.append(tp / (fp + tp + Double.ulpOfOne))
            case .voc07, .voc12: prec.append(tp / max(tp + fp, Double.ulpOfOne))
            }
        }
        switch `protocol` {
        case .voc07, .voc12: return vocAP(recall: rec, precision: prec, elevenPoint: `protocol` == .voc07)
        case .coco:
            var envelope = prec
            if envelope.count > 1 { for i in stride(from: envelope.count - 1, to: 0, by: -1) where envelope[i] > envelope[i - 1] { envelope[i - 1] = envelope[i] } }
            let thresholds = COCOParameters.recallThresholds
            let values = thresholds.map { t -> Double in
                let p = searchSortedLeft(rec, t)
                return p < envelope.count ? envelope[p] : 0
            }
            return pairwiseSum(values) / Double(values.count)
        }
    }

    /// Precision and recall of the detections with score ≥ `threshold`, from a curve.
    public static func operatingPoint(_ curve: [PrecisionRecallPoint], scoreThreshold threshold: Double) -> (precision: Double, recall: Double)? {
        guard let last = curve.last(where: { $0.score >= threshold }) else { return nil }
        return (last.precision, last.recall)
    }
}
