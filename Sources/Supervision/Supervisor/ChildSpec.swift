/// How a supervisor restarts a child when it exits (OTP's `restart`).
public enum RestartType: String, Sendable, Hashable, CaseIterable {
    /// Always restarted.
    case permanent
    /// Restarted only after an abnormal exit (anything but `normal`, `shutdown`, `shutdown(detail)`).
    case transient
    /// Never restarted; removed from the supervisor when it exits.
    case temporary
}

/// How a supervisor stops a child (OTP's `shutdown`).
public enum ShutdownPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Killed at once with the untrappable `kill`.
    case brutalKill
    /// Sent `shutdown`, then killed if it has not exited within the duration.
    case timeout(Duration)
    /// Sent `shutdown` and waited for without limit (the default for supervisor children).
    case infinity

    /// `brutal_kill`, the timeout in milliseconds, or `infinity`.
    public var description: String {
        switch self {
        case .brutalKill: "brutal_kill"
        case .timeout(let duration): String(Int(duration.milliseconds))
        case .infinity: "infinity"
        }
    }
}

/// Whether a child is a worker or a supervisor (OTP's `type`).
public enum ChildType: String, Sendable, Hashable, CaseIterable {
    /// A worker process.
    case worker
    /// A supervisor.
    case supervisor
}

/// What the runtime hands a child's start function.
public struct StartContext: Sendable {
    /// The runtime to start the child in.
    public let runtime: Runtime
    /// The supervisor; the child must link to it (the helpers on `ChildStart` do).
    public let supervisor: PID
    /// The child's stable path, if the supervisor has one.
    public let path: String?
    /// How many times this child has been restarted so far.
    public let restarts: Int
    let scheduler: Scheduler?

    /// Spawn options that link the child to the supervisor and record its path and restarts.
    public var spawnOptions: SpawnOptions {
        SpawnOptions(link: supervisor, parent: supervisor, path: path, restarts: restarts)
    }
}

/// How to start one child: a function that starts a process linked to the supervisor and returns its PID,
/// or `nil` to be ignored (OTP's `ignore`). It must return only once the child is ready.
public struct ChildStart: Sendable {
    let run: @Sendable (StartContext) async throws -> PID?

    /// A custom start function. Link the child to `context.supervisor` (see `StartContext.spawnOptions`).
    public init(_ run: @escaping @Sendable (StartContext) async throws -> PID?) {
        self.run = run
    }

    /// Starts a server and waits for its `initialize`.
    public static func server<S: Server>(_ server: S) -> ChildStart {
        ChildStart { context in
            try await context.runtime.startServer(server, options: context.spawnOptions, scheduler: context.scheduler)
        }
    }

    /// Starts a plain process; it counts as started as soon as it is spawned.
    public static func process(_ body: @escaping @Sendable (ProcessContext) async throws -> Void) -> ChildStart {
        ChildStart { context in
            context.runtime.spawnCell(context.spawnOptions, scheduler: context.scheduler, body).pid
        }
    }

    /// Starts a nested supervisor and waits until all its children have started.
    public static func supervisor(_ spec: SupervisorSpec) -> ChildStart {
        ChildStart { context in
            try await Supervisor.start(
                spec, in: context.runtime, options: context.spawnOptions, scheduler: context.scheduler
            )
            .pid
        }
    }
}

/// One child of a supervisor (OTP's child specification).
public struct ChildSpec: Sendable {
    /// Unique within its supervisor; also the last component of the child's path.
    public var id: String
    /// How to start it.
    public var start: ChildStart
    /// When to restart it.
    public var restart: RestartType
    /// How to stop it.
    public var shutdown: ShutdownPolicy
    /// Worker or supervisor.
    public var type: ChildType
    /// Whether its own exit can shut the supervisor down (see `AutoShutdown`); only for transient and
    /// temporary children.
    public var significant: Bool

    /// Creates a child spec. `shutdown` defaults to 5 s for workers and `infinity` for supervisors, as in OTP.
    public init(
        id: String, start: ChildStart, restart: RestartType = .permanent, shutdown: ShutdownPolicy? = nil,
        type: ChildType = .worker, significant: Bool = false
    ) {
        self.id = id
        self.start = start
        self.restart = restart
        self.type = type
        self.shutdown = shutdown ?? (type == .supervisor ? .infinity : .timeout(.seconds(5)))
        self.significant = significant
    }

    /// A server child.
    public init<S: Server>(
        id: String, server: S, restart: RestartType = .permanent, shutdown: ShutdownPolicy? = nil,
        significant: Bool = false
    ) {
        self.init(id: id, start: .server(server), restart: restart, shutdown: shutdown, significant: significant)
    }

    /// A nested supervisor child.
    public init(
        id: String, supervisor spec: SupervisorSpec, restart: RestartType = .permanent,
        shutdown: ShutdownPolicy? = nil, significant: Bool = false
    ) {
        self.init(
            id: id, start: .supervisor(spec), restart: restart, shutdown: shutdown, type: .supervisor,
            significant: significant)
    }
}
