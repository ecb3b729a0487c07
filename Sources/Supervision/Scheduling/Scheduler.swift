import Synchronization
import DequeModule

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One scheduler thread, BEAM-style: a run queue of process jobs executed on a dedicated OS thread.
///
/// Processes run as Swift tasks whose executor preference is a scheduler. A message sent between two
/// processes of the same scheduler re-enqueues the receiver on the thread that is already running, with no
/// thread wake-up and no hop through the global pool; that is what makes a ping-pong cost a fraction of a
/// microsecond. Work from other threads wakes the scheduler through a condition variable, after a short
/// spin so that a busy peer does not pay for a futex sleep each message.
final class Scheduler: TaskExecutor, @unchecked Sendable {
    // @unchecked: `queue` and `sleeping` are only touched with `lock` held; `index` is immutable.
    private let lock = ConditionLock()
    private var queue = Deque<UnownedJob>()
    private var sleeping = false
    let index: Int

    init(index: Int) {
        self.index = index
        startThread(named: "sl-sched-\(index)") { [self] in self.run() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        lock.lock()
        queue.append(unowned)
        let wake = sleeping
        if wake { sleeping = false }
        lock.unlock()
        if wake { lock.signal() }
    }

    private func run() {
        let executor = asUnownedTaskExecutor()
        var batch = Deque<UnownedJob>()
        while true {
            lock.lock()
            if queue.isEmpty {
                lock.unlock()
                // Spin briefly: cross-thread ping-pong answers usually arrive within a few microseconds.
                var spins = 0
                while spins < 2_000 {
                    spins += 1
                    lock.lock()
                    if !queue.isEmpty { break }
                    lock.unlock()
                    sched_yield()
                }
                if spins >= 2_000 {
                    lock.lock()
                }
                while queue.isEmpty {
                    sleeping = true
                    lock.wait()
                }
            }
            swap(&batch, &queue)
            lock.unlock()
            while let job = batch.popFirst() {
                job.runSynchronously(on: executor)
            }
        }
    }
}

/// The process-wide set of schedulers, one per core, shared by every `Runtime`.
///
/// Sharing keeps the thread count fixed however many runtimes tests create, as the global concurrent
/// executor does for ordinary tasks.
final class SchedulerPool: Sendable {
    static let shared = SchedulerPool()

    let schedulers: [Scheduler]
    private let next = Atomic<Int>(0)

    private init() {
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        schedulers = (0..<cores).map { Scheduler(index: $0) }
    }

    /// Round-robin choice for processes spawned from outside any process.
    func pick() -> Scheduler {
        let value = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return schedulers[value % schedulers.count]
    }
}
