import DequeModule
import Synchronization

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
    // @unchecked: `shared` and `sleeping` are only touched with `lock` held; `local` only by the scheduler's
    // own thread (the one whose id is in `thread`); `index` is immutable.
    //
    // @exclusivity(unchecked): those rules already keep accesses apart, and the runtime's dynamic check of
    // each access to a class's stored property (four per message between two processes) was 7% of a
    // ping-pong's instructions.
    private let lock = ConditionLock()
    @exclusivity(unchecked) private var shared = Deque<UnownedJob>()
    @exclusivity(unchecked) private var sleeping = false
    /// Jobs enqueued by the scheduler thread itself (a process waking a peer on the same scheduler): no lock.
    @exclusivity(unchecked) private var local = Deque<UnownedJob>()
    private let thread = Atomic<UInt>(0)
    /// Processes being started on this thread inside the spawn that created them, nested: only touched by
    /// the scheduler's own thread.
    @exclusivity(unchecked) var inlineStarts = 0
    /// How deep spawns may nest inline (a child that spawns at once starts its own child inline too) before
    /// a spawn falls back to the run queue, so a chain of spawns cannot exhaust the thread's stack.
    static let inlineStartLimit = 4
    /// Jobs in `shared`, readable without the lock so an idle scheduler can spin on it cheaply.
    private let sharedCount = Atomic<Int>(0)
    let index: Int
    /// How long an idle scheduler spins before it sleeps.
    static let spinNanoseconds: UInt64 = 1_000_000

    init(index: Int) {
        self.index = index
        startThread(named: "sl-sched-\(index)") { [self] in self.run() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if isCurrent {
            local.append(unowned)
            return
        }
        lock.lock()
        shared.append(unowned)
        sharedCount.add(1, ordering: .releasing)
        let wake = sleeping
        if wake { sleeping = false }
        lock.unlock()
        if wake { lock.signal() }
    }

    /// Whether this scheduler's thread is the caller's.
    @inline(__always)
    var isCurrent: Bool { thread.load(ordering: .relaxed) == Scheduler.currentThreadID() }

    @inline(__always)
    static func currentThreadID() -> UInt {
        #if canImport(Darwin)
            UInt(bitPattern: pthread_self())
        #else
            UInt(pthread_self())
        #endif
    }

    private func run() {
        thread.store(Scheduler.currentThreadID(), ordering: .relaxed)
        let executor = asUnownedTaskExecutor()
        var batch = Deque<UnownedJob>()
        while true {
            // Local work first, but look at the shared queue every 64 jobs so other threads are not starved.
            var budget = 64
            while budget > 0, let job = local.popFirst() {
                job.runSynchronously(on: executor)
                budget -= 1
            }
            if local.isEmpty && sharedCount.load(ordering: .acquiring) == 0 {
                // Spin for up to ~1 ms before sleeping: a cross-thread answer usually arrives within
                // microseconds, while a futex sleep and wake-up costs tens of them on a VM. The spin checks an
                // atomic (no lock) and yields the core between rounds, so runnable threads are not starved.
                let deadline = SystemClock.monotonicNanoseconds() &+ Scheduler.spinNanoseconds
                spinning: while true {
                    for _ in 0..<64 where sharedCount.load(ordering: .acquiring) != 0 { break spinning }
                    if SystemClock.monotonicNanoseconds() >= deadline { break }
                    sched_yield()
                }
            }
            lock.lock()
            while shared.isEmpty && local.isEmpty {
                sleeping = true
                lock.wait()
            }
            swap(&batch, &shared)
            sharedCount.store(0, ordering: .relaxed)
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
        _ = AllocatorTuning.applied
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        schedulers = (0..<cores).map { Scheduler(index: $0) }
    }

    /// Where a new process runs: on the scheduler of the process that spawns it, as BEAM places a spawn on
    /// its parent's scheduler, so the two talk without waking another thread (a supervisor started from a
    /// process acknowledges its start and its stop on the same thread); round-robin from outside any process.
    func place() -> Scheduler {
        for scheduler in schedulers where scheduler.isCurrent { return scheduler }
        return pick()
    }

    /// Round-robin choice for processes spawned from outside any process.
    private func pick() -> Scheduler {
        let value = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return schedulers[value % schedulers.count]
    }
}
