import CSuperlearner
import NIOCore
import NIOPosix
import Synchronization

/// What the OS process that runs the daemon sets up before any task starts.
public enum DaemonProcess {
    /// Makes NIO's event loops Swift concurrency's global executor.
    ///
    /// Without it every request crosses threads four times: the event loop reads it, a pool thread runs
    /// the handler, the event loop writes the answer, and each crossing wakes a sleeping thread (perf
    /// showed most of a trivial GET's time in the scheduler's context switches). With the event loops as
    /// the pool, the handler runs where the bytes are. Safe for the daemon because nothing it runs on the
    /// pool blocks: SQLite, forks and the runtime's processes have threads of their own.
    ///
    /// Call once, on the main thread, before the first task is created.
    public static func prepare() {
        eventLoopsRunTasks.store(EventLoopExecutor.install(), ordering: .relaxed)
    }

    /// Whether `prepare()` made the event loops the global executor (the daemon logs it at start).
    public static var eventLoopsRunTasksInstalled: Bool { eventLoopsRunTasks.load(ordering: .relaxed) }
    private static let eventLoopsRunTasks = Atomic<Bool>(false)
}

/// Swift concurrency's global executor made of NIO's singleton event loops (the ones Hummingbird serves on).
///
/// NIO offers this itself (`NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`),
/// but finds the runtime's hook with `dlsym`, which finds nothing in a static executable: the release build
/// the README installs served every request across threads while the debug build did not. Here the linker
/// reaches the hook (`sl_install_enqueue_global_hook`), so both builds run alike.
enum EventLoopExecutor {
    /// The runtime's hook: the job, and the enqueue it replaces (unused: every job goes to a loop).
    typealias EnqueueGlobalHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// The singleton group's loops, as the executors they are.
    static let loops: [any NIOSerialEventLoopExecutor] = MultiThreadedEventLoopGroup.singleton.makeIterator()
        .compactMap { $0 as? any NIOSerialEventLoopExecutor }
    private static let nextLoop = Atomic<UInt>(0)

    /// Installs the hook: false if another hook was set first, or the loops are not executors.
    static func install() -> Bool {
        guard !loops.isEmpty else { return false }
        return withUnsafeTemporaryAllocation(of: EnqueueGlobalHook.self, capacity: 1) { hook in
            // A closure that captures nothing converts to a thin function; its address is what the hook holds.
            hook.baseAddress!.initialize(to: { job, _ in EventLoopExecutor.enqueue(job) })
            return hook.baseAddress!.withMemoryRebound(to: UnsafeRawPointer.self, capacity: 1) {
                sl_install_enqueue_global_hook($0.pointee) == 1
            }
        }
    }

    /// Runs `job` on the loop of the thread that enqueues it, if that is one of ours, so a task resumed by
    /// the bytes it awaited runs where they arrived without waking another thread; otherwise on the next
    /// loop in turn.
    static func enqueue(_ job: UnownedJob) {
        if let current = MultiThreadedEventLoopGroup.currentEventLoop {
            for loop in loops where loop === current {
                loop.enqueue(ExecutorJob(job))
                return
            }
        }
        let turn = nextLoop.add(1, ordering: .relaxed).oldValue
        loops[Int(turn % UInt(loops.count))].enqueue(ExecutorJob(job))
    }
}
