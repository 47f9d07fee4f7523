import Catalog
import Datasets
import Foundation
import Logging

/// The annotation formats of `vitrine dataset import|export`.
public enum AnnotationFormat: String, Sendable, Codable, CaseIterable {
    case coco, voc, labelme, folders, csv, detections, zooniverse, w3c

    /// A guess from a path: `.xml` or a folder of them → voc, `.json` → coco (w3c when it is
    /// an annotation or annotation page, labelme when it has `shapes`), `.csv` → csv.
    public static func guess(_ url: URL) -> AnnotationFormat {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            if names.contains(where: { $0.hasSuffix(".xml") }) { return .voc }
            if names.contains(where: { $0.hasSuffix(".json") }) { return .labelme }
            return .folders
        }
        switch url.pathExtension.lowercased() {
        case "xml": return .voc
        case "csv", "tsv":
            let head = (try? String(contentsOf: url, encoding: .utf8))?.prefix(200) ?? ""
            if head.contains("subject_ids") || head.contains("classification_id") { return .zooniverse }
            if !head.contains(",image") && head.contains("\t") { return .detections }
            return .csv
        default:
            guard let json = try? JSONValue.read(url) else { return .coco }
            if json["shapes"] != nil { return .labelme }
            if json["type"]?.string?.hasPrefix("Annotation") == true || json["@context"] != nil { return .w3c }
            return .coco
        }
    }
}

/// What `vitrine dataset import` did.
public struct DatasetImportSummary: Codable, Sendable, Equatable {
    public var sourceID: Int64
    public var format: String
    public var kind: String
    public var images: Int
    /// Image files that were not yet in the catalog and were ingested now.
    public var imagesIngested: Int
    /// Image files found in the catalog already (by path or by SHA-256 of the bytes).
    public var imagesAlreadyInCatalog: Int
    /// Images of the file that were not found on disk (their annotations are left out).
    public var imagesMissing: Int
    public var annotations: Int
    public var annotationsLeftOut: Int
    public var categories: Int
    public var warnings: [String]
}

/// Reads annotation files into the catalog and writes them back out.
public struct DatasetJobs: Sendable {
    public let catalog: Catalog
    public let logger: Logger

    public init(catalog: Catalog, logger: Logger = Logger(label: "vitrine.dataset")) {
        self.catalog = catalog
        self.logger = logger
    }

    /// Reads a file or folder in a format. Returns the dataset and, per image id, the folder its
    /// `fileName` is relative to.
    public static func read(_ url: URL, format: AnnotationFormat, images: URL? = nil) throws -> (Dataset, [Int64: URL]) {
        let (dataset, folders, _) = try readWithFiles(url, format: format, images: images)
        return (dataset, folders)
    }

    /// `read`, also giving the annotation file each image came from (VOC, labelme), whose
    /// stem names the image when the file's own `filename` does not exist.
    static func readWithFiles(_ url: URL, format: AnnotationFormat, images: URL? = nil) throws -> (Dataset, [Int64: URL], [Int64: URL]) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let isFolder = fm.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        let base = images ?? (isFolder ? url : url.deletingLastPathComponent())
        func perFile(_ suffix: String, _ readOne: (URL, Int64, inout Dataset) throws -> Void) throws -> (Dataset, [Int64: URL], [Int64: URL]) {
            var dataset = Dataset()
            var folders: [Int64: URL] = [:], sources: [Int64: URL] = [:]
            let files: [URL]
            if isFolder {
                files = ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0.lowercased().hasSuffix(suffix) }.sorted().map { url.appendingPathComponent($0) }
            } else { files = [url] }
            for (i, file) in files.enumerated() {
                try readOne(file, Int64(i + 1), &dataset)
                folders[Int64(i + 1)] = images ?? file.deletingLastPathComponent()
                sources[Int64(i + 1)] = file
            }
            return (dataset, folders, sources)
        }
        switch format {
        case .coco:
            let d = try COCOFormat.read(url)
            return (d, Dictionary(uniqueKeysWithValues: d.images.map { ($0.id, base) }), [:])
        case .voc: return try perFile(".xml") { try PascalVOCFormat.read($0, imageID: $1, into: &$2) }
        case .labelme: return try perFile(".json") { try LabelmeFormat.read($0, imageID: $1, into: &$2) }
        case .folders:
            let d = try ImageFolderFormat.read(url)
            return (d, Dictionary(uniqueKeysWithValues: d.images.map { ($0.id, url) }), [:])
        case .csv:
            let d = try BoxCSVFormat.read(url)
            return (d, Dictionary(uniqueKeysWithValues: d.images.map { ($0.id, base) }), [:])
        case .detections:
            let d = try DetectionCSVFormat.read(url)
            return (d, Dictionary(uniqueKeysWithValues: d.images.map { ($0.id, base) }), [:])
        case .zooniverse:
            let d = try ZooniverseFormat.read(url).0
            return (d, Dictionary(uniqueKeysWithValues: d.images.map { ($0.id, base) }), [:])
        case .w3c:
            let d = try WebAnnotationFormat.read(url).0
            return (d, Dictionary(uniqueKeysWithValues: d.images.map { ($0.id, base) }), [:])
        }
    }

    /// The file of an image, if it exists: an absolute `fileName`, else relative to its
    /// folder, else its last path component in that folder, else VOC's `<path>`.
    static func locate(_ image: DatasetImage, folder: URL?, annotationFile: URL? = nil) -> URL? {
        let fm = FileManager.default
        var candidates: [URL] = []
        if image.fileName.hasPrefix("/") { candidates.append(URL(fileURLWithPath: image.fileName)) }
        if image.fileName.hasPrefix("file://"), let u = URL(string: image.fileName) { candidates.append(u) }
        if let folder, !image.fileName.isEmpty {
            candidates.append(folder.appendingPathComponent(image.fileName))
            candidates.append(folder.appendingPathComponent((image.fileName as NSString).lastPathComponent))
        }
        if let path = image.extra["path"]?.string, path.hasPrefix("/") { candidates.append(URL(fileURLWithPath: path)) }
        if let annotationFile {
            let stem = annotationFile.deletingPathExtension()
            for ext in ["jpg", "jpeg", "png", "tif", "tiff", "jp2", "webp", "JPG", "PNG"] { candidates.append(stem.appendingPathExtension(ext)) }
        }
        var isDirectory: ObjCBool = false
        return candidates.first { fm.fileExists(atPath: $0.path, isDirectory: &isDirectory) && !isDirectory.boolValue }?.standardizedFileURL
    }

    /// Imports an annotation file: its images are found on disk and ingested once (an image
    /// already in the catalog, by path or by the SHA-256 of its bytes, is reused, never copied
    /// again), then the labels are stored as one source with their provenance.
    public func importFile(_ url: URL, format: AnnotationFormat, kind: String, images: URL?, name: String?, ingest: IngestOptions) async throws -> DatasetImportSummary {
        let url = url.standardizedFileURL
        var (dataset, folders, annotationFiles) = try Self.readWithFiles(url, format: format, images: images)
        // A COCO results file names images and classes by the ids of a COCO ground truth:
        // map them through the latest COCO source that knows them.
        var resultItems: [Int64: Int64] = [:]
        if dataset.extra["vitrine_results"] == .bool(true) { try mapResults(&dataset, items: &resultItems) }
        var located: [Int64: String] = [:]
        var missing = 0
        for image in dataset.images where resultItems[image.id] == nil {
            if let file = Self.locate(image, folder: folders[image.id], annotationFile: annotationFiles[image.id]) { located[image.id] = file.path } else { missing += 1 }
        }
        // Reuse what the catalog has: same path, else same bytes.
        var states = try catalog.sourceStates()
        var itemOf: [Int64: Int64] = [:]
        var toIngest: [String] = []
        var already = 0
        itemOf.merge(resultItems) { a, _ in a }
        for (imageID, path) in located.sorted(by: { $0.key < $1.key }) where itemOf[imageID] == nil {
            if let state = states[path] { itemOf[imageID] = state.id; already += 1; continue }
            if let data = try? Data(contentsOf: URL(fileURLWithPath: path)),
               let item = try catalog.items(sha256: ImageAnalyzer.sha256(data)).first(where: { $0.status == "ok" }), let id = item.id {
                itemOf[imageID] = id
                already += 1
                continue
            }
            toIngest.append(path)
        }
        let unique = Array(Set(toIngest)).sorted()
        if !unique.isEmpty {
            _ = try await IngestJob(catalog: catalog, options: ingest, logger: logger).run(sources: unique)
            states = try catalog.sourceStates()
            for (imageID, path) in located where itemOf[imageID] == nil { if let s = states[path] { itemOf[imageID] = s.id } }
        }
        let names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var supercategories: [String: String] = [:]
        for c in dataset.categories { if let s = c.supercategory { supercategories[c.name] = s } }
        var records: [AnnotationRecord] = [], categoryNames: [String] = []
        var leftOut = 0
        for a in dataset.annotations {
            guard let item = itemOf[a.imageID] else { leftOut += 1; continue }
            records.append(Self.record(a, itemID: item))
            categoryNames.append(names[a.categoryID] ?? "\(a.categoryID)")
        }
        var warnings = dataset.warnings
        if missing > 0 { warnings.append("\(missing) image(s) of \(url.path) not found on disk; their \(leftOut) annotation(s) are left out") }
        for w in warnings { logger.warning("\(w)") }
        var sourceExtra = dataset.extra
        if format == .coco && dataset.extra["vitrine_results"] == nil {
            sourceExtra["vitrine_category_ids"] = .object(Dictionary(dataset.categories.map { (String($0.id), JSONValue.string($0.name)) }, uniquingKeysWith: { a, _ in a }))
        }
        let extra = sourceExtra.isEmpty ? nil : try JSONValue.serialize(.object(sourceExtra))
        let source = AnnotationSourceRecord(name: name ?? url.lastPathComponent, kind: kind, format: format.rawValue, path: url.path,
                                            extra: extra, warnings: try JSONValue.serialize(.array(warnings.map { .string($0) })))
        let sourceID = try catalog.saveAnnotations(source: source, annotations: records, categoryNames: categoryNames, supercategories: supercategories)
        return DatasetImportSummary(sourceID: sourceID, format: format.rawValue, kind: kind, images: dataset.images.count, imagesIngested: unique.count,
                                    imagesAlreadyInCatalog: already, imagesMissing: missing, annotations: records.count, annotationsLeftOut: leftOut,
                                    categories: Set(categoryNames).count, warnings: warnings)
    }

    /// Maps a results file's image and category ids through the latest COCO ground-truth
    /// source whose image ids and category ids cover them (images → items, ids → class names).
    func mapResults(_ dataset: inout Dataset, items: inout [Int64: Int64]) throws {
        let wantedImages = Set(dataset.images.map(\.id))
        for source in try catalog.annotationSources().reversed() where source.format == "coco" && source.kind != "prediction" {
            guard let extra = source.extra, let json = try? JSONValue.parse(extra, what: "source extra"),
                  let ids = json["vitrine_category_ids"]?.object, let sourceID = source.id else { continue }
            var map: [Int64: Int64] = [:]
            for a in try catalog.annotations(sourceIDs: [sourceID]) { if let image = a.sourceImageID { map[image] = a.itemID } }
            guard !wantedImages.isDisjoint(with: map.keys) else { continue }
            for i in dataset.categories.indices { if let name = ids[String(dataset.categories[i].id)]?.string { dataset.categories[i].name = name } }
            for id in wantedImages { if let item = map[id] { items[id] = item } }
            return
        }
    }

    static func record(_ a: DatasetAnnotation, itemID: Int64) -> AnnotationRecord {
        var r = AnnotationRecord(sourceID: 0, itemID: itemID, categoryID: 0)
        if let b = a.box {
            r.boxForm = b.form.rawValue
            (r.v0, r.v1, r.v2, r.v3) = (b.values[0], b.values[1], b.values[2], b.values[3])
        }
        if let s = a.segmentation, let data = try? JSONEncoder().encode(s) { r.segmentation = String(decoding: data, as: UTF8.self) }
        r.area = a.area
        r.isCrowd = a.isCrowd
        r.score = a.score
        r.difficult = a.difficult
        r.truncated = a.truncated
        r.occluded = a.occluded
        r.pose = a.pose
        r.extra = a.extra.isEmpty ? nil : try? JSONValue.serialize(.object(a.extra))
        r.sourceImageID = a.imageID
        r.sourceAnnotationID = a.id
        return r
    }

    /// Which annotations a dataset is made of.
    public struct Selection: Sendable {
        /// Label sources (nil: every ground-truth and crowd source).
        public var sourceIDs: [Int64]?
        /// Only the items of this split's subset.
        public var splitID: Int64?
        public var subset: String?
        /// Leave out duplicates that are not their group's keeper (latest duplicates run).
        public var dropDuplicates = false
        public init(sourceIDs: [Int64]? = nil, splitID: Int64? = nil, subset: String? = nil, dropDuplicates: Bool = false) {
            self.sourceIDs = sourceIDs
            self.splitID = splitID
            self.subset = subset
            self.dropDuplicates = dropDuplicates
        }
    }

    /// Non-keeper members of the latest duplicates run's groups.
    public func nonKeeperDuplicates() throws -> Set<Int64> {
        guard let run = try catalog.latestRun(kind: "duplicates"), let id = run.id else { return [] }
        var result = Set<Int64>()
        for (group, members) in try catalog.duplicateGroups(runID: id) { for m in members where m.itemID != group.keeperItemID { result.insert(m.itemID) } }
        return result
    }

    /// A dataset from the catalog: image id = item id, `fileName` = the item's source path
    /// (absolute; images are referenced, never copied), size from the item when the labels
    /// did not give one; categories by name with the store's ids.
    public func dataset(_ selection: Selection) throws -> Dataset {
        let sources = try catalog.annotationSources()
        let chosen = selection.sourceIDs ?? sources.filter { $0.kind != "prediction" }.compactMap(\.id)
        var annotations = try catalog.annotations(sourceIDs: chosen)
        if let unknown = selection.sourceIDs?.first(where: { id in !sources.contains { $0.id == id } }) {
            throw DatasetsError(.invalidInput, "no label source \(unknown) in the store (see `vitrine dataset card`)")
        }
        if let subset = selection.subset, !["train", "val", "test"].contains(subset) {
            throw DatasetsError(.invalidInput, "no subset \(subset): a split has train, val and test")
        }
        if let splitID = selection.splitID {
            guard try catalog.split(id: splitID) != nil else { throw DatasetsError(.invalidInput, "no split \(splitID) in the store (run `vitrine dataset split`)") }
            let members = try catalog.splitMembers(splitID: splitID)
            annotations = annotations.filter { a in members[a.itemID].map { selection.subset == nil || $0 == selection.subset } ?? false }
        }
        if selection.dropDuplicates {
            let drop = try nonKeeperDuplicates()
            annotations = annotations.filter { !drop.contains($0.itemID) }
        }
        let items = Dictionary(try catalog.items().compactMap { i in i.id.map { ($0, i) } }, uniquingKeysWith: { a, _ in a })
        let categories = try catalog.categories()
        var dataset = Dataset()
        if let first = sources.first(where: { chosen.contains($0.id ?? -1) }), let extra = first.extra, let json = try? JSONValue.parse(extra, what: "source extra") {
            dataset.extra = json.object ?? [:]
            dataset.extra["vitrine_category_ids"] = nil
        }
        let usedItems = Set(annotations.map(\.itemID))
        for id in usedItems.sorted() {
            guard let item = items[id] else { continue }
            dataset.images.append(DatasetImage(id: id, fileName: item.sourcePath, width: item.width, height: item.height))
        }
        let usedCategories = Set(annotations.map(\.categoryID))
        dataset.categories = categories.filter { usedCategories.contains($0.id ?? -1) }.map { DatasetCategory(id: $0.id ?? 0, name: $0.name, supercategory: $0.supercategory) }
        for r in annotations {
            var a = DatasetAnnotation(id: r.id ?? 0, imageID: r.itemID, categoryID: r.categoryID, box: nil, area: r.area, isCrowd: r.isCrowd,
                                      score: r.score, difficult: r.difficult, truncated: r.truncated, occluded: r.occluded, pose: r.pose)
            if let form = r.boxForm, let v0 = r.v0, let v1 = r.v1, let v2 = r.v2, let v3 = r.v3 {
                a.box = form == "corners" ? BoundingBox(xmin: v0, ymin: v1, xmax: v2, ymax: v3) : BoundingBox(x: v0, y: v1, width: v2, height: v3)
            }
            if let s = r.segmentation { a.segmentation = try? JSONDecoder().decode(Segmentation.self, from: Data(s.utf8)) }
            if let e = r.extra, let json = try? JSONValue.parse(e, what: "annotation extra") { a.extra = json.object ?? [:] }
            dataset.annotations.append(a)
        }
        return dataset
    }

    /// Writes a dataset from the catalog in a format to `output` (a file for coco/csv/
    /// detections/zooniverse/w3c, a folder for voc/labelme/folders).
    /// - Returns: (images, annotations, files written).
    public func export(_ selection: Selection, format: AnnotationFormat, to output: URL, keepCategoryIDs: Bool) throws -> (images: Int, annotations: Int, files: Int) {
        let dataset = try dataset(selection)
        let items = Dictionary(try catalog.items().compactMap { i in i.id.map { ($0, i) } }, uniquingKeysWith: { a, _ in a })
        var files = 1
        switch format {
        case .coco: try COCOFormat.write(dataset, to: output, options: .init(keepCategoryIDs: keepCategoryIDs), results: selection.sourceIDs != nil && dataset.annotations.allSatisfy { $0.score != nil } && !dataset.annotations.isEmpty)
        case .voc: files = try PascalVOCFormat.write(dataset, to: output).count
        case .labelme: files = try LabelmeFormat.write(dataset, to: output).count
        case .csv: try BoxCSVFormat.write(dataset, to: output)
        case .detections:
            do { try Data(DetectionCSVFormat.text(dataset).utf8).write(to: output) } catch { throw DatasetsError(.io, "cannot write \(output.path)", underlying: error) }
        case .zooniverse:
            do { try Data(ZooniverseFormat.text(dataset).utf8).write(to: output) } catch { throw DatasetsError(.io, "cannot write \(output.path)", underlying: error) }
        case .w3c:
            try JSONValue.write(WebAnnotationFormat.document(dataset, source: { items[$0.id]?.originalURL ?? $0.fileName }), to: output)
        case .folders:
            files = try ImageFolderFormat.write(dataset, to: output) { image in
                items[image.id]?.storedPath.map { catalog.absolute($0) } ?? URL(fileURLWithPath: image.fileName)
            }
        }
        return (dataset.images.count, dataset.annotations.count, files)
    }
}
