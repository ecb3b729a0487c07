import Synchronization

/// Waits, with a deadline and no polling, for the first runtime event matching a predicate.
///
/// Create it *before* causing the event: events from then on are caught even if `wait` is called later.
/// Sandboxes' experiments and Supertester's helpers wait this way.
public final class RuntimeWaiter: Sendable {
    private struct State {
        var event: RuntimeEvent?
        var continuation: CheckedContinuation<RuntimeEvent?, Never>?
        var finished = false
    }
    private let state = Mutex(State())
    private let runtime: Runtime
    private let token = Mutex<ObserverToken?>(nil)

    /// Starts watching `runtime` for an event matching `predicate`.
    public init(_ runtime: Runtime, where predicate: @escaping @Sendable (RuntimeEvent) -> Bool) {
        self.runtime = runtime
        let observer = runtime.addObserver { [weak self] event in
            if predicate(event) { self?.finish(event) }
        }
        token.withLock { $0 = observer }
    }

    deinit {
        if let token = token.withLock({ $0 }) { runtime.removeObserver(token) }
    }

    /// Hands `event` to the wait, or with `nil` ends a wait whose deadline passed. A registered wait is resumed
    /// with it. Otherwise an event is kept for the wait to come, and a deadline that passed before the wait
    /// registered (it was cancelled before it began) finishes the waiter, so that the wait returns at once
    /// instead of waiting for an event that may never come, unless an event is already there for it.
    private func finish(_ event: RuntimeEvent?) {
        let continuation: CheckedContinuation<RuntimeEvent?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            if let continuation = state.continuation {
                state.finished = true
                state.continuation = nil
                return continuation
            }
            if state.event == nil {
                if event == nil { state.finished = true } else { state.event = event }
            }
            return nil
        }
        continuation?.resume(returning: event)
    }

    /// The matching event, or `nil` if none came before `timeout`. A waiter answers once: after an event or a
    /// timeout, later waits return `nil` at once (create a new waiter to wait again).
    public func wait(timeout: Duration = .seconds(5)) async -> RuntimeEvent? {
        await withTimeout(timeout) {
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let ready: RuntimeEvent?? = self.state.withLock { state in
                        if state.finished { return .some(nil) }
                        if let event = state.event {
                            state.finished = true
                            return .some(event)
                        }
                        state.continuation = continuation
                        return .none
                    }
                    if let ready { continuation.resume(returning: ready) }
                }
            } onCancel: {
                self.finish(nil)
            }
        }
    }
}
