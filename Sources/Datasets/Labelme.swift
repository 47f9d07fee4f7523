import VitrineCore
import Foundation

/// labelme JSON files (one per image): `shapes` of `shape_type` `rectangle` (two corner points)
/// and `polygon` (≥ 3 points), with `imagePath`, `imageHeight`, `imageWidth`. Other shape
/// types (circle, line, point…) are counted and skipped with a warning.
public enum LabelmeFormat {
    public static func read(_ url: URL, imageID: Int64 = 1, into dataset: inout Dataset) throws {
        let json = try JSONValue.read(url)
        try read(json, what: url.path, imageID: imageID, into: &dataset)
    }

    public static func read(_ json: JSONValue, what: String, imageID: Int64 = 1, into dataset: inout Dataset) throws {
        guard let o = json.object, let shapes = o["shapes"]?.array else { throw DatasetsError(.malformed, "\(what): a labelme file is an object with `shapes`") }
        var extra = o
        for k in ["shapes", "imagePath", "imageHeight", "imageWidth"] { extra[k] = nil }
        dataset.images.append(DatasetImage(id: imageID, fileName: o["imagePath"]?.string ?? "", width: o["imageWidth"]?.integer.map { Int($0) },
                                           height: o["imageHeight"]?.integer.map { Int($0) }, extra: extra))
        var nextID = (dataset.annotations.map(\.id).max() ?? 0) + 1
        var skipped = 0
        for (index, shape) in shapes.enumerated() {
            guard let s = shape.object, let label = s["label"]?.string, let points = s["points"]?.array else {
                throw DatasetsError(.malformed, "\(what): shapes[\(index)] needs a label and points")
            }
            let flat = points.flatMap { $0.array?.compactMap(\.number) ?? [] }
            let type = s["shape_type"]?.string ?? "polygon"
            var shapeExtra = s
            for k in ["label", "points", "shape_type"] { shapeExtra[k] = nil }
            var annotation = DatasetAnnotation(id: nextID, imageID: imageID, categoryID: dataset.category(named: label), box: nil, extra: shapeExtra)
            switch type {
            case "rectangle" where flat.count == 4:
                annotation.box = BoundingBox(xmin: min(flat[0], flat[2]), ymin: min(flat[1], flat[3]), xmax: max(flat[0], flat[2]), ymax: max(flat[1], flat[3]))
            case "polygon" where flat.count >= 6:
                annotation.segmentation = .polygons([flat])
                annotation.box = BoundingBox.enclosing(flat)
            default:
                skipped += 1
                continue
            }
            dataset.annotations.append(annotation)
            nextID += 1
        }
        if skipped > 0 { dataset.warnings.append("\(what): skipped \(skipped) shape(s) that are neither rectangles nor polygons of ≥ 3 points") }
    }

    /// The labelme document of one image.
    public static func document(_ dataset: Dataset, imageID: Int64) -> JSONValue {
        guard let image = dataset.images.first(where: { $0.id == imageID }) else { return .null }
        let names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var o = image.extra
        if o["version"] == nil { o["version"] = .string("5.0.1") }
        if o["flags"] == nil { o["flags"] = .object([:]) }
        if o["imageData"] == nil { o["imageData"] = .null }
        o["imagePath"] = .string(image.fileName)
        if let w = image.width { o["imageWidth"] = .int(Int64(w)) }
        if let h = image.height { o["imageHeight"] = .int(Int64(h)) }
        var shapes: [JSONValue] = []
        for a in dataset.annotations where a.imageID == imageID {
            var s = a.extra
            s["label"] = .string(names[a.categoryID] ?? "\(a.categoryID)")
            if case .polygons(let rings)? = a.segmentation, let ring = rings.first {
                s["shape_type"] = .string("polygon")
                s["points"] = .array(stride(from: 0, to: ring.count - 1, by: 2).map { .array([.double(ring[$0]), .double(ring[$0 + 1])]) })
            } else if let box = a.box?.corners {
                s["shape_type"] = .string("rectangle")
                s["points"] = .array([.array([.double(box.values[0]), .double(box.values[1])]), .array([.double(box.values[2]), .double(box.values[3])])])
            } else { continue }
            if s["group_id"] == nil { s["group_id"] = .null }
            if s["flags"] == nil { s["flags"] = .object([:]) }
            shapes.append(.object(s))
        }
        o["shapes"] = .array(shapes)
        return .object(o)
    }

    /// Writes one labelme JSON per image into `folder`. - Returns: the files written.
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
            let url = folder.appendingPathComponent(base + ".json")
            try JSONValue.write(document(dataset, imageID: image.id), to: url)
            written.append(url)
        }
        return written
    }
}

/// Box CSV files, one row per annotation: `image,label,xmin,ymin,xmax,ymax[,score]` (header
/// required; also read: `filename`/`file_name`/`path` for the image, `class`/`category`,
/// `x,y,w,h`/`width,height`, `confidence`/`score`, `width`/`height` of the image as
/// `image_width`/`image_height`). A row with an image but no label is an image without boxes.
public enum BoxCSVFormat {
    public static func read(_ url: URL) throws -> Dataset {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw DatasetsError(.io, "cannot read \(url.path)", underlying: error) }
        return try read(text: text, what: url.path)
    }

    public static func read(text: String, what: String) throws -> Dataset {
        let table: CSVTable
        do { table = try CSVTable(text: text) } catch { throw DatasetsError(.malformed, "\(what) is not valid CSV", underlying: error) }
        guard let imageColumn = table.column("image", "filename", "file_name", "path") else { throw DatasetsError(.malformed, "\(what): no image/filename column") }
        let labelColumn = table.column("label", "class", "category", "name")
        let corners = [table.column("xmin"), table.column("ymin"), table.column("xmax"), table.column("ymax")]
        let xywh = [table.column("x"), table.column("y"), table.column("w", "width"), table.column("h", "height")]
        let scoreColumn = table.column("score", "confidence")
        let iw = table.column("image_width"), ih = table.column("image_height")
        var dataset = Dataset()
        var imageIDs: [String: Int64] = [:]
        for (index, row) in table.rows.enumerated() {
            let name = row[imageColumn]
            let imageID: Int64
            if let id = imageIDs[name] { imageID = id } else {
                imageID = Int64(imageIDs.count + 1)
                imageIDs[name] = imageID
                dataset.images.append(DatasetImage(id: imageID, fileName: name, width: iw.flatMap { Int(row[$0]) }, height: ih.flatMap { Int(row[$0]) }))
            }
            guard let labelColumn, !row[labelColumn].isEmpty else { continue }
            func number(_ c: Int?) -> Double? { c.flatMap { NumberText.parse(row[$0]) } }
            var box: BoundingBox? = nil
            if corners.allSatisfy({ $0 != nil }) {
                let v = corners.map(number)
                guard v.allSatisfy({ $0 != nil }) else { throw DatasetsError(.malformed, "\(what): row \(index + 2) has a non-numeric corner") }
                box = BoundingBox(xmin: v[0] ?? 0, ymin: v[1] ?? 0, xmax: v[2] ?? 0, ymax: v[3] ?? 0)
            } else if xywh.allSatisfy({ $0 != nil }) {
                let v = xywh.map(number)
                guard v.allSatisfy({ $0 != nil }) else { throw DatasetsError(.malformed, "\(what): row \(index + 2) has a non-numeric x/y/w/h") }
                box = BoundingBox(x: v[0] ?? 0, y: v[1] ?? 0, width: v[2] ?? 0, height: v[3] ?? 0)
            }
            let score = scoreColumn.flatMap { NumberText.parse(row[$0]) }
            dataset.annotations.append(DatasetAnnotation(id: Int64(dataset.annotations.count + 1), imageID: imageID,
                                                         categoryID: dataset.category(named: row[labelColumn]), box: box, score: score))
        }
        return dataset
    }

    /// The CSV text: `image,label,xmin,ymin,xmax,ymax,score,image_width,image_height`.
    public static func text(_ dataset: Dataset) -> String {
        let names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var lines = ["image,label,xmin,ymin,xmax,ymax,score,image_width,image_height"]
        let byImage = Dictionary(grouping: dataset.annotations, by: \.imageID)
        for image in dataset.images {
            let size = [image.width.map(String.init) ?? "", image.height.map(String.init) ?? ""]
            let annotations = byImage[image.id] ?? []
            if annotations.isEmpty { lines.append(([CSVField.quote(image.fileName), "", "", "", "", "", ""] + size).joined(separator: ",")) }
            for a in annotations {
                let c = a.box?.corners.values.map(NumberText.format) ?? ["", "", "", ""]
                lines.append(([CSVField.quote(image.fileName), CSVField.quote(names[a.categoryID] ?? "\(a.categoryID)")] + c + [a.score.map(NumberText.format) ?? ""] + size).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func write(_ dataset: Dataset, to url: URL) throws {
        do { try Data(text(dataset).utf8).write(to: url, options: .atomic) } catch { throw DatasetsError(.io, "cannot write \(url.path)", underlying: error) }
    }
}

/// The detection CSVs of GallicaPix (`annotations/detections/`): one line per image,
/// `IMAGE_ID<TAB>class,x,y,w,h,confidence class,x,y,w,h,confidence …` (pixels, `x, y` the
/// top-left corner). Read as predictions (every annotation has a score).
public enum DetectionCSVFormat {
    public static func read(_ url: URL) throws -> Dataset {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw DatasetsError(.io, "cannot read \(url.path)", underlying: error) }
        return try read(text: text, what: url.path)
    }

    public static func read(text: String, what: String) throws -> Dataset {
        var dataset = Dataset()
        for (lineIndex, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard let name = parts.first?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { continue }
            let imageID = Int64(dataset.images.count + 1)
            dataset.images.append(DatasetImage(id: imageID, fileName: name))
            guard parts.count == 2 else { continue }
            for token in parts[1].split(separator: " ") where !token.isEmpty {
                let f = token.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard f.count == 6, let x = NumberText.parse(f[1]), let y = NumberText.parse(f[2]), let w = NumberText.parse(f[3]),
                      let h = NumberText.parse(f[4]), let score = NumberText.parse(f[5]) else {
                    throw DatasetsError(.malformed, "\(what): line \(lineIndex + 1): `\(token)` is not class,x,y,w,h,confidence")
                }
                dataset.annotations.append(DatasetAnnotation(id: Int64(dataset.annotations.count + 1), imageID: imageID, categoryID: dataset.category(named: f[0]),
                                                             box: BoundingBox(x: x, y: y, width: w, height: h), score: score,
                                                             extra: ["confidence_text": .string(f[5])]))
            }
        }
        return dataset
    }

    /// The same layout back; confidences written as they were read (`1.00` stays `1.00`).
    public static func text(_ dataset: Dataset) -> String {
        let names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let byImage = Dictionary(grouping: dataset.annotations, by: \.imageID)
        var lines: [String] = []
        for image in dataset.images {
            let detections = (byImage[image.id] ?? []).compactMap { a -> String? in
                guard let b = a.box?.xywh else { return nil }
                let score = a.extra["confidence_text"]?.string ?? a.score.map(NumberText.format) ?? "1"
                return ([names[a.categoryID] ?? "\(a.categoryID)"] + b.values.map(NumberText.format) + [score]).joined(separator: ",")
            }
            lines.append(detections.isEmpty ? image.fileName : image.fileName + "\t" + detections.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Image-folder trees for classification: `ROOT/<label>/<image>`; each image gets one
/// image-level label (an annotation without a box). Export writes symbolic links.
public enum ImageFolderFormat {
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "tif", "tiff", "jp2", "webp", "gif", "bmp"]

    public static func read(_ root: URL) throws -> Dataset {
        let fm = FileManager.default
        let labels: [String]
        do {
            labels = try fm.contentsOfDirectory(atPath: root.path).filter { !$0.hasPrefix(".") }.sorted().filter {
                var isDirectory: ObjCBool = false
                return fm.fileExists(atPath: root.appendingPathComponent($0).path, isDirectory: &isDirectory) && isDirectory.boolValue
            }
        } catch { throw DatasetsError(.io, "cannot list \(root.path)", underlying: error) }
        var dataset = Dataset()
        for label in labels {
            let folder = root.appendingPathComponent(label)
            let files = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).filter {
                !$0.hasPrefix(".") && imageExtensions.contains(($0 as NSString).pathExtension.lowercased())
            }.sorted()
            let categoryID = dataset.category(named: label)
            for file in files {
                let imageID = Int64(dataset.images.count + 1)
                dataset.images.append(DatasetImage(id: imageID, fileName: label + "/" + file))
                dataset.annotations.append(DatasetAnnotation(id: Int64(dataset.annotations.count + 1), imageID: imageID, categoryID: categoryID, box: nil))
            }
        }
        return dataset
    }

    /// Writes `root/<label>/<file name>` as symbolic links to `source(image)` (the stored
    /// original). Images with several labels appear under each; images without one are left out.
    /// - Returns: the number of links made.
    @discardableResult
    public static func write(_ dataset: Dataset, to root: URL, source: (DatasetImage) -> URL?) throws -> Int {
        let fm = FileManager.default
        let names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let images = Dictionary(dataset.images.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var made = 0
        var seen = Set<String>()
        for a in dataset.annotations {
            guard let image = images[a.imageID], let target = source(image) else { continue }
            let label = (names[a.categoryID] ?? "\(a.categoryID)").replacingOccurrences(of: "/", with: "_")
            let fileName = (image.fileName as NSString).lastPathComponent
            let link = root.appendingPathComponent(label).appendingPathComponent(fileName.isEmpty ? "image_\(image.id)" : fileName)
            guard seen.insert(link.path).inserted else { continue }
            do {
                try fm.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? fm.removeItem(at: link)
                try fm.createSymbolicLink(at: link, withDestinationURL: target)
            } catch { throw DatasetsError(.io, "cannot link \(link.path) → \(target.path)", underlying: error) }
            made += 1
        }
        return made
    }
}

/// CSV quoting for the writers.
enum CSVField {
    static func quote(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
