import Supervision

extension SandboxSpec {
    /// Changes laid over a template or a spec when a sandbox is created (`sandbox create --strategy …
    /// --max-restarts … --max-seconds … --restart …`, or the same parameters of `create_sandbox`), applied
    /// in one place whatever the tree came from.
    public struct Overrides: Sendable, Hashable {
        /// The root's strategy.
        public var strategy: SupervisorStrategy?
        /// The root's restart budget.
        public var maxRestarts: Int?
        /// The root's intensity window, in seconds.
        public var maxSeconds: Double?
        /// The restart type of every worker, at every level (nested supervisors keep theirs).
        public var restart: RestartType?

        /// Creates overrides; `nil` leaves that part of the spec as it is.
        public init(
            strategy: SupervisorStrategy? = nil, maxRestarts: Int? = nil, maxSeconds: Double? = nil,
            restart: RestartType? = nil
        ) {
            self.strategy = strategy
            self.maxRestarts = maxRestarts
            self.maxSeconds = maxSeconds
            self.restart = restart
        }
    }

    /// This spec with `overrides` laid over it.
    public func applying(_ overrides: Overrides) -> SandboxSpec {
        var spec = self
        if let strategy = overrides.strategy { spec.strategy = strategy }
        if let maxRestarts = overrides.maxRestarts { spec.maxRestarts = maxRestarts }
        if let maxSeconds = overrides.maxSeconds { spec.maxSeconds = maxSeconds }
        if let restart = overrides.restart { spec.overrideWorkerRestart(restart) }
        return spec
    }
}
