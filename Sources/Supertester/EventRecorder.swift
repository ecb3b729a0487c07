import Supervision
import Synchronization

/// Records every runtime event from its creation on, and lets a test wait for the one that proves a state
/// (an exit, a restart), with a deadline: an event that already happened counts too.
///
/// ```swift
/// let recorder = EventRecorder(runtime)
/// runtime.exit(pid, reason: .kill)
/// #expect(await recorder.exitReason(of: pid) == .killed)
/// ```
public final class EventRecorder: Sendable {
    private struct State {
        var events: [RuntimeEvent] = []
        var waiters:
            [Int: (
                predicate: @Sendable (RuntimeEvent) -> Bool, continuation: CheckedContinuation<RuntimeEvent?, Never>
            )] =
                [:]
        var nextID = 0
    }
    private let state = Mutex(State())
    private let token = Mutex<ObserverToken?>(nil)
    /// The runtime observed.
    public let runtime: Runtime

    /// Starts recording `runtime`'s events.
    public init(_ runtime: Runtime) {
        self.runtime = runtime
        let observer = runtime.addObserver { [weak self] event in self?.record(event) }
        token.withLock { $0 = observer }
    }

    deinit {
        if let token = token.withLock({ $0 }) { runtime.removeObserver(token) }
    }

    private func record(_ event: RuntimeEvent) {
        let matched: [CheckedContinuation<RuntimeEvent?, Never>] = state.withLock { state in
            state.events.append(event)
            let hits = state.waiters.filter { $0.value.predicate(event) }
            for id in hits.keys { state.waiters[id] = nil }
            return hits.values.map(\.continuation)
        }
        for continuation in matched { continuation.resume(returning: event) }
    }

    /// Every event recorded so far, oldest first.
    public var events: [RuntimeEvent] { state.withLock { $0.events } }

    /// The first event (already recorded or still to come) that satisfies `predicate`, or `nil` at the
    /// deadline.
    public func first(
        timeout: Duration = Supertester.defaultTimeout, where predicate: @escaping @Sendable (RuntimeEvent) -> Bool
    ) async -> RuntimeEvent? {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return await waitWithDeadline(timeout) { [self] continuation in
            let seen: RuntimeEvent? = state.withLock { state in
                if let hit = state.events.first(where: predicate) { return hit }
                state.waiters[id] = (predicate, continuation)
                return nil
            }
            if let seen { continuation.resume(returning: seen) }
        } cancel: { [self] in
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(returning: nil)
        }
    }

    /// The restart events of the child `id`, so far.
    public func restarts(of id: String) -> [RuntimeEvent] {
        events.filter { if case .restarted(_, let childID, _, _, _, _) = $0 { childID == id } else { false } }
    }

    /// The reason `pid` exited with, once it has; `nil` at the deadline.
    public func exitReason(of pid: PID, timeout: Duration = Supertester.defaultTimeout) async -> ExitReason? {
        let event = await first(timeout: timeout) {
            if case .exited(let exited, _, _) = $0 { exited == pid } else { false }
        }
        if case .exited(_, let reason, _)? = event { return reason }
        return nil
    }

    /// Whether the child `id` restarted `count` times (counting restarts already recorded) before the
    /// deadline.
    public func waitForRestart(of id: String, count: Int = 1, timeout: Duration = Supertester.defaultTimeout) async
        -> Bool
    {
        let seen = Mutex(0)
        let event = await first(timeout: timeout) { event in
            if case .restarted(_, let childID, _, _, _, _) = event, childID == id {
                return seen.withLock {
                    $0 += 1
                    return $0 >= count
                }
            }
            return false
        }
        return event != nil
    }
}
