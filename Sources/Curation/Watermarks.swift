import Foundation
import Imaging
import Learning
import VitrineCore

/// One synthetic watermark: what is drawn, in which font, how large, how opaque, where.
/// Sizes are fractions of the picture's shorter side so a mark looks the same on any resolution.
public struct WatermarkOverlay: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// One line of text (a credit, "© …", "SAMPLE").
        case text
        /// The same text repeated over the whole picture on a staggered grid.
        case tiledText = "tiled_text"
        /// A logo-like mark: a ring with initials or a symbol inside.
        case logo
    }

    public enum Placement: String, Sendable, Codable, CaseIterable {
        case topLeft = "top_left", topRight = "top_right", bottomLeft = "bottom_left", bottomRight = "bottom_right", centre, random
    }

    public var kind: Kind
    public var text: String
    /// Pango font description without size (fonts of Debian `fonts-dejavu-core`).
    public var font: String
    /// Text height, or logo diameter, as a fraction of the picture's shorter side.
    public var size: Double
    /// 0…1: the share of the mark's colour in a fully covered pixel (alpha blending).
    public var opacity: Double
    /// sRGB colour of the mark.
    public var colour: [UInt8]
    /// Clockwise rotation in degrees.
    public var angle: Double
    public var placement: Placement
    /// Centre of a `.random` placement, as fractions of width and height.
    public var x: Double
    public var y: Double

    public init(kind: Kind, text: String, font: String, size: Double, opacity: Double, colour: [UInt8], angle: Double, placement: Placement,
                x: Double, y: Double) {
        (self.kind, self.text, self.font, self.size, self.opacity) = (kind, text, font, size, opacity)
        (self.colour, self.angle, self.placement, self.x, self.y) = (colour, angle, placement, x, y)
    }

    /// Fonts used for generated marks (all in `fonts-dejavu-core`, installed by `scripts/setup`).
    public static let fonts = ["DejaVu Sans", "DejaVu Sans Bold", "DejaVu Serif", "DejaVu Serif Bold", "DejaVu Sans Mono", "DejaVu Sans Mono Bold"]

    /// Opacity range of generated marks (the range the issue names: 10–60 %).
    public static let opacityRange = 0.10...0.60

    private static let words = ["Archive", "Museum", "Library", "Collection", "Studio", "Photo", "Bildarchiv", "Musée", "Biblioteca",
                                "Rijks", "Galerie", "Sammlung", "Heritage", "Agency", "Press", "Images", "Stock", "Atelier"]
    private static let phrases = ["SAMPLE", "PREVIEW", "COPYRIGHT", "PROOF", "DO NOT COPY", "NOT FOR REPRODUCTION", "watermark",
                                  "All rights reserved", "For study only", "Specimen", "Courtesy of"]

    /// A random overlay (deterministic for a given generator state): kind text 50 %, tiled text
    /// 25 %, logo 25 %; opacity uniform in `opacityRange`; text height 3–12 % of the shorter side
    /// (tiled 3–7 %), logo diameter 8–25 %; white, black, grey or a random colour; text at 0° half
    /// of the time, else −45…45°; placement in a corner, the centre or anywhere.
    public static func random<G: RandomNumberGenerator>(using rng: inout G) -> WatermarkOverlay {
        func uniform(_ a: Double, _ b: Double) -> Double { Double.random(in: a...b, using: &rng) }
        func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
        let kind = pick([Kind.text, .text, .tiledText, .logo])
        let text: String
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: text = pick(phrases)
        case 1: text = "© \(pick(words)) \(Int.random(in: 1950...2025, using: &rng))"
        case 2: text = "\(pick(words)) \(pick(words))"
        default: text = "www.\(pick(words).lowercased())-\(pick(words).lowercased()).org"
        }
        let logoText = pick(["©", "®", "\(pick(words).prefix(1))\(pick(words).prefix(1))", "\(pick(words).prefix(2))", "★"])
        let size: Double =
            switch kind {
            case .text: uniform(0.03, 0.12)
            case .tiledText: uniform(0.03, 0.07)
            case .logo: uniform(0.08, 0.25)
            }
        let colour: [UInt8] = pick([[255, 255, 255], [0, 0, 0], [128, 128, 128],
                                    [UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng)]])
        let angle: Double =
            switch kind {
            case .text: Bool.random(using: &rng) ? 0 : uniform(-45, 45)
            case .tiledText: pick([0, -30, -45, 30, 45])
            case .logo: 0
            }
        return WatermarkOverlay(kind: kind, text: kind == .logo ? logoText : text, font: pick(fonts), size: size,
                                opacity: uniform(opacityRange.lowerBound, opacityRange.upperBound), colour: colour, angle: angle,
                                placement: pick(Placement.allCases), x: uniform(0.15, 0.85), y: uniform(0.15, 0.85))
    }

    /// The picture with this mark blended in: `out = (1 − a)·p + a·colour`, `a = opacity ×
    /// coverage`, coverage from libvips' text rendering (anti-aliased). The result is 8-bit RGB of
    /// the same size; grey input is replicated first.
    /// - Throws: `ImagingError` when libvips cannot render the text.
    public func rendered(on picture: PixelBuffer) throws -> PixelBuffer {
        let rgb = picture.replicatedToRGB()
        let width = rgb.width, height = rgb.height
        let shorter = Double(min(width, height))
        var glyph =
            kind == .logo
            ? try Self.logoMask(diameter: max(12, Int(size * shorter)), text: text, font: font)
            : try TextRendering.mask(text: text, font: font, pixelSize: max(6, Int(size * shorter)), angle: angle)
        // A mark wider or taller than the picture is scaled down to fit 90 % of it.
        let fit = min(1, 0.9 * Double(width) / Double(glyph.width), 0.9 * Double(height) / Double(glyph.height))
        if fit < 1 {
            glyph = try glyph.resized(width: max(1, Int(Double(glyph.width) * fit)), height: max(1, Int(Double(glyph.height) * fit)))
        }
        var coverage = [Float](repeating: 0, count: width * height)
        func stamp(left: Int, top: Int) {
            for gy in 0..<glyph.height {
                let y = top + gy
                guard y >= 0, y < height else { continue }
                for gx in 0..<glyph.width {
                    let x = left + gx
                    guard x >= 0, x < width else { continue }
                    let value = Float(glyph.pixels[(gy * glyph.width + gx) * glyph.channels]) / 255
                    if value > coverage[y * width + x] { coverage[y * width + x] = value }
                }
            }
        }
        if kind == .tiledText {
            let stepX = max(8, Int(Double(glyph.width) * 1.5)), stepY = max(8, Int(Double(glyph.height) * 2.2))
            var row = 0
            for top in stride(from: -glyph.height / 2, to: height, by: stepY) {
                let offset = row % 2 == 0 ? 0 : stepX / 2
                for left in stride(from: -offset, to: width, by: stepX) { stamp(left: left, top: top) }
                row += 1
            }
        } else {
            let margin = Int(0.03 * shorter)
            let (gw, gh) = (glyph.width, glyph.height)
            let (left, top): (Int, Int) =
                switch placement {
                case .topLeft: (margin, margin)
                case .topRight: (width - gw - margin, margin)
                case .bottomLeft: (margin, height - gh - margin)
                case .bottomRight: (width - gw - margin, height - gh - margin)
                case .centre: ((width - gw) / 2, (height - gh) / 2)
                case .random: (Int(x * Double(width)) - gw / 2, Int(y * Double(height)) - gh / 2)
                }
            stamp(left: min(max(0, left), max(0, width - gw)), top: min(max(0, top), max(0, height - gh)))
        }
        var out = rgb.pixels
        let c = colour.count >= 3 ? colour.map(Float.init) : [255, 255, 255]
        let alpha = Float(opacity)
        for p in 0..<(width * height) where coverage[p] > 0 {
            let a = alpha * coverage[p]
            for k in 0..<3 {
                let v = (1 - a) * Float(out[p * 3 + k]) + a * c[k]
                out[p * 3 + k] = UInt8(max(0, min(255, v.rounded())))
            }
        }
        return PixelBuffer(width: width, height: height, channels: 3, pixels: out)
    }

    /// A logo-like coverage mask `diameter` px square: an anti-aliased ring (thickness 1/12 of the
    /// diameter) with `text` rendered inside at 45 % of the diameter.
    static func logoMask(diameter: Int, text: String, font: String) throws -> PixelBuffer {
        let d = max(12, diameter)
        var mask = [UInt8](repeating: 0, count: d * d)
        let r = Double(d) / 2, thickness = max(2, Double(d) / 12)
        for y in 0..<d {
            for x in 0..<d {
                let distance = ((Double(x) + 0.5 - r) * (Double(x) + 0.5 - r) + (Double(y) + 0.5 - r) * (Double(y) + 0.5 - r)).squareRoot()
                let inside = min(r - distance, distance - (r - thickness))  // > 0 inside the ring
                mask[y * d + x] = UInt8(max(0, min(1, inside + 0.5)) * 255)
            }
        }
        let glyph = try TextRendering.mask(text: text, font: font, pixelSize: max(6, Int(0.45 * Double(d))))
        let gw = min(glyph.width, d), gh = min(glyph.height, d)
        let left = (d - gw) / 2, top = (d - gh) / 2
        for y in 0..<gh {
            for x in 0..<gw {
                let value = glyph.pixels[(y * glyph.width + x) * glyph.channels]
                mask[(top + y) * d + left + x] = max(mask[(top + y) * d + left + x], value)
            }
        }
        return PixelBuffer(width: d, height: d, channels: 1, pixels: mask)
    }
}

/// The views a watermark detector looks at, and the feature built from their embeddings.
public enum WatermarkViews {
    /// Longest side of the working picture (larger pictures are downscaled first, Lanczos3).
    public static let workingSide = 768
    /// Tile side as a fraction of the picture's width and height.
    public static let tileFraction = 0.55
    public static let description =
        "whole picture + 4 tiles (55 % of width and height, anchored at the corners), each resized to 224×224 without cropping"

    /// The picture brought to the working size (≤ `workingSide` on its longest side, 3 channels).
    public static func working(_ picture: PixelBuffer) throws -> PixelBuffer {
        let rgb = picture.replicatedToRGB()
        let longest = max(rgb.width, rgb.height)
        guard longest > workingSide else { return rgb }
        let scale = Double(workingSide) / Double(longest)
        return try rgb.resized(width: max(1, Int((Double(rgb.width) * scale).rounded())), height: max(1, Int((Double(rgb.height) * scale).rounded())))
    }

    /// Whole picture, then the top-left, top-right, bottom-left and bottom-right tiles, so a mark
    /// in a corner fills a larger share of one view than of the whole picture.
    public static func views(_ picture: PixelBuffer) throws -> [PixelBuffer] {
        let w = max(1, Int(Double(picture.width) * tileFraction)), h = max(1, Int(Double(picture.height) * tileFraction))
        let right = picture.width - w, bottom = picture.height - h
        return [picture] + (try [(0, 0), (right, 0), (0, bottom), (right, bottom)].map { try picture.cropped(x: $0.0, y: $0.1, width: w, height: h) })
    }

    /// `[whole | max over tiles | mean over tiles]`, 3 × the embedding dimension: the maximum keeps
    /// a feature that one tile has (a corner mark) from being averaged away.
    public static func feature(_ embeddings: [[Float]]) -> [Float] {
        guard let whole = embeddings.first else { return [] }
        let tiles = embeddings.dropFirst()
        guard !tiles.isEmpty else { return whole + whole + whole }
        var maximum = [Float](repeating: -.infinity, count: whole.count), mean = [Float](repeating: 0, count: whole.count)
        for tile in tiles {
            for k in 0..<min(whole.count, tile.count) {
                maximum[k] = max(maximum[k], tile[k])
                mean[k] += tile[k] / Float(tiles.count)
            }
        }
        return whole + maximum + mean
    }
}

/// Precision, recall and score distributions of a watermark detector on a labelled set.
public struct WatermarkMetrics: Sendable, Codable, Equatable {
    public struct Group: Sendable, Codable, Equatable {
        public var name: String
        public var total: Int
        public var flagged: Int
        public var recall: Double
        public init(name: String, total: Int, flagged: Int, recall: Double) {
            (self.name, self.total, self.flagged, self.recall) = (name, total, flagged, recall)
        }
    }

    public struct SweepPoint: Sendable, Codable, Equatable {
        public var threshold: Double
        public var precision: Double
        public var recall: Double
        public var f1: Double
    }

    public var threshold: Double
    public var images: Int
    public var positives: Int
    public var negatives: Int
    public var truePositives: Int
    public var falsePositives: Int
    public var falseNegatives: Int
    public var trueNegatives: Int
    public var accuracy: Double
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// Area under the ROC curve (probability that a marked image scores above a clean one).
    public var rocAUC: Double
    /// Histograms of scores in 20 bins of 0.05: clean images, marked images.
    public var cleanHistogram: [Int]
    public var markedHistogram: [Int]
    /// Recall by overlay kind and by opacity band (10–20 %, …, 50–60 %).
    public var byKind: [Group]
    public var byOpacity: [Group]
    public var sweep: [SweepPoint]

    /// - Parameters: scores in 0…1; `marked[i]` is the truth; `overlays[i]` the mark of a marked image.
    public static func compute(scores: [Double], marked: [Bool], overlays: [WatermarkOverlay?], threshold: Double) -> WatermarkMetrics {
        func counts(_ t: Double) -> (tp: Int, fp: Int, fn: Int, tn: Int) {
            var c = (tp: 0, fp: 0, fn: 0, tn: 0)
            for (s, m) in zip(scores, marked) {
                switch (s >= t, m) {
                case (true, true): c.tp += 1
                case (true, false): c.fp += 1
                case (false, true): c.fn += 1
                case (false, false): c.tn += 1
                }
            }
            return c
        }
        func prf(_ c: (tp: Int, fp: Int, fn: Int, tn: Int)) -> (Double, Double, Double) {
            let p = c.tp + c.fp > 0 ? Double(c.tp) / Double(c.tp + c.fp) : 0
            let r = c.tp + c.fn > 0 ? Double(c.tp) / Double(c.tp + c.fn) : 0
            return (p, r, p + r > 0 ? 2 * p * r / (p + r) : 0)
        }
        let c = counts(threshold)
        let (p, r, f) = prf(c)
        var clean = [Int](repeating: 0, count: 20), markedBins = [Int](repeating: 0, count: 20)
        for (s, m) in zip(scores, marked) {
            let bin = min(19, max(0, Int(s * 20)))
            if m { markedBins[bin] += 1 } else { clean[bin] += 1 }
        }
        // ROC AUC by the Mann–Whitney U statistic (ties count one half).
        let positives = zip(scores, marked).filter(\.1).map(\.0), negatives = zip(scores, marked).filter { !$0.1 }.map(\.0)
        var auc = 0.0
        if !positives.isEmpty, !negatives.isEmpty {
            let sortedNegatives = negatives.sorted()
            var u = 0.0
            for s in positives {
                var below = 0, equal = 0
                for n in sortedNegatives { if n < s { below += 1 } else if n == s { equal += 1 } else { break } }
                u += Double(below) + 0.5 * Double(equal)
            }
            auc = u / Double(positives.count * negatives.count)
        }
        func groups(_ key: (WatermarkOverlay) -> String) -> [Group] {
            var total: [String: Int] = [:], flagged: [String: Int] = [:]
            for (i, overlay) in overlays.enumerated() {
                guard let overlay, marked[i] else { continue }
                total[key(overlay), default: 0] += 1
                if scores[i] >= threshold { flagged[key(overlay), default: 0] += 1 }
            }
            return total.keys.sorted().map { Group(name: $0, total: total[$0] ?? 0, flagged: flagged[$0] ?? 0,
                                                   recall: Double(flagged[$0] ?? 0) / Double(max(1, total[$0] ?? 0))) }
        }
        let sweep = stride(from: 0.1, through: 0.91, by: 0.1).map { t -> SweepPoint in
            let (sp, sr, sf) = prf(counts(t))
            return SweepPoint(threshold: (t * 10).rounded() / 10, precision: sp, recall: sr, f1: sf)
        }
        return WatermarkMetrics(
            threshold: threshold, images: scores.count, positives: positives.count, negatives: negatives.count,
            truePositives: c.tp, falsePositives: c.fp, falseNegatives: c.fn, trueNegatives: c.tn,
            accuracy: scores.isEmpty ? 0 : Double(c.tp + c.tn) / Double(scores.count), precision: p, recall: r, f1: f, rocAUC: auc,
            cleanHistogram: clean, markedHistogram: markedBins,
            byKind: groups { $0.kind.rawValue },
            byOpacity: groups { o in let band = min(5, max(1, Int(o.opacity * 10))); return "\(band * 10)–\(band * 10 + 10) %" },
            sweep: sweep)
    }
}

/// A trained watermark detector, saved as `STORE/models/watermark/NAME.json`.
public struct WatermarkDetectorFile: Sendable, Codable, Equatable {
    public static let currentVersion = 1
    public var version: Int
    public var name: String
    public var embeddingModel: String
    public var embeddingModelSHA256: String
    public var views: String
    /// Binary logistic regression on `WatermarkViews.feature` (classes `clean`, `watermark`),
    /// temperature-scaled; the score is P(watermark).
    public var classifier: LogisticRegression
    /// Score at or above which an image is flagged.
    public var threshold: Double
    public var seed: UInt64
    public var marksPerImage: Int
    /// Source items of the training and held-out images (disjoint; near-duplicate groups kept on one side).
    public var trainItemIDs: [Int64]
    public var heldOutItemIDs: [Int64]
    /// Figures on the held-out generated images at training time.
    public var heldOut: WatermarkMetrics
    public var createdAt: Date
    public var toolVersion: String

    public static func url(store: URL, name: String) -> URL {
        store.appendingPathComponent("models/watermark/\(name).json")
    }

    public func write(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// - Throws: `CoreError(.invalidInput)` naming the file when it is missing, unreadable or of another version.
    public static func read(_ url: URL) throws -> WatermarkDetectorFile {
        guard let data = try? Data(contentsOf: url) else {
            throw CoreError(.invalidInput, "no watermark detector at \(url.path); run `vitrine watermark train` first")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let file: WatermarkDetectorFile
        do { file = try decoder.decode(WatermarkDetectorFile.self, from: data) } catch {
            throw CoreError(.invalidInput, "\(url.path) is not a Vitrine watermark detector: \(error)")
        }
        guard file.version == currentVersion else {
            throw CoreError(.invalidInput, "\(url.path) is a version \(file.version) watermark detector; this Vitrine reads version \(currentVersion)")
        }
        return file
    }

    /// P(watermark) for feature rows.
    public func scores(_ features: [[Float]]) throws -> [Double] {
        let p = try classifier.probabilities(features)
        let k = classifier.classes.count
        let column = classifier.classes.firstIndex(of: "watermark") ?? (k - 1)
        return (0..<features.count).map { p[$0 * k + column] }
    }
}
