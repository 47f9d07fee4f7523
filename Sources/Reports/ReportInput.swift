import Foundation

/// Everything the HTML report of `vitrine analyze` / `vitrine report` shows.
///
/// A plain value, filled by the caller from stored runs (catalog summary, duplicate run,
/// quality run, evaluation run) and handed to ``ReportWriter/write(_:to:contactSheet:)``.
/// It is `Codable`, so the writer also saves it as `assets/report.json` next to the page:
/// every figure in the page can be traced back to this document.
public struct ReportInput: Sendable, Codable, Equatable {
    /// Page title, e.g. "Duplicates and quality — Rijksmuseum prints". Plain text; the writer escapes it.
    public var title: String
    /// When the underlying runs were made. Shown in UTC (ISO 8601); the writer never reads the clock,
    /// so the same input always gives the same page.
    public var generatedAt: Date
    /// Path of the Vitrine store (`--store`) the report was drawn from.
    public var storePath: String
    /// Version of the `vitrine` tool that made the runs, e.g. "0.3.0".
    public var toolVersion: String
    /// Counts and totals for the whole collection.
    public var summary: ReportSummary
    /// Groups of exact and near duplicates, in any order; the page shows the largest first.
    public var duplicateGroups: [ReportDuplicateGroup]
    /// Number of candidate pairs at each Hamming threshold, when a sweep was run.
    public var sweep: ReportSweep?
    /// Precision, recall and F1 against ground truth, when ground truth was given.
    public var evaluation: ReportEvaluation?
    /// One section per quality flag (too small, blank, very dark, …), in display order.
    public var qualitySections: [ReportQualitySection]
    /// Files that could not be read or decoded, in display order.
    public var errors: [ReportError]
    /// Other pages of the same reports folder (detections, clusters, map, link health,
    /// evaluations), linked from a "More reports" section; `href` is relative to `index.html`.
    public var pages: [ReportPageLink] = []

    /// Creates a report input. See the properties for the meaning and units of each argument.
    public init(
        title: String,
        generatedAt: Date,
        storePath: String,
        toolVersion: String,
        summary: ReportSummary,
        duplicateGroups: [ReportDuplicateGroup] = [],
        sweep: ReportSweep? = nil,
        evaluation: ReportEvaluation? = nil,
        qualitySections: [ReportQualitySection] = [],
        errors: [ReportError] = []
    ) {
        self.title = title
        self.generatedAt = generatedAt
        self.storePath = storePath
        self.toolVersion = toolVersion
        self.summary = summary
        self.duplicateGroups = duplicateGroups
        self.sweep = sweep
        self.evaluation = evaluation
        self.qualitySections = qualitySections
        self.errors = errors
    }
}

/// Counts and totals for the whole collection, shown as summary cards and bar charts.
public struct ReportSummary: Sendable, Codable, Equatable {
    /// Number of items (files or records) in the collection.
    public var items: Int
    /// Number of items whose image could be decoded.
    public var readable: Int
    /// Number of items that failed (download, read or decode).
    public var errors: Int
    /// Size of all original files, in bytes.
    public var totalBytes: Int64
    /// Sum of width × height over readable images, in megapixels (10^6 pixels).
    public var totalMegapixels: Double
    /// Number of items per detected format, e.g. `["jpeg": 410, "tiff": 12]`.
    public var formats: [String: Int]
    /// Number of errors per kind, e.g. `["truncated": 2, "unsupported-format": 1]`.
    public var errorsByKind: [String: Int]

    /// Creates a summary. See the properties for the meaning and units of each argument.
    public init(
        items: Int,
        readable: Int,
        errors: Int,
        totalBytes: Int64,
        totalMegapixels: Double,
        formats: [String: Int] = [:],
        errorsByKind: [String: Int] = [:]
    ) {
        self.items = items
        self.readable = readable
        self.errors = errors
        self.totalBytes = totalBytes
        self.totalMegapixels = totalMegapixels
        self.formats = formats
        self.errorsByKind = errorsByKind
    }
}

/// One image as the report shows it: a thumbnail and its facts.
public struct ReportImage: Sendable, Codable, Equatable {
    /// Catalog item id. Also names the thumbnail copied into `assets/thumbs/`, so it must be
    /// unique per image within one report (the first thumbnail seen for an id wins).
    public var itemID: String
    /// Where the original lives: an absolute file path or an `http(s)` URL. The page links to it.
    public var originalPath: String
    /// Absolute path of a thumbnail on disk (JPEG, PNG or WebP), or `nil` when the image could
    /// not be decoded. A path that does not exist is shown as a placeholder, not an error.
    public var thumbnailPath: String?
    /// Width in pixels, after orientation; `nil` when unknown.
    public var width: Int?
    /// Height in pixels, after orientation; `nil` when unknown.
    public var height: Int?
    /// Detected format, e.g. "jpeg", "tiff", "jp2"; `nil` when unknown.
    public var format: String?
    /// Size of the original file, in bytes.
    public var byteSize: Int64

    /// Creates an image description. See the properties for the meaning and units of each argument.
    public init(
        itemID: String,
        originalPath: String,
        thumbnailPath: String?,
        width: Int?,
        height: Int?,
        format: String?,
        byteSize: Int64
    ) {
        self.itemID = itemID
        self.originalPath = originalPath
        self.thumbnailPath = thumbnailPath
        self.width = width
        self.height = height
        self.format = format
        self.byteSize = byteSize
    }
}

/// How the members of a duplicate group are alike.
public enum ReportDuplicateKind: String, Sendable, Codable, CaseIterable {
    /// The files have the same bytes (same SHA-256).
    case exactBytes = "exact-bytes"
    /// The files differ but decode to the same pixels (e.g. re-saved PNG, changed metadata).
    case identicalPixels = "identical-pixels"
    /// The perceptual hashes are within the Hamming threshold (resized, recompressed, cropped, …).
    case nearDuplicate = "near-duplicate"

    /// Human label shown in the page, e.g. "Near duplicates".
    public var title: String {
        switch self {
        case .exactBytes: "Exact copies (same bytes)"
        case .identicalPixels: "Identical pixels"
        case .nearDuplicate: "Near duplicates"
        }
    }
}

/// A group of images that are copies of one another, with the one proposed to keep.
public struct ReportDuplicateGroup: Sendable, Codable, Equatable {
    /// Group id from the duplicate run. Also names `assets/groups/<id>.png`.
    public var id: String
    /// How the members are alike.
    public var kind: ReportDuplicateKind
    /// Perceptual hash used to find the group, e.g. "dhash-64" ("sha256" for exact copies).
    public var hashName: String
    /// Largest Hamming distance between two members of the group, in bits (0 for exact copies).
    public var maxDistance: Int
    /// The members, at least one.
    public var members: [ReportImage]
    /// Index in `members` of the proposed keeper.
    public var keeperIndex: Int
    /// Why the keeper was proposed, e.g. "largest pixel area (4000 × 3000), TIFF master".
    public var keeperReason: String
    /// Hamming distance of each member to the keeper, in bits, parallel to `members`
    /// (so the keeper's own entry is 0); `nil` when not recorded.
    public var distancesToKeeper: [Int]?

    /// Creates a duplicate group. See the properties for the meaning and units of each argument.
    public init(
        id: String,
        kind: ReportDuplicateKind,
        hashName: String,
        maxDistance: Int,
        members: [ReportImage],
        keeperIndex: Int,
        keeperReason: String,
        distancesToKeeper: [Int]? = nil
    ) {
        self.id = id
        self.kind = kind
        self.hashName = hashName
        self.maxDistance = maxDistance
        self.members = members
        self.keeperIndex = keeperIndex
        self.keeperReason = keeperReason
        self.distancesToKeeper = distancesToKeeper
    }
}

/// Number of candidate pairs found at each Hamming threshold (a threshold sweep).
public struct ReportSweep: Sendable, Codable, Equatable {
    /// One point of the sweep.
    public struct Point: Sendable, Codable, Equatable {
        /// Hamming threshold, in bits (pairs at distance ≤ threshold), usually 0…32.
        public var threshold: Int
        /// Number of image pairs within the threshold.
        public var pairs: Int

        /// Creates a sweep point.
        public init(threshold: Int, pairs: Int) {
            self.threshold = threshold
            self.pairs = pairs
        }
    }

    /// Perceptual hash the sweep was run on, e.g. "dhash-64".
    public var hashName: String
    /// The points, in any order (the chart sorts them by threshold).
    public var points: [Point]
    /// Threshold used for the duplicate groups, in bits.
    public var chosenThreshold: Int

    /// Creates a sweep. See the properties for the meaning and units of each argument.
    public init(hashName: String, points: [Point], chosenThreshold: Int) {
        self.hashName = hashName
        self.points = points
        self.chosenThreshold = chosenThreshold
    }
}

/// Duplicate detection measured against ground truth (pairs known to be duplicates).
public struct ReportEvaluation: Sendable, Codable, Equatable {
    /// Precision, recall and F1 at one Hamming threshold.
    public struct Row: Sendable, Codable, Equatable {
        /// Hamming threshold, in bits.
        public var threshold: Int
        /// Fraction of proposed pairs that are true duplicates, in [0, 1].
        public var precision: Double
        /// Fraction of true duplicate pairs that were proposed, in [0, 1].
        public var recall: Double
        /// Harmonic mean of precision and recall, in [0, 1].
        public var f1: Double

        /// Creates a row. Values must lie in [0, 1].
        public init(threshold: Int, precision: Double, recall: Double, f1: Double) {
            self.threshold = threshold
            self.precision = precision
            self.recall = recall
            self.f1 = f1
        }
    }

    /// Recall for the ground-truth pairs that carry one relation tag
    /// (e.g. "thumbnail", "square_crop", "grayscale"), at the chosen threshold.
    public struct RelationRecall: Sendable, Codable, Equatable {
        /// Relation tag from the ground truth.
        public var tag: String
        /// Ground-truth pairs with this tag that were found.
        public var found: Int
        /// Ground-truth pairs with this tag.
        public var total: Int

        /// Recall `found / total` in [0, 1]; 0 when `total` is 0.
        public var recall: Double { total > 0 ? Double(found) / Double(total) : 0 }

        /// Creates a per-relation recall entry; `found` must not exceed `total`.
        public init(tag: String, found: Int, total: Int) {
            self.tag = tag
            self.found = found
            self.total = total
        }
    }

    /// Perceptual hash that was evaluated, e.g. "dhash-64".
    public var hashName: String
    /// One row per threshold, in any order (the page sorts them by threshold).
    public var rows: [Row]
    /// Threshold with the highest F1, in bits.
    public var bestThreshold: Int
    /// Threshold used for the duplicate groups, in bits; the relation recalls are taken there.
    public var chosenThreshold: Int
    /// Recall per relation tag at `chosenThreshold`.
    public var relationRecalls: [RelationRecall]

    /// Creates an evaluation. See the properties for the meaning and units of each argument.
    public init(
        hashName: String,
        rows: [Row],
        bestThreshold: Int,
        chosenThreshold: Int,
        relationRecalls: [RelationRecall] = []
    ) {
        self.hashName = hashName
        self.rows = rows
        self.bestThreshold = bestThreshold
        self.chosenThreshold = chosenThreshold
        self.relationRecalls = relationRecalls
    }
}

/// The images raised by one quality check.
public struct ReportQualitySection: Sendable, Codable, Equatable {
    /// One flagged image and its score.
    public struct Item: Sendable, Codable, Equatable {
        /// The flagged image.
        public var image: ReportImage
        /// The measured value, already formatted with its unit, e.g. "mean luminance 7 / 255".
        public var score: String

        /// Creates a flagged item.
        public init(image: ReportImage, score: String) {
            self.image = image
            self.score = score
        }
    }

    /// Stable flag id, e.g. "too-small", "blank", "very-dark", "grey-as-rgb". Used as the HTML anchor.
    public var flagID: String
    /// Human title, e.g. "Very dark images".
    public var title: String
    /// What the check measures and its threshold, e.g. "Mean luminance below 20 of 255".
    public var description: String
    /// Every flagged image, worst first; the page shows the first few and counts the rest.
    public var items: [Item]

    /// Creates a quality section. See the properties for the meaning of each argument.
    public init(flagID: String, title: String, description: String, items: [Item]) {
        self.flagID = flagID
        self.title = title
        self.description = description
        self.items = items
    }
}

/// A file that could not be read, downloaded or decoded.
public struct ReportError: Sendable, Codable, Equatable {
    /// Path or URL of the file.
    public var path: String
    /// Short machine kind, e.g. "truncated", "unsupported-format", "extension-mismatch".
    public var kind: String
    /// Human message, including the underlying library's message where there is one.
    public var message: String

    /// Creates an error entry.
    public init(path: String, kind: String, message: String) {
        self.path = path
        self.kind = kind
        self.message = message
    }
}

/// A link to another page of the reports folder.
public struct ReportPageLink: Sendable, Codable, Equatable {
    /// Shown as the link text, e.g. "Detections — yolox-nano". Plain text; the writer escapes it.
    public var title: String
    /// Relative to `index.html`, e.g. `detections-yolox-nano.html`.
    public var href: String

    public init(title: String, href: String) {
        self.title = title
        self.href = href
    }
}
