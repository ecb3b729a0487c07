import Supervision
import Synchronization

/// Waits for one runtime event matching a predicate, with a deadline and no polling.
///
/// Create it *before* causing the event, then `wait`: events between the two are not lost.
final class EventWaiter: Sendable {
    private struct State {
        var event: RuntimeEvent?
        var continuation: CheckedContinuation<RuntimeEvent?, Never>?
        var done = false
    }
    private let state = Mutex(State())
    private let runtime: Runtime
    private let token = Mutex<ObserverToken?>(nil)

    init(_ runtime: Runtime, where predicate: @escaping @Sendable (RuntimeEvent) -> Bool) {
        self.runtime = runtime
        let registered = runtime.addObserver { [weak self] event in
            guard predicate(event) else { return }
            self?.deliver(event)
        }
        token.withLock { $0 = registered }
    }

    deinit {
        if let token = token.withLock({ $0 }) { runtime.removeObserver(token) }
    }

    private func deliver(_ event: RuntimeEvent?) {
        let continuation: CheckedContinuation<RuntimeEvent?, Never>? = state.withLock { state in
            guard !state.done else { return nil }
            if let continuation = state.continuation {
                state.done = true
                state.continuation = nil
                return continuation
            }
            if state.event == nil, let event { state.event = event }
            return nil
        }
        continuation?.resume(returning: event)
    }

    /// The matching event, or `nil` if none came within `timeout`.
    func wait(timeout: Duration) async -> RuntimeEvent? {
        await withTaskGroup(of: RuntimeEvent?.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<RuntimeEvent?, Never>) in
                        let ready: RuntimeEvent?? = self.state.withLock { state in
                            if state.done { return .some(nil) }
                            if let event = state.event {
                                state.done = true
                                return .some(event)
                            }
                            state.continuation = continuation
                            return .none
                        }
                        if let ready { continuation.resume(returning: ready) }
                    }
                } onCancel: {
                    self.deliver(nil)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
