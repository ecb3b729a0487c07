import Synchronization

/// Suspends the task for `duration`, like `Task.sleep(for:)`, but a cancelled sleep gives back everything it
/// holds at once: its timer leaves the runtime's timer heap and the task ends.
///
/// `Task.sleep` is the wrong tool for a timeout raced against work that usually wins. Cancelling it resumes
/// the task, but the runtime's timer keeps the sleeping task's memory until the original deadline passes: a
/// daemon racing every request body against a 10-second `Task.sleep` held about 10 MB of finished requests at
/// 700 requests a second (`make soak`).
///
/// ```swift
/// group.addTask { try await cancellableSleep(for: .seconds(10)); return nil }   // the timeout
/// group.addTask { try await collect() }                                        // the work
/// let first = try await group.next() ?? nil
/// group.cancelAll()   // the sleep's timer is gone now, not in ten seconds
/// ```
///
/// - Throws: `CancellationError` when the task is cancelled before `duration` has passed (at once if it
///   already was).
public func cancellableSleep(for duration: Duration) async throws(CancellationError) {
    let sleep = TimerSleep()
    await withTaskCancellationHandler {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            sleep.start(continuation, after: duration)
        }
    } onCancel: {
        sleep.cancel()
    }
    if sleep.wasCancelled { throw CancellationError() }
}

/// One sleep's state: the timer and the continuation, and which of the timer and a cancellation came first.
/// Whoever moves it out of `.waiting` resumes the continuation, so it is resumed exactly once.
private final class TimerSleep: Sendable {
    private enum State {
        case idle
        case waiting(UnsafeContinuation<Void, Never>, TimerEntry)
        case fired
        case cancelled
    }

    private let state = Mutex(State.idle)

    var wasCancelled: Bool {
        state.withLock {
            if case .cancelled = $0 { return true }
            return false
        }
    }

    func start(_ continuation: UnsafeContinuation<Void, Never>, after duration: Duration) {
        let entry = TimerService.shared.schedule(after: duration) { [self] in fire() }
        let resumeNow = state.withLock { state in
            switch state {
            case .idle:
                state = .waiting(continuation, entry)
                return false
            case .fired, .cancelled, .waiting:
                return true
            }
        }
        guard resumeNow else { return }
        // Cancelled before the continuation existed (or fired already): nothing will resume it but us.
        TimerService.shared.cancel(entry)
        continuation.resume()
    }

    private func fire() {
        let continuation: UnsafeContinuation<Void, Never>? = state.withLock { state in
            switch state {
            case .idle:
                state = .fired
                return nil
            case .waiting(let continuation, _):
                state = .fired
                return continuation
            case .fired, .cancelled:
                return nil
            }
        }
        continuation?.resume()
    }

    func cancel() {
        let taken: (UnsafeContinuation<Void, Never>, TimerEntry)? = state.withLock { state in
            switch state {
            case .idle:
                state = .cancelled
                return nil
            case .waiting(let continuation, let entry):
                state = .cancelled
                return (continuation, entry)
            case .fired, .cancelled:
                return nil
            }
        }
        guard let (continuation, entry) = taken else { return }
        // Out of the timer heap now, so neither the entry nor this sleep outlives the cancellation.
        TimerService.shared.cancel(entry)
        continuation.resume()
    }
}
