import Catalog
import Curation
import Foundation
import Imaging

/// Saves `images` as `p0.png`, `p1.png`, … next to `list` (a CSV list that names them, with its header)
/// under a new temporary folder `vitrine-{prefix}-UUID`, and ingests the list into `store/` there with
/// real libvips and SQLite. Returns the store folder and its open catalog; callers remove
/// `store.deletingLastPathComponent()`.
func ingestedStore(prefix: String, images: [PixelBuffer], list: String) async throws -> (URL, Catalog) {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-\(prefix)-\(UUID().uuidString)")
    let input = base.appendingPathComponent("in")
    try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
    for (i, image) in images.enumerated() {
        try ImageWriter.save(image, to: input.appendingPathComponent("p\(i).png").path)
    }
    try Data(list.utf8).write(to: input.appendingPathComponent("list.csv"))
    let store = base.appendingPathComponent("store")
    let catalog = try Catalog(store: store)
    var options = IngestOptions()
    options.quiet = true
    _ = try await IngestJob(catalog: catalog, options: options).run(sources: [input.appendingPathComponent("list.csv").path])
    return (store, catalog)
}
