import Foundation
import GRDB

/// One catalogued image (table `item`): where it came from, its descriptive metadata, what
/// happened when it was ingested, and the facts of its file. Column names follow Europeana EDM
/// where one applies (`dataProvider`, `rights`, `landingPage` = `edmIsShownAt`, `originalURL`
/// = `edmIsShownBy`).
public struct ItemRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "item"

    public var id: Int64?
    /// `file` (a folder walk) or `list` (a CSV/TSV row).
    public var sourceKind: String
    /// The source location: absolute file path or URL; unique in the catalog.
    public var sourcePath: String
    /// Identifier in the source system, when the list gave one.
    public var sourceID: String?
    public var title: String?
    public var creator: String?
    public var date: String?
    public var provider: String?
    public var dataProvider: String?
    /// Rights statement URI (e.g. http://rightsstatements.org/vocab/InC/1.0/ or a CC licence).
    public var rights: String?
    public var landingPage: String?
    public var originalURL: String?
    /// Other metadata columns of the list, as a JSON object of strings.
    public var metadata: String?
    /// `ok` or `error`.
    public var status: String
    /// `ImagingError.Code` (or `io`) when `status` is `error`.
    public var errorCode: String?
    public var errorMessage: String?
    /// SHA-256 of the original bytes, lower-case hex; names the stored copy.
    public var sha256: String?
    /// Bytes.
    public var byteSize: Int64?
    /// Stored copy, relative to the store (`images/ab/cdef…`).
    public var storedPath: String?
    /// Source file's size (bytes) and modification time (seconds since 1970) when ingested:
    /// a changed file is ingested again.
    public var sourceSize: Int64?
    public var sourceModified: Double?
    /// True format from the bytes (`ImageFormat` raw value) and the name's extension.
    public var format: String?
    public var fileExtension: String?
    /// Pixels after EXIF orientation.
    public var width: Int?
    public var height: Int?
    public var bands: Int?
    public var colourBands: Int?
    public var bitsPerSample: Int?
    public var pages: Int?
    public var pyramidLevels: Int?
    public var orientation: Int?
    public var hasAlpha: Bool?
    public var isCMYK: Bool?
    /// SHA-256 of the decoded 8-bit sRGB pixels (with width/height), nil above the
    /// full-resolution limit; equal for the same picture in two lossless codecs.
    public var pixelSHA256: String?
    /// Analysis thumbnail (JPEG, ≤ 256 px), relative to the store.
    public var thumbnailPath: String?
    public var ingestRunID: Int64?
    public var ingestedAt: Date

    public init(sourceKind: String, sourcePath: String, status: String, ingestedAt: Date = Date()) {
        self.sourceKind = sourceKind
        self.sourcePath = sourcePath
        self.status = status
        self.ingestedAt = ingestedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    public enum Columns {
        public static let id = Column("id")
        public static let sourcePath = Column("sourcePath")
        public static let status = Column("status")
        public static let sha256 = Column("sha256")
    }
}

/// The four 64-bit perceptual hashes of an item (table `imageHash`), stored as the signed
/// 64-bit bit pattern SQLite holds, with the 8 dihedral variants of each when computed.
public struct ImageHashRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "imageHash"

    public var itemID: Int64
    public var ahash: Int64
    public var dhash: Int64
    public var phash: Int64
    public var whash: Int64
    /// 4 algorithms × 8 transforms × 8 bytes (little-endian UInt64), algorithm order
    /// ahash, dhash, phash, whash; nil when invariant hashes were not computed.
    public var variants: Data?
    public var runID: Int64?

    public init(itemID: Int64, ahash: UInt64, dhash: UInt64, phash: UInt64, whash: UInt64, variants: Data?, runID: Int64?) {
        self.itemID = itemID
        self.ahash = Int64(bitPattern: ahash)
        self.dhash = Int64(bitPattern: dhash)
        self.phash = Int64(bitPattern: phash)
        self.whash = Int64(bitPattern: whash)
        self.variants = variants
        self.runID = runID
    }
}

/// Quality statistics and flags of an item (table `quality`). Flags are `QualityFlag` raw
/// values joined by commas.
public struct QualityRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "quality"

    public var itemID: Int64
    public var meanLuminance: Double?
    public var luminanceDeviation: Double?
    public var entropy: Double?
    public var chroma: Double?
    public var meanRed: Double?
    public var meanGreen: Double?
    public var meanBlue: Double?
    public var flags: String
    public var runID: Int64?

    public init(itemID: Int64, meanLuminance: Double?, luminanceDeviation: Double?, entropy: Double?, chroma: Double?,
                meanColour: [Double]?, flags: [String], runID: Int64?) {
        self.itemID = itemID
        self.meanLuminance = meanLuminance
        self.luminanceDeviation = luminanceDeviation
        self.entropy = entropy
        self.chroma = chroma
        self.meanRed = meanColour?[0]
        self.meanGreen = meanColour?[1]
        self.meanBlue = meanColour?[2]
        self.flags = flags.joined(separator: ",")
        self.runID = runID
    }

    public var flagList: [String] { flags.split(separator: ",").map(String.init) }
}

/// A stored computation (table `run`): what ran, with which configuration and tool version,
/// when, and its summary, so every figure in a report can be traced to how it was made.
public struct RunRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "run"

    public var id: Int64?
    /// `ingest`, `duplicates`, `report`, `analyze`, …
    public var kind: String
    public var toolVersion: String
    /// JSON object of the options.
    public var config: String
    public var startedAt: Date
    public var finishedAt: Date?
    /// `running`, `finished`, `failed`.
    public var status: String
    /// JSON object of the results' summary.
    public var summary: String?

    public init(kind: String, toolVersion: String, config: String, startedAt: Date = Date()) {
        self.kind = kind
        self.toolVersion = toolVersion
        self.config = config
        self.startedAt = startedAt
        self.status = "running"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A duplicate group of a duplicates run (table `duplicateGroup`).
public struct DuplicateGroupRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "duplicateGroup"

    public var id: Int64?
    public var runID: Int64
    /// `DuplicateKind` raw value.
    public var kind: String
    public var algorithm: String
    /// Largest Hamming distance between linked members, bits.
    public var maxDistance: Int
    public var keeperItemID: Int64
    public var keeperReason: String
    public var size: Int

    public init(runID: Int64, kind: String, algorithm: String, maxDistance: Int, keeperItemID: Int64, keeperReason: String, size: Int) {
        self.runID = runID
        self.kind = kind
        self.algorithm = algorithm
        self.maxDistance = maxDistance
        self.keeperItemID = keeperItemID
        self.keeperReason = keeperReason
        self.size = size
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A member of a duplicate group (table `duplicateMember`).
public struct DuplicateMemberRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "duplicateMember"

    public var groupID: Int64
    public var itemID: Int64
    /// Hamming distance to the keeper's hash, bits (0 for the keeper and exact copies).
    public var distanceToKeeper: Int

    public init(groupID: Int64, itemID: Int64, distanceToKeeper: Int) {
        self.groupID = groupID
        self.itemID = itemID
        self.distanceToKeeper = distanceToKeeper
    }
}
