import Foundation

/// The repository root (the folder with Package.swift), found from this file's path.
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
}()

/// The shared folder beside the repository (`../shared`).
let sharedFolder = repositoryRoot.appendingPathComponent("../shared").standardizedFileURL

/// True when the shared corpus and models must be present (under CI their absence is a failure).
var sharedRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

/// The project's virtualenv Python (made by scripts/setup), when present.
var venvPython: URL? {
    let url = repositoryRoot.appendingPathComponent(".venv/bin/python")
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
}

/// Runs `python -c script args…` and returns its standard output.
func runPython(_ python: URL, _ script: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = python
    process.arguments = ["-c", script] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw NSError(domain: "python", code: Int(process.terminationStatus), userInfo: [
            NSLocalizedDescriptionKey: String(decoding: errData, as: UTF8.self)
        ])
    }
    return String(decoding: data, as: UTF8.self)
}

/// A fresh temporary folder.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-inference-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
