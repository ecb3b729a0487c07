/// What a supervisor decides when one of its children exits: restart it (and which siblings with it),
/// leave it, shut itself down, or give up because the restart intensity is exceeded. The supervisor acts on
/// this decision and keeps it (`superlearner why`), and answers "what if this child exited?" with the same
/// computation without acting (`superlearner sandbox what-if`).
public struct RestartDecision: Sendable, Hashable {
    /// What happens.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// The child (and the siblings its strategy names) are started again.
        case restart
        /// The child stays down (temporary, or transient after a clean exit).
        case notRestarted = "not_restarted"
        /// A significant child's exit makes the supervisor shut down (`auto_shutdown`).
        case shutDown = "shut_down"
        /// The restart intensity is exceeded: the supervisor stops its children and exits with `shutdown`,
        /// for its own supervisor to handle.
        case escalate
    }

    /// The child that exited.
    public var childID: String
    /// Why it exited.
    public var reason: ExitReason
    /// Its restart type.
    public var restartType: RestartType
    /// The supervisor's strategy.
    public var strategy: SupervisorStrategy
    /// What happens.
    public var action: Action
    /// Siblings stopped by the strategy, in the order they are stopped.
    public var stopped: [String]
    /// Children started again, in order.
    public var restarted: [String]
    /// Temporary siblings the strategy stopped and forgets.
    public var removed: [String]
    /// Restarts in the intensity window, counting this one when it restarts or escalates.
    public var restartsInWindow: Int
    /// The budget: at most this many restarts…
    public var maxRestarts: Int
    /// …within this many seconds.
    public var windowSeconds: Double
    /// When it was decided, seconds since 1970.
    public var at: Double

    /// One sentence: what happened and why.
    public var explanation: String {
        switch action {
        case .notRestarted:
            restartType == .temporary
                ? "\(childID) is temporary: it is never restarted"
                : "\(childID) is transient and exited cleanly (\(reason)): not restarted"
        case .shutDown:
            "\(childID) is significant: its exit shuts the supervisor down (auto_shutdown)"
        case .escalate:
            "restart \(restartsInWindow) in \(Self.seconds(windowSeconds)) exceeds the budget of \(maxRestarts): the supervisor stops its children and exits (shutdown)"
        case .restart:
            "\(Self.ordinal(restartsInWindow)) restart of \(maxRestarts) in \(Self.seconds(windowSeconds)); \(strategy.rawValue) restarts \(restarted.joined(separator: ", "))"
                + (stopped.isEmpty ? "" : " after stopping \(stopped.joined(separator: ", "))")
        }
    }

    static func ordinal(_ number: Int) -> String {
        let suffix =
            (11...13).contains(number % 100)
            ? "th" : number % 10 == 1 ? "st" : number % 10 == 2 ? "nd" : number % 10 == 3 ? "rd" : "th"
        return "\(number)\(suffix)"
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// The API shape.
    public var term: Term {
        [
            "child_id": .string(childID), "reason": .string(reason.description),
            "restart": .string(restartType.rawValue),
            "strategy": .string(strategy.rawValue), "action": .string(action.rawValue),
            "stopped": .array(stopped.map(Term.string)), "restarted": .array(restarted.map(Term.string)),
            "removed": .array(removed.map(Term.string)), "restarts_in_window": .int(restartsInWindow),
            "max_restarts": .int(maxRestarts), "window_seconds": .double(windowSeconds), "at": .double(at),
            "explanation": .string(explanation),
        ]
    }
}
