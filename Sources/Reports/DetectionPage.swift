import Foundation

/// What a detections page (`reports/detections-MODEL.html`) shows: one stored detection run.
public struct DetectionReportInput: Sendable, Codable, Equatable {
    /// One class of detected objects.
    public struct ClassSection: Sendable, Codable, Equatable {
        public var label: String
        /// Detections of this class, and items with at least one.
        public var detections: Int
        public var items: Int
        /// Contact sheet of the best crops (highest score first), relative to the page; nil if none.
        public var contactSheet: String?
        /// The crops shown, in the contact sheet's order: item label, score in [0, 1], box `x,y,w,h` px.
        public var crops: [Crop]

        public init(label: String, detections: Int, items: Int, contactSheet: String?, crops: [Crop]) {
            self.label = label
            self.detections = detections
            self.items = items
            self.contactSheet = contactSheet
            self.crops = crops
        }
    }

    public struct Crop: Sendable, Codable, Equatable {
        public var item: String
        public var score: Double
        public var box: [Double]

        public init(item: String, score: Double, box: [Double]) {
            self.item = item
            self.score = score
            self.box = box
        }
    }

    public var title: String
    public var generatedAt: Date
    public var storePath: String
    public var toolVersion: String
    public var runID: Int64
    public var model: String
    public var modelSHA256: String
    public var minimumScore: Double
    public var items: Int
    public var itemsWithDetections: Int
    public var errors: Int
    /// Sections in display order (most detections first).
    public var classes: [ClassSection]

    public init(title: String, generatedAt: Date, storePath: String, toolVersion: String, runID: Int64, model: String,
                modelSHA256: String, minimumScore: Double, items: Int, itemsWithDetections: Int, errors: Int,
                classes: [ClassSection]) {
        self.title = title
        self.generatedAt = generatedAt
        self.storePath = storePath
        self.toolVersion = toolVersion
        self.runID = runID
        self.model = model
        self.modelSHA256 = modelSHA256
        self.minimumScore = minimumScore
        self.items = items
        self.itemsWithDetections = itemsWithDetections
        self.errors = errors
        self.classes = classes
    }
}

/// Writes the detections page (`detections-MODEL.html`) beside the main report (`index.html`), sharing its stylesheet.
public enum DetectionPage {
    /// The page's file name inside the reports folder: one page per model, for its latest run.
    public static func fileName(model: String) -> String { "detections-\(Text.fileStem(model)).html" }

    /// Renders the page: summary cards, a bar chart of detections per class (SVG), and per class
    /// a contact sheet of its best crops with their scores.
    public static func render(_ input: DetectionReportInput) -> String {
        let e = Text.escape
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<title>\(e(input.title))</title>\n<link rel=\"stylesheet\" href=\"\(ReportWriter.Layout.stylesheet)\">\n</head>\n<body>\n"
        html += "<header>\n<h1>\(e(input.title))</h1>\n<p class=\"meta\">Run \(input.runID) · model <code>\(e(input.model))</code> "
        html += "(sha256 <code>\(e(String(input.modelSHA256.prefix(12))))…</code>) · score &gt; \(Text.fixed(input.minimumScore, 2)) · "
        html += "\(e(Text.iso8601(input.generatedAt))) · Vitrine \(e(input.toolVersion)) · <a href=\"index.html\">main report</a></p>\n</header>\n<main>\n"
        html += "<section id=\"summary\"><h2>Summary</h2>\n<ul class=\"cards\">\n"
        let total = input.classes.reduce(0) { $0 + $1.detections }
        for (label, value) in [("items", input.items), ("items with detections", input.itemsWithDetections),
                               ("detections", total), ("classes", input.classes.count), ("errors", input.errors)] {
            html += "<li><span class=\"value\">\(Text.grouped(value))</span> <span class=\"label\">\(e(label))</span></li>\n"
        }
        html += "</ul>\n</section>\n"
        if !input.classes.isEmpty {
            let bars = input.classes.prefix(30).map {
                SVGChart.Bar(label: $0.label, value: Double($0.detections), valueLabel: Text.grouped($0.detections))
            }
            html += "<section id=\"classes\"><h2>Detections per class</h2>\n<figure>\n"
            html += SVGChart.horizontalBars(title: "Detections per class", description: "Number of detections of each class in run \(input.runID)",
                                            bars: Array(bars), id: "chart-detections")
            html += "\n</figure>\n</section>\n"
        } else {
            html += "<p class=\"empty\">No detections above the score threshold.</p>\n"
        }
        for section in input.classes {
            html += "<section class=\"flag\" id=\"class-\(Text.fileStem(section.label))\">\n"
            html += "<h3>\(e(section.label)) <span class=\"count\">\(Text.grouped(section.detections)) in \(Text.grouped(section.items)) items</span></h3>\n"
            if let sheet = section.contactSheet {
                html += "<img class=\"sheet\" src=\"\(e(sheet))\" alt=\"best crops of \(e(section.label))\" loading=\"lazy\">\n"
            }
            if !section.crops.isEmpty {
                html += "<details><summary>Crops shown</summary>\n<table>\n<thead><tr><th>#</th><th>item</th><th>score</th><th>box x,y,w,h (px)</th></tr></thead>\n<tbody>\n"
                for (n, crop) in section.crops.enumerated() {
                    let box = crop.box.map { Text.fixed($0, 1) }.joined(separator: ",")
                    html += "<tr><td>\(n + 1)</td><td>\(e(crop.item))</td><td>\(Text.fixed(crop.score, 3))</td><td>\(box)</td></tr>\n"
                }
                html += "</tbody>\n</table>\n</details>\n"
            }
            html += "</section>\n"
        }
        html += "</main>\n</body>\n</html>\n"
        return html
    }
}

extension DetectionPage {
    /// Writes `detections-MODEL.html` (and the shared stylesheet, if missing) into the reports `folder`.
    /// - Returns: the page's URL.
    /// - Throws: `ReportsError` naming the file that could not be written.
    @discardableResult
    public static func write(_ input: DetectionReportInput, to folder: URL) throws -> URL {
        try ReportWriter.createDirectory(folder.appendingPathComponent(ReportWriter.Layout.assets, isDirectory: true))
        let css = folder.appendingPathComponent(ReportWriter.Layout.stylesheet)
        if !FileManager.default.fileExists(atPath: css.path) {
            try ReportWriter.writeIfChanged(Data(ReportAssets.stylesheet.utf8), to: css)
        }
        let page = folder.appendingPathComponent(fileName(model: input.model))
        try ReportWriter.writeIfChanged(Data(render(input).utf8), to: page)
        return page
    }
}
