import ArgumentParser
import Curation
import Foundation
import Imaging
import VectorIndex
import VitrineCore

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Performance measurements (run by `make bench`, never by the tests).",
        subcommands: [
            HashBench.self, HammingBench.self, EmbedBench.self, KNNBench.self, QualityBench.self,
            BenchReplayServer.self, HarvestBench.self, WorkersBench.self, QueueBench.self,
        ])
}

/// Peak resident set size of this process, bytes (Linux `VmHWM`).
func peakRSS() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.filter(\.isNumber)
        return (Int(digits) ?? 0) * 1024
    }
    return 0
}

struct HashBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hashes",
        abstract: "Decode + aHash, dHash, pHash, wHash over a folder on one thread: images/s and MP/s.")

    @Argument(help: "Folder of images.")
    var folder: String

    @Option(name: .long, help: "Passes over the folder (the first one warms the file cache).")
    var passes: Int = 2

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    @Flag(name: .long, help: "Decode only (no hashes), to see what decoding costs.")
    var decodeOnly = false

    struct Result: Codable {
        var images: Int
        var errors: Int
        var megapixels: Double
        var seconds: Double
        var imagesPerSecond: Double
        var megapixelsPerSecond: Double
        var threads: Int
    }

    func run() async throws {
        let files = SourceScanner.scan([folder]).entries.map(\.location)
        var options = DecodeOptions()
        options.fullResolutionPixels = 0 // thumbnail by shrink-on-load, as a hashing pipeline would
        var result = Result(images: 0, errors: 0, megapixels: 0, seconds: 0, imagesPerSecond: 0, megapixelsPerSecond: 0, threads: 1)
        // Read everything first so that neither side of the comparison times disk reads.
        let inputs: [(path: String, bytes: Data)] = files.compactMap { path in (try? ImageDecoder.read(path)).map { (path, $0) } }
        for pass in 0..<max(1, passes) {
            var images = 0, errors = 0
            var megapixels = 0.0
            let start = Date()
            for input in inputs {
                do {
                    let decoded = try ImageDecoder.decode(input.bytes, path: input.path, options: options)
                    if !decodeOnly { _ = try PerceptualHasher.hashes(of: decoded.thumbnail) }
                    images += 1
                    megapixels += Double(decoded.header.pixelCount) / 1e6
                } catch {
                    errors += 1
                }
            }
            let seconds = Date().timeIntervalSince(start)
            if pass == passes - 1 {
                result = Result(images: images, errors: errors, megapixels: megapixels, seconds: seconds,
                                imagesPerSecond: Double(images) / seconds, megapixelsPerSecond: megapixels / seconds, threads: 1)
            }
        }
        if json { try printJSON(result) } else {
            print(String(format: "vitrine decode+4 hashes: %d images (%d errors), %.1f MP in %.2f s: %.1f img/s, %.1f MP/s (1 thread)",
                         result.images, result.errors, result.megapixels, result.seconds, result.imagesPerSecond, result.megapixelsPerSecond))
        }
    }
}

struct HammingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hamming",
        abstract: "All near-duplicate pairs among synthetic 64-bit hashes (FAISS binary index): seconds and peak memory.")

    @Option(name: .long, help: "Number of hashes.")
    var count: Int = 1_000_000

    @Option(name: .long, help: "Hamming threshold, bits (inclusive).")
    var threshold: Int = 10

    @Option(name: .long, help: "OpenMP threads for FAISS.")
    var threads: Int = 1

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    struct Result: Codable {
        var count: Int
        var threshold: Int
        var pairs: Int
        var seconds: Double
        var peakRSSMiB: Double
    }

    func run() async throws {
        let (seconds, pairs) = try BinaryHashIndex.benchmarkAllPairs(count: count, maxDistance: threshold, seed: 42, threads: threads)
        let result = Result(count: count, threshold: threshold, pairs: pairs, seconds: seconds, peakRSSMiB: Double(peakRSS()) / 1_048_576)
        if json { try printJSON(result) } else {
            print(String(format: "near-duplicate pairs among %d hashes at ≤ %d bits: %d pairs in %.1f s, peak RSS %.0f MiB",
                         count, threshold, pairs, seconds, result.peakRSSMiB))
        }
    }
}
