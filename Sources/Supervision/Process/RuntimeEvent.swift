import Synchronization

/// A lifecycle event of the runtime, delivered to observers (the telemetry module is one).
public enum RuntimeEvent: Sendable {
    /// A process started.
    case spawned(pid: PID, parent: PID?, name: String?, path: String?)
    /// A process exited with `reason`.
    case exited(pid: PID, reason: ExitReason, path: String?)
    /// A supervisor restarted a child after it exited with `reason`.
    case restarted(supervisor: PID, childID: String, oldPID: PID?, newPID: PID, reason: ExitReason, path: String?)
    /// A supervisor gave up: more than `maxRestarts` in `maxSeconds`; it shuts down and its parent sees it.
    case escalated(supervisor: PID, restarts: Int, withinSeconds: Double, reason: ExitReason, path: String?)
    /// A supervisor could not start a child.
    case childStartFailed(supervisor: PID, childID: String, reason: ExitReason, path: String?)
    /// A supervisor decided what to do about a child's exit (`path` is the supervisor's).
    case decided(supervisor: PID, decision: RestartDecision, path: String?)
    /// A program child restarted under backoff waits `seconds` before its program starts (attempt `attempt`).
    case backoff(pid: PID, seconds: Double, attempt: Int, path: String?)

    /// The short event name: `spawn`, `exit`, `restart`, `escalation`, `start_failed`.
    public var name: String {
        switch self {
        case .spawned: "spawn"
        case .exited: "exit"
        case .restarted: "restart"
        case .escalated: "escalation"
        case .childStartFailed: "start_failed"
        case .decided: "decision"
        case .backoff: "backoff"
        }
    }
}

/// Identifies an observer added with `Runtime.addObserver(_:)`.
public struct ObserverToken: Hashable, Sendable {
    let value: Int
}

/// Observers of one runtime. Emitting with nobody attached costs one relaxed atomic load.
final class ObserverList: Sendable {
    private let active = Atomic<Int>(0)
    private let entries = Mutex<(next: Int, list: [(Int, @Sendable (RuntimeEvent) -> Void)])>((0, []))

    @inline(__always)
    var isActive: Bool { active.load(ordering: .relaxed) > 0 }

    func add(_ observer: @escaping @Sendable (RuntimeEvent) -> Void) -> ObserverToken {
        let token = entries.withLock { entries in
            entries.next += 1
            entries.list.append((entries.next, observer))
            return entries.next
        }
        active.add(1, ordering: .relaxed)
        return ObserverToken(value: token)
    }

    func remove(_ token: ObserverToken) {
        let removed = entries.withLock { entries -> Bool in
            let before = entries.list.count
            entries.list.removeAll { $0.0 == token.value }
            return entries.list.count != before
        }
        if removed { active.subtract(1, ordering: .relaxed) }
    }

    func emit(_ event: RuntimeEvent) {
        let list = entries.withLock { $0.list }
        for (_, observer) in list { observer(event) }
    }
}
