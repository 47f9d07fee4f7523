/// A binary mask as COCO run-length encoding: `counts` alternate runs of 0s and 1s, starting
/// with 0s, over the pixels in **column-major** order (down each column, then the next), of an
/// image `height × width` (COCO `size: [h, w]`).
///
/// Both COCO forms are read whatever `iscrowd` says (CASES C31): the uncompressed list
/// (`"counts": [1, 2, 9]`) and the compressed string (`"counts": "129"`, the LEB128-like
/// 5-bit-per-character code of `maskApi.c` `rleToString`/`rleFrString`, with deltas from the
/// count two before). `compressed` remembers the form so that export writes it back the same.
public struct RunLengthMask: Sendable, Equatable, Hashable, Codable {
    public var height: Int
    public var width: Int
    public var counts: [Int]
    public var compressed: Bool

    public init(height: Int, width: Int, counts: [Int], compressed: Bool) {
        self.height = height
        self.width = width
        self.counts = counts
        self.compressed = compressed
    }

    /// Reads a COCO RLE object (`size` + `counts` as a list or a string).
    /// - Throws: `DatasetsError.malformed` when the size or counts are missing or the counts
    ///   do not cover `h × w` pixels.
    public init(coco value: JSONValue, what: String) throws {
        guard let size = value["size"]?.array, size.count == 2, let h = size[0].integer, let w = size[1].integer, h >= 0, w >= 0 else {
            throw DatasetsError(.malformed, "\(what): RLE without a valid size [h, w]")
        }
        height = Int(h)
        width = Int(w)
        if let list = value["counts"]?.array {
            var counts: [Int] = []
            for c in list {
                guard let n = c.integer, n >= 0 else { throw DatasetsError(.malformed, "\(what): RLE counts must be non-negative integers") }
                counts.append(Int(n))
            }
            self.counts = counts
            compressed = false
        } else if let text = value["counts"]?.string {
            counts = try Self.decodeCounts(text, what: what)
            compressed = true
        } else {
            throw DatasetsError(.malformed, "\(what): RLE without counts")
        }
        let total = counts.reduce(0, +)
        guard total == height * width else {
            throw DatasetsError(.malformed, "\(what): RLE counts cover \(total) pixels, size \(height)×\(width) has \(height * width)")
        }
    }

    /// The COCO JSON object, in the form it was read.
    public var coco: JSONValue {
        .object([
            "size": .array([.int(Int64(height)), .int(Int64(width))]),
            "counts": compressed ? .string(Self.encodeCounts(counts)) : .array(counts.map { .int(Int64($0)) }),
        ])
    }

    /// Pixels set.
    public var area: Int { stride(from: 1, to: counts.count, by: 2).reduce(0) { $0 + counts[$1] } }

    /// The set pixels as (x, y), column-major order.
    public var pixels: [(x: Int, y: Int)] {
        guard height > 0 else { return [] }
        var result: [(x: Int, y: Int)] = []
        var position = 0
        for (i, run) in counts.enumerated() {
            if i % 2 == 1 {
                for p in position..<(position + run) { result.append((p / height, p % height)) }
            }
            position += run
        }
        return result
    }

    /// The enclosing box of the set pixels as `[x, y, w, h]` (pixel-edge coordinates, as
    /// `maskApi.c` `rleToBbox`: a single pixel at (0, 1) gives `[0, 1, 1, 1]`); nil when empty.
    public var boundingBox: BoundingBox? {
        let p = pixels
        guard let x0 = p.map(\.x).min(), let x1 = p.map(\.x).max(), let y0 = p.map(\.y).min(), let y1 = p.map(\.y).max() else { return nil }
        return BoundingBox(x: Double(x0), y: Double(y0), width: Double(x1 - x0 + 1), height: Double(y1 - y0 + 1))
    }

    /// `rleFrString` of `maskApi.c`.
    static func decodeCounts(_ text: String, what: String) throws -> [Int] {
        let bytes = Array(text.utf8)
        var counts: [Int] = []
        var p = 0
        while p < bytes.count {
            var x = 0, k = 0, more = true
            while more {
                guard p < bytes.count else { throw DatasetsError(.malformed, "\(what): compressed RLE ends inside a number") }
                let c = Int(bytes[p]) - 48
                guard c >= 0 && c < 64 else { throw DatasetsError(.malformed, "\(what): compressed RLE has an invalid character") }
                x |= (c & 0x1f) << (5 * k)
                more = (c & 0x20) != 0
                p += 1
                k += 1
                if !more && (c & 0x10) != 0 { x |= -1 << (5 * k) }
                guard k < 13 else { throw DatasetsError(.malformed, "\(what): compressed RLE number too long") }
            }
            if counts.count > 2 { x += counts[counts.count - 2] }
            guard x >= 0 else { throw DatasetsError(.malformed, "\(what): compressed RLE decodes to a negative count") }
            counts.append(x)
        }
        return counts
    }

    /// `rleToString` of `maskApi.c`.
    static func encodeCounts(_ counts: [Int]) -> String {
        var out: [UInt8] = []
        for i in counts.indices {
            var x = counts[i]
            if i > 2 { x -= counts[i - 2] }
            var more = true
            while more {
                var c = x & 0x1f
                x >>= 5
                more = (c & 0x10) != 0 ? x != -1 : x != 0
                if more { c |= 0x20 }
                out.append(UInt8(c + 48))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
