import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// An operating-system program run as a child of a supervision tree: what a spec file's `command:` or
/// `shell:` child describes.
///
/// ```yaml
/// - id: web
///   command: [python3, -m, http.server, "8000"]
///   ready: { tcp: "127.0.0.1:8000", timeout: 10s }
///   backoff: { initial: 100ms, max: 30s }
/// ```
///
/// The program's exit is the child's exit (see `ProgramExit`), so every OTP rule — strategies, restart
/// types, intensity, escalation, ordered start and shutdown — applies to it unchanged.
public struct ProgramSpec: Sendable, Hashable {
    /// The argument vector; the first element is looked up in `PATH` when it has no slash.
    public var command: [String]
    /// The working directory (absolute), or `nil` for the daemon's.
    public var directory: String?
    /// Variables added to the daemon's environment (after `environmentFiles`).
    public var environment: [String: String]
    /// dotenv files read at every start, in order.
    public var environmentFiles: [EnvironmentFile]
    /// The signal that asks the program to stop; after the child's `shutdown` the group is killed.
    public var stopSignal: Signal
    /// The delay before each restart.
    public var backoff: Backoff?
    /// What makes a start count as done (without it: a successful exec).
    public var ready: Readiness?
    /// A check repeated while the program runs; enough failures in a row end it with `unhealthy`.
    public var liveness: Liveness?
    /// Exit codes that count as a normal exit, and those after which the program is not restarted.
    public var exitCodes: ExitCodes
    /// Resource limits.
    public var limits: Limits
    /// How much output is kept.
    public var logs: LogPolicy

    /// Creates a spec for `command` with every other setting at its default.
    public init(
        command: [String], directory: String? = nil, environment: [String: String] = [:],
        environmentFiles: [EnvironmentFile] = [], stopSignal: Signal = .term, backoff: Backoff? = nil,
        ready: Readiness? = nil, liveness: Liveness? = nil, exitCodes: ExitCodes = ExitCodes(),
        limits: Limits = Limits(), logs: LogPolicy = LogPolicy()
    ) {
        self.command = command
        self.directory = directory
        self.environment = environment
        self.environmentFiles = environmentFiles
        self.stopSignal = stopSignal
        self.backoff = backoff
        self.ready = ready
        self.liveness = liveness
        self.exitCodes = exitCodes
        self.limits = limits
        self.logs = logs
    }

    /// A dotenv file; an optional one (written `-path` in a spec) may be missing.
    public struct EnvironmentFile: Sendable, Hashable {
        /// Its path (absolute once the spec has been resolved against its folder).
        public var path: String
        /// Whether a missing file is fine.
        public var optional: Bool

        /// Creates a reference to a dotenv file.
        public init(path: String, optional: Bool = false) {
            self.path = path
            self.optional = optional
        }
    }

    /// Restart delays: `initial`, multiplied by `multiplier` per consecutive restart up to `maximum`, spread
    /// by ± `jitter` (a fraction), and back to `initial` once the program ran `resetAfter` without exiting.
    public struct Backoff: Sendable, Hashable {
        /// The first delay.
        public var initial: Duration
        /// The longest delay.
        public var maximum: Duration
        /// The growth per consecutive restart.
        public var multiplier: Double
        /// The random spread, as a fraction of the delay (0 to 1).
        public var jitter: Double
        /// How long a run must last for the next restart to start from `initial` again.
        public var resetAfter: Duration

        /// Creates a backoff policy.
        public init(
            initial: Duration = .milliseconds(100), maximum: Duration = .seconds(30), multiplier: Double = 2,
            jitter: Double = 0.2, resetAfter: Duration = .seconds(60)
        ) {
            self.initial = initial
            self.maximum = maximum
            self.multiplier = multiplier
            self.jitter = jitter
            self.resetAfter = resetAfter
        }

        /// The delay before restart number `attempt` (1 for the first restart), without jitter.
        public func delay(attempt: Int) -> Duration {
            guard attempt > 0 else { return .zero }
            let factor = pow(multiplier, Double(attempt - 1))
            let seconds = min(initial.seconds * factor, maximum.seconds)
            return .nanoseconds(Int64(seconds * 1e9))
        }
    }

    /// A readiness or liveness check.
    public enum Probe: Sendable, Hashable {
        /// A TCP connection to `host:port` is accepted.
        case tcp(host: String, port: Int)
        /// `GET url` (plain http) answers with `status`.
        case http(url: String, status: Int)
        /// The command exits with code 0.
        case exec([String])
        /// The program prints a line matching the regular expression.
        case logLine(String)
    }

    /// `ready`'s probe with how long the start may take.
    public struct Readiness: Sendable, Hashable {
        /// The check.
        public var probe: Probe
        /// How long to keep trying before the start fails.
        public var timeout: Duration

        /// Creates a readiness check (10 s by default).
        public init(probe: Probe, timeout: Duration = .seconds(10)) {
            self.probe = probe
            self.timeout = timeout
        }
    }

    /// A liveness check.
    public struct Liveness: Sendable, Hashable {
        /// The check (`log_line` is not accepted here).
        public var probe: Probe
        /// How often it runs.
        public var every: Duration
        /// Failures in a row that end the program.
        public var failures: Int
        /// How long one check may take.
        public var timeout: Duration

        /// Creates a liveness check.
        public init(probe: Probe, every: Duration = .seconds(5), failures: Int = 3, timeout: Duration = .seconds(2)) {
            self.probe = probe
            self.every = every
            self.failures = failures
            self.timeout = timeout
        }
    }

    /// How exit codes are read.
    public struct ExitCodes: Sendable, Hashable {
        /// Codes that are a `normal` exit (0 by default).
        public var normal: Set<Int32>
        /// Codes after which the program is left stopped whatever its restart type.
        public var noRestart: Set<Int32>

        /// Creates the table.
        public init(normal: Set<Int32> = [0], noRestart: Set<Int32> = []) {
            self.normal = normal
            self.noRestart = noRestart
        }
    }

    /// Resource limits (`nil`: inherited).
    public struct Limits: Sendable, Hashable {
        /// RLIMIT_NOFILE.
        public var openFiles: Int?
        /// Resident memory in bytes: the group is killed with reason `memory_limit` when the program's RSS
        /// passes it (checked every second, so it may overshoot for up to a second).
        public var memoryBytes: Int?
        /// RLIMIT_CPU: the kernel sends SIGXCPU, then SIGKILL.
        public var cpuSeconds: Int?

        /// Creates limits.
        public init(openFiles: Int? = nil, memoryBytes: Int? = nil, cpuSeconds: Int? = nil) {
            self.openFiles = openFiles
            self.memoryBytes = memoryBytes
            self.cpuSeconds = cpuSeconds
        }
    }

    /// Log rotation.
    public struct LogPolicy: Sendable, Hashable {
        /// The size at which the file is rotated.
        public var maxBytes: Int
        /// How many rotated files are kept.
        public var backups: Int

        /// Creates a policy (10 MiB, 5 backups by default).
        public init(maxBytes: Int = 10 << 20, backups: Int = 5) {
            self.maxBytes = maxBytes
            self.backups = backups
        }
    }
}

/// The signals a program may be asked to stop with.
public enum Signal: String, Sendable, Hashable, CaseIterable {
    // The names as `kill -l` prints them, without SIG.
    case term = "TERM", int = "INT", hup = "HUP", quit = "QUIT", kill = "KILL", usr1 = "USR1", usr2 = "USR2"

    /// The signal's number on Linux.
    public var number: Int32 {
        switch self {
        case .hup: 1
        case .int: 2
        case .quit: 3
        case .kill: 9
        case .usr1: 10
        case .usr2: 12
        case .term: 15
        }
    }

    /// The name of any signal number (`SEGV`), or the number itself.
    public static func name(of number: Int32) -> String {
        let names: [Int32: String] = [
            1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE", 9: "KILL", 10: "USR1",
            11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM", 24: "XCPU", 25: "XFSZ",
        ]
        return names[number] ?? String(number)
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
