import Catalog
import Curation
import Foundation
import Imaging
import Server
import TestPostgres
import Testing

/// The catalog a served store keeps: SQLite in the store folder, or PostgreSQL (a database of the
/// throwaway test server) with the files in a folder (`--images`).
enum ServerBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A store made for a test, and what `vitrine serve` is given for it.
struct ServedStore {
    /// The temporary folder holding the inputs and the files (removed by `remove()`).
    let base: URL
    /// The store folder (SQLite) or the files folder of the PostgreSQL catalog.
    let files: URL
    let postgres: String?
    let catalog: Catalog

    func configuration(token: String? = "secret", maxConcurrentRequests: Int = 32, maxUploadBytes: Int = 20 << 20,
                       maxPageSize: Int = 200) -> ServerConfiguration {
        ServerConfiguration(store: files, token: token, maxConcurrentRequests: maxConcurrentRequests, maxUploadBytes: maxUploadBytes,
                            maxPageSize: maxPageSize, postgres: postgres)
    }

    func remove() { try? FileManager.default.removeItem(at: base) }
}

/// Saves `images` as `p0.png`, `p1.png`, … next to `list` (a CSV list that names them, with its header)
/// under a new temporary folder `vitrine-{prefix}-UUID`, and ingests the list with real libvips into
/// a SQLite store (`store/` there) or a new PostgreSQL database (files in `store/`). nil where
/// PostgreSQL is not installed (outside CI; `ThrowawayPostgres.forTests`).
func ingestedStore(prefix: String, images: [PixelBuffer], list: String, backend: ServerBackend = .sqlite) async throws -> ServedStore? {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-\(prefix)-\(UUID().uuidString)")
    let input = base.appendingPathComponent("in")
    try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
    for (i, image) in images.enumerated() {
        try ImageWriter.save(image, to: input.appendingPathComponent("p\(i).png").path)
    }
    try Data(list.utf8).write(to: input.appendingPathComponent("list.csv"))
    let files = base.appendingPathComponent("store")
    let catalog: Catalog
    var postgres: String?
    switch backend {
    case .sqlite:
        catalog = try Catalog(store: files)
    case .postgres:
        guard let server = try ThrowawayPostgres.forTests() else {
            try? FileManager.default.removeItem(at: base)
            return nil
        }
        let url = try server.makeDatabase(prefix)
        postgres = url
        catalog = try Catalog.open(url, images: files.path)
    }
    var options = IngestOptions()
    options.quiet = true
    _ = try await IngestJob(catalog: catalog, options: options).run(sources: [input.appendingPathComponent("list.csv").path])
    return ServedStore(base: base, files: files, postgres: postgres, catalog: catalog)
}
