import CSuperlearner
import Supervision
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Where a tree's programs keep their logs, and the mark that tells a daemon's programs from anyone else's.
///
/// Every program started through a host carries `SUPERLEARNER_SUPERVISOR=<marker>` in its environment.
/// After a daemon crash, the next daemon on the same home calls `stopOrphans()` before it restores its
/// sandboxes: every process still carrying the mark is a program the crashed daemon started, now
/// unsupervised; its process group is stopped so that, once the sandboxes are restored, no program runs
/// twice.
///
/// ```swift
/// let host = ProgramHost(logsDirectory: "/var/lib/app/logs", marker: "/var/lib/app")
/// let child = ChildSpec(id: "web", start: .program(ProgramSpec(command: ["python3", "-m", "http.server"]), host: host))
/// ```
public final class ProgramHost: Sendable {
    /// The environment variable that marks programs started through a host.
    public static let markerVariable = "SUPERLEARNER_SUPERVISOR"

    /// The folder under which each child's log is kept, at `<folder>/<path>.log`.
    public let logsDirectory: String
    /// The value of `markerVariable` in every program's environment.
    public let marker: String
    private let logs = Mutex<[String: ProgramLog]>([:])
    private let starts = Mutex<(succeeded: Int, failed: Int)>((0, 0))

    /// Creates a host.
    /// - Parameters:
    ///   - logsDirectory: an absolute folder for the logs (created when needed).
    ///   - marker: what identifies this host's programs (the daemon uses its home folder).
    public init(logsDirectory: String, marker: String) {
        self.logsDirectory = logsDirectory
        self.marker = marker
    }

    /// The log of the child at `path` (such as `web/api`); the same object for the same path.
    public func log(for path: String) -> ProgramLog {
        logs.withLock { logs in
            if let log = logs[path] { return log }
            let log = ProgramLog(path: "\(logsDirectory)/\(path).log")
            logs[path] = log
            return log
        }
    }

    /// What the host's programs have done since it was created: starts, failed starts, log lines.
    public var statistics: ProgramStatistics {
        let (succeeded, failed) = starts.withLock { $0 }
        let counts = logs.withLock { $0.values.map(\.counts) }
        return ProgramStatistics(
            starts: succeeded, startFailures: failed, logLines: counts.reduce(0) { $0 + $1.lines },
            splitLines: counts.reduce(0) { $0 + $1.split })
    }

    func countStart(succeeded: Bool) {
        starts.withLock { succeeded ? ($0.succeeded += 1) : ($0.failed += 1) }
    }

    /// Whether a log exists for `path`, in memory or on disk.
    public func hasLog(for path: String) -> Bool {
        logs.withLock { $0[path] != nil } || access("\(logsDirectory)/\(path).log", F_OK) == 0
    }

    /// Stops every process that carries this host's mark: its process group gets SIGTERM, then SIGKILL after
    /// `grace` for what is left. Returns the pids found. Call it once, before starting any program.
    @discardableResult
    public func stopOrphans(grace: Duration = .seconds(2)) async -> [Int32] {
        let orphans = ProgramHost.processes(markedWith: "\(ProgramHost.markerVariable)=\(marker)")
        guard !orphans.isEmpty else { return [] }
        let groups = Set(orphans.map { ProgramHost.processGroup(of: $0) ?? $0 })
        for group in groups { kill(-group, SIGTERM) }
        for pid in orphans { kill(pid, SIGTERM) }
        let deadline = SystemClock.monotonicNanoseconds() + grace.nanoseconds
        while SystemClock.monotonicNanoseconds() < deadline && orphans.contains(where: { kill($0, 0) == 0 }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for group in groups { kill(-group, SIGKILL) }
        for pid in orphans { kill(pid, SIGKILL) }
        return orphans
    }

    static func processes(markedWith entry: String) -> [Int32] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        let own = getpid()
        let needle = Array(entry.utf8) + [0]
        var found: [Int32] = []
        while let item = readdir(directory) {
            let name = withUnsafeBytes(of: item.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = Int32(name), pid != own else { continue }
            guard let environment = ProgramLog.contents(of: "/proc/\(pid)/environ") else { continue }
            var start = 0
            for index in environment.indices where environment[index] == 0 {
                if index - start + 1 == needle.count && Array(environment[start...index]) == needle {
                    found.append(pid)
                    break
                }
                start = index + 1
            }
        }
        return found
    }

    static func processGroup(of pid: Int32) -> Int32? {
        let group = getpgid(pid)
        return group > 0 ? group : nil
    }
}

/// Totals of a `ProgramHost`'s programs (the daemon turns them into Prometheus counters).
public struct ProgramStatistics: Sendable, Hashable {
    /// Programs started (exec succeeded).
    public var starts: Int
    /// Starts that failed before or at exec.
    public var startFailures: Int
    /// Lines written to logs.
    public var logLines: Int
    /// Lines longer than the bound, written in pieces.
    public var splitLines: Int

    /// Creates totals.
    public init(starts: Int = 0, startFailures: Int = 0, logLines: Int = 0, splitLines: Int = 0) {
        self.starts = starts
        self.startFailures = startFailures
        self.logLines = logLines
        self.splitLines = splitLines
    }
}

extension ProgramHost {
    /// A host for trees started without one (a library user's): logs under the temporary directory, marked
    /// with this process's id so that they are told apart from another process's.
    public static let temporary: ProgramHost = {
        let folder = (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/superlearner-programs-\(getpid())"
        return ProgramHost(logsDirectory: folder + "/logs", marker: folder)
    }()
}
