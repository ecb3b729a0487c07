/// Runs `operation` against a deadline: its value, or `nil` when `timeout` passes first.
///
/// When the deadline wins, `operation` is cancelled and awaited, and a value it still returns (one it had
/// before it saw the cancellation) is returned rather than lost. The deadline is a `cancellableSleep(for:)`,
/// so one that loses the race leaves nothing behind: every timed wait in the product goes through here or
/// `withThrowingTimeout(_:_:)`, and none races its work against a `Task.sleep` that would keep the finished
/// task's memory until its deadline.
///
/// ```swift
/// let event = await withTimeout(.seconds(5)) { await events.next() }   // nil after five seconds
/// ```
public func withTimeout<Value: Sendable>(
    _ timeout: Duration, _ operation: @escaping @concurrent @Sendable () async -> Value?
) async -> Value? {
    await withTaskGroup(of: Value?.self) { group in
        group.addTask(operation: operation)
        group.addTask {
            try? await cancellableSleep(for: timeout)
            return nil
        }
        var value = await group.next() ?? nil
        group.cancelAll()
        for await result in group where result != nil { value = result }
        return value
    }
}

/// `withTimeout(_:_:)` for work that throws: its value, its error, or `nil` when `timeout` passes first (then
/// the work is cancelled, and what it returns or throws after that is dropped: a half-read request body is
/// no value).
public func withThrowingTimeout<Value: Sendable>(
    _ timeout: Duration, _ operation: @escaping @concurrent @Sendable () async throws -> Value?
) async throws -> Value? {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask(operation: operation)
        group.addTask {
            try await cancellableSleep(for: timeout)
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
