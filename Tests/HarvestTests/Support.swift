import Foundation
import Testing

/// The shared corpus, or nil (tests then skip, except under CI=true where its absence fails).
func corpusURL(_ relative: String = "") -> URL? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpus")
    guard FileManager.default.fileExists(atPath: root.appendingPathComponent("api").path) else { return nil }
    return relative.isEmpty ? root : root.appendingPathComponent(relative)
}

var corpusRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

/// The corpus folder, or records why the test is skipped (a failure under CI).
func requireCorpus(_ relative: String = "") -> URL? {
    guard let url = corpusURL(relative) else {
        #expect(!corpusRequired, "the shared corpus is missing under CI")
        if !corpusRequired { print("skipped: ../shared/corpus is not here") }
        return nil
    }
    return url
}

func jsonFiles(_ folder: URL) -> [URL] {
    let e = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
    var out: [URL] = []
    while let u = e?.nextObject() as? URL { if u.pathExtension == "json" { out.append(u) } }
    return out.sorted { $0.path < $1.path }
}

final class TemporaryFolder {
    let url: URL
    init(_ name: String = "vitrine-harvest") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}
