import Catalog
import Foundation
import Imaging
import Inference
import Logging
import VectorIndex
import VitrineCore

/// What `vitrine embed` did.
public struct EmbedSummary: Codable, Sendable {
    public var model: String
    public var modelSHA256: String
    public var embedded: Int
    public var alreadyEmbedded: Int
    public var errors: Int
    public var indexKind: String
    public var indexCount: Int
    public var seconds: Double
    public var imagesPerSecond: Double
    public var runID: Int64
}

/// The FAISS index of one model's embeddings, kept in the store's `indexes/` as
/// `embeddings-<model>.faiss` with a JSON sidecar (kind, dimension, count, model sha256).
public struct EmbeddingIndexFile: Codable, Sendable {
    public var model: String
    public var modelSHA256: String
    public var dimension: Int
    public var kind: FloatIndexKind
    public var count: Int

    public static func paths(store: URL, model: String) -> (index: URL, sidecar: URL) {
        let base = store.appendingPathComponent("indexes/embeddings-\(model)")
        return (base.appendingPathExtension("faiss"), base.appendingPathExtension("json"))
    }
}

/// Builds, opens and incrementally updates the embedding index of a store.
public enum EmbeddingIndex {
    /// Opens the index of `model`, adding vectors the catalog holds and the index lacks; a full
    /// rebuild happens only when the index is missing, its kind was overridden, or it holds
    /// vectors the catalog no longer has.
    /// - Parameter kind: force a kind (`nil`: keep the existing one, else choose by size).
    public static func open(catalog: Catalog, model: String, kind: FloatIndexKind? = nil) throws -> (FloatVectorIndex, EmbeddingIndexFile) {
        // Only counts are read while the index is up to date, so a query on 10^6 vectors does not
        // read 5 GB of catalog rows first; vectors are read for what the index lacks or a rebuild.
        guard let summary = try catalog.embeddingSummary(model: model) else {
            throw CoreError(.invalidInput, "no \(model) embeddings in \(catalog.store.path); run `vitrine embed` first")
        }
        let paths = EmbeddingIndexFile.paths(store: catalog.store, model: model)
        let meta = (try? Data(contentsOf: paths.sidecar)).flatMap { try? JSONDecoder().decode(EmbeddingIndexFile.self, from: $0) }
        var index: FloatVectorIndex?
        if let existing = meta, kind == nil || kind == existing.kind, existing.modelSHA256 == summary.modelSHA256,
            existing.count <= summary.count, FileManager.default.fileExists(atPath: paths.index.path)
        {
            index = try? FloatVectorIndex(contentsOf: paths.index.path)
            if let loaded = index, loaded.count != existing.count { index = nil }
        }
        if let index, var existing = meta {
            // Incremental: add the vectors the catalog holds and the index lacks.
            if summary.count > index.count {
                let ids = try storedIDs(paths: paths)
                let missingIDs = try catalog.embeddingItemIDs(model: model).filter { !ids.contains($0) }
                let missing = try catalog.embeddings(model: model, itemIDs: missingIDs)
                try add(missing, to: index, existing: &existing)
                existing.count = index.count
                try save(index, existing, ids: ids.union(missing.map(\.itemID)), paths: paths)
            }
            return (index, existing)
        }
        // A rebuild streams the vectors from the catalog in chunks: memory holds the index and
        // the training sample, not every row (5·10^7 1280-d vectors are 256 GB as floats).
        let allIDs = try catalog.embeddingItemIDs(model: model)
        let chosen = kind ?? FloatIndexKind.chosen(forCount: allIDs.count, dimension: summary.dimension)
        if case .ivfpq(_, let m, _) = chosen, summary.dimension % m != 0 {
            throw CoreError(.invalidInput, "IVF-PQ needs a dimension that is a multiple of m: \(summary.dimension) is not a multiple of \(m)")
        }
        let fresh = try FloatVectorIndex(dimension: summary.dimension, kind: chosen)
        var newMeta = EmbeddingIndexFile(model: model, modelSHA256: summary.modelSHA256, dimension: summary.dimension, kind: chosen, count: 0)
        if !fresh.isTrained {
            // An evenly spaced sample of the collection (not its first rows, which may all come
            // from one source).
            let size = chosen.trainingSampleSize(forCount: allIDs.count)
            let step = max(1, allIDs.count / max(1, size))
            let sampleIDs = stride(from: 0, to: allIDs.count, by: step).prefix(size).map { allIDs[$0] }
            try fresh.train(try catalog.embeddings(model: model, itemIDs: sampleIDs).flatMap(\.floats))
        }
        for start in stride(from: 0, to: allIDs.count, by: 16_384) {
            let chunk = Array(allIDs[start..<min(start + 16_384, allIDs.count)])
            try add(try catalog.embeddings(model: model, itemIDs: chunk), to: fresh, existing: &newMeta)
        }
        newMeta.count = fresh.count
        try save(fresh, newMeta, ids: Set(allIDs), paths: paths)
        return (fresh, newMeta)
    }

    private static func add(_ records: [EmbeddingRecord], to index: FloatVectorIndex, existing: inout EmbeddingIndexFile) throws {
        for start in stride(from: 0, to: records.count, by: 4096) {
            let chunk = records[start..<min(start + 4096, records.count)]
            try index.add(chunk.flatMap(\.floats), ids: chunk.map(\.itemID))
        }
    }

    private static func idsPath(_ paths: (index: URL, sidecar: URL)) -> URL {
        paths.index.deletingPathExtension().appendingPathExtension("ids")
    }

    private static func storedIDs(paths: (index: URL, sidecar: URL)) throws -> Set<Int64> {
        guard let data = try? Data(contentsOf: idsPath(paths)) else { return [] }
        var out = Set<Int64>()
        data.withUnsafeBytes { raw in
            for i in 0..<(data.count / 8) { out.insert(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
        }
        return out
    }

    private static func save(_ index: FloatVectorIndex, _ meta: EmbeddingIndexFile, ids: Set<Int64>, paths: (index: URL, sidecar: URL)) throws {
        try index.write(to: paths.index.path)
        var data = Data(capacity: ids.count * 8)
        for id in ids.sorted() { withUnsafeBytes(of: id.littleEndian) { data.append(contentsOf: $0) } }
        try data.write(to: idsPath(paths), options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(meta).write(to: paths.sidecar, options: .atomic)
    }
}

/// Embeds the items of a store that lack an embedding for a model (resumable: each batch is
/// committed, a re-run continues), then brings the FAISS index up to date without a rebuild.
public enum EmbeddingJob {
    /// The image file of an item: its copy in the store when there is one, else its source.
    public static func imagePath(_ item: ItemRecord, catalog: Catalog) -> String {
        if let stored = item.storedPath {
            let url = catalog.absolute(stored)
            if FileManager.default.fileExists(atPath: url.path) { return url.path }
        }
        return item.sourcePath
    }

    /// The locator for a store: its `models/`, the mirror, the machine cache.
    public static func locator(catalog: Catalog) -> ModelLocator {
        ModelLocator(storeModels: catalog.store.appendingPathComponent("models"))
    }

    public static func run(catalog: Catalog, model modelName: String, threads: Int, batchSize: Int = 16,
                           indexKind: FloatIndexKind? = nil, quiet: Bool, logger: Logger) throws -> EmbedSummary {
        let model = try ModelRegistry.descriptor(named: modelName)
        let embedder = try Embedder(model: model, locator: locator(catalog: catalog))
        Network.threads = threads
        let done = try catalog.embeddedItemIDs(model: model.name)
        let todo = try catalog.items().filter { $0.status == "ok" && $0.id.map { !done.contains($0) } ?? false }
        let runID = try catalog.startRun(kind: "embed", toolVersion: VitrineVersion.current, config: [
            "model": model.name, "modelSHA256": model.sha256, "modelVersion": model.version, "batch": "\(batchSize)",
            "threads": "\(threads)", "preprocessing": "RGB, shorter side \(embedder.resizeSide), centre crop \(embedder.inputSide), (x-127)/128, NCHW",
        ])
        let progress = ProgressReporter(label: "embed", total: todo.count, quiet: quiet)
        let started = Date()
        var embedded = 0, errors = 0
        for start in stride(from: 0, to: todo.count, by: batchSize) {
            let batch = Array(todo[start..<min(start + batchSize, todo.count)])
            let records = try embed(batch, embedder: embedder, model: model, runID: runID, catalog: catalog, logger: logger)
            let good = records.filter { $0.vector != nil }
            try catalog.saveEmbeddings(records)
            embedded += good.count
            errors += batch.count - good.count
            progress.advance(batch.count, errors: batch.count - good.count)
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(started)
        var indexKindText = "none", indexCount = 0
        if embedded + done.count > 0 {
            let (index, meta) = try EmbeddingIndex.open(catalog: catalog, model: model.name, kind: indexKind)
            indexKindText = meta.kind.description
            indexCount = index.count
        }
        let summary = EmbedSummary(model: model.name, modelSHA256: model.sha256, embedded: embedded, alreadyEmbedded: done.count,
                                   errors: errors, indexKind: indexKindText, indexCount: indexCount, seconds: seconds,
                                   imagesPerSecond: seconds > 0 ? Double(embedded) / seconds : 0, runID: runID)
        try catalog.finishRun(runID, summary: summary)
        return summary
    }

    /// Embeds a batch of items: decoding in parallel (`concurrentPerform`), one inference call.
    /// - Returns: one record per item with an id: its vector, or the error that kept it from being
    ///   embedded (unreadable file, …). Throws only when inference itself fails.
    public static func embed(_ batch: [ItemRecord], embedder: Embedder, model: ModelDescriptor, runID: Int64?,
                             catalog: Catalog, logger: Logger) throws -> [EmbeddingRecord] {
        let inputs = Inputs(count: batch.count)
        DispatchQueue.concurrentPerform(iterations: batch.count) { i in
            let path = imagePath(batch[i], catalog: catalog)
            do {
                let picture = try Embedder.decodeForEmbedding(path)
                inputs.set(i, .success(try embedder.input(for: picture, name: path)))
            } catch {
                inputs.set(i, .failure(error))
            }
        }
        var records: [EmbeddingRecord] = []
        var good: [(Int64, [Float])] = []
        for (i, item) in batch.enumerated() {
            guard let id = item.id else { continue }
            switch inputs.get(i) {
            case .success(let values): good.append((id, values))
            case .failure(let error):
                records.append(EmbeddingRecord(itemID: id, model: model.name, modelSHA256: model.sha256, vector: nil,
                                               errorMessage: "\(error)", runID: runID))
                logger.warning("embed: \(item.sourcePath): \(error)")
            case nil: break
            }
        }
        if !good.isEmpty {
            let vectors = try embedder.embed(inputs: good.flatMap(\.1), count: good.count)
            for ((id, _), vector) in zip(good, vectors) {
                records.append(EmbeddingRecord(itemID: id, model: model.name, modelSHA256: model.sha256,
                                               vector: vector.vector, errorMessage: nil, runID: runID))
            }
        }
        return records
    }

    /// Results of one batch's parallel decoding, filled from `concurrentPerform`.
    private final class Inputs: @unchecked Sendable {
        // Each slot is written by exactly one iteration and read after concurrentPerform returns;
        // the lock makes the hand-over explicit.
        private var slots: [Result<[Float], any Error>?]
        private let lock = NSLock()
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ value: Result<[Float], any Error>) {
            lock.lock()
            slots[i] = value
            lock.unlock()
        }
        func get(_ i: Int) -> Result<[Float], any Error>? {
            lock.lock()
            defer { lock.unlock() }
            return slots[i]
        }
    }
}
