/// A running supervisor, and the requests it answers (OTP's `supervisor` module functions).
///
/// ```swift
/// let supervisor = try await Supervisor.start(
///     SupervisorSpec(strategy: .oneForOne, children: [
///         ChildSpec(id: "counter", server: CounterWorker(initial: 0)),
///     ]),
///     in: runtime)
/// let children = try await supervisor.whichChildren()
/// ```
public struct Supervisor: Sendable, Hashable {
    /// The supervisor's process.
    public let pid: PID
    /// The runtime it runs in.
    public let runtime: Runtime

    /// Two handles are equal when they name the same process of the same runtime.
    public static func == (lhs: Supervisor, rhs: Supervisor) -> Bool {
        lhs.pid == rhs.pid && lhs.runtime === rhs.runtime
    }

    /// Hashes the PID.
    public func hash(into hasher: inout Hasher) { hasher.combine(pid) }

    /// Wraps an existing supervisor process.
    public init(_ pid: PID, in runtime: Runtime) {
        self.pid = pid
        self.runtime = runtime
    }

    /// Starts a supervisor and waits until every child has started in order.
    ///
    /// If a child fails to start, the children already started are stopped in reverse order and the start
    /// fails with `shutdown(failed_to_start_child …)`.
    /// - Throws: `StartError` for an invalid spec or a failed child start.
    nonisolated(nonsending) public static func start(
        _ spec: SupervisorSpec, in runtime: Runtime, options: SpawnOptions = SpawnOptions()
    )
        async throws(StartError) -> Supervisor
    {
        try await start(spec, in: runtime, options: options, scheduler: nil)
    }

    nonisolated(nonsending) static func start(
        _ spec: SupervisorSpec, in runtime: Runtime, options: SpawnOptions, scheduler: Scheduler?
    )
        async throws(StartError) -> Supervisor
    {
        do {
            try spec.validate()
        } catch {
            throw StartError(reason: .error(error.description))
        }
        var options = options
        options.trapExit = true
        let pid = try await runtime.spawnAcknowledged(options, scheduler: scheduler, kind: .supervisor) {
            context, ack in
            try await SupervisorCore(spec: spec, context: context).run(ack: ack)
        }
        return Supervisor(pid, in: runtime)
    }

    /// The children in start order, with their current PIDs (`which_children`).
    public func whichChildren(timeout: Duration? = .seconds(5)) async throws(SupervisorError) -> [ChildInfo] {
        try await ask(.whichChildren, timeout: timeout)
    }

    /// Counts of specs, running children, supervisors and workers (`count_children`).
    public func countChildren(timeout: Duration? = .seconds(5)) async throws(SupervisorError) -> ChildCounts {
        try await ask(.countChildren, timeout: timeout)
    }

    /// Adds and starts a child (`start_child`); `nil` when its start returned `ignore`.
    @discardableResult
    public func startChild(_ spec: ChildSpec, timeout: Duration? = nil) async throws(SupervisorError) -> PID? {
        try await askResult(.startChild(spec), timeout: timeout)
    }

    /// Restarts a child that is not running (`restart_child`).
    @discardableResult
    public func restartChild(_ id: String, timeout: Duration? = nil) async throws(SupervisorError) -> PID? {
        try await askResult(.restartChild(id), timeout: timeout)
    }

    /// Stops a running child; its spec stays unless it is temporary (`terminate_child`).
    public func terminateChild(_ id: String, timeout: Duration? = nil) async throws(SupervisorError) {
        let _: Bool = try await askResult(.terminateChild(id), timeout: timeout)
    }

    /// Removes the spec of a child that is not running (`delete_child`).
    public func deleteChild(_ id: String, timeout: Duration? = .seconds(5)) async throws(SupervisorError) {
        let _: Bool = try await askResult(.deleteChild(id), timeout: timeout)
    }

    /// The decisions taken on children's exits (up to 100), oldest first: why each was or was not restarted.
    public func decisions(timeout: Duration? = .seconds(5)) async throws(SupervisorError) -> [RestartDecision] {
        try await ask(.decisions, timeout: timeout)
    }

    /// What this supervisor would decide if child `id` exited now with `reason`; nothing is done.
    public func whatIf(_ id: String, reason: ExitReason, timeout: Duration? = .seconds(5)) async throws(SupervisorError)
        -> RestartDecision
    {
        try await askResult(.whatIf(id, reason), timeout: timeout)
    }

    /// Moves the running supervisor to `spec`: removed children and those in `changed` are stopped, the
    /// others keep running, changed and added ones are started in the new order; the ids started.
    public func apply(_ spec: SupervisorSpec, changed: Set<String>, timeout: Duration? = .seconds(60))
        async throws(SupervisorError) -> [String]
    {
        try await askResult(.apply(spec, changed: changed), timeout: timeout)
    }

    /// Flags, restart budget used, restart history and children in one answer.
    public func snapshot(timeout: Duration? = .seconds(5)) async throws(SupervisorError) -> SupervisorSnapshot {
        try await ask(.snapshot, timeout: timeout)
    }

    /// Shuts the children down in reverse order, then exits with `reason`.
    public func stop(reason: ExitReason = .shutdown, timeout: Duration? = nil) async throws(SupervisorError) {
        do {
            try await runtime.stop(pid, reason: reason, timeout: timeout)
        } catch {
            throw .call(error)
        }
    }

    private func ask<T: Sendable>(_ request: SupervisorRequest, timeout: Duration?) async throws(SupervisorError) -> T {
        let value: any Sendable
        do {
            value = try await runtime.request(pid, timeout: timeout) { .system(.supervisor(request), reply: $0) }
        } catch {
            throw .call(error)
        }
        guard let typed = value as? T else { throw .call(.badReply(pid.description)) }
        return typed
    }

    private func askResult<T: Sendable>(_ request: SupervisorRequest, timeout: Duration?) async throws(SupervisorError)
        -> T
    {
        let result: Result<T, SupervisorError> = try await ask(request, timeout: timeout)
        return try result.get()
    }
}

/// A request a supervisor answers through its reply channel.
public enum SupervisorRequest: Sendable {
    /// `[ChildInfo]`.
    case whichChildren
    /// `ChildCounts`.
    case countChildren
    /// `Result<PID?, SupervisorError>`.
    case startChild(ChildSpec)
    /// `Result<PID?, SupervisorError>`.
    case restartChild(String)
    /// `Result<Bool, SupervisorError>`.
    case terminateChild(String)
    /// `Result<Bool, SupervisorError>`.
    case deleteChild(String)
    /// `SupervisorSnapshot`.
    case snapshot
    /// `[RestartDecision]`: the decisions taken on children's exits, oldest first.
    case decisions
    /// `Result<RestartDecision, SupervisorError>`: what would be decided if child `id` exited with `reason`.
    case whatIf(String, ExitReason)
    /// `Result<[String], SupervisorError>`: move to a new spec while running (the ids started).
    case apply(SupervisorSpec, changed: Set<String>)
}

/// One child as `whichChildren` reports it.
public struct ChildInfo: Sendable, Hashable {
    /// The child's id.
    public var id: String
    /// Its current PID; `nil` when it is not running.
    public var pid: PID?
    /// Worker or supervisor.
    public var type: ChildType
    /// Its restart type.
    public var restart: RestartType
    /// Its shutdown policy.
    public var shutdown: ShutdownPolicy
    /// Whether it is significant.
    public var significant: Bool
    /// How many times the supervisor has restarted it.
    public var restarts: Int
}

/// `count_children`'s answer.
public struct ChildCounts: Sendable, Hashable {
    /// Child specs, running or not.
    public var specs: Int
    /// Running children.
    public var active: Int
    /// Children that are supervisors.
    public var supervisors: Int
    /// Children that are workers.
    public var workers: Int
}

/// One restart a supervisor performed.
public struct RestartRecord: Sendable, Hashable {
    /// The child restarted.
    public var childID: String
    /// Why it had exited.
    public var reason: ExitReason
    /// When, in wall-clock seconds since 1970.
    public var at: Double
}

/// A supervisor's configuration and history, including what OTP keeps internal: the restart history.
public struct SupervisorSnapshot: Sendable, Hashable {
    /// Its strategy.
    public var strategy: SupervisorStrategy
    /// Its restart budget.
    public var maxRestarts: Int
    /// Its intensity window in seconds.
    public var maxSeconds: Double
    /// Its auto-shutdown setting.
    public var autoShutdown: AutoShutdown
    /// Its cap on running children, if any.
    public var maxChildren: Int?
    /// Restarts that count against the budget right now.
    public var restartsInWindow: Int
    /// Restarts since the supervisor started.
    public var totalRestarts: Int
    /// The most recent restarts (up to 100), oldest first.
    public var history: [RestartRecord]
    /// Its children.
    public var children: [ChildInfo]
    /// Seconds until the oldest restart in the window leaves it (a slot of the budget frees), when any
    /// counts.
    public var nextSlotSeconds: Double? = nil
}
