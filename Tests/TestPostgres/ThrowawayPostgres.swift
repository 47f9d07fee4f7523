import Foundation

/// A real PostgreSQL server for tests and benchmarks: `initdb` into a temporary folder, started
/// with `pg_ctl` on a free loopback port (trust authentication, `fsync=off`: the data is thrown
/// away), stopped and deleted by `stop()` or when the process exits. The binaries come from
/// Debian's `postgresql` package (`scripts/setup` installs it), found under
/// `/usr/lib/postgresql/*/bin` or in `$VITRINE_PG_BIN`. Run as root, the server runs as the
/// `postgres` user (PostgreSQL refuses root).
public final class ThrowawayPostgres: @unchecked Sendable {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public let port: Int
    public let user = "vitrine"
    let folder: URL
    let bin: URL
    let runAs: String?
    private let lock = NSLock()
    private var stopped = false
    private var databases = 0

    /// The server shared by one test process (started on first use).
    public static func shared() throws -> ThrowawayPostgres {
        try sharedLock.withLock {
            if let server = sharedServer { return server }
            let server = try ThrowawayPostgres()
            sharedServer = server
            atexit { ThrowawayPostgres.sharedServer?.stop() }
            return server
        }
    }
    nonisolated(unsafe) static var sharedServer: ThrowawayPostgres?
    static let sharedLock = NSLock()

    /// The shared server for a test, or nil (with a message) where PostgreSQL is not installed;
    /// under CI (`CI=true`) its absence is a failure.
    public static func forTests() throws -> ThrowawayPostgres? {
        do { return try shared() } catch let error as Unavailable {
            if ProcessInfo.processInfo.environment["CI"] == "true" { throw error }
            print("skipped (PostgreSQL backend): \(error.description)")
            return nil
        }
    }

    /// The folder of `initdb`/`pg_ctl`, or nil when PostgreSQL is not installed.
    public static func binaries() -> URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["VITRINE_PG_BIN"], fm.isExecutableFile(atPath: env + "/initdb") {
            return URL(fileURLWithPath: env)
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        for v in versions where fm.isExecutableFile(atPath: "\(root)/\(v)/bin/initdb") && fm.isExecutableFile(atPath: "\(root)/\(v)/bin/postgres") {
            return URL(fileURLWithPath: "\(root)/\(v)/bin")
        }
        return nil
    }

    /// Starts a new server. - Throws: `Unavailable` when PostgreSQL is not installed or does not start.
    public init() throws {
        guard let bin = Self.binaries() else {
            throw Unavailable(description: "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (run scripts/setup, or set VITRINE_PG_BIN)")
        }
        self.bin = bin
        runAs = getuid() == 0 ? "postgres" : nil
        let fm = FileManager.default
        Self.stopOrphans(bin: bin, runAs: runAs)
        folder = fm.temporaryDirectory.appendingPathComponent("vitrine-pg-\(getpid())-\(UUID().uuidString.prefix(8))")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        if let runAs { try Self.run("/bin/chown", ["-R", runAs, folder.path]) }
        try Self.run(bin.appendingPathComponent("initdb").path,
                     ["-D", folder.appendingPathComponent("data").path, "-A", "trust", "-U", user, "-E", "UTF8", "--locale=C", "--no-sync"], as: runAs)
        var lastError = ""
        for _ in 0..<8 {
            let candidate = Int.random(in: 20_000..<60_000)
            do {
                try Self.run(bin.appendingPathComponent("pg_ctl").path, [
                    "-D", folder.appendingPathComponent("data").path, "-l", folder.appendingPathComponent("server.log").path, "-w", "-t", "60",
                    "-o", "-p \(candidate) -c listen_addresses=127.0.0.1 -k \(folder.path) -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400",
                    "start",
                ], as: runAs)
                port = candidate
                return
            } catch {
                lastError = "\(error) \((try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? "")"
            }
        }
        try? fm.removeItem(at: folder)
        throw Unavailable(description: "PostgreSQL did not start: \(lastError.suffix(600))")
    }

    /// Stops and deletes the servers of test processes that died without stopping theirs (the
    /// folder name carries the process id).
    static func stopOrphans(bin: URL, runAs: String?) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: fm.temporaryDirectory.path)) ?? [] where name.hasPrefix("vitrine-pg-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 4, let pid = Int32(parts[2]), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let folder = fm.temporaryDirectory.appendingPathComponent(name)
            _ = try? run(bin.appendingPathComponent("pg_ctl").path, ["-D", folder.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"], as: runAs)
            try? fm.removeItem(at: folder)
        }
    }

    /// Creates an empty database. - Returns: its `postgres://` URL.
    public func makeDatabase(_ prefix: String = "test") throws -> String {
        let name: String = lock.withLock {
            databases += 1
            return "\(prefix.lowercased().filter { $0.isLetter || $0.isNumber })_\(databases)_\(UInt32.random(in: 0...UInt32.max))"
        }
        try Self.run(bin.appendingPathComponent("createdb").path, ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, name])
        return url(name)
    }

    public func url(_ database: String) -> String { "postgres://\(user)@127.0.0.1:\(port)/\(database)" }

    /// Runs SQL with `psql` (for tests that look at the server from outside Vitrine).
    public func psql(_ database: String, _ sql: String) throws -> String {
        try Self.run(bin.appendingPathComponent("psql").path, ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", database, "-At", "-c", sql])
    }

    /// Stops the server (immediate shutdown) and deletes its folder.
    public func stop() {
        let already: Bool = lock.withLock { defer { stopped = true }; return stopped }
        guard !already else { return }
        _ = try? Self.run(bin.appendingPathComponent("pg_ctl").path, ["-D", folder.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop"], as: runAs)
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }

    /// Runs a tool and waits for it. posix_spawn with every descriptor above stderr closed in the
    /// child, not Foundation's `Process`: the server that `pg_ctl start` leaves running would
    /// inherit the descriptor by which `Process` notices the exit, and `waitUntilExit` would wait
    /// for the server.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], as user: String? = nil) throws -> String {
        let argv = user.map { ["/usr/sbin/runuser", "-u", $0, "--", tool] + arguments } ?? [tool] + arguments
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-pg-out-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // glibc ≥ 2.34 (Debian 12 has 2.36); not in Swift's Glibc module, so looked up.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            throw Unavailable(description: "posix_spawn_file_actions_addclosefrom_np not in this C library (glibc 2.34 or later needed)")
        }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for a in cArguments { free(a) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw Unavailable(description: "cannot start \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw Unavailable(description: "\((tool as NSString).lastPathComponent) failed (status \(status)): \(text.suffix(600))")
        }
        return text
    }
}
