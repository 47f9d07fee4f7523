import Foundation

/// What the super-resolution pages show: the evaluation table and charts, and before/after pairs
/// of upscaled items. Plain values so that Reports does not depend on Inference.
public struct SuperResolutionReportInput: Sendable, Equatable {
    public struct Method: Sendable, Equatable {
        public var name: String
        public var model: String?
        public var images: Int
        public var meanPSNR: Double
        public var meanSSIM: Double
        /// Category → (PSNR dB, SSIM).
        public var perCategory: [String: (psnr: Double, ssim: Double)]
        public var secondsPerMegapixel: Double
        public var worseThanBicubic: Bool
        public init(name: String, model: String?, images: Int, meanPSNR: Double, meanSSIM: Double,
                    perCategory: [String: (psnr: Double, ssim: Double)], secondsPerMegapixel: Double, worseThanBicubic: Bool) {
            self.name = name
            self.model = model
            self.images = images
            self.meanPSNR = meanPSNR
            self.meanSSIM = meanSSIM
            self.perCategory = perCategory
            self.secondsPerMegapixel = secondsPerMegapixel
            self.worseThanBicubic = worseThanBicubic
        }
        public static func == (a: Method, b: Method) -> Bool {
            a.name == b.name && a.meanPSNR == b.meanPSNR && a.meanSSIM == b.meanSSIM && a.images == b.images
        }
    }

    /// One upscaled item: paths of the original and the derived image (absolute or relative to
    /// the report folder).
    public struct Pair: Sendable, Equatable {
        public var label: String
        public var before: String
        public var after: String
        public var note: String
        public init(label: String, before: String, after: String, note: String) {
            self.label = label
            self.before = before
            self.after = after
            self.note = note
        }
    }

    public var title: String
    public var toolVersion: String
    public var scale: Int
    public var protocolNote: String
    public var methods: [Method]
    public var pairs: [Pair]
    public init(title: String, toolVersion: String, scale: Int, protocolNote: String, methods: [Method], pairs: [Pair]) {
        self.title = title
        self.toolVersion = toolVersion
        self.scale = scale
        self.protocolNote = protocolNote
        self.methods = methods
        self.pairs = pairs
    }
}

/// Writes `superres.html` (and its two SVG charts) into a report folder, beside the main report
/// and with its stylesheet.
public enum SuperResolutionReport {
    /// - Returns: the page's URL.
    /// - Throws: `ReportsError` naming the file that could not be written.
    @discardableResult
    public static func write(_ input: SuperResolutionReportInput, to folder: URL, fileName: String = "superres.html") throws -> URL {
        let charts = folder.appendingPathComponent(ReportWriter.Layout.charts, isDirectory: true)
        do { try FileManager.default.createDirectory(at: charts, withIntermediateDirectories: true) } catch {
            throw ReportsError(code: .createDirectory, path: charts.path, message: "cannot create the chart folder", underlying: "\(error)")
        }
        try ReportWriter.writeIfChanged(Data(ReportAssets.stylesheet.utf8), to: folder.appendingPathComponent(ReportWriter.Layout.stylesheet))
        let stem = (fileName as NSString).deletingPathExtension
        let psnrChart = SVGChart.horizontalBars(
            title: "Mean PSNR on Y, ×\(input.scale) (dB, higher is better)",
            description: "Mean PSNR of each method on the BT.601 Y channel of the evaluation images.",
            bars: input.methods.map { .init(label: $0.name, value: $0.meanPSNR, valueLabel: Text.fixed($0.meanPSNR, 2) + " dB") },
            style: .count, id: "\(stem)-psnr")
        let ssimChart = SVGChart.horizontalBars(
            title: "Mean SSIM on Y, ×\(input.scale) (higher is better)",
            description: "Mean SSIM of each method on the BT.601 Y channel of the evaluation images.",
            bars: input.methods.map { .init(label: $0.name, value: $0.meanSSIM, valueLabel: Text.fixed($0.meanSSIM, 4)) },
            style: .fraction, id: "\(stem)-ssim")
        try ReportWriter.writeIfChanged(Data(psnrChart.utf8), to: folder.appendingPathComponent(ReportWriter.Layout.chartFile("\(stem)-psnr")))
        try ReportWriter.writeIfChanged(Data(ssimChart.utf8), to: folder.appendingPathComponent(ReportWriter.Layout.chartFile("\(stem)-ssim")))

        let e = Text.escape
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"generator\" content=\"Vitrine \(e(input.toolVersion))\">\n<title>\(e(input.title))</title>\n"
        html += "<link rel=\"stylesheet\" href=\"\(ReportWriter.Layout.stylesheet)\">\n</head>\n<body>\n<main>\n"
        html += "<h1>\(e(input.title))</h1>\n"
        if !input.methods.isEmpty {
            html += "<section id=\"evaluation\">\n<h2>Super-resolution ×\(input.scale): PSNR and SSIM</h2>\n"
            html += "<p>\(e(input.protocolNote)).</p>\n"
            html += "<table>\n<thead><tr><th>method</th><th>model</th><th>images</th><th>PSNR (dB)</th><th>SSIM</th><th>s / MP</th><th>vs bicubic</th></tr></thead>\n<tbody>\n"
            for m in input.methods {
                let verdict = m.name == "bicubic" ? "baseline" : (m.worseThanBicubic ? "worse than bicubic" : "better than bicubic")
                html += "<tr><td>\(e(m.name))</td><td>\(e(m.model ?? "–"))</td><td>\(m.images)</td><td>\(Text.fixed(m.meanPSNR, 2))</td>"
                html += "<td>\(Text.fixed(m.meanSSIM, 4))</td><td>\(Text.fixed(m.secondsPerMegapixel, 3))</td><td>\(verdict)</td></tr>\n"
            }
            html += "</tbody>\n</table>\n"
            html += "<figure><img src=\"\(ReportWriter.Layout.chartFile("\(stem)-psnr"))\" alt=\"Mean PSNR per method\"></figure>\n"
            html += "<figure><img src=\"\(ReportWriter.Layout.chartFile("\(stem)-ssim"))\" alt=\"Mean SSIM per method\"></figure>\n"
            let categories = Set(input.methods.flatMap { $0.perCategory.keys }).sorted()
            html += "<h3>Per category (PSNR dB / SSIM)</h3>\n<table>\n<thead><tr><th>category</th>"
            for m in input.methods { html += "<th>\(e(m.name))</th>" }
            html += "</tr></thead>\n<tbody>\n"
            for category in categories {
                html += "<tr><td>\(e(category))</td>"
                for m in input.methods {
                    if let v = m.perCategory[category] {
                        html += "<td>\(Text.fixed(v.psnr, 2)) / \(Text.fixed(v.ssim, 3))</td>"
                    } else {
                        html += "<td>–</td>"
                    }
                }
                html += "</tr>\n"
            }
            html += "</tbody>\n</table>\n</section>\n"
        }
        if !input.pairs.isEmpty {
            html += "<section id=\"upscaled\">\n<h2>Upscaled items: before and after</h2>\n"
            for pair in input.pairs {
                html += "<figure class=\"pair\"><figcaption>\(e(pair.label)) — \(e(pair.note))</figcaption>"
                html += "<img src=\"\(e(pair.before))\" alt=\"before\" loading=\"lazy\"> "
                html += "<img src=\"\(e(pair.after))\" alt=\"after\" loading=\"lazy\"></figure>\n"
            }
            html += "</section>\n"
        }
        html += "</main>\n</body>\n</html>\n"
        let page = folder.appendingPathComponent(fileName)
        try ReportWriter.writeIfChanged(Data(html.utf8), to: page)
        return page
    }
}
