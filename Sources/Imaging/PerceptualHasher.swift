import COpenBLAS
import CVipsShim
import Foundation
import VitrineCore

/// The eight symmetries of a square (rotations by 0/90/180/270° and their mirror images),
/// used for rotation- and mirror-invariant matching.
public enum DihedralTransform: Int, Sendable, CaseIterable, Codable {
    case identity = 0, rotate90, rotate180, rotate270, mirror, mirrorRotate90, mirrorRotate180, mirrorRotate270

    /// Applies the transform to a `width × height` single-channel grid.
    /// - Returns: the transformed grid and its size (width and height swap for 90°/270°).
    func apply(_ grid: [UInt8], width: Int, height: Int) -> (grid: [UInt8], width: Int, height: Int) {
        var source = grid, w = width, h = height
        if rawValue >= 4 { // mirror left–right first
            var mirrored = source
            for y in 0..<h { for x in 0..<w { mirrored[y * w + x] = source[y * w + (w - 1 - x)] } }
            source = mirrored
        }
        for _ in 0..<(rawValue % 4) { // rotate 90° clockwise, rawValue % 4 times
            var rotated = [UInt8](repeating: 0, count: w * h)
            let nw = h, nh = w
            for y in 0..<h { for x in 0..<w { rotated[x * nw + (nw - 1 - y)] = source[y * w + x] } }
            source = rotated
            w = nw
            h = nh
        }
        return (source, w, h)
    }
}

/// The four 64-bit hashes of one image, optionally for each of the 8 dihedral transforms.
public struct ImageHashes: Sendable, Equatable {
    /// `values[algorithm]` = hash of the picture as decoded.
    public var values: [HashAlgorithm: UInt64]
    /// `variants[algorithm][t]` = hash of the picture after `DihedralTransform(rawValue: t)`;
    /// index 0 equals `values[algorithm]`. Empty unless requested.
    public var variants: [HashAlgorithm: [UInt64]]

    public func hash(_ algorithm: HashAlgorithm) -> PerceptualHash? {
        values[algorithm].map { PerceptualHash(algorithm: algorithm, value: $0) }
    }
}

/// Computes aHash, dHash, pHash and wHash on a decoded image.
///
/// Definitions (bit order as in `imagehash`: row-major, first cell = most significant bit):
/// - **aHash** (Krawetz, "Looks Like It", hackerfactor.com, 2011): grey, resize to 8×8,
///   bit = pixel > mean.
/// - **dHash** (Krawetz, "Kind of Like That", 2013; `imagehash.dhash`): grey, resize to 9×8
///   (width × height), bit = right neighbour > pixel.
/// - **pHash** (Zauner, "Implementation and Benchmarking of Perceptual Image Hash Functions",
///   2010; `imagehash.phash`): grey, resize to 32×32, 2-D DCT-II (rows then columns), keep the
///   8×8 lowest frequencies (DC included), bit = coefficient > their median.
/// - **wHash** (`imagehash.whash`, Haar, `remove_max_haar_ll`): grey, resize to 64×64, subtract
///   the Haar LL at the coarsest level (the mean), take the Haar LL band at level 3 (8×8),
///   bit = coefficient > median. Unlike `imagehash`, the working size is always 64 (imagehash
///   uses the largest power of two below the image's short side), so that resized copies of a
///   picture get the same hash.
///
/// Grey is BT.601 luma as Pillow's "L" mode; the 64×64 and 72×64 grids are libvips Lanczos3
/// resizes of the ≤256 px analysis thumbnail, and the 32×32, 8×8 and 9×8 grids exact area
/// averages of those. The DCT is two OpenBLAS `sgemm` calls with the 8×32 DCT-II basis.
public enum PerceptualHasher {
    /// - Parameters:
    ///   - image: the decoded thumbnail (any size; 1 or 3 channels).
    ///   - invariant: also hash the 8 rotations/mirrors (for `--invariant` matching).
    /// - Throws: `ImagingError.operationFailed` if libvips cannot resize.
    public static func hashes(of image: PixelBuffer, invariant: Bool = false) throws -> ImageHashes {
        let grey = PixelBuffer(width: image.width, height: image.height, channels: 1, pixels: image.luma())
        // Two Lanczos3 resizes by libvips (64×64 and 72×64); the smaller grids are exact area
        // averages of these (what libvips' `shrink` computes), which saves a libvips pipeline per grid.
        let g64 = try grey.resized(width: 64, height: 64).pixels
        let g72x64 = try grey.resized(width: 72, height: 64).pixels
        let g32 = boxAverage(g64, width: 64, height: 64, factorX: 2, factorY: 2)
        let g8 = boxAverage(g64, width: 64, height: 64, factorX: 8, factorY: 8)
        let g9x8 = boxAverage(g72x64, width: 72, height: 64, factorX: 8, factorY: 8)
        var values: [HashAlgorithm: UInt64] = [
            .ahash: averageHash(g8), .dhash: differenceHash(g9x8, width: 9, height: 8),
            .phash: dctHash(g32), .whash: waveletHash(g64),
        ]
        var variants: [HashAlgorithm: [UInt64]] = [:]
        if invariant {
            let g64x72 = try grey.resized(width: 64, height: 72).pixels
            let g8x9 = boxAverage(g64x72, width: 64, height: 72, factorX: 8, factorY: 8)
            for algorithm in HashAlgorithm.allCases { variants[algorithm] = [] }
            for t in DihedralTransform.allCases {
                variants[.ahash, default: []].append(averageHash(t.apply(g8, width: 8, height: 8).grid))
                // dHash of a rotated picture: a 9×8 grid of the rotated picture is the rotated
                // 8×9 (or 9×8) grid of the original.
                let sourceIs9x8 = t.rawValue % 2 == 0
                let d = sourceIs9x8 ? t.apply(g9x8, width: 9, height: 8) : t.apply(g8x9, width: 8, height: 9)
                variants[.dhash, default: []].append(differenceHash(d.grid, width: d.width, height: d.height))
                variants[.phash, default: []].append(dctHash(t.apply(g32, width: 32, height: 32).grid))
                variants[.whash, default: []].append(waveletHash(t.apply(g64, width: 64, height: 64).grid))
            }
            values[.ahash] = variants[.ahash]?.first ?? values[.ahash]
        }
        return ImageHashes(values: values, variants: variants)
    }

    /// Mean of each `factorX × factorY` block, rounded to the nearest integer.
    static func boxAverage(_ g: [UInt8], width: Int, height: Int, factorX: Int, factorY: Int) -> [UInt8] {
        let w = width / factorX, h = height / factorY
        let area = factorX * factorY
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0
                for dy in 0..<factorY {
                    let row = (y * factorY + dy) * width + x * factorX
                    for dx in 0..<factorX { sum += Int(g[row + dx]) }
                }
                out[y * w + x] = UInt8((sum + area / 2) / area)
            }
        }
        return out
    }

    static func pack(_ bits: [Bool]) -> UInt64 {
        var value: UInt64 = 0
        for bit in bits { value = (value << 1) | (bit ? 1 : 0) }
        return value
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    static func averageHash(_ g: [UInt8]) -> UInt64 {
        let mean = Double(g.reduce(0) { $0 + Int($1) }) / Double(g.count)
        return pack(g.map { Double($0) > mean })
    }

    static func differenceHash(_ g: [UInt8], width: Int, height: Int) -> UInt64 {
        // The grid is (width × height) with width = 9 for the upright picture; for a grid that
        // arrives 8 wide and 9 high (rotated), compare down the columns instead so that the
        // result is still 64 bits of "next > this" along the long axis.
        var bits: [Bool] = []
        bits.reserveCapacity(64)
        if width == 9 {
            for y in 0..<height { for x in 0..<(width - 1) { bits.append(g[y * width + x + 1] > g[y * width + x]) } }
        } else {
            for y in 0..<(height - 1) { for x in 0..<width { bits.append(g[(y + 1) * width + x] > g[y * width + x]) } }
        }
        return pack(bits)
    }

    /// 8×32 DCT-II basis, `basis[k][n] = cos(π k (2n + 1) / 64)` (unnormalised; the scale does
    /// not change comparisons with the median).
    static let dctBasis: [Float] = (0..<8).flatMap { k in
        (0..<32).map { n in Float(cos(Double.pi * Double(k) * Double(2 * n + 1) / 64.0)) }
    }

    static func dctHash(_ g: [UInt8]) -> UInt64 {
        let x = g.map { Float($0) }
        var t = [Float](repeating: 0, count: 8 * 32)   // T = B · X   (8×32)
        var y = [Float](repeating: 0, count: 8 * 8)    // Y = T · Bᵀ  (8×8)
        dctBasis.withUnsafeBufferPointer { b in
            x.withUnsafeBufferPointer { xp in
                t.withUnsafeMutableBufferPointer { tp in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 8, 32, 32, 1, b.baseAddress, 32,
                                xp.baseAddress, 32, 0, tp.baseAddress, 32)
                }
            }
            t.withUnsafeBufferPointer { tp in
                y.withUnsafeMutableBufferPointer { yp in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 8, 8, 32, 1, tp.baseAddress, 32,
                                b.baseAddress, 32, 0, yp.baseAddress, 8)
                }
            }
        }
        let coefficients = y.map { Double($0) }
        let m = median(coefficients)
        return pack(coefficients.map { $0 > m })
    }

    static func waveletHash(_ g: [UInt8]) -> UInt64 {
        // Haar analysis LL band: LL_{k+1}[i][j] = (a + b + c + d) / 2 over 2×2 blocks.
        var level = g.map { Double($0) / 255.0 }
        var side = 64
        let mean = level.reduce(0, +) / Double(level.count)
        level = level.map { $0 - mean } // remove the coarsest LL (the DC level)
        while side > 8 {
            let half = side / 2
            var next = [Double](repeating: 0, count: half * half)
            for i in 0..<half {
                for j in 0..<half {
                    let a = level[(2 * i) * side + 2 * j], b = level[(2 * i) * side + 2 * j + 1]
                    let c = level[(2 * i + 1) * side + 2 * j], d = level[(2 * i + 1) * side + 2 * j + 1]
                    next[i * half + j] = (a + b + c + d) / 2
                }
            }
            level = next
            side = half
        }
        let m = median(level)
        return pack(level.map { $0 > m })
    }
}

extension PixelBuffer {
    /// Resizes to exactly `width × height` pixels (aspect ratio not kept) with libvips Lanczos3.
    /// - Throws: `ImagingError.operationFailed`.
    public func resized(width w: Int, height h: Int) throws -> PixelBuffer {
        var out = vt_pixels()
        let status = pixels.withUnsafeBufferPointer { p in
            vt_vips_resize_exact(p.baseAddress, Int32(width), Int32(height), Int32(channels), Int32(w), Int32(h), &out)
        }
        try Vips.check(status, .operationFailed, path: "-", "cannot resize a \(width)×\(height) image to \(w)×\(h)")
        guard let buffer = Vips.adopt(out) else {
            throw ImagingError(.operationFailed, path: "-", "libvips returned no pixels for a \(w)×\(h) resize")
        }
        return buffer
    }
}
