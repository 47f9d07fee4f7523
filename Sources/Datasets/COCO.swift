import Foundation

/// COCO object-detection files (https://cocodataset.org/#format-data): `images`,
/// `categories`, `annotations` with `bbox` `[x, y, w, h]` (pixels, floats), `segmentation`
/// (polygons or RLE), `iscrowd`, `area`; and results files (a JSON array of
/// `{image_id, category_id, bbox, score}`).
public enum COCOFormat {
    /// Export options.
    public struct WriteOptions: Sendable {
        /// Keep the categories' ids as they are (default: renumber 1, 2, … keeping names, C29).
        public var keepCategoryIDs = false
        public init(keepCategoryIDs: Bool = false) { self.keepCategoryIDs = keepCategoryIDs }
    }

    /// Reads a COCO file: a dataset object or a results array.
    /// - Throws: `DatasetsError.io` / `.malformed` naming the path.
    public static func read(_ url: URL) throws -> Dataset {
        try read(JSONValue.read(url), what: url.path)
    }

    /// Reads a parsed COCO document (object or results array).
    public static func read(_ json: JSONValue, what: String) throws -> Dataset {
        if let array = json.array { return try readResults(array, what: what) }
        guard let object = json.object else { throw DatasetsError(.malformed, "\(what): a COCO file is a JSON object or a results array") }
        var dataset = Dataset()
        for (key, value) in object where !["images", "categories", "annotations"].contains(key) { dataset.extra[key] = value }
        var imageIDs = Set<Int64>(), categoryIDs = Set<Int64>()
        for (index, value) in (object["images"]?.array ?? []).enumerated() {
            guard let o = value.object, let id = o["id"]?.integer else { throw DatasetsError(.malformed, "\(what): images[\(index)] has no integer id") }
            guard imageIDs.insert(id).inserted else { throw DatasetsError(.invalidInput, "\(what): images[\(index)] repeats image id \(id)") }
            var extra = o
            for k in ["id", "file_name", "width", "height"] { extra[k] = nil }
            dataset.images.append(DatasetImage(id: id, fileName: o["file_name"]?.string ?? "", width: o["width"]?.integer.map { Int($0) },
                                               height: o["height"]?.integer.map { Int($0) }, extra: extra))
        }
        for (index, value) in (object["categories"]?.array ?? []).enumerated() {
            guard let o = value.object, let id = o["id"]?.integer else { throw DatasetsError(.malformed, "\(what): categories[\(index)] has no integer id") }
            guard categoryIDs.insert(id).inserted else { throw DatasetsError(.invalidInput, "\(what): categories[\(index)] repeats category id \(id)") }
            var extra = o
            for k in ["id", "name", "supercategory"] { extra[k] = nil }
            var supercategory: String? = nil
            if let s = o["supercategory"] {
                if let text = s.string { supercategory = text } else if !s.isNull { extra["supercategory"] = s } else { extra["supercategory"] = .null }
            }
            dataset.categories.append(DatasetCategory(id: id, name: o["name"]?.string ?? "\(id)", supercategory: supercategory, extra: extra))
        }
        for (index, value) in (object["annotations"]?.array ?? []).enumerated() {
            var annotation = try readAnnotation(value, index: index, what: what, warnings: &dataset.warnings)
            // A file without `area` gets the segmentation's (shoelace / mask) or the box's.
            if annotation.area == nil { annotation.area = annotation.effectiveArea }
            dataset.annotations.append(annotation)
        }
        return dataset
    }

    static func readAnnotation(_ value: JSONValue, index: Int, what: String, warnings: inout [String]) throws -> DatasetAnnotation {
        guard let o = value.object else { throw DatasetsError(.malformed, "\(what): annotations[\(index)] is not an object") }
        let label = "\(what): annotation \(o["id"]?.integer.map(String.init) ?? "#\(index)")"
        guard let imageID = o["image_id"]?.integer else { throw DatasetsError(.malformed, "\(label) has no integer image_id") }
        guard let categoryID = o["category_id"]?.integer else { throw DatasetsError(.malformed, "\(label) has no integer category_id") }
        var box: BoundingBox? = nil
        if let b = o["bbox"]?.array, !b.isEmpty {
            let numbers = b.compactMap(\.number)
            guard numbers.count == 4, numbers.allSatisfy(\.isFinite) else { throw DatasetsError(.malformed, "\(label): bbox must be 4 numbers [x, y, w, h]") }
            box = BoundingBox(x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3])
        }
        var segmentation: Segmentation? = nil
        var extra = o
        for k in ["id", "image_id", "category_id", "bbox", "segmentation", "area", "iscrowd", "score"] { extra[k] = nil }
        if let s = o["segmentation"] {
            if let rings = s.array {
                // A list of rings (each a flat [x0, y0, …]); a flat list of numbers is one ring.
                // Never read as a bbox because of its length (C28).
                let ringValues: [[JSONValue]] = rings.allSatisfy({ $0.number != nil }) && !rings.isEmpty ? [rings] : rings.map { $0.array ?? [] }
                var kept: [[Double]] = []
                var dropped = 0
                for ring in ringValues {
                    let numbers = ring.compactMap(\.number)
                    if numbers.count < 6 || numbers.count != ring.count || numbers.count % 2 != 0 { dropped += 1 } else { kept.append(numbers) }
                }
                if dropped > 0 {
                    warnings.append("\(label): dropped \(dropped) degenerate polygon ring(s) with fewer than 3 points" + (kept.isEmpty ? "; kept as bbox only" : ""))
                }
                if !kept.isEmpty { segmentation = .polygons(kept) } else if rings.isEmpty { extra["segmentation"] = .array([]) }
            } else if s.object != nil {
                let mask = try RunLengthMask(coco: s, what: label)
                segmentation = .rle(mask)
            } else if !s.isNull {
                throw DatasetsError(.malformed, "\(label): segmentation is neither polygons nor RLE")
            }
        }
        if box == nil, let segmentation { box = segmentation.boundingBox }
        var isCrowd = false
        if let c = o["iscrowd"] {
            if let b = c.integer { isCrowd = b != 0 } else if case .bool(let b) = c { isCrowd = b }
        }
        let score = o["score"]?.number
        if let score, !score.isFinite { throw DatasetsError(.malformed, "\(label): score is not a finite number") }
        return DatasetAnnotation(id: o["id"]?.integer ?? Int64(index + 1), imageID: imageID, categoryID: categoryID, box: box,
                                 segmentation: segmentation, area: o["area"]?.number, isCrowd: isCrowd, score: score, extra: extra)
    }

    /// A results file: images and categories are only ids (named by number).
    static func readResults(_ array: [JSONValue], what: String) throws -> Dataset {
        var dataset = Dataset()
        dataset.extra["vitrine_results"] = .bool(true)
        var images = Set<Int64>(), categories = Set<Int64>()
        for (index, value) in array.enumerated() {
            var annotation = try readAnnotation(value, index: index, what: what, warnings: &dataset.warnings)
            if value["id"] == nil { annotation.id = Int64(index + 1) }
            guard annotation.score != nil else { throw DatasetsError(.malformed, "\(what): result \(index) has no score") }
            dataset.annotations.append(annotation)
            images.insert(annotation.imageID)
            categories.insert(annotation.categoryID)
        }
        dataset.images = images.sorted().map { DatasetImage(id: $0, fileName: "") }
        dataset.categories = categories.sorted().map { DatasetCategory(id: $0, name: "\($0)") }
        return dataset
    }

    /// The COCO document of a dataset (a results array when it came from one, or when every
    /// annotation has a score and `results` is asked for).
    public static func document(_ dataset: Dataset, options: WriteOptions = WriteOptions(), results: Bool? = nil) -> JSONValue {
        let asResults = results ?? (dataset.extra["vitrine_results"] == .bool(true))
        let source = options.keepCategoryIDs || asResults ? dataset : dataset.renumberingCategories()
        let annotations: [JSONValue] = source.annotations.map { annotationJSON($0, results: asResults) }
        if asResults { return .array(annotations) }
        var top = source.extra
        top["vitrine_results"] = nil
        top["images"] = .array(source.images.map { image in
            var o = image.extra
            o["id"] = .int(image.id)
            o["file_name"] = .string(image.fileName)
            if let w = image.width { o["width"] = .int(Int64(w)) }
            if let h = image.height { o["height"] = .int(Int64(h)) }
            return .object(o)
        })
        top["categories"] = .array(source.categories.map { category in
            var o = category.extra
            o["id"] = .int(category.id)
            o["name"] = .string(category.name)
            if let s = category.supercategory { o["supercategory"] = .string(s) }
            return .object(o)
        })
        top["annotations"] = .array(annotations)
        return .object(top)
    }

    static func annotationJSON(_ a: DatasetAnnotation, results: Bool) -> JSONValue {
        var o = a.extra
        o["id"] = .int(a.id)
        o["image_id"] = .int(a.imageID)
        o["category_id"] = .int(a.categoryID)
        if let box = a.box?.xywh { o["bbox"] = .array(box.values.map { .double($0) }) }
        switch a.segmentation {
        case .polygons(let rings): o["segmentation"] = .array(rings.map { .array($0.map { .double($0) }) })
        case .rle(let mask): o["segmentation"] = mask.coco
        case nil: break
        }
        if let s = a.score { o["score"] = .double(s) }
        if !results || a.isCrowd {
            o["iscrowd"] = .int(a.isCrowd ? 1 : 0)
        }
        if let area = a.area { o["area"] = .double(area) } else if !results { o["area"] = .double(a.effectiveArea) }
        return .object(o)
    }

    /// Writes a dataset as a COCO file. - Throws: `DatasetsError.io` naming the path.
    public static func write(_ dataset: Dataset, to url: URL, options: WriteOptions = WriteOptions(), results: Bool? = nil) throws {
        try JSONValue.write(document(dataset, options: options, results: results), to: url)
    }
}
