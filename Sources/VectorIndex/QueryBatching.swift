/// Chooses how many queries go into each native range search so that one batch's result stays
/// near `matchBudget` matches (FAISS buffers 12 bytes per match, the Swift side 16–24 more),
/// whatever the distance: a radius that matches most codes must not allocate queries × codes.
///
/// Starts small, then sizes each batch from the match density of the previous one (matches per
/// query and code compared), growing at most fourfold per batch.
struct QueryBatchSizer {
    /// Target matches per native call.
    static let matchBudget = 4_000_000.0
    static let minimum = 64
    static let maximum = 8192

    private(set) var size = minimum

    /// Updates the next size after a batch of `queries` queries, each compared with up to `seen`
    /// codes, returned `matches` matches; `nextSeen` is what each next query will be compared with.
    mutating func update(matches: Int, queries: Int, seen: Int, nextSeen: Int) {
        let density = Double(matches) / Double(max(queries * max(seen, 1), 1))
        let fitting = density > 0 ? Self.matchBudget / (density * Double(max(nextSeen, 1))) : Double(Self.maximum)
        let grown = min(Double(size) * 4, Double(Self.maximum))
        size = Int(max(Double(Self.minimum), min(fitting, grown)))
    }
}
