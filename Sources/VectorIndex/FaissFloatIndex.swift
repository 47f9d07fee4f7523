import CFaiss
import Foundation

// The only file that calls the float-vector part of the `CFaiss` shim (CFaissFloat.h).

private let errorCapacity = 1024

private func checked(
    _ operation: @autoclosure () -> String,
    _ call: (UnsafeMutablePointer<CChar>, Int) -> Int32
) throws(VectorIndexError) {
    var failure: (status: Int32, underlying: String)?
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: errorCapacity) { buffer in
        guard let base = buffer.baseAddress else { return }
        base.initialize(to: 0)
        let status = call(base, errorCapacity)
        if status != VT_FAISS_OK { failure = (status, String(cString: base)) }
    }
    guard let failure else { return }
    let code: VectorIndexError.Code =
        switch failure.status {
        case VT_FAISS_INVALID_ARGUMENT: .nativeInvalidArgument
        case VT_FAISS_LIBRARY_ERROR: .faissError
        case VT_FAISS_OUT_OF_MEMORY: .outOfMemory
        default: .unknownNativeError
        }
    throw VectorIndexError.native(code: code, message: operation(), underlying: failure.underlying)
}

/// How a float index is organised (FAISS `index_factory` descriptions, inner-product metric).
public enum FloatIndexKind: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Exhaustive search (`Flat`): exact, O(n·d) per query.
    case flat
    /// Inverted file (`IVF<lists>,Flat`): k-means-trained coarse quantiser; a query scans `probes`
    /// of the `lists` lists (more probes: higher recall, slower).
    case ivf(lists: Int, probes: Int)
    /// Hierarchical navigable small-world graph (`HNSW<m>,Flat`), `efSearch` candidates per query.
    case hnsw(m: Int, efSearch: Int)
    /// Inverted file with product-quantised residuals (`IVF<lists>,PQ<m>`; Jégou, Douze, Schmid,
    /// "Product quantization for nearest neighbor search", IEEE TPAMI 33(1), 2011): each vector
    /// is stored as `m` one-byte codes (the dimension must be a multiple of `m`), so 1280-d vectors
    /// take `m` + 8 (id) bytes instead of 5120; scores are approximate. A query scans `probes` lists.
    case ivfpq(lists: Int, m: Int, probes: Int)

    /// Vectors up to which `chosen(forCount:)` picks the exact flat index.
    public static let flatLimit = 200_000

    /// Vectors up to which `chosen(forCount:)` keeps full vectors (IVF-Flat: 5 GB per 10^6
    /// 1280-d vectors); above, IVF-PQ.
    public static let fullVectorLimit = 2_000_000

    /// Exact flat up to `flatLimit` vectors; IVF-Flat with about 4·√n lists (probing 32) up to
    /// `fullVectorLimit`; IVF-PQ above (64 codes per vector when the dimension allows, else the
    /// largest divisor of the dimension up to 64), so 5·10^7 1280-d vectors take about 3.6 GB.
    public static func chosen(forCount count: Int, dimension: Int = 1280) -> FloatIndexKind {
        guard count > flatLimit else { return .flat }
        let lists = max(256, min(65_536, Int(4 * Double(count).squareRoot())))
        guard count > fullVectorLimit else { return .ivf(lists: lists, probes: 32) }
        let m = (1...64).reversed().first { dimension % $0 == 0 } ?? 1
        return .ivfpq(lists: lists, m: m, probes: 32)
    }

    /// Vectors to train on (k-means of the coarse quantiser, and the PQ codebooks): FAISS asks for
    /// at least 39 per list; 40 per list, at least 100 000, at most 1 000 000, at most all.
    public func trainingSampleSize(forCount count: Int) -> Int {
        switch self {
        case .flat, .hnsw: 0
        case .ivf(let lists, _), .ivfpq(let lists, _, _): min(count, min(1_000_000, max(100_000, 40 * lists)))
        }
    }

    /// Candidates to fetch for `k` results when the index's scores are approximate (IVF-PQ codes):
    /// the caller re-ranks them by the exact inner product of the full vectors, which stay in the
    /// catalog (the "re-ranking with source coding" step of Jégou, Douze, Schmid, Amsaleg, "Searching
    /// in one billion vectors: re-rank with source coding", ICASSP 2011). 10·k, at least 100.
    /// `nil` where the index's scores are exact (flat, IVF-Flat, HNSW-Flat).
    public func rerankCandidates(k: Int) -> Int? {
        if case .ivfpq = self { return max(10 * k, 100) }
        return nil
    }

    /// The FAISS factory description.
    public var factoryDescription: String {
        switch self {
        case .flat: "Flat"
        case .ivf(let lists, _): "IVF\(lists),Flat"
        case .hnsw(let m, _): "HNSW\(m),Flat"
        // `np`: no polysemous training (a Hamming pre-filter Vitrine does not use; minutes of CPU).
        case .ivfpq(let lists, let m, _): "IVF\(lists),PQ\(m)np"
        }
    }

    public var description: String {
        switch self {
        case .flat: "flat"
        case .ivf(let lists, let probes): "ivf(lists: \(lists), nprobe: \(probes))"
        case .hnsw(let m, let ef): "hnsw(M: \(m), efSearch: \(ef))"
        case .ivfpq(let lists, let m, let probes): "ivfpq(lists: \(lists), m: \(m), nprobe: \(probes))"
        }
    }

    /// Parses `flat`, `ivf`, `ivf:LISTS`, `ivf:LISTS:PROBES`, `hnsw`, `hnsw:M`, `hnsw:M:EF`,
    /// `ivfpq`, `ivfpq:LISTS`, `ivfpq:LISTS:M`, `ivfpq:LISTS:M:PROBES` (defaults 1024, 64, 32).
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: ":").map(String.init)
        let numbers = parts.dropFirst().compactMap { Int($0) }
        guard numbers.count == parts.count - 1, numbers.allSatisfy({ $0 > 0 }) else { return nil }
        switch parts.first {
        case "flat" where numbers.isEmpty: self = .flat
        case "ivf": self = .ivf(lists: numbers.first ?? 1024, probes: numbers.dropFirst().first ?? 32)
        case "hnsw": self = .hnsw(m: numbers.first ?? 32, efSearch: numbers.dropFirst().first ?? 64)
        case "ivfpq" where numbers.count <= 3:
            self = .ivfpq(lists: numbers.first ?? 1024, m: numbers.dropFirst().first ?? 64, probes: numbers.dropFirst(2).first ?? 32)
        default: return nil
        }
    }
}

/// One search result: the caller's id and the inner product (cosine similarity for unit vectors).
public struct Neighbour: Sendable, Equatable, Codable {
    public let id: Int64
    public let score: Float
    public init(id: Int64, score: Float) {
        self.id = id
        self.score = score
    }
}

/// A FAISS inner-product index over float32 vectors with the caller's int64 ids, added
/// incrementally (no rebuild) and kept on disk (`faiss::write_index`).
///
/// `@unchecked Sendable`: the native index is guarded by `lock` — adds, training and parameter
/// changes take it exclusively and so do searches (FAISS searches are const, but must not overlap
/// an add), so no two calls touch the handle at once.
public final class FloatVectorIndex: @unchecked Sendable {
    public let dimension: Int
    private let handle: OpaquePointer
    private let lock = NSLock()

    /// Creates an empty index.
    /// - Throws: `VectorIndexError` when FAISS rejects the description.
    public init(dimension: Int, kind: FloatIndexKind) throws(VectorIndexError) {
        guard dimension > 0 else { throw .invalidArgument(message: "index dimension \(dimension) must be > 0") }
        var out: OpaquePointer?
        try checked("creating a \(kind) index of dimension \(dimension)") {
            vt_faiss_float_index_create(Int32(dimension), kind.factoryDescription, &out, $0, $1)
        }
        guard let out else { throw .invalidArgument(message: "FAISS returned no index for \(kind)") }
        handle = out
        self.dimension = dimension
        try apply(kind)
    }

    /// Reads an index written by `write(to:)`.
    public init(contentsOf path: String) throws(VectorIndexError) {
        var out: OpaquePointer?
        try checked("reading the float index \(path)") { vt_faiss_float_index_read(path, &out, $0, $1) }
        guard let out else { throw .invalidArgument(message: "FAISS returned no index for \(path)") }
        handle = out
        dimension = Int(vt_faiss_float_index_dimension(out))
    }

    deinit { vt_faiss_float_index_destroy(handle) }

    /// Sets the search parameters of `kind` (nprobe / efSearch); flat has none.
    public func apply(_ kind: FloatIndexKind) throws(VectorIndexError) {
        lock.lock()
        defer { lock.unlock() }
        switch kind {
        case .flat: return
        case .ivf(_, let probes), .ivfpq(_, _, let probes):
            try checked("setting nprobe \(probes)") { vt_faiss_float_index_set_parameter(handle, "nprobe", Double(probes), $0, $1) }
        case .hnsw(_, let ef):
            try checked("setting efSearch \(ef)") { vt_faiss_float_index_set_parameter(handle, "efSearch", Double(ef), $0, $1) }
        }
    }

    /// Writes the index (vectors, ids, structure) to a file, atomically (temporary file + rename).
    public func write(to path: String) throws(VectorIndexError) {
        lock.lock()
        defer { lock.unlock() }
        let temporary = path + ".tmp"
        try checked("writing the float index to \(path)") { vt_faiss_float_index_write(handle, temporary, $0, $1) }
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            throw .invalidArgument(message: "cannot move \(temporary) to \(path): \(error)")
        }
    }

    /// Number of vectors held.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return Int(vt_faiss_float_index_count(handle))
    }

    /// True when vectors can be added (IVF needs `train` first).
    public var isTrained: Bool {
        lock.lock()
        defer { lock.unlock() }
        return vt_faiss_float_index_is_trained(handle) != 0
    }

    /// Trains the index (IVF: k-means on `vectors`, `n × dimension` row-major).
    public func train(_ vectors: [Float], threads: Int = 0) throws(VectorIndexError) {
        let n = try rows(vectors)
        lock.lock()
        defer { lock.unlock() }
        try checked("training on \(n) vectors") { vt_faiss_float_index_train(handle, vectors, Int64(n), Int32(threads), $0, $1) }
    }

    /// Adds vectors (`ids.count × dimension`, row-major) under the caller's ids.
    public func add(_ vectors: [Float], ids: [Int64], threads: Int = 0) throws(VectorIndexError) {
        let n = try rows(vectors)
        guard n == ids.count else {
            throw .invalidArgument(message: "\(n) vectors but \(ids.count) ids")
        }
        lock.lock()
        defer { lock.unlock() }
        try checked("adding \(n) vectors") { vt_faiss_float_index_add(handle, vectors, ids, Int64(n), Int32(threads), $0, $1) }
    }

    /// The `k` nearest vectors of each query, highest inner product first.
    /// - Parameter queries: `q × dimension` row-major.
    /// - Returns: q lists of at most k neighbours (fewer when the index holds fewer).
    /// - Complexity: flat O(q·n·d); IVF about O(q·(lists + n·probes/lists)·d).
    public func search(_ queries: [Float], k: Int, threads: Int = 0) throws(VectorIndexError) -> [[Neighbour]] {
        let q = try rows(queries)
        guard k >= 1 else { throw .invalidArgument(message: "k = \(k) must be ≥ 1") }
        var scores = [Float](repeating: 0, count: q * k)
        var ids = [Int64](repeating: -1, count: q * k)
        try locked { () throws(VectorIndexError) in
            try checked("searching \(q) queries for k = \(k)") {
                vt_faiss_float_index_search(handle, queries, Int64(q), Int32(k), Int32(threads), &scores, &ids, $0, $1)
            }
        }
        return (0..<q).map { row in
            (0..<k).compactMap { j in
                ids[row * k + j] >= 0 ? Neighbour(id: ids[row * k + j], score: scores[row * k + j]) : nil
            }
        }
    }

    /// Every vector whose inner product with the query is > `threshold` (FAISS range search;
    /// exact for flat, approximate for IVF/HNSW), highest first.
    public func rangeSearch(_ queries: [Float], threshold: Float, threads: Int = 0) throws(VectorIndexError) -> [[Neighbour]] {
        let q = try rows(queries)
        guard q > 0 else { return [] }
        var result = vt_faiss_float_range_result()
        try locked { () throws(VectorIndexError) in
            try checked("range search of \(q) queries above \(threshold)") {
                vt_faiss_float_index_range_search(handle, queries, Int64(q), threshold, Int32(threads), &result, $0, $1)
            }
        }
        defer { vt_faiss_float_range_result_free(&result) }
        guard let lims = result.lims, let labels = result.labels, let scores = result.scores else { return [] }
        return (0..<q).map { row in
            (Int(lims[row])..<Int(lims[row + 1])).map { Neighbour(id: labels[$0], score: scores[$0]) }
                .sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        }
    }

    /// Runs `body` holding the lock, released on every exit.
    private func locked(_ body: () throws(VectorIndexError) -> Void) throws(VectorIndexError) {
        lock.lock()
        defer { lock.unlock() }
        try body()
    }

    private func rows(_ vectors: [Float]) throws(VectorIndexError) -> Int {
        guard vectors.count % dimension == 0 else {
            throw .invalidArgument(message: "\(vectors.count) floats are not a whole number of \(dimension)-d vectors")
        }
        return vectors.count / dimension
    }
}

/// The result of spherical k-means.
public struct KMeansResult: Sendable, Equatable {
    /// `k × dimension` unit-norm centroids, row-major.
    public let centroids: [Float]
    /// Cluster (0..<k) of each vector.
    public let assignment: [Int]
    /// Inner product of each vector with its centroid.
    public let scores: [Float]
}

/// Spherical k-means on unit vectors (`faiss::Clustering` with `spherical = true`: centroids
/// renormalised after each iteration, assignment by inner product).
public enum SphericalKMeans {
    /// - Parameters:
    ///   - vectors: `n × dimension` row-major, ideally L2-normalised.
    ///   - k: clusters, 1 ≤ k ≤ n.
    ///   - iterations: Lloyd iterations (FAISS default 25); `seed`: FAISS's random seed.
    public static func cluster(
        _ vectors: [Float], dimension: Int, k: Int, iterations: Int = 25, seed: Int = 1234, threads: Int = 0
    ) throws(VectorIndexError) -> KMeansResult {
        guard dimension > 0, vectors.count % dimension == 0 else {
            throw .invalidArgument(message: "\(vectors.count) floats are not a whole number of \(dimension)-d vectors")
        }
        let n = vectors.count / dimension
        guard k >= 1, k <= n else { throw .invalidArgument(message: "k = \(k) must be in 1...\(n)") }
        var centroids = [Float](repeating: 0, count: k * dimension)
        var assignment = [Int64](repeating: 0, count: n)
        var scores = [Float](repeating: 0, count: n)
        try checked("spherical k-means of \(n) vectors into \(k) clusters") {
            vt_faiss_kmeans(vectors, Int64(n), Int32(dimension), Int32(k), Int32(iterations), Int32(truncatingIfNeeded: seed),
                            Int32(threads), &centroids, &assignment, &scores, $0, $1)
        }
        return KMeansResult(centroids: centroids, assignment: assignment.map { Int($0) }, scores: scores)
    }
}

/// Principal component analysis (`faiss::PCAMatrix`: covariance eigen-decomposition through
/// LAPACK `ssyev`).
public enum PCA {
    /// Projects `n × dimension` vectors onto their first `outputDimension` principal components.
    /// - Returns: `n × outputDimension` row-major coordinates and the component variances
    ///   (eigenvalues), largest first.
    public static func project(_ vectors: [Float], dimension: Int, outputDimension: Int = 2)
        throws(VectorIndexError) -> (coordinates: [Float], variances: [Float])
    {
        guard dimension > 0, vectors.count % dimension == 0 else {
            throw .invalidArgument(message: "\(vectors.count) floats are not a whole number of \(dimension)-d vectors")
        }
        let n = vectors.count / dimension
        var out = [Float](repeating: 0, count: n * outputDimension)
        var eigen = [Float](repeating: 0, count: outputDimension)
        try checked("PCA of \(n) vectors to \(outputDimension) dimensions") {
            vt_faiss_pca(vectors, Int64(n), Int32(dimension), Int32(outputDimension), &out, &eigen, $0, $1)
        }
        return (out, eigen)
    }
}
