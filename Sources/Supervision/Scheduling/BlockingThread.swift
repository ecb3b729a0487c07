import DequeModule

/// A dedicated OS thread for blocking work (SQLite writes that fsync, forking a program), so none of it
/// runs on Swift's cooperative pool. Jobs run one at a time, in order.
package final class BlockingThread: @unchecked Sendable {
    // @unchecked: `jobs` is only touched with `lock` held.
    private let lock = ConditionLock()
    private var jobs = Deque<@Sendable () -> Void>()

    package init(name: String) {
        startThread(named: name) { [self] in
            while true {
                lock.lock()
                while jobs.isEmpty { lock.wait() }
                let job = jobs.removeFirst()
                lock.unlock()
                job()
            }
        }
    }

    /// Queues `job` to run on the thread, without waiting for it.
    package func submit(_ job: @escaping @Sendable () -> Void) {
        lock.lock()
        jobs.append(job)
        lock.unlock()
        lock.signal()
    }

    /// Runs `body` on the thread and returns its result.
    package func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            jobs.append { continuation.resume(with: Result { try body() }) }
            lock.unlock()
            lock.signal()
        }
    }
}
