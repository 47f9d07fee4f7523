/// The perceptual hash algorithms Vitrine computes. Each produces 64 bits; see `Imaging.PerceptualHasher`
/// for the exact definitions and their sources.
public enum HashAlgorithm: String, Sendable, Codable, CaseIterable, Hashable {
    /// Average hash: 8×8 grey thumbnail, bit = pixel > mean (Krawetz, "Looks Like It", 2011).
    case ahash
    /// Difference hash: 9×8 grey thumbnail, bit = pixel < right neighbour (Krawetz, "Kind of Like That", 2013).
    case dhash
    /// DCT hash: 32×32 grey, 2-D DCT-II, top-left 8×8 coefficients > their median (Zauner, 2010; imagehash).
    case phash
    /// Wavelet hash: 64×64 grey, Haar LL band at 8×8 after removing the DC level, > median (imagehash `whash`).
    case whash
}

/// A fixed-width perceptual hash. Bits are stored most significant first in reading order
/// (row-major over the 8×8 grid), the order `imagehash` uses, so the hex form is comparable.
public struct PerceptualHash: Sendable, Hashable, Codable, CustomStringConvertible {
    public let algorithm: HashAlgorithm
    /// Number of bits (64 for every built-in algorithm).
    public let bitCount: Int
    /// The bits; bit 63 is the first grid cell.
    public let value: UInt64

    public init(algorithm: HashAlgorithm, value: UInt64, bitCount: Int = 64) {
        self.algorithm = algorithm
        self.value = value
        self.bitCount = bitCount
    }

    /// Fixed-width lower-case hexadecimal: 16 digits for 64 bits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, bitCount / 4 - digits.count)) + digits
    }

    public var description: String { "\(algorithm.rawValue):\(hex)" }

    /// Parses the fixed-width hex form.
    /// - Throws: `CoreError.invalidHash` when the string is not `bitCount / 4` hex digits.
    public init(algorithm: HashAlgorithm, hex: String) throws {
        guard hex.count == 16, let value = UInt64(hex, radix: 16) else {
            throw CoreError(.invalidHash, "'\(hex)' is not a 16-digit hexadecimal 64-bit \(algorithm.rawValue)")
        }
        self.init(algorithm: algorithm, value: value)
    }

    /// Hamming distance in bits, in 0...64.
    /// - Throws: `CoreError.incomparableHashes` when the algorithms or lengths differ: such
    ///   hashes measure different things and their distance means nothing.
    public func distance(to other: PerceptualHash) throws -> Int {
        guard algorithm == other.algorithm, bitCount == other.bitCount else {
            throw CoreError(.incomparableHashes,
                            "cannot compare \(algorithm.rawValue)/\(bitCount) bits with \(other.algorithm.rawValue)/\(other.bitCount) bits")
        }
        return (value ^ other.value).nonzeroBitCount
    }
}
