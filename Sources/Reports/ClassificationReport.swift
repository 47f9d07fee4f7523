import Foundation

/// What the classification evaluation page (`reports/classification-evaluation.html`) shows.
/// Plain numbers, so `Reports` needs nothing from `Learning`.
public struct ClassificationReportInput: Sendable, Codable, Equatable {
    /// One k-fold scheme (grouped by near-duplicate group, or plain).
    public struct Scheme: Sendable, Codable, Equatable {
        public var name: String
        /// Figure name → (mean, std) over folds, in display order.
        public var figures: [Figure]
        /// `confusion[i][j]`: items of true class i predicted as j (pooled out-of-fold predictions).
        public var confusion: [[Int]]
        public var perClass: [ClassRow]
        /// Reliability bins: lower, upper, count, mean confidence, accuracy.
        public var reliability: [[Double]]
        public var ece: Double
        public var uncalibratedECE: Double
        /// Coverage curve: threshold, coverage, accuracy.
        public var coverage: [[Double]]
        public var topConfusions: [ConfusionRow]
        public init(name: String, figures: [Figure], confusion: [[Int]], perClass: [ClassRow], reliability: [[Double]], ece: Double,
                    uncalibratedECE: Double, coverage: [[Double]], topConfusions: [ConfusionRow]) {
            self.name = name; self.figures = figures; self.confusion = confusion; self.perClass = perClass
            self.reliability = reliability; self.ece = ece; self.uncalibratedECE = uncalibratedECE; self.coverage = coverage
            self.topConfusions = topConfusions
        }
    }
    public struct Figure: Sendable, Codable, Equatable {
        public var name: String
        public var mean: Double
        public var std: Double
        public init(name: String, mean: Double, std: Double) { self.name = name; self.mean = mean; self.std = std }
    }
    public struct ClassRow: Sendable, Codable, Equatable {
        public var label: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
        public init(label: String, precision: Double, recall: Double, f1: Double, support: Int) {
            self.label = label; self.precision = precision; self.recall = recall; self.f1 = f1; self.support = support
        }
    }
    public struct ConfusionRow: Sendable, Codable, Equatable {
        public var truth: String
        public var predicted: String
        public var count: Int
        /// Example images, as paths relative to the page.
        public var thumbnails: [String]
        public init(truth: String, predicted: String, count: Int, thumbnails: [String]) {
            self.truth = truth; self.predicted = predicted; self.count = count; self.thumbnails = thumbnails
        }
    }

    public var title: String
    public var generatedAt: Date
    public var toolVersion: String
    public var runID: Int64
    public var labels: String
    public var embeddingModel: String
    public var classes: [String]
    public var items: Int
    public var folds: Int
    public var groupsKeptTogether: Int
    public var itemsInGroups: Int
    /// Shown side by side: grouped first, then plain.
    public var schemes: [Scheme]

    public init(title: String, generatedAt: Date, toolVersion: String, runID: Int64, labels: String, embeddingModel: String, classes: [String],
                items: Int, folds: Int, groupsKeptTogether: Int, itemsInGroups: Int, schemes: [Scheme]) {
        self.title = title; self.generatedAt = generatedAt; self.toolVersion = toolVersion; self.runID = runID; self.labels = labels
        self.embeddingModel = embeddingModel; self.classes = classes; self.items = items; self.folds = folds
        self.groupsKeptTogether = groupsKeptTogether; self.itemsInGroups = itemsInGroups; self.schemes = schemes
    }
}

/// Renders the classification evaluation page: figures (mean ± std over folds) of both
/// schemes side by side, per-class tables, confusion matrices as SVG heat maps (counts, shaded
/// by the row-normalised value), top confusions with example images, reliability diagrams with
/// ECE, and accuracy/coverage curves.
public enum ClassificationReport {
    public static func html(_ input: ClassificationReportInput) -> String {
        var h = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(Text.escape(input.title))</title>
        <style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}
        td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}
        .cols{display:flex;gap:2em;flex-wrap:wrap}.col{flex:1;min-width:480px}img.t{height:56px;margin:1px}</style></head><body>
        <h1>\(Text.escape(input.title))</h1>
        <p>Run \(input.runID) · \(Text.escape(input.labels)) · embeddings \(Text.escape(input.embeddingModel)) · \(input.items) items in \
        \(input.classes.count) classes · \(input.folds)-fold stratified · \(input.groupsKeptTogether) near-duplicate groups \
        (\(input.itemsInGroups) items) kept together by the grouped scheme · vitrine \(Text.escape(input.toolVersion)) · \
        \(Text.iso8601(input.generatedAt))</p>
        <div class="cols">
        """
        for scheme in input.schemes {
            h += "<div class=\"col\"><h2>\(Text.escape(scheme.name)) k-fold</h2><table><tr><th class=\"l\">figure</th><th>mean</th><th>± std</th></tr>"
            for f in scheme.figures { h += "<tr><td class=\"l\">\(Text.escape(f.name))</td><td>\(Text.fixed(f.mean, 3))</td><td>\(Text.fixed(f.std, 3))</td></tr>" }
            h += "</table><h3>Confusion matrix (counts; shade = row-normalised)</h3>" + confusionSVG(scheme.confusion, classes: input.classes)
            h += "<h3>Top confusions</h3><table><tr><th class=\"l\">true</th><th class=\"l\">predicted</th><th>items</th><th class=\"l\">examples</th></tr>"
            for c in scheme.topConfusions {
                h += "<tr><td class=\"l\">\(Text.escape(c.truth))</td><td class=\"l\">\(Text.escape(c.predicted))</td><td>\(c.count)</td><td class=\"l\">"
                h += c.thumbnails.map { "<img class=\"t\" loading=\"lazy\" src=\"\(Text.escape($0))\" alt=\"\">" }.joined() + "</td></tr>"
            }
            h += "</table><h3>Per class</h3><table><tr><th class=\"l\">class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>"
            for r in scheme.perClass {
                h += "<tr><td class=\"l\">\(Text.escape(r.label))</td><td>\(Text.fixed(r.precision, 3))</td><td>\(Text.fixed(r.recall, 3))</td><td>\(Text.fixed(r.f1, 3))</td><td>\(r.support)</td></tr>"
            }
            h += "</table><h3>Reliability (ECE \(Text.fixed(scheme.ece, 3)), before temperature scaling \(Text.fixed(scheme.uncalibratedECE, 3)))</h3>"
            h += reliabilitySVG(scheme.reliability)
            h += "<h3>Accuracy and coverage when abstaining below a confidence</h3>" + coverageSVG(scheme.coverage) + "</div>"
        }
        return h + "</div></body></html>\n"
    }

    /// A heat map: one cell per (true, predicted), text = count, fill = count / row total.
    public static func confusionSVG(_ m: [[Int]], classes: [String]) -> String {
        let n = classes.count, cell = 30, left = 150, top = 150
        let side = left + n * cell + 10
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(side)\" height=\"\(top + n * cell + 30)\" font-size=\"10\">"
        for (i, name) in classes.enumerated() {
            s += "<text x=\"\(left - 4)\" y=\"\(top + i * cell + cell / 2 + 3)\" text-anchor=\"end\">\(Text.escape(name))</text>"
            s += "<text transform=\"translate(\(left + i * cell + cell / 2 + 3),\(top - 4)) rotate(-60)\">\(Text.escape(name))</text>"
        }
        for i in 0..<min(n, m.count) {
            let total = max(1, m[i].reduce(0, +))
            for j in 0..<min(n, m[i].count) {
                let f = Double(m[i][j]) / Double(total)
                let shade = Int(255 - 200 * f)
                let fill = i == j ? "rgb(\(shade),\(min(255, shade + 40)),\(shade))" : "rgb(255,\(shade),\(shade))"
                s += "<rect x=\"\(left + j * cell)\" y=\"\(top + i * cell)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(fill)\" stroke=\"#ddd\"><title>\(Text.escape(classes[i])) → \(Text.escape(classes[j])): \(m[i][j]) (\(Text.fixed(f * 100, 0)) %)</title></rect>"
                if m[i][j] > 0 { s += "<text x=\"\(left + j * cell + cell / 2)\" y=\"\(top + i * cell + cell / 2 + 3)\" text-anchor=\"middle\">\(m[i][j])</text>" }
            }
        }
        s += "<text x=\"\(left)\" y=\"\(top + n * cell + 20)\">rows: true class · columns: predicted</text>"
        return s + "</svg>"
    }

    /// Bars of accuracy per confidence bin against the diagonal.
    public static func reliabilitySVG(_ bins: [[Double]]) -> String {
        let w = 300.0, h = 300.0, x0 = 40.0, y0 = 10.0
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"360\" height=\"340\" font-size=\"10\">"
        s += "<rect x=\"\(x0)\" y=\"\(y0)\" width=\"\(w)\" height=\"\(h)\" fill=\"none\" stroke=\"#888\"/>"
        s += "<line x1=\"\(x0)\" y1=\"\(y0 + h)\" x2=\"\(x0 + w)\" y2=\"\(y0)\" stroke=\"#aaa\" stroke-dasharray=\"4\"/>"
        for b in bins where b.count >= 5 && b[2] > 0 {
            let x = x0 + b[0] * w, bw = (b[1] - b[0]) * w, bh = b[4] * h
            s += "<rect x=\"\(Text.fixed(x, 1))\" y=\"\(Text.fixed(y0 + h - bh, 1))\" width=\"\(Text.fixed(bw - 1, 1))\" height=\"\(Text.fixed(bh, 1))\" fill=\"#4a7fb5\"><title>\(Text.fixed(b[0], 2))–\(Text.fixed(b[1], 2)): \(Int(b[2])) items, confidence \(Text.fixed(b[3], 3)), accuracy \(Text.fixed(b[4], 3))</title></rect>"
        }
        s += "<text x=\"\(x0 + w / 2)\" y=\"335\" text-anchor=\"middle\">confidence</text><text x=\"12\" y=\"\(y0 + h / 2)\" transform=\"rotate(-90 12 \(y0 + h / 2))\" text-anchor=\"middle\">accuracy</text>"
        return s + "</svg>"
    }

    /// Accuracy (blue) and coverage (orange) against the abstention threshold.
    public static func coverageSVG(_ points: [[Double]]) -> String {
        let w = 300.0, h = 200.0, x0 = 40.0, y0 = 10.0
        func path(_ k: Int) -> String {
            points.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(Text.fixed(x0 + p[0] * w, 1)),\(Text.fixed(y0 + h - p[k] * h, 1))" }.joined(separator: " ")
        }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"360\" height=\"240\" font-size=\"10\">"
        s += "<rect x=\"\(x0)\" y=\"\(y0)\" width=\"\(w)\" height=\"\(h)\" fill=\"none\" stroke=\"#888\"/>"
        s += "<path d=\"\(path(2))\" fill=\"none\" stroke=\"#4a7fb5\" stroke-width=\"2\"/><path d=\"\(path(1))\" fill=\"none\" stroke=\"#e08a2c\" stroke-width=\"2\"/>"
        s += "<text x=\"\(x0 + 5)\" y=\"\(y0 + 12)\" fill=\"#4a7fb5\">accuracy</text><text x=\"\(x0 + 5)\" y=\"\(y0 + 24)\" fill=\"#e08a2c\">coverage</text>"
        s += "<text x=\"\(x0 + w / 2)\" y=\"235\" text-anchor=\"middle\">abstain below confidence</text>"
        return s + "</svg>"
    }
}
