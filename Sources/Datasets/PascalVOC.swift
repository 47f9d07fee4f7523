import Foundation

/// Pascal VOC XML annotation files, one per image (the VOC devkit schema, also written by
/// labelImg and converters).
///
/// Coordinates are decimal numbers kept at full precision (CASES C32) and read as the corners
/// exactly as written (see `BoundingBox` for the one convention). Missing optional elements
/// take the devkit defaults (C33): `difficult` 0, `truncated` 0, `pose` `Unspecified`,
/// `occluded` absent, `verified` (labelImg root attribute) no. A missing `<size>` is left
/// nil with a warning; a store import reads it from the image.
public enum PascalVOCFormat {
    /// Image-level fields kept in `DatasetImage.extra` under these keys.
    static let imageFields = ["folder", "path", "segmented"]

    /// Reads one VOC XML file into a dataset of one image (id `imageID`), adding categories by name.
    /// - Throws: `DatasetsError.io` / `.malformed` naming the path.
    public static func read(_ url: URL, imageID: Int64 = 1, into dataset: inout Dataset) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw DatasetsError(.io, "cannot read \(url.path)", underlying: error) }
        try read(data, what: url.path, imageID: imageID, into: &dataset)
    }

    public static func read(_ data: Data, what: String, imageID: Int64 = 1, into dataset: inout Dataset) throws {
        let root = try XMLElementNode.parse(data, what: what)
        guard root.name == "annotation" else { throw DatasetsError(.malformed, "\(what): the root element is <\(root.name)>, not <annotation>") }
        var extra: [String: JSONValue] = [:]
        for field in imageFields { if let v = root.child(field) { extra[field] = .string(v.trimmedText) } }
        if let database = root.child("source")?.value("database") { extra["database"] = .string(database) }
        if let v = root.attributes["verified"] { extra["verified"] = .string(v) }
        var width: Int? = nil, height: Int? = nil
        if let size = root.child("size") {
            width = size.value("width").flatMap { NumberText.parse($0) }.map { Int($0) }
            height = size.value("height").flatMap { NumberText.parse($0) }.map { Int($0) }
            if let depth = size.value("depth") { extra["depth"] = .string(depth) }
        }
        if width == nil || height == nil { dataset.warnings.append("\(what): no <size>; the size will be read from the image") }
        let fileName = root.value("filename") ?? URL(fileURLWithPath: what).deletingPathExtension().lastPathComponent + ".jpg"
        dataset.images.append(DatasetImage(id: imageID, fileName: fileName, width: width, height: height, extra: extra))
        var nextID = (dataset.annotations.map(\.id).max() ?? 0) + 1
        for (index, object) in root.children("object").enumerated() {
            let label = "\(what): object \(index + 1)"
            guard let name = object.value("name") else { throw DatasetsError(.malformed, "\(label) has no <name>") }
            guard let b = object.child("bndbox") else { throw DatasetsError(.malformed, "\(label) (\(name)) has no <bndbox>") }
            var corners: [Double] = []
            for key in ["xmin", "ymin", "xmax", "ymax"] {
                guard let text = b.value(key), let v = NumberText.parse(text) else {
                    throw DatasetsError(.malformed, "\(label) (\(name)): <\(key)> is missing or not a number")
                }
                corners.append(v)
            }
            var objectExtra: [String: JSONValue] = [:]
            for child in object.children where !["name", "bndbox", "pose", "truncated", "difficult", "occluded"].contains(child.name) {
                objectExtra[child.name] = .string(child.trimmedText)
            }
            let categoryID = dataset.category(named: name)
            dataset.annotations.append(DatasetAnnotation(
                id: nextID, imageID: imageID, categoryID: categoryID,
                box: BoundingBox(xmin: corners[0], ymin: corners[1], xmax: corners[2], ymax: corners[3]),
                difficult: flag(object.value("difficult")), truncated: flag(object.value("truncated")),
                occluded: object.value("occluded").map { flag($0) }, pose: object.value("pose") ?? "Unspecified", extra: objectExtra))
            nextID += 1
        }
    }

    static func flag(_ s: String?) -> Bool {
        guard let s else { return false }
        return s == "1" || s.lowercased() == "true" || s.lowercased() == "yes"
    }

    /// Reads every `*.xml` of a folder (sorted by name; images numbered 1, 2, …).
    public static func readFolder(_ folder: URL) throws -> Dataset {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.lowercased().hasSuffix(".xml") }.sorted() } catch {
            throw DatasetsError(.io, "cannot list \(folder.path)", underlying: error)
        }
        var dataset = Dataset()
        for (index, name) in names.enumerated() { try read(folder.appendingPathComponent(name), imageID: Int64(index + 1), into: &dataset) }
        return dataset
    }

    /// The labelImg-style XML of one image of a dataset (tab-indented, `verified` kept when
    /// read, `<size>` written when known). Coordinates in the same form as read, to the digit.
    public static func xml(_ dataset: Dataset, imageID: Int64) -> String {
        guard let image = dataset.images.first(where: { $0.id == imageID }) else { return "" }
        let names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        func e(_ s: String) -> String { XMLText.escape(s) }
        var x = image.extra["verified"].map { "<annotation verified=\"\(e($0.text))\">\n" } ?? "<annotation>\n"
        if let folder = image.extra["folder"] { x += "\t<folder>\(e(folder.text))</folder>\n" }
        x += "\t<filename>\(e(image.fileName))</filename>\n"
        if let path = image.extra["path"] { x += "\t<path>\(e(path.text))</path>\n" }
        if let database = image.extra["database"] { x += "\t<source>\n\t\t<database>\(e(database.text))</database>\n\t</source>\n" }
        if let w = image.width, let h = image.height {
            x += "\t<size>\n\t\t<width>\(w)</width>\n\t\t<height>\(h)</height>\n" + (image.extra["depth"].map { "\t\t<depth>\(e($0.text))</depth>\n" } ?? "") + "\t</size>\n"
        }
        if let segmented = image.extra["segmented"] { x += "\t<segmented>\(e(segmented.text))</segmented>\n" }
        for a in dataset.annotations where a.imageID == imageID {
            guard let box = a.box else { continue }
            let c = box.corners
            x += "\t<object>\n\t\t<name>\(e(names[a.categoryID] ?? "\(a.categoryID)"))</name>\n"
            x += "\t\t<pose>\(e(a.pose ?? "Unspecified"))</pose>\n"
            x += "\t\t<truncated>\(a.truncated ? 1 : 0)</truncated>\n"
            x += "\t\t<difficult>\(a.difficult ? 1 : 0)</difficult>\n"
            if let o = a.occluded { x += "\t\t<occluded>\(o ? 1 : 0)</occluded>\n" }
            for (key, value) in a.extra.sorted(by: { $0.key < $1.key }) { x += "\t\t<\(key)>\(e(value.text))</\(key)>\n" }
            x += "\t\t<bndbox>\n"
            for (key, v) in zip(["xmin", "ymin", "xmax", "ymax"], c.values) { x += "\t\t\t<\(key)>\(NumberText.format(v))</\(key)>\n" }
            x += "\t\t</bndbox>\n\t</object>\n"
        }
        x += "</annotation>\n"
        return x
    }

    /// Writes one XML per image into `folder`, named after the image (`name.xml`).
    /// - Returns: the files written. - Throws: `DatasetsError.io` naming the path.
    @discardableResult
    public static func write(_ dataset: Dataset, to folder: URL) throws -> [URL] {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw DatasetsError(.io, "cannot create \(folder.path)", underlying: error)
        }
        var used = Set<String>(), written: [URL] = []
        for image in dataset.images {
            var base = (image.fileName as NSString).deletingPathExtension.replacingOccurrences(of: "/", with: "_")
            if base.isEmpty { base = "image_\(image.id)" }
            if !used.insert(base).inserted { base += "_\(image.id)" }
            let url = folder.appendingPathComponent(base + ".xml")
            do { try Data(xml(dataset, imageID: image.id).utf8).write(to: url, options: .atomic) } catch {
                throw DatasetsError(.io, "cannot write \(url.path)", underlying: error)
            }
            written.append(url)
        }
        return written
    }
}
