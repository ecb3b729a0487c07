import NIOCore
import ServiceLifecycle

/// Runs Swift tasks on one NIO event loop: the tasks of a listener that prefers it (a connection's reads, its
/// handler and its writes) then run on the thread that accepted the connection and owns its socket, instead of
/// handing every step to Swift's global pool and back.
///
/// A request on a fresh connection used to wake three threads (the loop that accepted, the loop the connection
/// was given to, and a pool thread for the handler); on an idle daemon each wake-up costs more than the
/// request's own work, so this halves what a command such as `superlearner sandbox list` waits for.
///
/// Only tasks that ask for it run here (`withTaskExecutorPreference`); an unstructured `Task {}` started from
/// them, and everything else in the daemon, stays on the global pool. That is deliberate: making the loops the
/// *global* executor hung a stopping daemon (apple/swift-async-algorithms#430).
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}

/// A service whose tasks prefer `executor`: its child tasks (a server's connections) inherit the preference.
struct ServiceOnExecutor: Service {
    let service: any Service
    let executor: any TaskExecutor

    func run() async throws {
        try await withTaskExecutorPreference(executor) { try await service.run() }
    }
}
