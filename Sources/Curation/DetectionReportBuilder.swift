import Catalog
import Foundation
import Imaging
import Reports
import VitrineCore

/// Builds `reports/detections-MODEL.html` from a stored detection run: per class, a contact sheet of
/// its best crops (highest score first), cut from the stored originals (shrink-on-load to 1024 px,
/// box scaled to it, 8 % margin) and saved as JPEG under `reports/assets/detections/MODEL/`.
public enum DetectionReportBuilder {
    /// Crops per class on the contact sheet.
    public static let cropsPerClass = 24

    /// - Returns: the page's URL.
    /// - Throws: `CatalogError` / `ReportsError`; a crop that cannot be made is left out.
    @discardableResult
    public static func write(catalog: Catalog, runID: Int64, summary: DetectionSummary) throws -> URL {
        let reports = catalog.store.appendingPathComponent("reports")
        let cropFolder = reports.appendingPathComponent("assets/detections/\(stem(summary.model))")
        try? FileManager.default.removeItem(at: cropFolder)
        try FileManager.default.createDirectory(at: cropFolder, withIntermediateDirectories: true)
        let detections = try catalog.detections(runID: runID)
        let items = Dictionary(try catalog.items().compactMap { item in item.id.map { ($0, item) } }, uniquingKeysWith: { a, _ in a })
        let byLabel = Dictionary(grouping: detections, by: \.label)
        var decoded: [Int64: PixelBuffer] = [:]
        var sections: [DetectionReportInput.ClassSection] = []
        for (label, group) in byLabel.sorted(by: { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }) {
            let best = group.sorted { $0.score > $1.score }.prefix(cropsPerClass)
            var files: [String] = []
            var crops: [DetectionReportInput.Crop] = []
            for (n, d) in best.enumerated() {
                guard let item = items[d.itemID], let stored = item.storedPath, let width = item.width, width > 0 else { continue }
                if decoded[d.itemID] == nil {
                    var options = DecodeOptions()
                    options.thumbnailSide = 1024
                    options.fullResolutionPixels = 0
                    decoded[d.itemID] = try? ImageDecoder.decode(contentsOf: catalog.absolute(stored).path, options: options).thumbnail
                }
                guard let picture = decoded[d.itemID] else { continue }
                let s = Double(picture.width) / Double(width)
                let margin = 0.08 * max(d.width, d.height)
                let x = Int(((d.x - margin) * s).rounded(.down)), y = Int(((d.y - margin) * s).rounded(.down))
                let w = Int(((d.width + 2 * margin) * s).rounded(.up)), h = Int(((d.height + 2 * margin) * s).rounded(.up))
                let file = cropFolder.appendingPathComponent("\(Self.stem(label))-\(n + 1).jpg").path
                guard let crop = try? picture.cropped(x: x, y: y, width: max(1, w), height: max(1, h)),
                      (try? ImageWriter.save(crop, to: file)) != nil else { continue }
                files.append(file)
                crops.append(.init(item: item.title ?? URL(fileURLWithPath: item.sourcePath).lastPathComponent, score: d.score,
                                   box: [d.x, d.y, d.width, d.height]))
            }
            var sheet: String?
            if !files.isEmpty {
                let name = "assets/detections/\(stem(summary.model))/\(Self.stem(label))-sheet.png"
                if (try? ImageWriter.contactSheet(of: files, columns: 8, cell: 120, spacing: 6, to: reports.appendingPathComponent(name).path)) != nil {
                    sheet = name
                }
            }
            sections.append(.init(label: label, detections: group.count, items: Set(group.map(\.itemID)).count, contactSheet: sheet, crops: crops))
        }
        let input = DetectionReportInput(
            title: "Detections — \(summary.model)", generatedAt: Date(), storePath: catalog.store.path,
            toolVersion: VitrineVersion.current, runID: runID, model: summary.model, modelSHA256: summary.modelSHA256,
            minimumScore: summary.minimumScore, items: summary.items, itemsWithDetections: summary.itemsWithDetections,
            errors: summary.errors, classes: sections)
        return try DetectionPage.write(input, to: reports)
    }

    static func stem(_ label: String) -> String {
        String(label.lowercased().map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }
}
