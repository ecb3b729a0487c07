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
            if predicate(event) { self?.deliver(event) }
        }
        token.withLock { $0 = observer }
    }

    deinit {
        if let token = token.withLock({ $0 }) { runtime.removeObserver(token) }
    }

    private func deliver(_ event: RuntimeEvent) {
        let continuation: CheckedContinuation<RuntimeEvent?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            if let continuation = state.continuation {
                state.finished = true
                state.continuation = nil
                return continuation
            }
            if state.event == nil { state.event = event }
            return nil
        }
        continuation?.resume(returning: event)
    }

    /// Ends a wait whose deadline passed: a registered one is resumed with `nil`; one that has not registered
    /// yet (cancelled before it began) finds the waiter finished and returns at once, unless an event is
    /// already there for it.
    private func cancel() {
        let continuation: CheckedContinuation<RuntimeEvent?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            if let continuation = state.continuation {
                state.finished = true
                state.continuation = nil
                return continuation
            }
            if state.event == nil { state.finished = true }
            return nil
        }
        continuation?.resume(returning: nil)
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
                self.cancel()
            }
        }
    }
}
