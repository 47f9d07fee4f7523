import Foundation
import Reports

/// Tiny files and inputs the report tests share.
enum Fixtures {
    /// A fresh, empty temporary folder; the caller removes it.
    static func temporaryFolder(_ label: String = "reports") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("vitrine-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A valid PNG (8-bit RGB, no interlace) of `width × height` pixels filled with one colour,
    /// written byte by byte: signature, IHDR, one IDAT with a stored (uncompressed) deflate block,
    /// IEND. See the PNG specification (ISO/IEC 15948) and RFC 1950/1951.
    static func png(width: Int, height: Int, rgb: (UInt8, UInt8, UInt8)) -> Data {
        var raw: [UInt8] = []
        for _ in 0..<height {
            raw.append(0) // filter type None
            for _ in 0..<width { raw += [rgb.0, rgb.1, rgb.2] }
        }
        precondition(raw.count <= 0xFFFF, "one stored block holds at most 65535 bytes")
        var zlib: [UInt8] = [0x78, 0x01, 0x01] // CMF, FLG, final stored block
        let length = UInt16(raw.count)
        zlib += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        zlib += raw
        zlib += bigEndian(adler32(raw))

        var ihdr = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        ihdr += [8, 2, 0, 0, 0] // bit depth, colour type RGB, compression, filter, interlace
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        bytes += chunk("IHDR", ihdr)
        bytes += chunk("IDAT", zlib)
        bytes += chunk("IEND", [])
        return Data(bytes)
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(crc32(typeBytes + data))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return (b << 16) | a
    }

    /// Writes four small PNG thumbnails into `folder` and returns their paths by name.
    static func writeThumbnails(in folder: URL) throws -> [String: String] {
        let colours: [String: (UInt8, UInt8, UInt8)] = [
            "map-master": (200, 180, 140), "map-copy": (198, 178, 139),
            "portrait": (90, 60, 40), "dark-page": (8, 8, 10),
        ]
        var paths: [String: String] = [:]
        for (name, colour) in colours.sorted(by: { $0.key < $1.key }) {
            let url = folder.appendingPathComponent("\(name).png")
            try png(width: 4, height: 3, rgb: colour).write(to: url)
            paths[name] = url.path
        }
        return paths
    }

    /// A small, fixed report input: two duplicate groups (one near, one exact, whose second member
    /// has no thumbnail), a sweep, an evaluation, two quality flags and two errors. Paths contain
    /// characters that need escaping.
    static func smallInput(thumbnails: [String: String]) -> ReportInput {
        let master = ReportImage(
            itemID: "item-0001", originalPath: "/collections/maps/Carte de Cassini <feuille 1>.tif",
            thumbnailPath: thumbnails["map-master"], width: 4000, height: 3000, format: "tiff", byteSize: 36_000_512)
        let copy = ReportImage(
            itemID: "item-0002", originalPath: "/collections/maps/derivatives/carte_cassini_1 & web.jpg",
            thumbnailPath: thumbnails["map-copy"], width: 1024, height: 768, format: "jpeg", byteSize: 245_301)
        let thumb = ReportImage(
            itemID: "item-0003", originalPath: "https://example.org/iiif/cassini-1/full/200,/0/default.jpg",
            thumbnailPath: thumbnails["map-copy"], width: 200, height: 150, format: "jpeg", byteSize: 9_870)
        let portrait = ReportImage(
            itemID: "item-0010", originalPath: "/collections/portraits/portrait \"Marie\".png",
            thumbnailPath: thumbnails["portrait"], width: 800, height: 1200, format: "png", byteSize: 1_204_000)
        let portraitCopy = ReportImage(
            itemID: "item-0011", originalPath: "/collections/portraits/copy/portrait \"Marie\".png",
            thumbnailPath: nil, width: 800, height: 1200, format: "png", byteSize: 1_204_000)
        let darkPage = ReportImage(
            itemID: "item-0020", originalPath: "/collections/registers/reg_1789_p012.jpg",
            thumbnailPath: thumbnails["dark-page"], width: 2400, height: 3300, format: "jpeg", byteSize: 812_000)
        let tiny = ReportImage(
            itemID: "item-0030", originalPath: "/collections/postcards/pc-17.gif",
            thumbnailPath: "/nonexistent/thumbs/pc-17.png", width: 64, height: 40, format: "gif", byteSize: 2_300)

        let sweepPairs = [0, 2, 3, 3, 4, 6, 9, 12, 20, 31, 48, 75, 120, 190, 300, 480, 760, 1_200,
                          1_900, 3_000, 4_800, 7_600, 12_000, 19_000, 30_000, 48_000, 76_000, 120_000,
                          190_000, 300_000, 480_000, 760_000, 1_200_000]
        let rows = (0...32).map { threshold -> ReportEvaluation.Row in
            let recall = min(1.0, 0.30 + Double(threshold) * 0.05)
            let precision = max(0.0, 1.0 - max(0, Double(threshold) - 8) * 0.04)
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return .init(threshold: threshold, precision: precision, recall: recall, f1: f1)
        }
        return ReportInput(
            title: "Cassini & co. <test collection>",
            generatedAt: Date(timeIntervalSince1970: 1_735_732_800), // 2025-01-01T12:00:00Z
            storePath: "/data/vitrine/.vitrine",
            toolVersion: "0.1.0-test",
            summary: ReportSummary(
                items: 7, readable: 6, errors: 2, totalBytes: 39_477_983, totalMegapixels: 25.3,
                formats: ["jpeg": 3, "tiff": 1, "png": 2, "gif": 1],
                errorsByKind: ["truncated": 1, "unsupported-format": 1]
            ),
            duplicateGroups: [
                ReportDuplicateGroup(
                    id: "g1", kind: .nearDuplicate, hashName: "dhash-64", maxDistance: 9,
                    members: [copy, master, thumb], keeperIndex: 1,
                    keeperReason: "largest pixel area (4000 × 3000), TIFF master",
                    distancesToKeeper: [4, 0, 9]
                ),
                ReportDuplicateGroup(
                    id: "g2", kind: .exactBytes, hashName: "sha256", maxDistance: 0,
                    members: [portrait, portraitCopy], keeperIndex: 0,
                    keeperReason: "shortest path", distancesToKeeper: [0, 0]
                ),
            ],
            sweep: ReportSweep(
                hashName: "dhash-64",
                points: sweepPairs.enumerated().map { ReportSweep.Point(threshold: $0.offset, pairs: $0.element) },
                chosenThreshold: 10
            ),
            evaluation: ReportEvaluation(
                hashName: "dhash-64", rows: rows, bestThreshold: 14, chosenThreshold: 10,
                relationRecalls: [
                    .init(tag: "thumbnail", found: 27, total: 28),
                    .init(tag: "resized", found: 24, total: 26),
                    .init(tag: "square_crop", found: 6, total: 23),
                    .init(tag: "grayscale", found: 3, total: 3),
                ]
            ),
            qualitySections: [
                ReportQualitySection(
                    flagID: "very-dark", title: "Very dark images",
                    description: "Mean luminance below 20 of 255.",
                    items: [.init(image: darkPage, score: "mean luminance 9 / 255")]
                ),
                ReportQualitySection(
                    flagID: "too-small", title: "Too small",
                    description: "Shorter side below 100 px.",
                    items: [.init(image: tiny, score: "shorter side 40 px")]
                ),
            ],
            errors: [
                ReportError(path: "/collections/broken/<scan 3>.jpg", kind: "truncated",
                            message: "Premature end of JPEG file after 61 % of the bytes"),
                ReportError(path: "/collections/misc/notes.xyz", kind: "unsupported-format",
                            message: "not an image: \"text/plain\" & no known signature"),
            ]
        )
    }

    /// Every file under `folder`, by path relative to it, with its bytes.
    static func snapshot(of folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let base = folder.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return files }
        for case let relative as String in enumerator {
            var isDirectory: ObjCBool = false
            let path = base + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }
}
