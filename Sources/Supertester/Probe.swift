import Supervision
import Synchronization

/// A process that collects every term sent to it, so a test can await what workers report, in order.
///
/// ```swift
/// let probe = Probe(runtime)
/// runtime.send(["started", "a"], to: probe.pid)   // usually a worker under test does this
/// #expect(await probe.next() == ["started", "a"])
/// probe.stop()
/// ```
public struct Probe: Sendable {
    /// The probe's process: send it terms.
    public let pid: PID
    /// The runtime it lives in.
    public let runtime: Runtime
    private let inbox: Inbox

    /// Terms not yet taken, and the one test waiting for the next.
    final class Inbox: Sendable {
        private struct State {
            var terms: [Term] = []
            var waiter: (id: Int, continuation: CheckedContinuation<Term?, Never>)?
            var nextID = 0
        }
        private let state = Mutex(State())

        func push(_ term: Term) {
            let waiter: CheckedContinuation<Term?, Never>? = state.withLock { state in
                if let waiter = state.waiter {
                    state.waiter = nil
                    return waiter.continuation
                }
                state.terms.append(term)
                return nil
            }
            waiter?.resume(returning: term)
        }

        func next(timeout: Duration) async -> Term? {
            let id = state.withLock { state -> Int in
                state.nextID += 1
                return state.nextID
            }
            return await waitWithDeadline(timeout) { [self] continuation in
                let ready: Term? = state.withLock { state in
                    if !state.terms.isEmpty { return state.terms.removeFirst() }
                    state.waiter = (id, continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            } cancel: { [self] in
                let waiter: CheckedContinuation<Term?, Never>? = state.withLock { state in
                    guard let waiter = state.waiter, waiter.id == id else { return nil }
                    state.waiter = nil
                    return waiter.continuation
                }
                waiter?.resume(returning: nil)
            }
        }
    }

    /// Spawns the probe in `runtime`.
    public init(_ runtime: Runtime) {
        let inbox = Inbox()
        self.inbox = inbox
        self.runtime = runtime
        self.pid = runtime.spawn { context in
            while true {
                if case .term(let term) = try await context.receive() { inbox.push(term) }
            }
        }
    }

    /// The next term received, or `nil` if none comes before `timeout`.
    public func next(timeout: Duration = Supertester.defaultTimeout) async -> Term? {
        await inbox.next(timeout: timeout)
    }

    /// The next `count` terms, in order (fewer if the deadline passes for one of them).
    public func take(_ count: Int, timeout: Duration = Supertester.defaultTimeout) async -> [Term] {
        var terms: [Term] = []
        for _ in 0..<count {
            guard let term = await next(timeout: timeout) else { break }
            terms.append(term)
        }
        return terms
    }

    /// Kills the probe's process.
    public func stop() { runtime.kill(pid) }
}
