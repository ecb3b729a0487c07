import DequeModule
import Synchronization

/// Who watches a process through a monitor.
enum Watcher: Sendable {
    /// A process, which gets a `DOWN` message.
    case process(PID)
    /// Runtime code (calls, shutdown, `awaitExit`), which gets a callback on the exiting thread.
    case callback(@Sendable (ExitReason) -> Void)
}

/// The runtime's record of one process: its mailbox, its links and monitors, its status.
///
/// All mutable state sits behind one `Mutex` per process; the runtime never holds two process locks at
/// once, so there is no lock ordering to get wrong. Counters that only the process itself writes are
/// atomics, read by `info` without the lock.
final class ProcessCell: @unchecked Sendable {
    // @unchecked: every mutable field is behind `state` (a Mutex) or an atomic, except `lastTarget`, which
    // is only read or written on the process's scheduler thread (`send`).
    struct State {
        var mailbox = Deque<Message>()
        var waiter: UnsafeContinuation<Wake, Never>? = nil
        /// Set while the waiter has a receive timeout, so a message that arrives first can cancel it.
        var waiterTimer: TimerEntry? = nil
        var waiterGeneration: UInt64 = 0
        var status: ProcessStatus = .running
        var exitReason: ExitReason? = nil
        /// Set once termination has fired every link and monitor; monitors added before that still fire.
        var finished = false
        var links = SmallSet<PID>()
        var monitors = SmallMap<MonitorRef, Watcher>()
        var monitoring = SmallMap<MonitorRef, PID>()
        var trapExit = false
        var name: String? = nil
        var path: String? = nil
        var restarts = 0
        var messagesIn: UInt64 = 0
        var task: Task<Void, Never>? = nil
        var kind: ProcessKind = .process
        var tracer: (@Sendable (TraceRecord) -> Void)? = nil
    }

    let pid: PID
    let parent: PID?
    let scheduler: Scheduler
    let startedAt: Double
    let state: Mutex<State>
    let alive = Atomic<Bool>(true)
    let messagesOut = Atomic<UInt64>(0)
    private var lastTarget: ProcessCell? = nil

    /// Delivers `message` to the process `pid` names, remembering the last one this process sent to.
    ///
    /// A process usually sends to the same few peers; the cache saves the process-table lock and hash per
    /// message. PIDs are never reused, so a cached entry can only be stale by being dead, and delivery to a
    /// dead process drops the message as a table miss would. The cache is only touched on the process's
    /// scheduler thread, where its code runs and where one send cannot overlap another (a send never
    /// suspends); a context carried to another thread (a misuse) takes the table. A hit borrows the cached
    /// reference instead of retaining it: the retain and release were a tenth of a message's cost.
    @inline(__always)
    func send(_ message: Message, to pid: PID, in runtime: Runtime) {
        guard scheduler.isCurrent else {
            runtime.cell(pid)?.deliver(message)
            return
        }
        if let cached = lastTarget.map(Unmanaged.passUnretained) {
            let delivered = cached._withUnsafeGuaranteedRef { target -> Bool in
                guard target.pid == pid else { return false }
                target.deliver(message)
                return true
            }
            if delivered { return }
        }
        guard let found = runtime.cell(pid) else { return }
        lastTarget = found
        found.deliver(message)
    }

    init(pid: PID, parent: PID?, scheduler: Scheduler, state: State) {
        self.pid = pid
        self.parent = parent
        self.scheduler = scheduler
        self.startedAt = SystemClock.wallSeconds()
        self.state = Mutex(state)
    }

    /// Puts `message` in the mailbox, or hands it straight to a waiting `receive`. Dropped when dead.
    @inline(__always)
    func deliver(_ message: Message) {
        var timer: TimerEntry? = nil
        var tracer: (@Sendable (TraceRecord) -> Void)? = nil
        let waiter: UnsafeContinuation<Wake, Never>? = state.withLock { state in
            guard state.status != .dead else { return nil }
            state.messagesIn &+= 1
            tracer = state.tracer
            if let waiter = state.waiter {
                state.waiter = nil
                state.status = .running
                timer = state.waiterTimer
                state.waiterTimer = nil
                return waiter
            }
            state.mailbox.append(message)
            return nil
        }
        if let timer { TimerService.shared.cancel(timer) }
        if let tracer {
            tracer(
                TraceRecord(kind: .received, pid: pid, detail: message.traceDescription, at: SystemClock.wallSeconds()))
        }
        waiter?.resume(returning: .message(message))
    }

    /// What wakes a process parked in `receive`.
    enum Wake: Sendable {
        case message(Message)
        case timeout
        case dead
    }

    /// Takes the first message without suspending; `.dead` once the process has exited.
    @inline(__always)
    private func poll() -> Wake? {
        state.withLock { state in
            if state.status == .dead { return .dead }
            if let message = state.mailbox.popFirst() { return .message(message) }
            return nil
        }
    }

    /// The next message; suspends while the mailbox is empty. Throws `ProcessExit` once the process is dead.
    @inline(__always)
    nonisolated(nonsending) func receive() async throws(ProcessExit) -> Message {
        let wake: Wake
        if let ready = poll() {
            wake = ready
        } else {
            wake = await park(timeout: nil)
        }
        switch wake {
        case .message(let message): return message
        case .dead, .timeout: throw ProcessExit(deadReason)
        }
    }

    /// Like `receive()`, but gives up after `timeout` and returns `nil`.
    nonisolated(nonsending) func receive(timeout: Duration) async throws(ProcessExit) -> Message? {
        let wake: Wake
        if let ready = poll() {
            wake = ready
        } else if timeout <= .zero {
            return nil
        } else {
            wake = await park(timeout: timeout)
        }
        switch wake {
        case .message(let message): return message
        case .timeout: return nil
        case .dead: throw ProcessExit(deadReason)
        }
    }

    // The continuation that inherits its caller's executor: `withUnsafeContinuation(isolation:)` hops to the
    // caller's isolation before suspending, and each hop looks the task's preferred executor up under the
    // concurrency runtime's status-record lock (ping-pong ran 13–17 % slower; docs/performance.md).
    nonisolated(nonsending) private func park(timeout: Duration?) async -> Wake {
        await _unsafeInheritExecutor_withUnsafeContinuation { (continuation: UnsafeContinuation<Wake, Never>) in
            // Unsafe continuation: stored as the single waiter under the lock, and resumed exactly once by
            // whoever takes it out under the lock (a sender, the receive timer, or termination).
            let ready: Wake? = state.withLock { state in
                if state.status == .dead { return .dead }
                if let message = state.mailbox.popFirst() { return .message(message) }
                state.waiter = continuation
                state.status = .waiting
                state.waiterGeneration &+= 1
                if let timeout {
                    let generation = state.waiterGeneration
                    state.waiterTimer = TimerService.shared.schedule(after: timeout) { [self] in
                        self.expireWaiter(generation: generation)
                    }
                }
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// The receive timer fired: wake the waiter only if it is still the receive that set the timer.
    private func expireWaiter(generation: UInt64) {
        let expired: UnsafeContinuation<Wake, Never>? = state.withLock { state in
            guard state.waiterGeneration == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            state.waiterTimer = nil
            state.status = .running
            return waiter
        }
        expired?.resume(returning: .timeout)
    }

    var deadReason: ExitReason {
        state.withLock { $0.exitReason } ?? .killed
    }
}

/// What kind of behaviour a process runs, for listings.
public enum ProcessKind: String, Sendable, Hashable {
    /// A plain process started with `spawn`.
    case process
    /// A server (gen_server).
    case server
    /// A supervisor.
    case supervisor
    /// The owner of an operating-system program (an Erlang port's owner): its exit is the program's.
    case program
}

/// Where a process is in its life.
public enum ProcessStatus: String, Sendable, Hashable {
    /// Runnable or running.
    case running
    /// Suspended in `receive`, waiting for a message.
    case waiting
    /// Exited; its PID is kept only by those who still hold it.
    case dead
}
