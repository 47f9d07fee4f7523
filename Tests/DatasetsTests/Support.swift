import Foundation
import Testing
@testable import Datasets

enum Paths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/corpus/annotations`, or nil (the test then skips; under CI=true it fails).
    static var annotations: URL? {
        let url = root.deletingLastPathComponent().appendingPathComponent("shared/corpus/annotations")
        if FileManager.default.fileExists(atPath: url.path) { return url }
        #expect(ProcessInfo.processInfo.environment["CI"] != "true", "the shared corpus is missing under CI")
        print("skipped: no corpus at \(url.path)")
        return nil
    }

    static var python: URL? {
        let url = root.appendingPathComponent(".venv/bin/python")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }
}

final class TemporaryFolder {
    let url: URL
    init(_ name: String = "vitrine-datasets") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// SplitMix64: seeded randomness for generated cases.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs pycocotools (tools/coco_reference_eval.py) on a ground truth and detections.
/// - Returns: nil (with a message) when `.venv` has no pycocotools.
func pycocotools(groundTruth: Dataset, detections: [Detection]) throws -> (stats: [Double], perCategory: [Int64: [Double]])? {
    guard let python = Paths.python else {
        print("skipped: pycocotools is not installed (run scripts/setup to create .venv)")
        return nil
    }
    let folder = try TemporaryFolder("vitrine-pycocotools")
    try COCOFormat.write(groundTruth, to: folder.file("gt.json"), options: .init(keepCategoryIDs: true), results: false)
    let results = JSONValue.array(detections.map {
        .object(["image_id": .int($0.imageID), "category_id": .int($0.categoryID), "bbox": .array($0.box.xywh.values.map { .double($0) }), "score": .double($0.score)])
    })
    try JSONValue.write(results, to: folder.file("dt.json"))
    let process = Process()
    process.executableURL = python
    process.arguments = [Paths.root.appendingPathComponent("tools/coco_reference_eval.py").path, folder.file("gt.json").path, folder.file("dt.json").path]
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        let message = String(decoding: errors, as: UTF8.self)
        if message.contains("No module named") {
            print("skipped: pycocotools cannot be imported: \(message)")
            return nil
        }
        Issue.record("pycocotools failed: \(message)")
        return nil
    }
    let json = try JSONValue.parse(data, what: "pycocotools output")
    let stats = json["stats"]?.array?.compactMap(\.number) ?? []
    var per: [Int64: [Double]] = [:]
    for (key, value) in json["per_category"]?.object ?? [:] { if let id = Int64(key) { per[id] = value.array?.compactMap(\.number) ?? [] } }
    return (stats, per)
}

extension Dataset {
    var groundTruthObjects: [GroundTruthObject] {
        annotations.compactMap { a in
            a.box.map { GroundTruthObject(id: a.id, imageID: a.imageID, categoryID: a.categoryID, box: $0, area: a.effectiveArea, isCrowd: a.isCrowd, difficult: a.difficult) }
        }
    }
    var categoryNames: [Int64: String] { Dictionary(categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }) }
}
