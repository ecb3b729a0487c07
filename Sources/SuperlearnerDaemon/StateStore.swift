import CSQLite
import Sandbox
import Supervision
import Synchronization
import Telemetry

/// Why the state file could not be used.
public struct StateStoreError: Error, Sendable, CustomStringConvertible {
    /// What failed, with SQLite's message.
    public var message: String
    /// `state store: message`.
    public var description: String { "state store: \(message)" }
}

/// The daemon's sandboxes in SQLite (WAL, `synchronous=FULL`): written before a request is answered, so a
/// `kill -9` at any moment loses nothing that was acknowledged.
///
/// Writes are group-committed: saves and deletes that arrive while a commit is syncing wait for the next
/// one, which takes them all in one transaction and one sync. Each write still returns only after the commit
/// that holds it is durable, so concurrent requests share the cost of the sync without weakening the promise.
/// A write that fails (a constraint, a full disk) fails alone: each runs in its own savepoint.
///
/// A thin wrapper over the system libsqlite3 rather than GRDB: four statements do not need an ORM, and the
/// binary stays smaller and starts faster (docs/persistence.md has the figures). Every call runs on one
/// dedicated thread.
public final class StateStore: SandboxPersistence, MetricArchive, @unchecked Sendable {
    // @unchecked: `database` is only used on `thread`, one job at a time.
    private let thread = BlockingThread(name: "sl-sqlite")
    private nonisolated(unsafe) var database: OpaquePointer?
    /// Prepared statements by SQL text, kept for the life of the file (only used on `thread`).
    private nonisolated(unsafe) var statements: [String: OpaquePointer] = [:]
    /// Writes waiting for the next group commit, and whether one is already queued on the thread.
    private let pending = Mutex<(writes: [PendingWrite], flushQueued: Bool)>(([], false))
    /// Group commits made, and the writes they made durable.
    private let commits = Atomic<Int>(0)
    private let writes = Atomic<Int>(0)

    /// One write and who waits for it to be durable.
    private struct PendingWrite: Sendable {
        let apply: @Sendable () throws -> Void
        let done: CheckedContinuation<Void, any Error>
    }
    /// The file.
    public let path: String

    /// Opens (creating if needed) the state file and its schema.
    public init(path: String) async throws {
        self.path = path
        try await thread.run { [self] in
            var handle: OpaquePointer?
            let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
            guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
                let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
                sqlite3_close(handle)
                throw StateStoreError(message: "\(path): \(message)")
            }
            database = handle
            sqlite3_busy_timeout(handle, 5000)
            try execute("PRAGMA journal_mode=WAL")
            try execute("PRAGMA synchronous=FULL")
            // A small page cache: SQLite's default (2 MiB) fills as the decision log grows toward its 100,000
            // rows; 256 KiB bounds what it keeps lower. The file's pages stay in the kernel's cache, so a
            // miss costs a read, not a disk access.
            try execute("PRAGMA cache_size=-256")
            try execute(
                """
                CREATE TABLE IF NOT EXISTS sandboxes (
                    id TEXT PRIMARY KEY,
                    template TEXT,
                    spec TEXT NOT NULL,
                    config TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    restart_count INTEGER NOT NULL
                )
                """)
            // Spec versions (apply, history, rollback), added to files made before they were kept.
            let columns = try prepare("PRAGMA table_info(sandboxes)")
            var hasVersions = false
            while sqlite3_step(columns) == SQLITE_ROW {
                if String(cString: sqlite3_column_text(columns, 1)) == "versions" { hasVersions = true }
            }
            sqlite3_finalize(columns)
            if !hasVersions { try execute("ALTER TABLE sandboxes ADD COLUMN versions TEXT") }
            // Supervisors' decisions (`why`), kept beyond their supervisor and the daemon.
            try execute(
                "CREATE TABLE IF NOT EXISTS decisions (path TEXT NOT NULL, at REAL NOT NULL, json TEXT NOT NULL)")
            try execute("CREATE INDEX IF NOT EXISTS decisions_path ON decisions (path)")
            // The charts' history beyond memory: one row a second, a day kept.
            try execute(
                """
                CREATE TABLE IF NOT EXISTS metric_samples (
                    time REAL PRIMARY KEY, seconds REAL NOT NULL, restarts REAL NOT NULL, messages REAL NOT NULL,
                    operations REAL NOT NULL, p50 REAL, p95 REAL, p99 REAL, sandboxes INTEGER NOT NULL,
                    processes INTEGER NOT NULL
                )
                """)
        }
    }

    /// Closes the file.
    public func close() async {
        try? await thread.run { [self] in
            for statement in statements.values { sqlite3_finalize(statement) }
            statements = [:]
            sqlite3_close(database)
            database = nil
        }
    }

    private func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(database, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw StateStoreError(message: message)
        }
    }

    private func prepare(_ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw StateStoreError(message: String(cString: sqlite3_errmsg(database)))
        }
        return statement
    }

    /// `sql` prepared once and reset for reuse; only on `thread`.
    private func cached(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            return statement
        }
        let statement = try prepare(sql)
        statements[sql] = statement
        return statement
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Group commits so far (each is one sync of the write-ahead log).
    public var commitCount: Int { commits.load(ordering: .relaxed) }
    /// Saves and deletes made durable so far; with `commitCount`, how many writes share a sync.
    public var writeCount: Int { writes.load(ordering: .relaxed) }

    /// Runs `apply` on the SQLite thread inside the next group commit and returns once that commit is durable.
    private func write(_ apply: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            let queueFlush = pending.withLock { pending -> Bool in
                pending.writes.append(PendingWrite(apply: apply, done: done))
                defer { pending.flushQueued = true }
                return !pending.flushQueued
            }
            if queueFlush { thread.submit { [self] in flush() } }
        }
    }

    /// Commits every waiting write in one transaction, then answers each. Runs on `thread`; a write queued
    /// while this one syncs is taken by the flush queued after it.
    private func flush() {
        let writes = pending.withLock { pending in
            defer { pending = ([], false) }
            return pending.writes
        }
        guard !writes.isEmpty else { return }
        var outcomes: [(any Error)?] = []
        outcomes.reserveCapacity(writes.count)
        do {
            try execute("BEGIN IMMEDIATE")
            for write in writes {
                try execute("SAVEPOINT write")
                do {
                    try write.apply()
                    try execute("RELEASE write")
                    outcomes.append(nil)
                } catch {
                    try execute("ROLLBACK TO write")
                    try execute("RELEASE write")
                    outcomes.append(error)
                }
            }
            try execute("COMMIT")
        } catch {
            // The transaction itself failed (BEGIN or COMMIT): nothing in it is durable, so nobody is told so.
            try? execute("ROLLBACK")
            for write in writes { write.done.resume(throwing: error) }
            return
        }
        commits.add(1, ordering: .relaxed)
        self.writes.add(outcomes.count { $0 == nil }, ordering: .relaxed)
        for (write, outcome) in zip(writes, outcomes) {
            if let outcome { write.done.resume(throwing: outcome) } else { write.done.resume() }
        }
    }

    /// Inserts or replaces a sandbox.
    public func save(_ record: SandboxRecord) async throws {
        try await write { [self] in
            let statement = try cached(
                "INSERT OR REPLACE INTO sandboxes (id, template, spec, config, created_at, restart_count, versions) VALUES (?, ?, ?, ?, ?, ?, ?)"
            )
            sqlite3_bind_text(statement, 1, record.id, -1, StateStore.transient)
            if let template = record.template {
                sqlite3_bind_text(statement, 2, template, -1, StateStore.transient)
            } else {
                sqlite3_bind_null(statement, 2)
            }
            sqlite3_bind_text(statement, 3, record.spec.term.json, -1, StateStore.transient)
            sqlite3_bind_text(statement, 4, Term.object(record.config).json, -1, StateStore.transient)
            sqlite3_bind_double(statement, 5, record.createdAt)
            sqlite3_bind_int64(statement, 6, Int64(record.restartCount))
            sqlite3_bind_text(statement, 7, Term.array(record.versions.map(\.term)).json, -1, StateStore.transient)
            guard sqlite3_step(statement) == SQLITE_DONE else {
                throw StateStoreError(message: String(cString: sqlite3_errmsg(database)))
            }
        }
    }

    /// Stores decisions in one transaction, keeping the newest 100,000.
    func appendDecisions(_ decisions: [Term]) async {
        try? await thread.run { [self] in
            try execute("BEGIN")
            do {
                let statement = try prepare("INSERT INTO decisions (path, at, json) VALUES (?, ?, ?)")
                defer { sqlite3_finalize(statement) }
                for decision in decisions {
                    sqlite3_reset(statement)
                    sqlite3_bind_text(statement, 1, decision["path"]?.stringValue ?? "", -1, StateStore.transient)
                    sqlite3_bind_double(statement, 2, decision["at"]?.doubleValue ?? 0)
                    sqlite3_bind_text(statement, 3, decision.json, -1, StateStore.transient)
                    guard sqlite3_step(statement) == SQLITE_DONE else {
                        throw StateStoreError(message: String(cString: sqlite3_errmsg(database)))
                    }
                }
                try execute(
                    "DELETE FROM decisions WHERE rowid <= (SELECT MAX(rowid) FROM decisions) - 100000")
                try execute("COMMIT")
            } catch {
                try? execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Stored decisions about `path` or anything under it, oldest first.
    func storedDecisions(under path: String) async -> [Term] {
        (try? await thread.run { [self] in
            // Not LIKE: ids may hold `_`, which LIKE reads as a wildcard.
            let statement = try prepare(
                "SELECT json FROM decisions WHERE path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/' ORDER BY at")
            defer { sqlite3_finalize(statement) }
            sqlite3_bind_text(statement, 1, path, -1, StateStore.transient)
            var decisions: [Term] = []
            while sqlite3_step(statement) == SQLITE_ROW {
                if let term = try? Term(json: String(cString: sqlite3_column_text(statement, 0))) {
                    decisions.append(term)
                }
            }
            return decisions
        }) ?? []
    }

    /// Stores metric samples in one transaction and forgets those older than a day.
    public func append(_ samples: [MetricHistory.Sample]) async {
        try? await thread.run { [self] in
            try execute("BEGIN")
            do {
                let statement = try prepare(
                    "INSERT OR REPLACE INTO metric_samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                defer { sqlite3_finalize(statement) }
                for sample in samples {
                    sqlite3_reset(statement)
                    let values: [Double?] = [
                        sample.time, sample.seconds, sample.restartsPerSecond, sample.messagesPerSecond,
                        sample.operationsPerSecond, sample.latency?.p50, sample.latency?.p95, sample.latency?.p99,
                    ]
                    for (index, value) in values.enumerated() {
                        if let value {
                            sqlite3_bind_double(statement, Int32(index + 1), value)
                        } else {
                            sqlite3_bind_null(statement, Int32(index + 1))
                        }
                    }
                    sqlite3_bind_int64(statement, 9, Int64(sample.sandboxes))
                    sqlite3_bind_int64(statement, 10, Int64(sample.processes))
                    guard sqlite3_step(statement) == SQLITE_DONE else {
                        throw StateStoreError(message: String(cString: sqlite3_errmsg(database)))
                    }
                }
                let cutoff = (samples.last?.time ?? 0) - 86_400
                try execute("DELETE FROM metric_samples WHERE time < \(cutoff)")
                try execute("COMMIT")
            } catch {
                try? execute("ROLLBACK")
                throw error
            }
        }
    }

    /// The stored metric samples after `since`, oldest first.
    public func samples(since: Double) async -> [MetricHistory.Sample] {
        (try? await thread.run { [self] in
            let statement = try prepare("SELECT * FROM metric_samples WHERE time > ? ORDER BY time")
            defer { sqlite3_finalize(statement) }
            sqlite3_bind_double(statement, 1, since)
            var samples: [MetricHistory.Sample] = []
            while sqlite3_step(statement) == SQLITE_ROW {
                let latency =
                    sqlite3_column_type(statement, 5) == SQLITE_NULL
                    ? nil
                    : MetricHistory.Latency(
                        p50: sqlite3_column_double(statement, 5), p95: sqlite3_column_double(statement, 6),
                        p99: sqlite3_column_double(statement, 7))
                samples.append(
                    MetricHistory.Sample(
                        time: sqlite3_column_double(statement, 0), seconds: sqlite3_column_double(statement, 1),
                        restartsPerSecond: sqlite3_column_double(statement, 2),
                        messagesPerSecond: sqlite3_column_double(statement, 3),
                        operationsPerSecond: sqlite3_column_double(statement, 4), latency: latency,
                        sandboxes: Int(sqlite3_column_int64(statement, 8)),
                        processes: Int(sqlite3_column_int64(statement, 9))))
            }
            return samples
        }) ?? []
    }

    /// Deletes a sandbox.
    public func delete(_ id: String) async throws {
        try await write { [self] in
            let statement = try cached("DELETE FROM sandboxes WHERE id = ?")
            sqlite3_bind_text(statement, 1, id, -1, StateStore.transient)
            guard sqlite3_step(statement) == SQLITE_DONE else {
                throw StateStoreError(message: String(cString: sqlite3_errmsg(database)))
            }
        }
    }

    /// One stored row, parsed; or the id and why it could not be read.
    public enum Row: Sendable {
        /// A sandbox ready to restore.
        case record(SandboxRecord)
        /// A row that no longer parses (kept in the file, reported as an event).
        case unreadable(id: String, reason: String)
    }

    /// Every stored sandbox, oldest first.
    public func all() async throws -> [Row] {
        try await thread.run { [self] in
            let statement = try prepare(
                "SELECT id, template, spec, config, created_at, restart_count, versions FROM sandboxes ORDER BY created_at, id"
            )
            defer { sqlite3_finalize(statement) }
            var rows: [Row] = []
            while true {
                let step = sqlite3_step(statement)
                if step == SQLITE_DONE { break }
                guard step == SQLITE_ROW else {
                    throw StateStoreError(message: String(cString: sqlite3_errmsg(database)))
                }
                let id = String(cString: sqlite3_column_text(statement, 0))
                let template =
                    sqlite3_column_type(statement, 1) == SQLITE_NULL
                    ? nil : String(cString: sqlite3_column_text(statement, 1))
                let specText = String(cString: sqlite3_column_text(statement, 2))
                let configText = String(cString: sqlite3_column_text(statement, 3))
                do {
                    let spec = try SandboxSpec(term: try Term(json: specText))
                    let config = try Term(json: configText).objectValue ?? [:]
                    var record = SandboxRecord(
                        id: id, template: template, spec: spec, config: config,
                        createdAt: sqlite3_column_double(statement, 4),
                        restartCount: Int(sqlite3_column_int64(statement, 5)))
                    if sqlite3_column_type(statement, 6) != SQLITE_NULL,
                        let versions = try? Term(json: String(cString: sqlite3_column_text(statement, 6))).arrayValue
                    {
                        record.versions = versions.compactMap(SpecVersion.init(term:))
                    }
                    rows.append(.record(record))
                } catch {
                    rows.append(.unreadable(id: id, reason: String(describing: error)))
                }
            }
            return rows
        }
    }
}
