import Catalog
import Foundation
import Imaging
import Reports
import VitrineCore

/// Assembles the HTML report of a store from its catalog and its latest runs, and writes it
/// to `reports/index.html`.
public struct ReportBuilder: Sendable {
    public let catalog: Catalog
    public var thresholds = QualityThresholds()

    public init(catalog: Catalog) { self.catalog = catalog }

    public struct Summary: Codable, Sendable {
        public var report: String
        public var items: Int
        public var errors: Int
        public var duplicateGroups: Int
        public var qualityFlags: Int
    }

    public func write(title: String = "Vitrine collection report") throws -> Summary {
        let items = try catalog.items()
        let quality = try catalog.quality()
        let byID = Dictionary(uniqueKeysWithValues: items.compactMap { item in item.id.map { ($0, item) } })
        func image(_ item: ItemRecord) -> ReportImage {
            ReportImage(itemID: "\(item.id ?? 0)", originalPath: item.sourcePath,
                        thumbnailPath: item.thumbnailPath.map { catalog.absolute($0).path }, width: item.width,
                        height: item.height, format: item.format, byteSize: item.byteSize ?? 0)
        }
        let ok = items.filter { $0.status == "ok" }
        var formats: [String: Int] = [:], errorsByKind: [String: Int] = [:]
        for item in items {
            if let f = item.format { formats[f, default: 0] += 1 }
            if item.status != "ok" { errorsByKind[item.errorCode ?? "unknown", default: 0] += 1 }
        }
        let megapixels = ok.reduce(0.0) { $0 + Double(($1.width ?? 0) * ($1.height ?? 0)) / 1e6 }
        let summary = ReportSummary(items: items.count, readable: ok.count, errors: items.count - ok.count,
                                    totalBytes: items.reduce(0) { $0 + ($1.byteSize ?? 0) }, totalMegapixels: megapixels,
                                    formats: formats, errorsByKind: errorsByKind)

        var groups: [ReportDuplicateGroup] = []
        var sweep: ReportSweep? = nil
        if let run = try catalog.latestRun(kind: "duplicates"), let runID = run.id {
            if let text = run.summary, let s = try? JSONDecoder().decode(DuplicatesSummary.self, from: Data(text.utf8)) {
                sweep = ReportSweep(hashName: s.algorithm, points: s.sweep.pairs.enumerated().map { ReportSweep.Point(threshold: $0.offset, pairs: $0.element) },
                                    chosenThreshold: s.threshold)
            }
            for (group, members) in try catalog.duplicateGroups(runID: runID) {
                let records = members.compactMap { byID[$0.itemID] }
                guard records.count == members.count else { continue }
                let kind: ReportDuplicateKind = group.kind == DuplicateKind.exactBytes.rawValue ? .exactBytes
                    : group.kind == DuplicateKind.identicalPixels.rawValue ? .identicalPixels : .nearDuplicate
                groups.append(ReportDuplicateGroup(
                    id: "\(group.id ?? 0)", kind: kind, hashName: group.algorithm, maxDistance: group.maxDistance,
                    members: records.map(image), keeperIndex: records.firstIndex { $0.id == group.keeperItemID } ?? 0,
                    keeperReason: group.keeperReason, distancesToKeeper: members.map(\.distanceToKeeper)))
            }
        }
        var evaluation: ReportEvaluation? = nil
        if let run = try catalog.latestRun(kind: "evaluation"), let text = run.summary,
           let e = try? JSONDecoder().decode(DuplicateEvaluation.self, from: Data(text.utf8)) {
            evaluation = ReportEvaluation(
                hashName: e.algorithm + (e.invariant ? " (invariant)" : ""),
                rows: e.rows.map { ReportEvaluation.Row(threshold: $0.threshold, precision: $0.precision, recall: $0.recall, f1: $0.f1) },
                bestThreshold: e.bestThreshold, chosenThreshold: e.threshold,
                relationRecalls: e.relationRecall.map { ReportEvaluation.RelationRecall(tag: $0.relation, found: $0.found, total: $0.total) })
        }

        var sections: [ReportQualitySection] = []
        var flagged: [QualityFlag: [ReportQualitySection.Item]] = [:]
        for q in quality {
            guard let item = byID[q.itemID] else { continue }
            for raw in q.flagList {
                guard let flag = QualityFlag(rawValue: raw) else { continue }
                flagged[flag, default: []].append(ReportQualitySection.Item(image: image(item), score: score(flag, item, q)))
            }
        }
        for flag in QualityFlag.allCases {
            guard let entries = flagged[flag], !entries.isEmpty else { continue }
            sections.append(ReportQualitySection(flagID: flag.rawValue, title: flag.title, description: describe(flag), items: entries))
        }
        if let section = try watermarkSection(byID: byID, image: image) { sections.append(section) }
        let errors = items.filter { $0.status != "ok" }.map {
            Reports.ReportError(path: $0.sourcePath, kind: $0.errorCode ?? "unknown", message: $0.errorMessage ?? "")
        }
        var input = ReportInput(title: title, generatedAt: Date(), storePath: catalog.store.path, toolVersion: VitrineVersion.current,
                                summary: summary, duplicateGroups: groups, sweep: sweep, evaluation: evaluation,
                                qualitySections: sections, errors: errors)
        input.pages = Self.otherPages(in: catalog.store.appendingPathComponent("reports"))
        let runID = try catalog.startRun(kind: "report", toolVersion: VitrineVersion.current, config: ["title": title])
        let index = try ReportWriter().write(input, to: catalog.store.appendingPathComponent("reports")) { thumbnails, columns, output in
            try ImageWriter.contactSheet(of: thumbnails.map(\.path), columns: columns, cell: 160, spacing: 8, to: output.path)
        }
        let result = Summary(report: index.path, items: items.count, errors: errors.count, duplicateGroups: groups.count,
                             qualityFlags: flagged.values.reduce(0) { $0 + $1.count })
        try catalog.finishRun(runID, summary: result)
        return result
    }

    /// The items that the latest watermark detector run scored at or above its detector's threshold,
    /// highest score first (nil when no detector has scored this store).
    func watermarkSection(byID: [Int64: ItemRecord], image: (ItemRecord) -> ReportImage) throws -> ReportQualitySection? {
        let prefix = WatermarkJobs.sourceName("")
        guard let source = try catalog.annotationSources().last(where: { $0.kind == "prediction" && $0.name.hasPrefix(prefix) }),
              let sourceID = source.id else { return nil }
        let name = String(source.name.dropFirst(prefix.count))
        let file = try? WatermarkDetectorFile.read(WatermarkDetectorFile.url(store: catalog.store, name: name))
        let threshold = file?.threshold ?? 0.5
        let scored = try catalog.annotations(sourceIDs: [sourceID])
        let entries = scored.compactMap { a -> (Double, ItemRecord)? in
            guard let score = a.score, score >= threshold, let item = byID[a.itemID] else { return nil }
            return (score, item)
        }.sorted { $0.0 > $1.0 }
        var description = "P(watermark) ≥ \(String(format: "%.2f", threshold)) by the detector “\(name)” (`vitrine watermark detect`); \(entries.count) of \(scored.count) scored items."
        if let m = file?.heldOut {
            description += String(format: " On its held-out generated images: precision %.2f, recall %.2f, ROC AUC %.2f — candidates to review, not a verdict.",
                                  m.precision, m.recall, m.rocAUC)
        }
        return ReportQualitySection(flagID: "watermark", title: "Possible watermarks", description: description,
                                    items: entries.map { ReportQualitySection.Item(image: image($0.1), score: String(format: "P = %.2f", $0.0)) })
    }

    func describe(_ flag: QualityFlag) -> String {
        let t = thresholds
        switch flag {
        case .tooSmall: return "Shorter side below \(t.minimumShorterSide) px."
        case .blank: return "Luminance standard deviation below \(t.flatStandardDeviation) (0–255 scale): a uniform picture. Blank images are kept out of near-duplicate matching."
        case .veryDark: return "Mean luminance below \(Int(t.darkMean)) of 255."
        case .veryLight: return "Mean luminance above \(Int(t.lightMean)) of 255."
        case .lowInformation: return "Entropy of the luminance histogram below \(t.lowEntropy) bits (of 8)."
        case .oddAspectRatio: return "Long side more than \(Int(t.maximumAspectRatio)) times the short side."
        case .greyAsRGB: return "Three colour channels, but mean channel difference ≤ \(t.greyChroma): a grey picture stored as RGB."
        case .unreadable: return "The file could not be decoded; see the errors table."
        case .extensionMismatch: return "The file name's extension names another format than the bytes hold."
        case .lowQuality: return "BRISQUE score above 50 (0–100, lower is better; `vitrine quality`)."
        case .blurry: return "Variance of the Laplacian below 100 at 512 px (`vitrine quality`)."
        }
    }

    func score(_ flag: QualityFlag, _ item: ItemRecord, _ q: QualityRecord) -> String {
        let w = item.width ?? 0, h = item.height ?? 0
        switch flag {
        case .tooSmall: return "\(w) × \(h) px"
        case .blank: return String(format: "σ = %.2f", q.luminanceDeviation ?? 0)
        case .veryDark, .veryLight: return String(format: "mean %.0f", q.meanLuminance ?? 0)
        case .lowInformation: return String(format: "%.2f bits", q.entropy ?? 0)
        case .oddAspectRatio: return String(format: "%d × %d (%.1f : 1)", w, h, Double(max(w, h)) / Double(max(1, min(w, h))))
        case .greyAsRGB: return String(format: "chroma %.2f", q.chroma ?? 0)
        case .unreadable: return item.errorCode ?? "error"
        case .extensionMismatch: return "\(item.format ?? "?") named .\(item.fileExtension ?? "")"
        case .lowQuality, .blurry: return "see vitrine quality"
        }
    }

    /// The other HTML pages of the reports folder (written by `detect`, `cluster`, `map`,
    /// `harvest --report`, `evaluate`, `upscale`, …) and of its sub-folders (`clusters/index.html`),
    /// titled by their `<title>`.
    static func otherPages(in folder: URL) -> [ReportPageLink] {
        let fm = FileManager.default
        let entries = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        // Pages at the top level, and pages that have a folder of their own (`clusters/index.html`).
        let pages = entries.filter { $0.hasSuffix(".html") && $0 != "index.html" }
            + entries.filter { $0 != "assets" && fm.fileExists(atPath: folder.appendingPathComponent("\($0)/index.html").path) }.map { "\($0)/index.html" }
        return pages.map { name in
            let text = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? ""
            var title = name
            if let open = text.range(of: "<title>"), let close = text.range(of: "</title>", range: open.upperBound..<text.endIndex) {
                title = String(text[open.upperBound..<close.lowerBound])
                    .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                    .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                    .replacingOccurrences(of: "&amp;", with: "&")
            }
            return ReportPageLink(title: title, href: name)
        }
    }
}
