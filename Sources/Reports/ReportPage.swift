import Foundation

/// What became of one group's contact sheet.
enum ContactSheetOutcome: Equatable {
    /// The PNG exists; relative link from `index.html`.
    case made(href: String)
    /// The closure threw or wrote nothing; the message is shown instead of the link.
    case failed(message: String)
}

/// The SVG charts of one page, each `nil` when its data is absent.
struct ReportCharts {
    var formats: String?
    var errorsByKind: String?
    var qualityFlags: String?
    var sweep: String?
    var evaluation: String?
    var relations: String?
}

/// Renders `index.html` from a report input and the assets the writer prepared. Pure: no I/O.
struct ReportPage {
    let input: ReportInput
    let limits: ReportWriter
    /// The groups shown, in display order (largest first).
    let shownGroups: [ReportDuplicateGroup]
    /// Item id → thumbnail link relative to `index.html`, for thumbnails that were copied.
    let thumbnails: [String: String]
    /// Group id → contact sheet outcome; absent when no closure was given.
    let sheets: [String: ContactSheetOutcome]
    let charts: ReportCharts

    func render() -> String {
        var html = ""
        html.reserveCapacity(64 * 1024)
        html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<meta name=\"generator\" content=\"Vitrine \(e(input.toolVersion))\">\n"
        html += "<title>\(e(input.title))</title>\n"
        html += "<link rel=\"stylesheet\" href=\"\(ReportWriter.Layout.stylesheet)\">\n</head>\n<body>\n"
        html += header()
        html += "<main>\n"
        html += summary()
        html += morePages()
        html += collection()
        html += duplicates()
        html += sweep()
        html += evaluation()
        html += quality()
        html += errors()
        html += "</main>\n"
        html += footer()
        html += "<script src=\"\(ReportWriter.Layout.script)\"></script>\n</body>\n</html>\n"
        return html
    }

    // MARK: Sections

    private func morePages() -> String {
        guard !input.pages.isEmpty else { return "" }
        var html = "<section id=\"pages\" aria-labelledby=\"pages-heading\">\n<h2 id=\"pages-heading\">More reports</h2>\n<ul>\n"
        for page in input.pages {
            html += "<li><a href=\"\(e(page.href))\">\(e(page.title))</a></li>\n"
        }
        return html + "</ul>\n</section>\n"
    }

    private func header() -> String {
        var html = "<header class=\"page-header\">\n<h1>\(e(input.title))</h1>\n"
        html += "<p class=\"meta\">Generated <time datetime=\"\(Text.iso8601(input.generatedAt))\">\(Text.humanDate(input.generatedAt))</time>"
        html += " · Vitrine \(e(input.toolVersion)) · store <code>\(e(input.storePath))</code></p>\n"
        html += "<nav aria-label=\"Sections\"><ul>\n"
        var links: [(String, String)] = [("summary", "Summary"), ("collection", "Formats and errors"), ("duplicates", "Duplicates")]
        if input.sweep != nil { links.append(("sweep", "Threshold sweep")) }
        if input.evaluation != nil { links.append(("evaluation", "Evaluation")) }
        links.append(("quality", "Quality"))
        links.append(("errors", "Errors"))
        for (anchor, name) in links { html += "<li><a href=\"#\(anchor)\">\(name)</a></li>\n" }
        html += "</ul></nav>\n</header>\n"
        return html
    }

    private func summary() -> String {
        let summary = input.summary
        let groups = input.duplicateGroups
        let redundant = groups.reduce(0) { $0 + max($1.members.count - 1, 0) }
        var flagged = Set<String>()
        for section in input.qualitySections { for item in section.items { flagged.insert(item.image.itemID) } }
        var cards: [(value: String, label: String, note: String?)] = [
            (Text.grouped(summary.items), "images", nil),
            (Text.grouped(summary.readable), "readable", summary.items > 0 ? Text.percent(Double(summary.readable) / Double(summary.items)) + " of all" : nil),
            (Text.grouped(summary.errors), "errors", nil),
            (Text.bytes(summary.totalBytes), "on disk", nil),
            (Text.fixed(summary.totalMegapixels, 1), "megapixels", nil),
            (Text.grouped(groups.count), "duplicate groups", nil),
            (Text.grouped(redundant), "redundant copies", "removable, keeping one per group"),
            (Text.grouped(flagged.count), "images with a quality flag", nil),
        ]
        if summary.items == 0 { cards[1].note = nil }
        var html = "<section id=\"summary\" aria-labelledby=\"summary-heading\">\n<h2 id=\"summary-heading\">Summary</h2>\n<ul class=\"cards\">\n"
        for card in cards {
            html += "<li class=\"card\"><span class=\"card-value\">\(e(card.value))</span> <span class=\"card-label\">\(e(card.label))</span>"
            if let note = card.note { html += " <span class=\"card-note\">\(e(note))</span>" }
            html += "</li>\n"
        }
        html += "</ul>\n</section>\n"
        return html
    }

    private func collection() -> String {
        var html = "<section id=\"collection\" aria-labelledby=\"collection-heading\">\n<h2 id=\"collection-heading\">Formats and errors</h2>\n<div class=\"chart-row\">\n"
        html += countFigure(chart: charts.formats, file: ReportWriter.Layout.chartFile("formats"), counts: input.summary.formats,
                            column: "Format", empty: "No formats recorded.")
        html += countFigure(chart: charts.errorsByKind, file: ReportWriter.Layout.chartFile("errors-by-kind"), counts: input.summary.errorsByKind,
                            column: "Error kind", empty: "No errors.")
        html += "</div>\n</section>\n"
        return html
    }

    private func countFigure(chart: String?, file: String, counts: [String: Int], column: String, empty: String) -> String {
        guard let chart else { return "<p class=\"empty\">\(e(empty))</p>\n" }
        var html = "<figure class=\"chart-figure\">\n\(chart)<figcaption><a href=\"\(file)\">SVG</a></figcaption>\n"
        html += "<details class=\"data\"><summary>Data</summary>\n<table>\n<thead><tr><th scope=\"col\">\(e(column))</th><th scope=\"col\" class=\"number\">Images</th></tr></thead>\n<tbody>\n"
        for (name, count) in ReportWriter.sortedCounts(counts) {
            html += "<tr><td>\(e(name))</td><td class=\"number\">\(Text.grouped(count))</td></tr>\n"
        }
        html += "</tbody>\n</table>\n</details>\n</figure>\n"
        return html
    }

    private func duplicates() -> String {
        let groups = input.duplicateGroups
        var html = "<section id=\"duplicates\" aria-labelledby=\"duplicates-heading\">\n<h2 id=\"duplicates-heading\">Duplicate groups</h2>\n"
        guard !groups.isEmpty else {
            return html + "<p class=\"empty\">No duplicates found.</p>\n</section>\n"
        }
        let byKind = ReportDuplicateKind.allCases.map { kind in (kind, groups.filter { $0.kind == kind }.count) }.filter { $0.1 > 0 }
        let redundant = groups.reduce(0) { $0 + max($1.members.count - 1, 0) }
        html += "<p>\(Text.grouped(groups.count)) \(groups.count == 1 ? "group" : "groups") ("
        html += byKind.map { "\($0.0.shortTitle): \(Text.grouped($0.1))" }.joined(separator: "; ")
        html += "). Keeping the proposed keeper of each group would remove \(Text.grouped(redundant)) \(redundant == 1 ? "image" : "images").</p>\n"
        if shownGroups.count < groups.count {
            html += "<p class=\"notice\">Showing the \(Text.grouped(shownGroups.count)) largest of \(Text.grouped(groups.count)) groups; "
            html += "\(Text.grouped(groups.count - shownGroups.count)) more are listed in <a href=\"\(ReportWriter.Layout.data)\">\(ReportWriter.Layout.data)</a>.</p>\n"
        }
        html += "<div class=\"toolbar\" id=\"group-filter\" hidden>\n"
        html += "<label>Kind <select id=\"group-kind\"><option value=\"\">all</option>"
        for (kind, _) in byKind { html += "<option value=\"\(kind.rawValue)\">\(e(kind.title))</option>" }
        html += "</select></label>\n<label>Path contains <input type=\"search\" id=\"group-text\" size=\"24\"></label>\n"
        html += "<button type=\"button\" id=\"groups-expand\">Expand all</button> <button type=\"button\" id=\"groups-collapse\">Collapse all</button>\n"
        html += "<span id=\"group-count\" aria-live=\"polite\"></span>\n</div>\n"
        for group in shownGroups { html += duplicateGroup(group) }
        html += "</section>\n"
        return html
    }

    private func duplicateGroup(_ group: ReportDuplicateGroup) -> String {
        let stem = Text.fileStem(group.id)
        let keeper = group.members[group.keeperIndex]
        let order = ReportWriter.memberOrder(group)
        let shown = order.prefix(limits.maxMembersPerGroup)
        // What the script's "path contains" filter searches: the paths of the members shown.
        let search = shown.map { group.members[$0].originalPath.lowercased() }.joined(separator: "\n")
        var html = "<details class=\"group\" id=\"group-\(stem)\" data-kind=\"\(group.kind.rawValue)\" data-search=\"\(e(search))\" open>\n"
        html += "<summary><span class=\"kind kind-\(group.kind.rawValue)\">\(e(group.kind.title))</span> "
        html += "Group <strong>\(e(group.id))</strong> · \(Text.grouped(group.members.count)) images"
        if group.kind == .nearDuplicate {
            html += " · up to \(group.maxDistance) bits apart (\(e(group.hashName)))"
        }
        html += "</summary>\n<div class=\"group-body\">\n"
        html += "<p class=\"keeper-line\"><span class=\"badge\">★ Keeper</span> <strong>\(e(Text.displayName(keeper.originalPath)))</strong>"
        if !group.keeperReason.isEmpty { html += ": \(e(group.keeperReason))" }
        html += "</p>\n"
        switch sheets[group.id] {
        case .made(let href)?: html += "<p class=\"sheet\"><a href=\"\(e(href))\">Contact sheet (PNG)</a></p>\n"
        case .failed(let message)?: html += "<p class=\"sheet sheet-failed\">No contact sheet: \(e(message))</p>\n"
        case nil: break
        }
        html += "<ul class=\"thumbs\">\n"
        for index in shown {
            let member = group.members[index]
            let isKeeper = index == group.keeperIndex
            var note: String?
            if isKeeper {
                note = nil
            } else if let distance = group.distancesToKeeper?[index] {
                note = group.kind == .nearDuplicate ? "\(distance) \(distance == 1 ? "bit" : "bits") from keeper" : nil
            }
            html += imageCard(member, keeper: isKeeper, note: note)
        }
        html += "</ul>\n"
        if order.count > shown.count {
            html += "<p class=\"more\">\(Text.grouped(order.count - shown.count)) more members are not shown; see <a href=\"\(ReportWriter.Layout.data)\">\(ReportWriter.Layout.data)</a>.</p>\n"
        }
        html += "</div>\n</details>\n"
        return html
    }

    private func sweep() -> String {
        guard let sweep = input.sweep, let chart = charts.sweep else { return "" }
        var html = "<section id=\"sweep\" aria-labelledby=\"sweep-heading\">\n<h2 id=\"sweep-heading\">Threshold sweep</h2>\n"
        html += "<p>How many image pairs fall within each Hamming distance of their \(e(sweep.hashName)) hashes. "
        html += "The duplicate groups above use <strong>\(sweep.chosenThreshold) bits</strong>.</p>\n"
        html += "<figure class=\"chart-figure wide\">\n\(chart)<figcaption><a href=\"\(ReportWriter.Layout.chartFile("sweep"))\">SVG</a></figcaption>\n"
        html += "<details class=\"data\"><summary>Data</summary>\n<table>\n<thead><tr><th scope=\"col\" class=\"number\">Threshold (bits)</th><th scope=\"col\" class=\"number\">Pairs</th></tr></thead>\n<tbody>\n"
        for point in sweep.points.sorted(by: { $0.threshold < $1.threshold }) {
            let chosen = point.threshold == sweep.chosenThreshold
            html += "<tr\(chosen ? " class=\"chosen\"" : "")><td class=\"number\">\(point.threshold)\(chosen ? " (chosen)" : "")</td><td class=\"number\">\(Text.grouped(point.pairs))</td></tr>\n"
        }
        html += "</tbody>\n</table>\n</details>\n</figure>\n</section>\n"
        return html
    }

    private func evaluation() -> String {
        guard let evaluation = input.evaluation, let chart = charts.evaluation else { return "" }
        let rows = evaluation.rows.sorted { $0.threshold < $1.threshold }
        var html = "<section id=\"evaluation\" aria-labelledby=\"evaluation-heading\">\n<h2 id=\"evaluation-heading\">Evaluation against ground truth</h2>\n"
        html += "<p>Duplicate pairs found with \(e(evaluation.hashName)) compared with the known duplicate pairs. "
        if let best = rows.first(where: { $0.threshold == evaluation.bestThreshold }) {
            html += "Best F1 <strong>\(Text.fixed(best.f1, 3))</strong> at <strong>\(best.threshold) bits</strong> "
            html += "(precision \(Text.fixed(best.precision, 3)), recall \(Text.fixed(best.recall, 3))). "
        }
        html += "Chosen threshold: <strong>\(evaluation.chosenThreshold) bits</strong>.</p>\n"
        html += "<div class=\"chart-row\">\n<figure class=\"chart-figure wide\">\n\(chart)<figcaption><a href=\"\(ReportWriter.Layout.chartFile("evaluation"))\">SVG</a></figcaption>\n</figure>\n"
        html += "<div class=\"table-scroll\">\n<table class=\"evaluation\">\n<caption>Precision, recall and F1 by threshold</caption>\n"
        html += "<thead><tr><th scope=\"col\" class=\"number\">Threshold (bits)</th><th scope=\"col\" class=\"number\">Precision</th><th scope=\"col\" class=\"number\">Recall</th><th scope=\"col\" class=\"number\">F1</th></tr></thead>\n<tbody>\n"
        for row in rows {
            var classes: [String] = []
            var tags: [String] = []
            if row.threshold == evaluation.bestThreshold { classes.append("best"); tags.append("best") }
            if row.threshold == evaluation.chosenThreshold { classes.append("chosen"); tags.append("chosen") }
            html += "<tr\(classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")>"
            html += "<td class=\"number\">\(row.threshold)\(tags.isEmpty ? "" : " (\(tags.joined(separator: ", ")))")</td>"
            html += "<td class=\"number\">\(Text.fixed(row.precision, 3))</td><td class=\"number\">\(Text.fixed(row.recall, 3))</td><td class=\"number\">\(Text.fixed(row.f1, 3))</td></tr>\n"
        }
        html += "</tbody>\n</table>\n</div>\n</div>\n"
        if let relations = charts.relations {
            html += "<h3>Recall by relation at \(evaluation.chosenThreshold) bits</h3>\n"
            html += "<figure class=\"chart-figure wide\">\n\(relations)<figcaption><a href=\"\(ReportWriter.Layout.chartFile("relations"))\">SVG</a></figcaption>\n"
            html += "<details class=\"data\"><summary>Data</summary>\n<table>\n<thead><tr><th scope=\"col\">Relation</th><th scope=\"col\" class=\"number\">Found</th><th scope=\"col\" class=\"number\">Pairs</th><th scope=\"col\" class=\"number\">Recall</th></tr></thead>\n<tbody>\n"
            for relation in evaluation.relationRecalls {
                html += "<tr><td>\(e(relation.tag))</td><td class=\"number\">\(Text.grouped(relation.found))</td><td class=\"number\">\(Text.grouped(relation.total))</td><td class=\"number\">\(Text.fixed(relation.recall, 3))</td></tr>\n"
            }
            html += "</tbody>\n</table>\n</details>\n</figure>\n"
        }
        html += "</section>\n"
        return html
    }

    private func quality() -> String {
        var html = "<section id=\"quality\" aria-labelledby=\"quality-heading\">\n<h2 id=\"quality-heading\">Quality issues</h2>\n"
        guard !input.qualitySections.isEmpty else {
            return html + "<p class=\"empty\">No quality checks were reported.</p>\n</section>\n"
        }
        if let chart = charts.qualityFlags {
            html += "<figure class=\"chart-figure\">\n\(chart)<figcaption><a href=\"\(ReportWriter.Layout.chartFile("quality-flags"))\">SVG</a></figcaption>\n</figure>\n"
        }
        html += "<ul class=\"flag-index\">\n"
        for section in input.qualitySections {
            html += "<li><a href=\"#quality-\(Text.fileStem(section.flagID))\">\(e(section.title))</a> (\(Text.grouped(section.items.count)))</li>\n"
        }
        html += "</ul>\n"
        for section in input.qualitySections {
            html += "<section class=\"flag\" id=\"quality-\(Text.fileStem(section.flagID))\" aria-labelledby=\"quality-\(Text.fileStem(section.flagID))-heading\">\n"
            html += "<h3 id=\"quality-\(Text.fileStem(section.flagID))-heading\">\(e(section.title)) <span class=\"count\">\(Text.grouped(section.items.count))</span></h3>\n"
            html += "<p class=\"check\">\(e(section.description))</p>\n"
            if section.items.isEmpty {
                html += "<p class=\"empty\">No images flagged.</p>\n</section>\n"
                continue
            }
            let shown = section.items.prefix(limits.maxItemsPerQualitySection)
            html += "<ul class=\"thumbs\">\n"
            for item in shown { html += imageCard(item.image, keeper: false, note: item.score) }
            html += "</ul>\n"
            if section.items.count > shown.count {
                html += "<p class=\"more\">\(Text.grouped(section.items.count - shown.count)) more flagged images are not shown; see <a href=\"\(ReportWriter.Layout.data)\">\(ReportWriter.Layout.data)</a>.</p>\n"
            }
            html += "</section>\n"
        }
        html += "</section>\n"
        return html
    }

    private func errors() -> String {
        var html = "<section id=\"errors\" aria-labelledby=\"errors-heading\">\n<h2 id=\"errors-heading\">Errors</h2>\n"
        guard !input.errors.isEmpty else {
            return html + "<p class=\"empty\">Every file was read.</p>\n</section>\n"
        }
        let shown = input.errors.prefix(limits.maxErrorRows)
        html += "<div class=\"table-scroll\">\n<table class=\"errors\">\n<caption>\(Text.grouped(input.errors.count)) files could not be read</caption>\n"
        html += "<thead><tr><th scope=\"col\">Path</th><th scope=\"col\">Kind</th><th scope=\"col\">Message</th></tr></thead>\n<tbody>\n"
        for error in shown {
            html += "<tr><td><code>\(e(error.path))</code></td><td>\(e(error.kind))</td><td>\(e(error.message))</td></tr>\n"
        }
        html += "</tbody>\n</table>\n</div>\n"
        if input.errors.count > shown.count {
            html += "<p class=\"more\">\(Text.grouped(input.errors.count - shown.count)) more errors are not shown; see <a href=\"\(ReportWriter.Layout.data)\">\(ReportWriter.Layout.data)</a>.</p>\n"
        }
        html += "</section>\n"
        return html
    }

    private func footer() -> String {
        var html = "<footer>\n<p>Made by Vitrine \(e(input.toolVersion)) from the store <code>\(e(input.storePath))</code>. "
        html += "All figures: <a href=\"\(ReportWriter.Layout.data)\">\(ReportWriter.Layout.data)</a>; charts as SVG in <code>assets/charts/</code>.</p>\n</footer>\n"
        return html
    }

    // MARK: Pieces

    /// One thumbnail card: the image (or a placeholder) linked to the original, its name, folder,
    /// size, format and bytes, and an optional note (distance or quality score).
    private func imageCard(_ image: ReportImage, keeper: Bool, note: String?) -> String {
        let name = Text.displayName(image.originalPath)
        let folder = Text.directoryPart(image.originalPath)
        var html = "<li class=\"item\(keeper ? " keeper" : "")\">"
        let frame: String
        if let href = thumbnails[image.itemID] {
            frame = "<img src=\"\(e(href))\" alt=\"\(e(name))\" loading=\"lazy\" decoding=\"async\">"
        } else {
            frame = "<span class=\"placeholder\" role=\"img\" aria-label=\"No preview of \(e(name))\">No preview</span>"
        }
        if let link = Text.linkTarget(forOriginal: image.originalPath) {
            html += "<a class=\"frame\" href=\"\(e(link))\">\(frame)</a>"
        } else {
            html += "<span class=\"frame\">\(frame)</span>"
        }
        if keeper { html += "<span class=\"badge\">★ Keeper</span>" }
        html += "\n<p class=\"name\" title=\"\(e(image.originalPath))\">\(e(name))</p>"
        if !folder.isEmpty { html += "<p class=\"folder\">\(e(folder))</p>" }
        var facts: [String] = []
        if let width = image.width, let height = image.height {
            facts.append("\(width) × \(height) px")
        } else {
            facts.append("size unknown")
        }
        if let format = image.format, !format.isEmpty { facts.append(e(format.uppercased())) }
        facts.append(Text.bytes(image.byteSize))
        html += "<p class=\"facts\">\(facts.joined(separator: " · "))</p>"
        if let note { html += "<p class=\"note\">\(e(note))</p>" }
        html += "</li>\n"
        return html
    }

    private func e(_ text: String) -> String { Text.escape(text) }
}

extension ReportDuplicateKind {
    /// Lowercase label for running text, e.g. "exact copies".
    var shortTitle: String {
        switch self {
        case .exactBytes: "exact copies"
        case .identicalPixels: "identical pixels"
        case .nearDuplicate: "near duplicates"
        }
    }
}
