import Foundation

/// Writes the HTML report of `vitrine analyze` / `vitrine report`: one `index.html` and an
/// `assets/` folder, readable in a browser straight from disk (`file://`), with no server, no
/// network and no JavaScript framework.
///
/// Layout of the output folder:
///
/// ```
/// index.html
/// assets/report.css, assets/report.js     style, and an optional filter for duplicate groups
/// assets/report.json                      the whole ReportInput (every group, flag and error)
/// assets/charts/<name>.svg                the charts, also inlined in the page
/// assets/thumbs/<item id>.<ext>           copies of the thumbnails shown
/// assets/groups/<group id>.png            contact sheets, when a `contactSheet` closure is given
/// ```
///
/// Large inputs stay readable: the page shows at most ``maxGroups`` duplicate groups (largest
/// first), ``maxMembersPerGroup`` members per group, ``maxItemsPerQualitySection`` images per
/// quality flag and ``maxErrorRows`` errors, says how many more there are, and only copies the
/// thumbnails it shows. Everything else is in `assets/report.json`.
///
/// Writing is idempotent: the same input gives byte-identical files (files whose bytes would not
/// change are not rewritten). Files from earlier reports in the same folder that the new report
/// does not use are left in place.
public struct ReportWriter: Sendable {
    /// Most duplicate groups shown in the page (the largest by member count first). Default 200.
    public var maxGroups: Int
    /// Most members shown per duplicate group (the keeper, then the closest). Default 24.
    public var maxMembersPerGroup: Int
    /// Most example images shown per quality flag (the first ones given). Default 24.
    public var maxItemsPerQualitySection: Int
    /// Most rows of the errors table. Default 500.
    public var maxErrorRows: Int
    /// Most bars in the formats and error-kind charts; the rest are merged into one "other" bar. Default 15.
    public var maxBars: Int
    /// The y-axis scale of the threshold-sweep chart. Default `.automatic`.
    public var sweepScale: SVGChart.Scale

    /// Creates a writer. All limits must be at least 1.
    public init(
        maxGroups: Int = 200,
        maxMembersPerGroup: Int = 24,
        maxItemsPerQualitySection: Int = 24,
        maxErrorRows: Int = 500,
        maxBars: Int = 15,
        sweepScale: SVGChart.Scale = .automatic
    ) {
        precondition(
            maxGroups >= 1 && maxMembersPerGroup >= 1 && maxItemsPerQualitySection >= 1 && maxErrorRows >= 1 && maxBars >= 2,
            "ReportWriter limits must be at least 1 (maxBars at least 2)"
        )
        self.maxGroups = maxGroups
        self.maxMembersPerGroup = maxMembersPerGroup
        self.maxItemsPerQualitySection = maxItemsPerQualitySection
        self.maxErrorRows = maxErrorRows
        self.maxBars = maxBars
        self.sweepScale = sweepScale
    }

    /// Writes the report for `input` into `directory` and returns the URL of its `index.html`.
    ///
    /// - Parameters:
    ///   - input: What to report; checked with ``ReportInput/validate()`` first.
    ///   - directory: The output folder; created (with its parents) if missing. Files the report
    ///     writes are replaced; other files are left alone.
    ///   - contactSheet: Optional maker of a contact sheet PNG, called once for each duplicate group
    ///     shown in the page that has at least one thumbnail, with the group's thumbnail copies in
    ///     `assets/thumbs/` (keeper first, at most ``maxMembersPerGroup``), the number of columns
    ///     (⌈√n⌉, at most 8) and the output file `assets/groups/<group id>.png` (removed beforehand).
    ///     The page links the PNG when the closure returns and the file exists. If the closure
    ///     throws, the group shows the error text instead and the report carries on.
    /// - Returns: The file URL of `directory/index.html`.
    /// - Throws: ``ReportsError`` with code `.invalidInput` (naming the bad element),
    ///   `.createDirectory` or `.writeFile` (naming the path, with the system message), or
    ///   `.encodeInput`. Unreadable or missing thumbnails are not errors: they show as placeholders.
    /// - Complexity: O(g log g) in the number of groups, plus the bytes of the thumbnails shown.
    @discardableResult
    public func write(
        _ input: ReportInput,
        to directory: URL,
        contactSheet: ((_ thumbnails: [URL], _ columns: Int, _ output: URL) throws -> Void)? = nil
    ) throws -> URL {
        try input.validate()
        let folder = directory.standardizedFileURL
        let assets = folder.appendingPathComponent(Layout.assets, isDirectory: true)
        let thumbsFolder = folder.appendingPathComponent(Layout.thumbs, isDirectory: true)
        let groupsFolder = folder.appendingPathComponent(Layout.groups, isDirectory: true)
        let chartsFolder = folder.appendingPathComponent(Layout.charts, isDirectory: true)
        for url in [folder, assets, thumbsFolder, groupsFolder, chartsFolder] {
            try Self.createDirectory(url)
        }

        // Thumbnails of everything shown, one copy per item id.
        let shownGroups = Self.groupsToShow(input.duplicateGroups, limit: maxGroups)
        var thumbnails: [String: String] = [:]
        var copies: [String: URL] = [:]
        var seen = Set<String>()
        func copyThumbnail(of image: ReportImage) throws {
            guard seen.insert(image.itemID).inserted, let source = image.thumbnailPath else { return }
            // A missing or unreadable thumbnail is the image's problem, not the report's: placeholder.
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: source)) else { return }
            let name = Text.fileStem(image.itemID) + Self.thumbnailExtension(source)
            let target = thumbsFolder.appendingPathComponent(name)
            try Self.writeIfChanged(data, to: target)
            thumbnails[image.itemID] = "\(Layout.thumbs)/\(name)"
            copies[image.itemID] = target
        }
        for group in shownGroups {
            for index in Self.memberOrder(group).prefix(maxMembersPerGroup) {
                try copyThumbnail(of: group.members[index])
            }
        }
        for section in input.qualitySections {
            for item in section.items.prefix(maxItemsPerQualitySection) {
                try copyThumbnail(of: item.image)
            }
        }

        // Contact sheets, one per shown group.
        var sheets: [String: ContactSheetOutcome] = [:]
        if let contactSheet {
            for group in shownGroups {
                let name = Text.fileStem(group.id) + ".png"
                let output = groupsFolder.appendingPathComponent(name)
                try Self.removeIfPresent(output)
                let members = Self.memberOrder(group).prefix(maxMembersPerGroup).compactMap { copies[group.members[$0].itemID] }
                guard !members.isEmpty else {
                    sheets[group.id] = .failed(message: "no member of the group has a thumbnail")
                    continue
                }
                let columns = min(max(Int(Double(members.count).squareRoot().rounded(.up)), 1), 8)
                do {
                    try contactSheet(members, columns, output)
                } catch {
                    sheets[group.id] = .failed(message: String(describing: error))
                    continue
                }
                sheets[group.id] = FileManager.default.fileExists(atPath: output.path)
                    ? .made(href: "\(Layout.groups)/\(name)")
                    : .failed(message: "the contact sheet maker wrote no file")
            }
        }

        // Charts, inline and as files.
        var charts = ReportCharts()
        func chart(_ name: String, _ svg: String) throws -> String {
            try Self.writeIfChanged(Data(svg.utf8), to: folder.appendingPathComponent(Layout.chartFile(name)))
            return svg
        }
        if !input.summary.formats.isEmpty {
            charts.formats = try chart("formats", SVGChart.horizontalBars(
                title: "Images by format",
                description: "Number of images of each detected file format.",
                bars: countBars(input.summary.formats), id: "chart-formats"
            ))
        }
        if !input.summary.errorsByKind.isEmpty {
            charts.errorsByKind = try chart("errors-by-kind", SVGChart.horizontalBars(
                title: "Errors by kind",
                description: "Number of files that could not be read, by kind of error.",
                bars: countBars(input.summary.errorsByKind), id: "chart-errors-by-kind"
            ))
        }
        if !input.qualitySections.isEmpty {
            charts.qualityFlags = try chart("quality-flags", SVGChart.horizontalBars(
                title: "Images by quality flag",
                description: "Number of images raised by each quality check.",
                bars: input.qualitySections.map {
                    SVGChart.Bar(label: $0.title, value: Double($0.items.count), valueLabel: Text.grouped($0.items.count))
                },
                id: "chart-quality-flags"
            ))
        }
        if let sweep = input.sweep {
            charts.sweep = try chart("sweep", SVGChart.thresholdSweep(sweep, scale: sweepScale, id: "chart-sweep"))
        }
        if let evaluation = input.evaluation {
            charts.evaluation = try chart("evaluation", SVGChart.precisionRecall(evaluation, id: "chart-evaluation"))
            if !evaluation.relationRecalls.isEmpty {
                charts.relations = try chart("relations", SVGChart.relationRecall(evaluation, id: "chart-relations"))
            }
        }

        // Style, script, data, and last the page itself.
        try Self.writeIfChanged(Data(ReportAssets.stylesheet.utf8), to: folder.appendingPathComponent(Layout.stylesheet))
        try Self.writeIfChanged(Data(ReportAssets.script.utf8), to: folder.appendingPathComponent(Layout.script))
        let dataURL = folder.appendingPathComponent(Layout.data)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let json: Data
        do {
            json = try encoder.encode(input)
        } catch {
            throw ReportsError(code: .encodeInput, path: dataURL.path, message: "could not encode the report input as JSON",
                               underlying: String(describing: error))
        }
        try Self.writeIfChanged(json, to: dataURL)

        let page = ReportPage(input: input, limits: self, shownGroups: shownGroups, thumbnails: thumbnails, sheets: sheets, charts: charts)
        let index = folder.appendingPathComponent(Layout.index)
        try Self.writeIfChanged(Data(page.render().utf8), to: index)
        return index
    }

    // MARK: Layout and ordering

    /// Paths inside the report folder.
    enum Layout {
        static let index = "index.html"
        static let assets = "assets"
        static let thumbs = "assets/thumbs"
        static let groups = "assets/groups"
        static let charts = "assets/charts"
        static let stylesheet = "assets/report.css"
        static let script = "assets/report.js"
        static let data = "assets/report.json"
        static func chartFile(_ name: String) -> String { "\(charts)/\(name).svg" }
    }

    /// The groups the page shows: largest first, then exact copies before identical pixels
    /// before near duplicates, then by id in natural order (`g2` before `g10`); at most `limit`.
    static func groupsToShow(_ groups: [ReportDuplicateGroup], limit: Int) -> [ReportDuplicateGroup] {
        let kindRank: [ReportDuplicateKind: Int] = [.exactBytes: 0, .identicalPixels: 1, .nearDuplicate: 2]
        let sorted = groups.enumerated().sorted { a, b in
            if a.element.members.count != b.element.members.count { return a.element.members.count > b.element.members.count }
            let rankA = kindRank[a.element.kind] ?? 3, rankB = kindRank[b.element.kind] ?? 3
            if rankA != rankB { return rankA < rankB }
            switch a.element.id.compare(b.element.id, options: [.numeric]) {
            case .orderedAscending: return true
            case .orderedDescending: return false
            case .orderedSame: return a.offset < b.offset
            }
        }
        return sorted.prefix(limit).map(\.element)
    }

    /// Member indices in display order: the keeper, then by distance to the keeper, then as given.
    static func memberOrder(_ group: ReportDuplicateGroup) -> [Int] {
        let others = group.members.indices.filter { $0 != group.keeperIndex }.sorted { a, b in
            let distanceA = group.distancesToKeeper?[a] ?? 0, distanceB = group.distancesToKeeper?[b] ?? 0
            return distanceA != distanceB ? distanceA < distanceB : a < b
        }
        return [group.keeperIndex] + others
    }

    /// Counts sorted by count (largest first), then by name.
    static func sortedCounts(_ counts: [String: Int]) -> [(name: String, count: Int)] {
        counts.map { (name: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
    }

    /// Bars for a count dictionary, merging the tail beyond ``maxBars`` into one "other" bar.
    func countBars(_ counts: [String: Int]) -> [SVGChart.Bar] {
        let sorted = Self.sortedCounts(counts)
        var entries = sorted
        if sorted.count > maxBars {
            let tail = sorted[(maxBars - 1)...]
            entries = Array(sorted.prefix(maxBars - 1))
            entries.append((name: "other (\(tail.count) kinds)", count: tail.reduce(0) { $0 + $1.count }))
        }
        return entries.map { SVGChart.Bar(label: $0.name, value: Double($0.count), valueLabel: Text.grouped($0.count)) }
    }

    /// The thumbnail's extension, lowercased with its dot (`.jpg`), or empty when it has none
    /// or an unusual one (browsers sniff image types, so the page still shows it).
    static func thumbnailExtension(_ path: String) -> String {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard (1...5).contains(ext.count), ext.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return "" }
        return "." + ext
    }

    // MARK: File system

    static func createDirectory(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ReportsError(code: .createDirectory, path: url.path,
                                   message: "a file is in the way of the report folder; remove it or choose another output folder")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ReportsError(code: .createDirectory, path: url.path,
                               message: "could not create the folder; check that its parent is writable",
                               underlying: error.localizedDescription)
        }
    }

    /// Writes `data` atomically unless the file already holds exactly these bytes.
    static func writeIfChanged(_ data: Data, to url: URL) throws {
        if let existing = FileManager.default.contents(atPath: url.path), existing == data { return }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ReportsError(code: .writeFile, path: url.path,
                               message: "could not write the file; check that the folder is writable and the disk has space",
                               underlying: error.localizedDescription)
        }
    }

    static func removeIfPresent(_ url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw ReportsError(code: .writeFile, path: url.path,
                               message: "could not replace the old file; check that the folder is writable",
                               underlying: error.localizedDescription)
        }
    }
}

extension ReportInput {
    /// Checks that the input is consistent before a report is drawn from it.
    ///
    /// Duplicate groups must have at least one member, a keeper index inside `members`, as many
    /// distances as members (when given), distances ≥ 0 and unique ids. Thresholds lie in
    /// 0…4096 bits, counts are ≥ 0, precision/recall/F1 lie in [0, 1], and per-relation `found`
    /// lies in 0…`total`.
    /// - Throws: ``ReportsError`` with code `.invalidInput` naming the first bad element, e.g.
    ///   `duplicateGroups[3] (id g17)`.
    /// - Complexity: O(n) in the size of the input.
    public func validate() throws {
        func fail(_ element: String, _ message: String) -> ReportsError {
            ReportsError(code: .invalidInput, path: element, message: message)
        }
        let thresholds = 0...4096
        guard summary.items >= 0, summary.readable >= 0, summary.errors >= 0, summary.totalBytes >= 0,
              summary.totalMegapixels.isFinite, summary.totalMegapixels >= 0
        else { throw fail("summary", "counts, bytes and megapixels must be zero or more") }
        var ids = Set<String>()
        for (index, group) in duplicateGroups.enumerated() {
            let element = "duplicateGroups[\(index)] (id \(group.id))"
            guard ids.insert(group.id).inserted else { throw fail(element, "group ids must be unique; they name files") }
            guard !group.members.isEmpty else { throw fail(element, "a group needs at least one member") }
            guard group.members.indices.contains(group.keeperIndex) else {
                throw fail(element, "keeper index \(group.keeperIndex) is outside the \(group.members.count) members")
            }
            guard group.maxDistance >= 0 else { throw fail(element, "maxDistance must be zero or more bits") }
            if let distances = group.distancesToKeeper {
                guard distances.count == group.members.count else {
                    throw fail(element, "\(distances.count) distances given for \(group.members.count) members")
                }
                guard distances.allSatisfy({ $0 >= 0 }) else { throw fail(element, "distances must be zero or more bits") }
            }
        }
        if let sweep {
            guard thresholds.contains(sweep.chosenThreshold) else { throw fail("sweep.chosenThreshold", "must lie in 0…4096 bits") }
            for (index, point) in sweep.points.enumerated() {
                guard thresholds.contains(point.threshold), point.pairs >= 0 else {
                    throw fail("sweep.points[\(index)]", "threshold must lie in 0…4096 bits and pairs be zero or more")
                }
            }
        }
        if let evaluation {
            guard thresholds.contains(evaluation.bestThreshold), thresholds.contains(evaluation.chosenThreshold) else {
                throw fail("evaluation", "best and chosen thresholds must lie in 0…4096 bits")
            }
            for (index, row) in evaluation.rows.enumerated() {
                guard thresholds.contains(row.threshold),
                      [row.precision, row.recall, row.f1].allSatisfy({ (0...1).contains($0) })
                else { throw fail("evaluation.rows[\(index)]", "threshold must lie in 0…4096 bits and precision, recall, F1 in [0, 1]") }
            }
            for (index, relation) in evaluation.relationRecalls.enumerated() {
                guard relation.total >= 0, (0...max(relation.total, 0)).contains(relation.found) else {
                    throw fail("evaluation.relationRecalls[\(index)] (\(relation.tag))", "found must lie in 0…total")
                }
            }
        }
    }
}
