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
        let installed = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        eventLoopsRunTasks.store(installed, ordering: .relaxed)
    }

    /// Whether `prepare()` made the event loops the global executor (the daemon logs it at start).
    public static var eventLoopsRunTasksInstalled: Bool { eventLoopsRunTasks.load(ordering: .relaxed) }
    private static let eventLoopsRunTasks = Atomic<Bool>(false)
}
