import Foundation

/// An axis-aligned box in the pixel coordinates of the original image (origin at the top-left
/// corner, x to the right, y down, continuous coordinates: a box covering pixel columns 0…9
/// has `x = 0, width = 10`).
///
/// It keeps the four numbers in the form its source wrote them (COCO `[x, y, w, h]` or VOC
/// corners `xmin, ymin, xmax, ymax`), so that writing it back in the same form gives the same
/// numbers to the digit (CASES C32); the other form is computed.
///
/// **Pascal VOC convention (documented once):** Vitrine reads VOC `xmin…ymax` as the corners
/// exactly as written (no ±1 shift), so `width = xmax − xmin`. The VOC evaluation protocols
/// then use the devkit's inclusive-pixel areas `(xmax − xmin + 1) × (ymax − ymin + 1)`.
public struct BoundingBox: Sendable, Equatable, Hashable, Codable {
    public enum Form: String, Sendable, Codable { case xywh, corners }
    public let form: Form
    /// The four numbers as written: `x, y, width, height` or `xmin, ymin, xmax, ymax`.
    public let values: [Double]

    public init(x: Double, y: Double, width: Double, height: Double) {
        form = .xywh
        values = [x, y, width, height]
    }

    public init(xmin: Double, ymin: Double, xmax: Double, ymax: Double) {
        form = .corners
        values = [xmin, ymin, xmax, ymax]
    }

    public var x: Double { values[0] }
    public var y: Double { values[1] }
    public var width: Double { form == .xywh ? values[2] : values[2] - values[0] }
    public var height: Double { form == .xywh ? values[3] : values[3] - values[1] }
    public var xmax: Double { form == .corners ? values[2] : values[0] + values[2] }
    public var ymax: Double { form == .corners ? values[3] : values[1] + values[3] }
    /// Area in square pixels (`width × height`).
    public var area: Double { width * height }
    /// The same box as `[x, y, w, h]`.
    public var xywh: BoundingBox { form == .xywh ? self : BoundingBox(x: x, y: y, width: width, height: height) }
    public var corners: BoundingBox { form == .corners ? self : BoundingBox(xmin: x, ymin: y, xmax: xmax, ymax: ymax) }
    /// True when every number is finite and the width and height are not negative.
    public var isValid: Bool { values.allSatisfy(\.isFinite) && width >= 0 && height >= 0 }

    /// The box around a set of points `[x0, y0, x1, y1, …]`, as corners.
    public static func enclosing(_ flat: [Double]) -> BoundingBox? {
        guard flat.count >= 2 else { return nil }
        var xs: [Double] = [], ys: [Double] = []
        for i in stride(from: 0, to: flat.count - 1, by: 2) { xs.append(flat[i]); ys.append(flat[i + 1]) }
        guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else { return nil }
        return BoundingBox(xmin: x0, ymin: y0, xmax: x1, ymax: y1)
    }
}

/// A COCO segmentation: polygons (`[[x0, y0, x1, y1, …], …]` in pixels) or a run-length mask.
public enum Segmentation: Sendable, Equatable, Hashable, Codable {
    case polygons([[Double]])
    case rle(RunLengthMask)

    /// Area in pixels: the shoelace area of the polygons (summed), or the mask's pixel count.
    public var area: Double {
        switch self {
        case .polygons(let rings): return rings.reduce(0) { $0 + Self.shoelace($1) }
        case .rle(let mask): return Double(mask.area)
        }
    }

    /// The enclosing box (of every ring's points, or of the mask's pixels), `[x, y, w, h]`.
    public var boundingBox: BoundingBox? {
        switch self {
        case .polygons(let rings):
            return BoundingBox.enclosing(rings.flatMap { $0 })?.xywh
        case .rle(let mask):
            return mask.boundingBox
        }
    }

    /// |Σ (x_i y_{i+1} − x_{i+1} y_i)| / 2 over a closed ring `[x0, y0, …]`.
    static func shoelace(_ ring: [Double]) -> Double {
        let n = ring.count / 2
        guard n >= 3 else { return 0 }
        var sum = 0.0
        for i in 0..<n {
            let j = (i + 1) % n
            sum += ring[2 * i] * ring[2 * j + 1] - ring[2 * j] * ring[2 * i + 1]
        }
        return abs(sum) / 2
    }
}

/// One image of a dataset. `fileName` is relative to the dataset's image folder (COCO
/// `file_name`, VOC `filename`, labelme `imagePath`).
public struct DatasetImage: Sendable, Equatable, Codable {
    /// The image's id in the dataset (COCO `image_id`; assigned 1, 2, … by formats without ids;
    /// the catalog item id when exported from a store).
    public var id: Int64
    public var fileName: String
    /// Pixels; nil when the source did not say (read from the image on import to a store).
    public var width: Int?
    public var height: Int?
    /// Fields Vitrine does not interpret, kept for the round trip (COCO keys, VOC `folder`,
    /// `path`, `database`, `depth`, `segmented`, `verified`, labelme `imageData`, `flags`, …).
    public var extra: [String: JSONValue]

    public init(id: Int64, fileName: String, width: Int? = nil, height: Int? = nil, extra: [String: JSONValue] = [:]) {
        self.id = id
        self.fileName = fileName
        self.width = width
        self.height = height
        self.extra = extra
    }
}

/// A class of objects. Ids are whatever the source used (0, sparse, 74673216…), mapped
/// through dictionaries, never used as array indices (CASES C29).
public struct DatasetCategory: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var supercategory: String?
    public var extra: [String: JSONValue]

    public init(id: Int64, name: String, supercategory: String? = nil, extra: [String: JSONValue] = [:]) {
        self.id = id
        self.name = name
        self.supercategory = supercategory
        self.extra = extra
    }
}

/// One annotation: an object (box, optional segmentation) or an image-level label (no box),
/// a ground truth or a prediction (with `score`).
public struct DatasetAnnotation: Sendable, Equatable, Codable {
    public var id: Int64
    public var imageID: Int64
    public var categoryID: Int64
    /// Pixels of the original image; nil for an image-level label.
    public var box: BoundingBox?
    public var segmentation: Segmentation?
    /// Square pixels as the source gave it (COCO `area`); see `effectiveArea`.
    public var area: Double?
    /// COCO `iscrowd`: an ignore region in evaluation.
    public var isCrowd: Bool
    /// Confidence in [0, 1] of a prediction; nil for ground truth.
    public var score: Double?
    /// Pascal VOC `difficult`: neither counted nor penalised by the VOC protocols.
    public var difficult: Bool
    public var truncated: Bool
    public var occluded: Bool?
    public var pose: String?
    public var extra: [String: JSONValue]

    public init(id: Int64, imageID: Int64, categoryID: Int64, box: BoundingBox?, segmentation: Segmentation? = nil,
                area: Double? = nil, isCrowd: Bool = false, score: Double? = nil, difficult: Bool = false,
                truncated: Bool = false, occluded: Bool? = nil, pose: String? = nil, extra: [String: JSONValue] = [:]) {
        self.id = id
        self.imageID = imageID
        self.categoryID = categoryID
        self.box = box
        self.segmentation = segmentation
        self.area = area
        self.isCrowd = isCrowd
        self.score = score
        self.difficult = difficult
        self.truncated = truncated
        self.occluded = occluded
        self.pose = pose
        self.extra = extra
    }

    /// The area used for COCO's area ranges: `area` when given, else the segmentation's
    /// (shoelace / mask pixels), else the box's `w × h`.
    public var effectiveArea: Double {
        if let area { return area }
        if let segmentation, segmentation.area > 0 { return segmentation.area }
        return box?.area ?? 0
    }
}

/// A dataset in memory: images, categories and annotations, with warnings from reading it.
/// Every format reads into and writes from this one model.
public struct Dataset: Sendable, Equatable, Codable {
    public var images: [DatasetImage]
    public var categories: [DatasetCategory]
    public var annotations: [DatasetAnnotation]
    /// Top-level fields kept for the round trip (COCO `info`, `licenses`, `type`).
    public var extra: [String: JSONValue]
    /// What was dropped or defaulted while reading (degenerate rings, missing sizes…). Not
    /// part of equality.
    public var warnings: [String]

    public init(images: [DatasetImage] = [], categories: [DatasetCategory] = [], annotations: [DatasetAnnotation] = [],
                extra: [String: JSONValue] = [:], warnings: [String] = []) {
        self.images = images
        self.categories = categories
        self.annotations = annotations
        self.extra = extra
        self.warnings = warnings
    }

    public static func == (a: Dataset, b: Dataset) -> Bool {
        a.images == b.images && a.categories == b.categories && a.annotations == b.annotations && a.extra == b.extra
    }

    /// The category with a name, creating it (next free id) when absent. - Returns: its id.
    @discardableResult
    public mutating func category(named name: String) -> Int64 {
        if let c = categories.first(where: { $0.name == name }) { return c.id }
        let id = (categories.map(\.id).max() ?? 0) + 1
        categories.append(DatasetCategory(id: id, name: name))
        return id
    }

    /// Category ids renumbered 1, 2, … in the order of the categories (names, supercategories
    /// and every annotation's class kept), as COCO export does unless told to keep ids (C29).
    public func renumberingCategories() -> Dataset {
        var copy = self
        var map: [Int64: Int64] = [:]
        for (index, category) in categories.enumerated() { map[category.id] = Int64(index + 1) }
        for i in copy.categories.indices { copy.categories[i].id = Int64(i + 1) }
        for i in copy.annotations.indices { copy.annotations[i].categoryID = map[copy.annotations[i].categoryID] ?? copy.annotations[i].categoryID }
        return copy
    }

    /// Counts of annotations per category name.
    public func countsByCategory() -> [String: Int] {
        let names = Dictionary(categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var counts: [String: Int] = [:]
        for a in annotations { counts[names[a.categoryID] ?? "\(a.categoryID)", default: 0] += 1 }
        return counts
    }

    /// Throws when an annotation names an unknown image or category, ids repeat, or a box is
    /// invalid. - Throws: `DatasetsError.invalidInput` naming the annotation.
    public func validate() throws {
        let imageIDs = Set(images.map(\.id)), categoryIDs = Set(categories.map(\.id))
        guard imageIDs.count == images.count else { throw DatasetsError(.invalidInput, "image ids repeat") }
        guard categoryIDs.count == categories.count else { throw DatasetsError(.invalidInput, "category ids repeat") }
        for a in annotations {
            guard imageIDs.contains(a.imageID) else { throw DatasetsError(.invalidInput, "annotation \(a.id) refers to unknown image \(a.imageID)") }
            guard categoryIDs.contains(a.categoryID) else { throw DatasetsError(.invalidInput, "annotation \(a.id) refers to unknown category \(a.categoryID)") }
            if let box = a.box, !box.isValid { throw DatasetsError(.invalidInput, "annotation \(a.id) has an invalid box \(box.values)") }
            if let s = a.score, !s.isFinite { throw DatasetsError(.invalidInput, "annotation \(a.id) has a non-finite score") }
        }
    }
}

/// Number formatting shared by the text writers (VOC, CSV, W3C): integers without a
/// fraction, other values in Swift's shortest round-tripping form (`281.70000076293945`).
enum NumberText {
    static func format(_ d: Double) -> String {
        if d.rounded() == d && abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    /// Parses a decimal number, allowing surrounding spaces. nil when it is not one.
    static func parse(_ s: String) -> Double? {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty, let d = Double(t), d.isFinite else { return nil }
        return d
    }
}
