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
    await withTaskGroup(of: Value?.self) { group in
        group.addTask {
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in register(continuation) }
            } onCancel: {
                cancel()
            }
        }
        group.addTask {
            try? await cancellableSleep(for: timeout)
            return nil
        }
        var value = await group.next() ?? nil
        group.cancelAll()
        // The waiting task ends with the value if it got one before it saw the cancellation.
        for await result in group where result != nil { value = result }
        return value
    }
}
