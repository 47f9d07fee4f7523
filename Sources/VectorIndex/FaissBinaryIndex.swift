import CFaiss

// The only file that calls the `CFaiss` shim. Every call goes through `checked`, which hands the
// shim an error buffer and turns a failure status into `VectorIndexError` at once.

/// Capacity of the buffer the shim writes its error message into, in bytes.
private let errorCapacity = 1024

/// Calls a shim function that follows the `CFaiss` convention (int status, error buffer).
/// - Parameter operation: what Vitrine was doing, for the error message.
private func checked(
    _ operation: @autoclosure () -> String,
    _ call: (UnsafeMutablePointer<CChar>, Int) -> Int32
) throws(VectorIndexError) {
    var failure: (status: Int32, underlying: String)?
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: errorCapacity) { buffer in
        guard let base = buffer.baseAddress else { return }
        base.initialize(to: 0)
        let status = call(base, errorCapacity)
        if status != VT_FAISS_OK {
            failure = (status, String(cString: base))
        }
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

/// Calls `body` with the codes as FAISS bytes: 8 bytes per code, little-endian, so that bit i of a
/// code (value `1 << i`) is bit i of FAISS's bit string (FAISS reads bytes in order, least
/// significant bit first).
private func withFaissBytes<Result>(
    _ codes: UnsafeBufferPointer<UInt64>,
    _ body: (UnsafePointer<UInt8>?) throws(VectorIndexError) -> Result
) throws(VectorIndexError) -> Result {
    #if _endian(little)
    return try codes.withMemoryRebound(to: UInt8.self) { (bytes) throws(VectorIndexError) in
        try body(bytes.baseAddress)
    }
    #else
    let swapped = codes.map(\.littleEndian)
    return try swapped.withUnsafeBufferPointer { (words) throws(VectorIndexError) in
        try words.withMemoryRebound(to: UInt8.self) { (bytes) throws(VectorIndexError) in
            try body(bytes.baseAddress)
        }
    }
    #endif
}

/// How a native binary index is organised.
enum BinaryIndexKind: Hashable, Sendable {
    /// `faiss::IndexBinaryFlat`.
    case flat
    /// `faiss::IndexBinaryMultiHash`.
    case multiHash(MultiHashParameters)
}

/// Owner of one FAISS binary index over 64-bit codes; `deinit` frees it.
///
/// Not `Sendable`: `add` mutates native state without a lock. `BinaryHashIndex` confines
/// instances to its lock; `allPairs` confines them to one call.
final class FaissBinaryIndex {
    static let dimensionBits: Int32 = 64

    let kind: BinaryIndexKind
    private let handle: OpaquePointer

    init(kind: BinaryIndexKind) throws(VectorIndexError) {
        var created: OpaquePointer?
        switch kind {
        case .flat:
            try checked("creating IndexBinaryFlat over 64-bit codes") { error, capacity in
                vt_faiss_binary_index_create_flat(Self.dimensionBits, &created, error, capacity)
            }
        case .multiHash(let parameters):
            try checked("creating IndexBinaryMultiHash over 64-bit codes with \(parameters)") { error, capacity in
                vt_faiss_binary_index_create_multihash(
                    Self.dimensionBits, Int32(parameters.tables), Int32(parameters.bitsPerTable),
                    Int32(parameters.flips), &created, error, capacity)
            }
        }
        guard let created else {
            throw VectorIndexError.native(
                code: .unknownNativeError, message: "creating a FAISS binary index (\(kind))",
                underlying: "the shim reported success but returned no handle")
        }
        self.kind = kind
        self.handle = created
    }

    deinit {
        vt_faiss_binary_index_destroy(handle)
    }

    /// Number of indexed codes (FAISS `ntotal`).
    var count: Int {
        var total: Int64 = 0
        // Cannot fail for a live handle and a non-NULL output.
        try? checked("counting codes") { error, capacity in
            vt_faiss_binary_index_count(handle, &total, error, capacity)
        }
        return Int(total)
    }

    /// Appends codes; they get ids `count ..< count + codes.count`.
    /// - Complexity: O(n) copies; multi-hash also inserts each code into `tables` hash maps.
    func add(_ codes: UnsafeBufferPointer<UInt64>) throws(VectorIndexError) {
        guard !codes.isEmpty else { return }
        let handle = self.handle
        try withFaissBytes(codes) { (bytes) throws(VectorIndexError) in
            try checked("adding \(codes.count) codes to \(kind)") { error, capacity in
                vt_faiss_binary_index_add(handle, bytes, Int64(codes.count), error, capacity)
            }
        }
    }

    /// Runs a FAISS range search (distances strictly below `radius` bits) and lends the result
    /// arrays to `body`; they are freed when `body` returns.
    /// - Parameters:
    ///   - body: receives `lims` (`queries.count + 1` offsets), `labels` (ids) and `distances`
    ///     (bits); the matches of query q are `lims[q] ..< lims[q + 1]`, in no particular order.
    func withRangeSearch<Result>(
        queries: UnsafeBufferPointer<UInt64>,
        radius: Int,
        threads: Int,
        _ body: (
            _ lims: UnsafeBufferPointer<Int64>, _ labels: UnsafeBufferPointer<Int64>,
            _ distances: UnsafeBufferPointer<Int32>
        ) throws(VectorIndexError) -> Result
    ) throws(VectorIndexError) -> Result {
        let handle = self.handle
        var raw = vt_faiss_range_result()
        defer { vt_faiss_range_result_free(&raw) }
        try withFaissBytes(queries) { (bytes) throws(VectorIndexError) in
            try checked("range search of \(queries.count) queries, radius \(radius), in \(count) codes (\(kind))") {
                error, capacity in
                vt_faiss_binary_index_range_search(
                    handle, bytes, Int64(queries.count), Int32(radius), Int32(threads), &raw, error, capacity)
            }
        }
        let total = Int(raw.lims?[queries.count] ?? 0)
        return try body(
            UnsafeBufferPointer(start: raw.lims, count: queries.count + 1),
            UnsafeBufferPointer(start: raw.labels, count: total),
            UnsafeBufferPointer(start: raw.distances, count: total))
    }

    /// k-nearest-neighbour search; returns `queries.count × k` row-major labels (−1 where there
    /// is no neighbour) and distances in bits, each row by increasing distance.
    func nearest(
        queries: UnsafeBufferPointer<UInt64>, k: Int, threads: Int
    ) throws(VectorIndexError) -> (labels: [Int64], distances: [Int32]) {
        let slots = queries.count * k
        var labels = [Int64](repeating: -1, count: slots)
        var distances = [Int32](repeating: 0, count: slots)
        guard slots > 0 else { return (labels, distances) }
        let handle = self.handle
        try withFaissBytes(queries) { (bytes) throws(VectorIndexError) in
            try labels.withUnsafeMutableBufferPointer { (labelBuffer) throws(VectorIndexError) in
                try distances.withUnsafeMutableBufferPointer { (distanceBuffer) throws(VectorIndexError) in
                    try checked("\(k)-nearest-neighbour search of \(queries.count) queries in \(count) codes (\(kind))") {
                        error, capacity in
                        vt_faiss_binary_index_knn_search(
                            handle, bytes, Int64(queries.count), Int64(k), Int32(threads),
                            distanceBuffer.baseAddress, labelBuffer.baseAddress, error, capacity)
                    }
                }
            }
        }
        return (labels, distances)
    }

    /// OpenMP's thread count for parallel regions started from the calling thread.
    static func maxThreads() -> Int {
        var threads: Int32 = 1
        try? checked("reading the OpenMP thread count") { error, capacity in
            vt_faiss_get_max_threads(&threads, error, capacity)
        }
        return Int(threads)
    }

    /// Sets OpenMP's thread count for parallel regions started from the calling thread.
    static func setThreads(_ threads: Int) throws(VectorIndexError) {
        try checked("setting the OpenMP thread count to \(threads)") { error, capacity in
            vt_faiss_set_num_threads(Int32(clamping: threads), error, capacity)
        }
    }
}
