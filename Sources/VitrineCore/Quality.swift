/// Quality problems Vitrine flags on an image. Thresholds are in `QualityThresholds`.
public enum QualityFlag: String, Sendable, Codable, CaseIterable, Hashable {
    /// Shorter side below `QualityThresholds.minimumShorterSide` pixels.
    case tooSmall = "too_small"
    /// Near-uniform picture: luminance standard deviation below `flatStandardDeviation`.
    /// Blank images are kept out of near-duplicate matching (all their hashes look alike).
    case blank
    /// Mean luminance below `darkMean` (0...255).
    case veryDark = "very_dark"
    /// Mean luminance above `lightMean` (0...255).
    case veryLight = "very_light"
    /// Shannon entropy of the 256-bin luminance histogram below `lowEntropy` bits.
    case lowInformation = "low_information"
    /// Long side more than `maximumAspectRatio` times the short side.
    case oddAspectRatio = "odd_aspect_ratio"
    /// Stored with three colour channels but every pixel is grey (`greyChroma`).
    case greyAsRGB = "grey_as_rgb"
    /// The file could not be decoded (corrupt, truncated, not an image, too large).
    case unreadable
    /// The file name extension does not match the format found in the bytes.
    case extensionMismatch = "extension_mismatch"
    /// BRISQUE score above `NoReferenceQuality.Thresholds.brisque` (`vitrine quality`).
    case lowQuality = "low_quality"
    /// Variance of the Laplacian below `NoReferenceQuality.Thresholds.sharpness` (`vitrine quality`).
    case blurry

    /// A short human title.
    public var title: String {
        switch self {
        case .tooSmall: "Too small"
        case .blank: "Blank or flat"
        case .veryDark: "Very dark"
        case .veryLight: "Very light"
        case .lowInformation: "Low information"
        case .oddAspectRatio: "Odd aspect ratio"
        case .greyAsRGB: "Grey image stored as RGB"
        case .unreadable: "Unreadable or truncated"
        case .extensionMismatch: "Extension does not match content"
        case .lowQuality: "Low quality (BRISQUE)"
        case .blurry: "Blurry (low Laplacian variance)"
        }
    }
}

/// Thresholds of the quality checks. The defaults are chosen from principles, not from
/// single files: see each property.
public struct QualityThresholds: Sendable, Codable, Equatable {
    /// Pixels. 256 px is the smallest input of common CNN pipelines after resizing (224 px
    /// crops from a 256 px short side) and a usual lower bound for a "usable" thumbnail.
    public var minimumShorterSide: Int = 256
    /// Luminance standard deviation, 0...255 scale, on a ≤256 px thumbnail. Below ≈ 1 % of
    /// full scale a picture is visually uniform (8-bit JPEG noise alone is σ ≈ 0.5–1).
    public var flatStandardDeviation: Double = 3.0
    /// Mean luminance (0...255) below which an image is very dark (≈ 12 % of full scale).
    public var darkMean: Double = 30
    /// Mean luminance (0...255) above which an image is very light (≈ 94 % of full scale).
    public var lightMean: Double = 240
    /// Bits, of a 256-bin histogram (maximum 8). A two-tone picture has at most 1 bit; a
    /// natural photograph typically 6.5–7.8. Below 2 bits little is left to see.
    public var lowEntropy: Double = 2.0
    /// Long side / short side above which the aspect ratio is odd (strips, banners, scrolls).
    public var maximumAspectRatio: Double = 4.0
    /// Mean absolute difference between colour channels (0...255) at or below which a 3-band
    /// image is grey; JPEG chroma noise on true grey scans stays below ≈ 1.
    public var greyChroma: Double = 1.5

    public init() {}
}

/// Per-image statistics the quality checks use, measured on the decoded, oriented thumbnail
/// (≤ 256 px, 8-bit sRGB, alpha composited over white).
public struct ImageStatistics: Sendable, Codable, Equatable {
    /// Mean luminance, 0...255 (ITU-R BT.601 luma: 0.299 R + 0.587 G + 0.114 B).
    public var meanLuminance: Double
    /// Standard deviation of luminance, 0...255.
    public var luminanceDeviation: Double
    /// Shannon entropy of the 256-bin luminance histogram, bits (0...8).
    public var entropy: Double
    /// Mean over pixels of (|R−G| + |G−B| + |B−R|) / 3, 0...255; 0 for grey pixels.
    public var chroma: Double
    /// Mean R, G, B, 0...255 (the "colour check" that keeps flat images of different colours apart).
    public var meanColour: [Double]

    public init(meanLuminance: Double, luminanceDeviation: Double, entropy: Double, chroma: Double, meanColour: [Double]) {
        self.meanLuminance = meanLuminance
        self.luminanceDeviation = luminanceDeviation
        self.entropy = entropy
        self.chroma = chroma
        self.meanColour = meanColour
    }
}

/// What an image's facts say about its quality.
public enum QualityCheck {
    /// Applies the thresholds.
    /// - Parameters:
    ///   - width, height: pixels after orientation.
    ///   - storedBands: colour bands as stored (alpha excluded); 3 for RGB.
    ///   - statistics: measured on the thumbnail.
    ///   - format: true format from the bytes; `fileExtension`: the name's extension.
    /// - Returns: flags in declaration order.
    public static func flags(width: Int, height: Int, storedColourBands: Int, statistics: ImageStatistics,
                             format: ImageFormat, fileExtension: String?,
                             thresholds: QualityThresholds = QualityThresholds()) -> [QualityFlag] {
        var flags: [QualityFlag] = []
        if min(width, height) < thresholds.minimumShorterSide { flags.append(.tooSmall) }
        let blank = statistics.luminanceDeviation < thresholds.flatStandardDeviation
        if blank { flags.append(.blank) }
        if statistics.meanLuminance < thresholds.darkMean { flags.append(.veryDark) }
        if statistics.meanLuminance > thresholds.lightMean { flags.append(.veryLight) }
        if statistics.entropy < thresholds.lowEntropy && !blank { flags.append(.lowInformation) }
        let long = Double(max(width, height)), short = Double(max(1, min(width, height)))
        if long / short > thresholds.maximumAspectRatio { flags.append(.oddAspectRatio) }
        if storedColourBands >= 3 && statistics.chroma <= thresholds.greyChroma { flags.append(.greyAsRGB) }
        if let ext = fileExtension, !ext.isEmpty, format != .unknown, !format.matches(fileExtension: ext) {
            flags.append(.extensionMismatch)
        }
        return flags
    }
}
