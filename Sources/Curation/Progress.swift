import Foundation

/// Reports the progress of a long job on standard error: a bar with rate and ETA on a
/// terminal, plain log lines (at most one per `interval` seconds) otherwise, nothing when quiet.
public final class ProgressReporter: @unchecked Sendable {
    // @unchecked Sendable: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private let label: String
    private var total: Int
    private var bytes: Int64 = 0
    private let unit: String
    private let isTerminal: Bool
    private let quiet: Bool
    private let interval: TimeInterval
    private let start = Date()
    private var done = 0
    private var failed = 0
    private var lastPrint = Date.distantPast

    public init(label: String, total: Int, unit: String = "img", quiet: Bool = false, interval: TimeInterval = 5) {
        self.label = label
        self.total = total
        self.unit = unit
        self.quiet = quiet
        self.interval = interval
        self.isTerminal = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Counts `count` finished units, `errors` of which failed.
    public func advance(_ count: Int = 1, errors: Int = 0) {
        lock.lock()
        defer { lock.unlock() }
        done += count
        failed += errors
        let now = Date()
        let minimum = isTerminal ? 0.1 : interval
        if now.timeIntervalSince(lastPrint) >= minimum || done == total {
            lastPrint = now
            emit(now: now, final: false)
        }
    }

    /// Sets the total once it is known (e.g. after a first page of search results).
    public func setTotal(_ total: Int) {
        lock.lock()
        defer { lock.unlock() }
        self.total = total
    }

    /// Counts downloaded bytes (shown as MiB after the counts).
    public func addBytes(_ count: Int64) {
        lock.lock()
        defer { lock.unlock() }
        bytes += count
    }

    /// Prints the last line (ends the bar on a terminal).
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        emit(now: Date(), final: true)
    }

    private func emit(now: Date, final: Bool) {
        guard !quiet else { return }
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let rate = Double(done) / elapsed
        let remaining = rate > 0 ? Double(max(0, total - done)) / rate : 0
        let eta = Self.clock(remaining)
        let errorText = (failed > 0 ? ", \(failed) errors" : "") + (bytes > 0 ? String(format: ", %.1f MiB", Double(bytes) / 1_048_576) : "")
        if isTerminal {
            let width = 30
            let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            var line = "\r\(label) \(bar) \(done)/\(total) \(String(format: "%.1f", rate)) \(unit)/s ETA \(eta)\(errorText)  "
            if final { line = "\r\(label) \(bar) \(done)/\(total) in \(Self.clock(elapsed)) (\(String(format: "%.1f", rate)) \(unit)/s)\(errorText)  \n" }
            FileHandle.standardError.write(Data(line.utf8))
        } else {
            let percent = total > 0 ? 100 * done / total : 100
            let line = final
                ? "\(label): \(done)/\(total) done in \(Self.clock(elapsed)) (\(String(format: "%.1f", rate)) \(unit)/s)\(errorText)\n"
                : "\(label): \(done)/\(total) (\(percent)%) \(String(format: "%.1f", rate)) \(unit)/s, ETA \(eta)\(errorText)\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
    }
}
