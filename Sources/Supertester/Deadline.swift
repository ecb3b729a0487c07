import Supervision
import Synchronization

/// Waits for a value that another thread hands over, or for a deadline, whichever comes first; a value
/// handed over just as the deadline passes is still returned, never dropped.
///
/// `register` stores the continuation under an id (or returns a value at once); `cancel` takes the
/// continuation out again and resumes it with `nil` if it was still there. Whoever takes the continuation
/// out of the store resumes it, so it is resumed exactly once.
func waitWithDeadline<Value: Sendable>(
    _ timeout: Duration,
    register: @escaping @Sendable (CheckedContinuation<Value?, Never>) -> Void,
    cancel: @escaping @Sendable () -> Void
) async -> Value? {
    // withTimeout keeps a value the wait got before it saw the deadline's cancellation.
    await withTimeout(timeout) {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                register(continuation)
                // A cancellation that came before the registration found nothing to take out: take it out now.
                if Task.isCancelled { cancel() }
            }
        } onCancel: {
            cancel()
        }
    }
}
