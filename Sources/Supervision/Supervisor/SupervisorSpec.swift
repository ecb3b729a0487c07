/// Which children a supervisor restarts when one exits.
public enum SupervisorStrategy: String, Sendable, Hashable, CaseIterable {
    /// Only the child that exited.
    case oneForOne = "one_for_one"
    /// Every child: the others are stopped (in reverse order) and all are started again (in order).
    case oneForAll = "one_for_all"
    /// The child that exited and every child started after it.
    case restForOne = "rest_for_one"
}

/// When the exit of significant children shuts their supervisor down (OTP 24's `auto_shutdown`).
public enum AutoShutdown: String, Sendable, Hashable, CaseIterable {
    /// Never (the default).
    case never
    /// As soon as any significant child exits on its own and is not restarted.
    case anySignificant = "any_significant"
    /// Once every significant child has exited on its own.
    case allSignificant = "all_significant"
}

/// A supervisor's flags and children.
public struct SupervisorSpec: Sendable {
    /// The restart strategy.
    public var strategy: SupervisorStrategy
    /// Restarts allowed within `maxSeconds` before the supervisor gives up (default 3).
    public var maxRestarts: Int
    /// The intensity window (default 5 s).
    public var maxSeconds: Duration
    /// Whether significant children's exits shut the supervisor down.
    public var autoShutdown: AutoShutdown
    /// A cap on running children for `startChild` (DynamicSupervisor's `max_children`); `nil` is no cap.
    public var maxChildren: Int?
    /// Children, started in this order and stopped in reverse.
    public var children: [ChildSpec]

    /// Creates a supervisor spec with OTP's (and the seed's) defaults: 3 restarts in 5 seconds.
    public init(
        strategy: SupervisorStrategy = .oneForOne, maxRestarts: Int = 3, maxSeconds: Duration = .seconds(5),
        autoShutdown: AutoShutdown = .never, maxChildren: Int? = nil, children: [ChildSpec] = []
    ) {
        self.strategy = strategy
        self.maxRestarts = maxRestarts
        self.maxSeconds = maxSeconds
        self.autoShutdown = autoShutdown
        self.maxChildren = maxChildren
        self.children = children
    }

    /// A dynamic supervisor: no children at start, one_for_one, children added with `startChild`.
    public static func dynamic(maxChildren: Int? = nil, maxRestarts: Int = 3, maxSeconds: Duration = .seconds(5))
        -> SupervisorSpec
    {
        SupervisorSpec(strategy: .oneForOne, maxRestarts: maxRestarts, maxSeconds: maxSeconds, maxChildren: maxChildren)
    }

    /// Checks the rules OTP enforces at start: unique ids, a non-negative intensity, significant children
    /// only when transient or temporary.
    public func validate() throws(SupervisorError) {
        if maxRestarts < 0 { throw .invalidSpec("max_restarts must be 0 or more, got \(maxRestarts)") }
        if maxSeconds <= .zero { throw .invalidSpec("max_seconds must be positive") }
        if let maxChildren, maxChildren < 0 { throw .invalidSpec("max_children must be 0 or more") }
        // Every sandbox create and every nested supervisor's start passes here: the location is written only
        // for an error, and a small tree's ids are compared pairwise instead of hashed into a set.
        var seen = children.count > 16 ? Set<String>(minimumCapacity: children.count) : nil
        for (index, child) in children.enumerated() {
            try child.validate(at: "children[\(index)]")
            let duplicate =
                seen != nil ? !seen!.insert(child.id).inserted : children[..<index].contains { $0.id == child.id }
            if duplicate { throw .invalidSpec("children[\(index)].id: duplicate id \"\(child.id)\"") }
        }
    }
}

extension ChildSpec {
    /// Checks the child's own rules; `location` (where the child is, for the message) is written only for an
    /// error.
    func validate(at location: @autoclosure () -> String) throws(SupervisorError) {
        if id.isEmpty { throw .invalidSpec("\(location()).id: must not be empty") }
        if significant && restart == .permanent {
            throw .invalidSpec("\(location()).significant: a permanent child cannot be significant")
        }
        if case .timeout(let duration) = shutdown, duration < .zero {
            throw .invalidSpec("\(location()).shutdown: must not be negative")
        }
    }
}

/// Why a supervisor request failed.
public enum SupervisorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The supervisor could not be reached.
    case call(CallError)
    /// No child with that id.
    case notFound(String)
    /// The child is running (for `restartChild` / `deleteChild`).
    case running(String)
    /// A child with that id exists but is not running (for `startChild`).
    case alreadyPresent(String)
    /// A child with that id is running (for `startChild`).
    case alreadyStarted(String, PID)
    /// `maxChildren` children are already running.
    case maxChildren(Int)
    /// The child's start function failed.
    case startFailed(String, ExitReason)
    /// The spec breaks a rule.
    case invalidSpec(String)

    /// One line naming the child and the problem.
    public var description: String {
        switch self {
        case .call(let error): error.description
        case .notFound(let id): "no child \"\(id)\""
        case .running(let id): "child \"\(id)\" is running"
        case .alreadyPresent(let id): "child \"\(id)\" already present"
        case .alreadyStarted(let id, let pid): "child \"\(id)\" already started as \(pid)"
        case .maxChildren(let limit): "max_children (\(limit)) reached"
        case .startFailed(let id, let reason): "child \"\(id)\" failed to start: \(reason)"
        case .invalidSpec(let message): message
        }
    }
}
