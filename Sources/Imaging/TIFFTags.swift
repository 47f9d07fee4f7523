import Foundation

/// Reads the BitsPerSample tag (258) of a TIFF's first IFD (TIFF 6.0 §2, §8), which libvips
/// does not expose for bilevel images (it loads them as 8-bit 0/255).
/// - Returns: the bits of the first sample, or nil when the bytes are not a classic TIFF.
func tiffBitsPerSample(_ data: Data) -> Int? {
    let b = [UInt8](data.prefix(65536))
    guard b.count >= 8 else { return nil }
    let little: Bool
    if b[0] == 0x49 && b[1] == 0x49 { little = true } else if b[0] == 0x4D && b[1] == 0x4D { little = false } else { return nil }
    func u16(_ i: Int) -> Int? {
        guard i + 2 <= b.count else { return nil }
        return little ? Int(b[i]) | Int(b[i + 1]) << 8 : Int(b[i]) << 8 | Int(b[i + 1])
    }
    func u32(_ i: Int) -> Int? {
        guard i + 4 <= b.count else { return nil }
        let v = little ? (Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24)
            : (Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]))
        return v
    }
    guard u16(2) == 42, let ifd = u32(4), let entries = u16(ifd) else { return nil }
    for e in 0..<entries {
        let entry = ifd + 2 + 12 * e
        guard let tag = u16(entry) else { return nil }
        if tag == 258 {
            guard let count = u32(entry + 4) else { return nil }
            if count <= 2 { return u16(entry + 8) }
            guard let offset = u32(entry + 8) else { return nil }
            return u16(offset) // first sample; larger tables beyond 64 KiB are not read
        }
    }
    return 1 // BitsPerSample defaults to 1 when absent (TIFF 6.0, §8)
}
