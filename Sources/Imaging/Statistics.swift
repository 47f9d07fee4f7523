import Foundation
import VitrineCore

extension ImageStatistics {
    /// Measures luminance mean / deviation / entropy and chroma on an 8-bit buffer.
    /// - Complexity: O(width × height).
    public init(of image: PixelBuffer) {
        let n = image.width * image.height
        let luma = image.luma()
        var histogram = [Int](repeating: 0, count: 256)
        var sum = 0.0, sumSquares = 0.0
        for v in luma {
            histogram[Int(v)] += 1
            let d = Double(v)
            sum += d
            sumSquares += d * d
        }
        let mean = sum / Double(max(n, 1))
        let variance = max(0, sumSquares / Double(max(n, 1)) - mean * mean)
        var entropy = 0.0
        for count in histogram where count > 0 {
            let p = Double(count) / Double(n)
            entropy -= p * log2(p)
        }
        var chroma = 0.0
        var colour = [0.0, 0.0, 0.0]
        if image.channels == 3 {
            image.pixels.withUnsafeBufferPointer { p in
                var total = 0
                var r = 0, g = 0, b = 0
                for i in 0..<n {
                    let pr = Int(p[3 * i]), pg = Int(p[3 * i + 1]), pb = Int(p[3 * i + 2])
                    total += abs(pr - pg) + abs(pg - pb) + abs(pb - pr)
                    r += pr
                    g += pg
                    b += pb
                }
                chroma = Double(total) / 3.0 / Double(max(n, 1))
                colour = [Double(r), Double(g), Double(b)].map { $0 / Double(max(n, 1)) }
            }
        } else {
            colour = [mean, mean, mean]
        }
        self.init(meanLuminance: mean, luminanceDeviation: variance.squareRoot(), entropy: entropy, chroma: chroma,
                  meanColour: colour)
    }
}
