import Synchronization

/// The one-shot channel a `call` waits on; the callee answers through it exactly once.
///
/// Whoever comes first wins: the reply, the timeout, the callee's exit (seen through a monitor), or the
/// caller's cancellation. Later attempts are ignored, so a reply that arrives after a timeout is dropped
/// and nothing is left behind (OTP does the same with process aliases).
public final class ReplyChannel: Sendable {
    enum Outcome: Sendable {
        case value(any Sendable)
        case failure(CallError)
    }

    private enum State {
        case pending(UnsafeContinuation<Outcome, Never>?)
        case resolved(Outcome)
        case consumed
    }

    private let state = Mutex<State>(.pending(nil))

    init() {}

    /// Answers a server `call` with `term`. Only the first answer counts.
    public func reply(_ term: Term) { resolve(.value(term)) }

    /// Answers with an error instead (a request the process does not understand). Only the first answer counts.
    public func fail(_ error: CallError) { resolve(.failure(error)) }

    func resolve(_ outcome: Outcome) {
        let waiter: UnsafeContinuation<Outcome, Never>? = state.withLock { state in
            guard case .pending(let waiter) = state else { return nil }
            if let waiter {
                state = .consumed
                return waiter
            }
            state = .resolved(outcome)
            return nil
        }
        waiter?.resume(returning: outcome)
    }

    /// `true` once an answer, failure or timeout has been recorded.
    var isResolved: Bool {
        state.withLock { if case .pending = $0 { false } else { true } }
    }

    /// The outcome, taken as `wait` would take it, if it has arrived; nil while pending. Spares a suspension
    /// and a continuation where the answer usually comes before the wait (a child started inline).
    func takeIfResolved() -> Outcome? {
        state.withLock { state in
            guard case .resolved(let outcome) = state else { return nil }
            state = .consumed
            return outcome
        }
    }

    /// Waits on the caller's executor, without the hops `withUnsafeContinuation` makes (see `ProcessCell.park`).
    nonisolated(nonsending) func wait() async -> Outcome {
        await _unsafeInheritExecutor_withUnsafeContinuation { (continuation: UnsafeContinuation<Outcome, Never>) in
            // Unsafe continuation: resumed exactly once, either here or by the single `resolve` that moves
            // the state out of `.pending(waiter)`.
            let ready: Outcome? = state.withLock { state in
                switch state {
                case .resolved(let outcome):
                    state = .consumed
                    return outcome
                case .pending:
                    state = .pending(continuation)
                    return nil
                case .consumed:
                    return .failure(.cancelled)
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// Why a `call` (or another request to a process) did not get an answer.
public enum CallError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No process with that PID or name was alive.
    case noproc(String)
    /// No answer within the timeout; the late answer, if any, is dropped.
    case timeout(String, Duration)
    /// The process exited before answering.
    case exited(String, ExitReason)
    /// The caller was cancelled while waiting.
    case cancelled
    /// The process answered with something of another type than expected (an internal error).
    case badReply(String)
    /// The process does not understand the request (for example a supervisor call to a plain server).
    case notSupported(String)

    /// One line naming the target and what went wrong.
    public var description: String {
        switch self {
        case .noproc(let target): "no process \(target)"
        case .timeout(let target, let duration): "call to \(target) timed out after \(duration.milliseconds) ms"
        case .exited(let target, let reason): "\(target) exited before replying: \(reason)"
        case .cancelled: "call cancelled"
        case .badReply(let target): "unexpected reply from \(target)"
        case .notSupported(let target): "\(target) does not support this request"
        }
    }
}
