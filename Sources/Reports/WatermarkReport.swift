import Foundation

/// What `vitrine watermark evaluate` puts on `reports/watermarks.html`.
public struct WatermarkReportInput: Sendable, Equatable {
    public struct Group: Sendable, Equatable {
        public var name: String
        public var total: Int
        public var flagged: Int
        public init(name: String, total: Int, flagged: Int) {
            self.name = name
            self.total = total
            self.flagged = flagged
        }
    }

    public struct Figures: Sendable, Equatable {
        public var images, positives, negatives, tp, fp, fn, tn: Int
        public var accuracy, precision, recall, f1, rocAUC: Double
        /// 20 bins of 0.05 over the score.
        public var cleanHistogram, markedHistogram: [Int]
        public var byKind, byOpacity: [Group]
        /// `[threshold, precision, recall, F1]` rows.
        public var sweep: [[Double]]
        public init(images: Int, positives: Int, negatives: Int, tp: Int, fp: Int, fn: Int, tn: Int, accuracy: Double, precision: Double,
                    recall: Double, f1: Double, rocAUC: Double, cleanHistogram: [Int], markedHistogram: [Int], byKind: [Group],
                    byOpacity: [Group], sweep: [[Double]]) {
            (self.images, self.positives, self.negatives, self.tp, self.fp, self.fn, self.tn) = (images, positives, negatives, tp, fp, fn, tn)
            (self.accuracy, self.precision, self.recall, self.f1, self.rocAUC) = (accuracy, precision, recall, f1, rocAUC)
            (self.cleanHistogram, self.markedHistogram, self.byKind, self.byOpacity, self.sweep) = (cleanHistogram, markedHistogram, byKind, byOpacity, sweep)
        }
    }

    public struct CorpusRow: Sendable, Equatable {
        public var path, kind, truth: String
        public var score: Double?
        public var flagged: Bool
        public var error: String?
        public init(path: String, kind: String, truth: String, score: Double?, flagged: Bool, error: String?) {
            (self.path, self.kind, self.truth, self.score, self.flagged, self.error) = (path, kind, truth, score, flagged, error)
        }
    }

    public var model: String
    public var views: String
    public var threshold: Double
    public var seed: UInt64
    public var heldOutSources: Int
    public var trainSources: Int
    /// Held-out figures at training time, and those of this evaluation (other overlays, same held-out sources).
    public var training: Figures
    public var evaluation: Figures
    public var corpus: [CorpusRow]
    public var toolVersion: String
    public var generatedAt: Date

    public init(model: String, views: String, threshold: Double, seed: UInt64, heldOutSources: Int, trainSources: Int, training: Figures,
                evaluation: Figures, corpus: [CorpusRow], toolVersion: String, generatedAt: Date) {
        (self.model, self.views, self.threshold, self.seed, self.heldOutSources, self.trainSources) = (model, views, threshold, seed, heldOutSources, trainSources)
        (self.training, self.evaluation, self.corpus, self.toolVersion, self.generatedAt) = (training, evaluation, corpus, toolVersion, generatedAt)
    }
}

public enum WatermarkReport {
    public static func html(_ input: WatermarkReportInput) -> String {
        let e = input.evaluation
        var h = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Watermark detector \(Text.escape(input.model))</title>
        <style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}
        td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}.flag{color:#b00}</style></head><body>
        <h1>Watermark detector “\(Text.escape(input.model))”</h1>
        <p>Views: \(Text.escape(input.views)). Flagged at P(watermark) ≥ \(Text.fixed(input.threshold, 2)). Trained on \(input.trainSources) \
        source images; evaluated on \(input.heldOutSources) held-out source images (never in training; near-duplicate groups kept on \
        one side) with overlays drawn with seed \(input.seed). vitrine \(Text.escape(input.toolVersion)) · \(Text.iso8601(input.generatedAt))</p>
        <h2>Held-out generated images</h2>
        <table><tr><th class="l">figure</th><th>this evaluation</th><th>at training</th></tr>
        """
        let t = input.training
        for (name, a, b) in [("images", "\(e.images)", "\(t.images)"), ("marked / clean", "\(e.positives) / \(e.negatives)", "\(t.positives) / \(t.negatives)"),
                             ("TP / FP / FN / TN", "\(e.tp) / \(e.fp) / \(e.fn) / \(e.tn)", "\(t.tp) / \(t.fp) / \(t.fn) / \(t.tn)"),
                             ("accuracy", Text.fixed(e.accuracy, 3), Text.fixed(t.accuracy, 3)), ("precision", Text.fixed(e.precision, 3), Text.fixed(t.precision, 3)),
                             ("recall", Text.fixed(e.recall, 3), Text.fixed(t.recall, 3)), ("F1", Text.fixed(e.f1, 3), Text.fixed(t.f1, 3)),
                             ("ROC AUC", Text.fixed(e.rocAUC, 3), Text.fixed(t.rocAUC, 3))]
        {
            h += "<tr><td class=\"l\">\(name)</td><td>\(a)</td><td>\(b)</td></tr>"
        }
        h += "</table><h3>Score distributions (clean grey, marked red)</h3>" + histogramSVG(clean: e.cleanHistogram, marked: e.markedHistogram)
        h += "<h3>Recall by overlay kind and opacity</h3><table><tr><th class=\"l\">group</th><th>marked</th><th>flagged</th><th>recall</th></tr>"
        for g in e.byKind + e.byOpacity {
            h += "<tr><td class=\"l\">\(Text.escape(g.name))</td><td>\(g.total)</td><td>\(g.flagged)</td><td>\(Text.fixed(Double(g.flagged) / Double(max(1, g.total)), 3))</td></tr>"
        }
        h += "</table><h3>Threshold sweep</h3><table><tr><th>threshold</th><th>precision</th><th>recall</th><th>F1</th></tr>"
        for row in e.sweep where row.count == 4 {
            h += "<tr><td>\(Text.fixed(row[0], 1))</td><td>\(Text.fixed(row[1], 3))</td><td>\(Text.fixed(row[2], 3))</td><td>\(Text.fixed(row[3], 3))</td></tr>"
        }
        h += "</table>"
        if !input.corpus.isEmpty {
            h += "<h2>Real images with overlays (\(input.corpus.filter(\.flagged).count) of \(input.corpus.count) flagged)</h2>"
            h += "<table><tr><th class=\"l\">image</th><th class=\"l\">overlay kind</th><th class=\"l\">true watermark</th><th>score</th><th class=\"l\">flagged</th></tr>"
            for r in input.corpus {
                let score = r.score.map { Text.fixed($0, 3) } ?? Text.escape(r.error ?? "—")
                h += "<tr><td class=\"l\">\(Text.escape(r.path))</td><td class=\"l\">\(Text.escape(r.kind))</td><td class=\"l\">\(Text.escape(r.truth))</td>"
                h += "<td>\(score)</td><td class=\"l\(r.flagged ? " flag" : "")\">\(r.flagged ? "yes" : "no")</td></tr>"
            }
            h += "</table>"
        }
        return h + "</body></html>\n"
    }

    /// Two overlaid histograms over 0…1 (20 bins), bars scaled to the largest bin of either.
    public static func histogramSVG(clean: [Int], marked: [Int]) -> String {
        let width = 600.0, height = 200.0, left = 40.0, bottom = 24.0
        let top = Double(max(1, (clean + marked).max() ?? 1))
        let bins = max(clean.count, marked.count, 1)
        let w = (width - left - 10) / Double(bins)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"score histogram\">"
        for (series, colour, dx) in [(clean, "#888", 0.0), (marked, "#c33", 0.5)] {
            for (i, n) in series.enumerated() where n > 0 {
                let bh = (height - bottom - 10) * Double(n) / top
                s += "<rect x=\"\(Text.fixed(left + Double(i) * w + dx * w, 1))\" y=\"\(Text.fixed(height - bottom - bh, 1))\" width=\"\(Text.fixed(w / 2, 1))\" height=\"\(Text.fixed(bh, 1))\" fill=\"\(colour)\"><title>\(Text.fixed(Double(i) / Double(bins), 2))–\(Text.fixed(Double(i + 1) / Double(bins), 2)): \(n)</title></rect>"
            }
        }
        s += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - 10)\" y2=\"\(height - bottom)\" stroke=\"#333\"/>"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            s += "<text x=\"\(Text.fixed(left + tick * (width - left - 10), 1))\" y=\"\(height - 6)\" font-size=\"11\" text-anchor=\"middle\">\(Text.fixed(tick, 2))</text>"
        }
        s += "<text x=\"4\" y=\"14\" font-size=\"11\">\(Int(top))</text></svg>"
        return s
    }
}
