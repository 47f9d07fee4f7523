import Foundation

/// W3C Web Annotations (https://www.w3.org/TR/annotation-model/) whose target is a region of
/// an IIIF image or canvas: `target` = `{"source": URI, "selector": {"type":
/// "FragmentSelector", "value": "xywh=x,y,w,h"}}` or the `URI#xywh=x,y,w,h` form (Media
/// Fragments; `xywh=pixel:` accepted, `percent:` skipped). The body's `value` (a
/// `TextualBody`, `purpose` `tagging` or `classifying`) is the class. Annotations without such
/// a region are counted and skipped.
public enum WebAnnotationFormat {
    /// Parses `xywh=…` (with or without `pixel:`). nil for `percent:` or malformed values.
    public static func parseFragment(_ fragment: String) -> BoundingBox? {
        var s = fragment.trimmingCharacters(in: .whitespaces)
        guard s.hasPrefix("xywh=") else { return nil }
        s.removeFirst(5)
        if s.hasPrefix("pixel:") { s.removeFirst(6) }
        if s.hasPrefix("percent:") { return nil }
        let v = s.split(separator: ",").compactMap { NumberText.parse(String($0)) }
        guard v.count == 4, v[2] >= 0, v[3] >= 0 else { return nil }
        return BoundingBox(x: v[0], y: v[1], width: v[2], height: v[3])
    }

    /// Reads an annotation, an `AnnotationPage`/`AnnotationCollection` (`items`, `first.items`)
    /// or an IIIF v2 `sc:AnnotationList` (`resources`). Images are the targets' sources.
    /// - Returns: the dataset and how many annotations had no image region.
    public static func read(_ url: URL) throws -> (Dataset, skipped: Int) {
        try read(JSONValue.read(url), what: url.path)
    }

    public static func read(_ json: JSONValue, what: String) throws -> (Dataset, skipped: Int) {
        var list: [JSONValue] = []
        if let items = json["items"]?.array { list = items } else if let items = json["first"]?["items"]?.array { list = items }
        else if let resources = json["resources"]?.array { list = resources } else if let array = json.array { list = array } else { list = [json] }
        var dataset = Dataset()
        var skipped = 0
        var images: [String: Int64] = [:]
        for annotation in list {
            guard let (source, box) = region(annotation["target"] ?? annotation["on"]) else { skipped += 1; continue }
            let label = bodyValue(annotation["body"] ?? annotation["resource"]) ?? "annotation"
            let imageID: Int64
            if let id = images[source] { imageID = id } else {
                imageID = Int64(images.count + 1)
                images[source] = imageID
                dataset.images.append(DatasetImage(id: imageID, fileName: source))
            }
            var extra: [String: JSONValue] = [:]
            if let id = annotation["id"] ?? annotation["@id"] { extra["annotation_id"] = id }
            dataset.annotations.append(DatasetAnnotation(id: Int64(dataset.annotations.count + 1), imageID: imageID, categoryID: dataset.category(named: label),
                                                         box: box, score: annotation["score"]?.number, extra: extra))
        }
        return (dataset, skipped)
    }

    static func region(_ target: JSONValue?) -> (String, BoundingBox)? {
        guard let target else { return nil }
        if let s = target.string {
            guard let hash = s.firstIndex(of: "#"), let box = parseFragment(String(s[s.index(after: hash)...])) else { return nil }
            return (String(s[..<hash]), box)
        }
        if let array = target.array { for t in array { if let r = region(t) { return r } }; return nil }
        let source = target["source"]?.string ?? target["source"]?["id"]?.string ?? target["full"]?.string
        guard let source else { return nil }
        var selectors: [JSONValue] = []
        if let s = target["selector"] { selectors = s.array ?? [s] }
        for selector in selectors {
            if let value = selector["value"]?.string, let box = parseFragment(value) { return (source, box) }
            if let value = selector["default"]?["value"]?.string, let box = parseFragment(value) { return (source, box) }
        }
        return nil
    }

    static func bodyValue(_ body: JSONValue?) -> String? {
        guard let body else { return nil }
        if let s = body.string { return s }
        if let array = body.array { for b in array { if let v = bodyValue(b) { return v } }; return nil }
        return body["value"]?.string ?? body["chars"]?.string ?? body["label"]?.string
    }

    /// An `AnnotationPage` of the boxes: one annotation per box, `motivation` `tagging`, a
    /// `TextualBody` with the class (and `score` for predictions), the target the image's
    /// source (its IIIF image or canvas URI, or file name) with an `xywh=` FragmentSelector.
    public static func document(_ dataset: Dataset, source: (DatasetImage) -> String = { $0.fileName }, pageID: String = "urn:vitrine:annotations") -> JSONValue {
        let names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let images = Dictionary(dataset.images.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var items: [JSONValue] = []
        for a in dataset.annotations {
            guard let b = a.box?.xywh, let image = images[a.imageID] else { continue }
            let fragment = "xywh=" + b.values.map(NumberText.format).joined(separator: ",")
            var o: [String: JSONValue] = [
                "id": a.extra["annotation_id"] ?? .string("\(pageID)/\(a.id)"),
                "type": .string("Annotation"),
                "motivation": .string("tagging"),
                "body": .object(["type": .string("TextualBody"), "purpose": .string("tagging"), "value": .string(names[a.categoryID] ?? "\(a.categoryID)"), "format": .string("text/plain")]),
                "target": .object(["source": .string(source(image)), "selector": .object(["type": .string("FragmentSelector"), "conformsTo": .string("http://www.w3.org/TR/media-frags/"), "value": .string(fragment)])]),
            ]
            if let s = a.score { o["score"] = .double(s) }
            items.append(.object(o))
        }
        return .object(["@context": .string("http://www.w3.org/ns/anno.jsonld"), "id": .string(pageID), "type": .string("AnnotationPage"), "items": .array(items)])
    }
}
