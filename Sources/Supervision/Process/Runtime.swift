import DequeModule
import Synchronization

/// A set of processes with their registry: one node of the supervision runtime.
///
/// A runtime owns the process table and the name registry; the scheduler threads and the timer thread are
/// shared by every runtime in the OS process, so creating one per test is cheap. PIDs are unique within a
/// runtime and carry its serial, so PIDs from two runtimes never compare equal.
///
/// ```swift
/// let runtime = Runtime()
/// let pid = runtime.spawn { context in
///     while case .term(let term) = try await context.receive() { print(term) }
/// }
/// runtime.send("hello", to: pid)
/// ```
public final class Runtime: Sendable {
    struct Table {
        var cells = ProcessSlots()
        var names: [String: PID] = [:]
        var paths: [String: PID] = [:]
        /// The keys of `paths` by their first component (a sandbox's id): a sandbox's processes are found
        /// without scanning every path, which made each sandbox request cost O(all processes).
        var pathsByRoot: [String: Set<String>] = [:]
        var nextNumber: UInt64 = 1
        var nextRef: UInt64 = 1

        mutating func setPath(_ path: String, to pid: PID) {
            guard paths.updateValue(pid, forKey: path) == nil else { return }
            let root = Table.root(of: path)
            // Found once by index and changed in place: subscripting the root three times hashed it three
            // times, and a set grown from empty was rehashed at its first, second and fourth member.
            if let index = pathsByRoot.index(forKey: root) {
                pathsByRoot.values[index].insert(path)
            } else {
                var members = Set<String>(minimumCapacity: 8)
                members.insert(path)
                pathsByRoot[root] = members
            }
        }

        /// Forgets `path` if `pid` still holds it (a replacement started under the same path keeps it).
        mutating func removePath(_ path: String, ifHeldBy pid: PID) {
            guard let index = paths.index(forKey: path), paths.values[index] == pid else { return }
            paths.remove(at: index)
            guard let rootIndex = pathsByRoot.index(forKey: Table.root(of: path)) else { return }
            pathsByRoot.values[rootIndex].remove(path)
            if pathsByRoot.values[rootIndex].isEmpty { pathsByRoot.remove(at: rootIndex) }
        }

        /// A path's first component.
        static func root(of path: String) -> String {
            // By bytes, not by characters: "/" is ASCII, and walking grapheme clusters (or even the generic
            // UTF-8 view) cost more than the hash lookups around it (every spawn and exit with a path passes
            // here).
            let root = path.utf8.withContiguousStorageIfAvailable { bytes -> String? in
                guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<slash]), as: UTF8.self)
            }
            if let root { return root ?? path }
            guard let slash = path.utf8.firstIndex(of: UInt8(ascii: "/")) else { return path }
            return String(path[..<slash])
        }
    }

    private static let serials = Atomic<UInt32>(0)

    /// The serial stamped into every PID of this runtime.
    public let serial: UInt32
    /// The node name, for listings and (later) clustering.
    public let nodeName: String

    let table = Mutex(Table())
    let observers = ObserverList()
    private let nextRef = Atomic<UInt64>(1)
    /// Messages delivered to processes that have since exited; live ones are summed on demand.
    private let messagesOfExited = Atomic<UInt64>(0)
    private let spawnedTotal = Atomic<UInt64>(0)

    /// The PID that signals sent from outside any process come from (`<0.0.serial>`), like Erlang's `init`.
    public var systemPID: PID { PID(node: 0, number: 0, serial: serial) }

    /// Creates an empty runtime.
    /// - Parameter nodeName: the name the node reports; defaults to `nonode@nohost` as on a BEAM node.
    public init(nodeName: String = "nonode@nohost") {
        self.serial = Runtime.serials.wrappingAdd(1, ordering: .relaxed).oldValue
        self.nodeName = nodeName
    }

    // MARK: Spawning

    /// Starts a process running `body` and returns its PID.
    ///
    /// Returning from `body` exits the process with `normal`; throwing `ProcessExit` exits with its reason;
    /// any other error exits with `.error(description)`. Called from a process, the new one shares its
    /// scheduler and runs until its first wait before this returns (so it may already have exited: link in
    /// `options` to hear why); from outside any process it is queued on the next scheduler in turn.
    /// - Parameters:
    ///   - options: name, link, parent and trap-exit settings applied before the body runs.
    ///   - body: the process's code; it receives a `ProcessContext` to receive, send, link and monitor.
    /// - Returns: the new process's PID.
    @discardableResult
    public func spawn(
        _ options: SpawnOptions = SpawnOptions(),
        _ body: @escaping @Sendable (ProcessContext) async throws -> Void
    ) -> PID {
        spawnCell(options, scheduler: nil, body).pid
    }

    func spawnCell(
        _ options: SpawnOptions,
        scheduler preferred: Scheduler?,
        kind: ProcessKind = .process,
        _ body: @escaping @Sendable (ProcessContext) async throws -> Void
    ) -> ProcessCell {
        var initial = ProcessCell.State()
        initial.trapExit = options.trapExit
        initial.path = options.path
        initial.restarts = options.restarts
        initial.kind = kind
        if let link = options.link { initial.links.insert(link) }
        let scheduler = preferred ?? SchedulerPool.shared.place()
        let cell: ProcessCell = table.withLock { table in
            let number = table.cells.freeNumber(from: table.nextNumber)
            table.nextNumber = number + 1
            let pid = PID(node: 0, number: number, serial: serial)
            let cell = ProcessCell(
                pid: pid, parent: options.parent ?? options.link, scheduler: scheduler, state: initial)
            table.cells.insert(cell)
            if let path = options.path { table.setPath(path, to: pid) }
            if let name = options.name, table.names[name] == nil {
                table.names[name] = pid
                cell.state.withLock { $0.name = name }
            }
            return cell
        }
        if let link = options.link {
            // The other half of spawn_link; if the linker is already gone the new process gets the signal.
            if !addLink(on: link, to: cell.pid) {
                deliverExitSignal(to: cell, from: link, reason: .noproc, viaLink: true)
            }
        }
        spawnedTotal.wrappingAdd(1, ordering: .relaxed)
        if observers.isActive {
            observers.emit(.spawned(pid: cell.pid, parent: cell.parent, name: options.name, path: options.path))
        }
        let context = ProcessContext(cell: cell, runtime: self)
        // A process spawned from a process of the same scheduler runs at once, on this thread, until its first
        // wait; then the spawner goes on. Queued behind a spawner that never waits, 100,000 children would all
        // be alive at once; run at once, a child that only reports and exits gives its memory back before
        // the next spawn takes it, still in cache (BEAM gets the same from its other schedulers stealing).
        let task: Task<Void, Never>
        if scheduler.isCurrent && scheduler.inlineStarts < Scheduler.inlineStartLimit {
            scheduler.inlineStarts += 1
            task = Task.immediate(executorPreference: scheduler) { await self.run(cell, context, body) }
            scheduler.inlineStarts -= 1
        } else {
            // Closure literals in both branches, not one closure value passed to both: converting a stored
            // closure to the task's `@isolated(any)` operation wraps it in another, 48 more bytes a process.
            task = Task(executorPreference: scheduler) { await self.run(cell, context, body) }
        }
        let killedEarly = cell.state.withLock { state -> Bool in
            guard state.status != .dead else { return true }
            state.task = task
            return false
        }
        if killedEarly { task.cancel() }
        return cell
    }

    /// A process's whole life: its body, then its exit with the reason the body's end gives.
    private func run(
        _ cell: ProcessCell, _ context: ProcessContext,
        _ body: @escaping @Sendable (ProcessContext) async throws -> Void
    ) async {
        let reason: ExitReason
        do {
            try await body(context)
            reason = .normal
        } catch {
            // Killed by a signal (a supervisor's shutdown, most often): the process is dead already, with the
            // signal's reason, and `terminate` would do nothing. Checked first, because reading the error's
            // reason takes a dynamic cast, a few hundred instructions.
            guard cell.alive.load(ordering: .relaxed) else { return }
            reason = (error as? ProcessExit)?.reason ?? .error(String(describing: error))
        }
        terminate(cell, reason: reason, cancelTask: false)
    }

    // MARK: Lookup

    @inline(__always)
    func cell(_ pid: PID) -> ProcessCell? {
        guard pid.serial == serial else { return nil }
        return table.withLock { $0.cells[pid.number] }
    }

    /// `true` while the process is alive.
    public func isAlive(_ pid: PID) -> Bool { cell(pid)?.alive.load(ordering: .relaxed) ?? false }

    /// The PIDs of every live process, in spawn order.
    public func processes() -> [PID] {
        table.withLock { $0.cells.values.filter { $0.alive.load(ordering: .relaxed) }.map(\.pid) }.sorted()
    }

    /// Messages delivered to any process of this runtime since it was created.
    public var messagesDelivered: UInt64 {
        let live = table.withLock { Array($0.cells.values) }.reduce(UInt64(0)) { sum, cell in
            sum &+ cell.state.withLock { $0.status == .dead ? 0 : $0.messagesIn }
        }
        return messagesOfExited.load(ordering: .relaxed) &+ live
    }

    /// Processes spawned since the runtime was created.
    public var processesSpawned: UInt64 { spawnedTotal.load(ordering: .relaxed) }

    /// The number of live processes.
    public var processCount: Int {
        table.withLock { $0.cells.values.reduce(0) { $0 + ($1.alive.load(ordering: .relaxed) ? 1 : 0) } }
    }

    // MARK: Registry

    /// Registers `name` for `pid`, Erlang's `register/2`.
    /// - Throws: `RegistryError.nameTaken` if the name is in use, `.noproc` if the process is not alive,
    ///   `.alreadyNamed` if the process already has a name.
    public func register(_ name: String, for pid: PID) throws(RegistryError) {
        guard let cell = cell(pid) else { throw .noproc(pid) }
        try table.withLock { (table: inout Table) throws(RegistryError) in
            if let holder = table.names[name] { throw .nameTaken(name, holder) }
            table.names[name] = pid
        }
        let accepted = cell.state.withLock { state -> Bool in
            if state.status == .dead || state.name != nil { return false }
            state.name = name
            return true
        }
        if !accepted {
            _ = table.withLock { $0.names.removeValue(forKey: name) }
            if isAlive(pid) { throw .alreadyNamed(pid) }
            throw .noproc(pid)
        }
    }

    /// Removes a registered name; returns `false` if it was not registered.
    @discardableResult
    public func unregister(_ name: String) -> Bool {
        guard let pid = table.withLock({ $0.names.removeValue(forKey: name) }) else { return false }
        cell(pid)?.state.withLock { state in
            if state.name == name { state.name = nil }
        }
        return true
    }

    /// The PID registered as `name`, Erlang's `whereis/1`.
    public func whereis(_ name: String) -> PID? { table.withLock { $0.names[name] } }

    /// Every registered name with its PID.
    public func registeredNames() -> [String: PID] { table.withLock { $0.names } }

    // MARK: Messages

    /// Sends a plain message; a send to a process that is not alive is silently dropped, as in Erlang.
    public func send(_ term: Term, to pid: PID) {
        cell(pid)?.deliver(.term(term))
    }

    /// Sends a plain message to a registered name; returns `false` when no process has that name.
    @discardableResult
    public func send(_ term: Term, toName name: String) -> Bool {
        guard let pid = whereis(name), let cell = cell(pid) else { return false }
        cell.deliver(.term(term))
        return true
    }

    func deliver(_ message: Message, to pid: PID) {
        cell(pid)?.deliver(message)
    }

    /// Sends `term` to `pid` once `delay` has passed (Erlang's `send_after`); a dead target drops it.
    public func send(_ term: Term, to pid: PID, after delay: Duration) {
        TimerService.shared.schedule(after: delay) { [self] in self.send(term, to: pid) }
    }

    // MARK: Exit signals

    /// Sends an exit signal, Erlang's `exit(Pid, Reason)` from outside any process.
    ///
    /// `.kill` kills unconditionally (the victim exits with `killed`); other reasons kill a process that
    /// does not trap exits (except `normal`, which it ignores) and arrive as an `.exit` message at one that
    /// does.
    public func exit(_ pid: PID, reason: ExitReason) {
        sendExitSignal(to: pid, from: systemPID, reason: reason)
    }

    /// Kills a process: the untrappable `kill` signal.
    public func kill(_ pid: PID) { exit(pid, reason: .kill) }

    func sendExitSignal(to pid: PID, from: PID, reason: ExitReason) {
        guard let target = cell(pid) else { return }
        deliverExitSignal(to: target, from: from, reason: reason, viaLink: false)
    }

    func deliverExitSignal(to target: ProcessCell, from: PID, reason: ExitReason, viaLink: Bool) {
        if let death = signal(target, from: from, reason: reason, viaLink: viaLink) {
            terminate(target, reason: death, cancelTask: true)
        }
    }

    /// Delivers an exit signal short of killing: a trapping target gets it as a message, a normal one a
    /// non-trapping target ignores. Returns the reason to die with when the signal kills the target.
    private func signal(_ target: ProcessCell, from: PID, reason: ExitReason, viaLink: Bool) -> ExitReason? {
        if reason == .kill && !viaLink { return .killed }
        enum Action { case none, die, wake(UnsafeContinuation<ProcessCell.Wake, Never>, Message, TimerEntry?) }
        let action: Action = target.state.withLock { state in
            if viaLink { state.links.remove(from) }
            if state.status == .dead { return .none }
            if state.trapExit {
                let message = Message.exit(from: from, reason: reason)
                state.messagesIn &+= 1
                if let waiter = state.waiter {
                    state.waiter = nil
                    state.status = .running
                    let timer = state.waiterTimer
                    state.waiterTimer = nil
                    return .wake(waiter, message, timer)
                }
                state.mailbox.append(message)
                return .none
            }
            if reason == .normal && from != target.pid { return .none }
            return .die
        }
        switch action {
        case .none: return nil
        case .die: return reason
        case .wake(let waiter, let message, let timer):
            if let timer { TimerService.shared.cancel(timer) }
            waiter.resume(returning: .message(message))
            return nil
        }
    }

    /// What a dying process leaves to be told, taken from its state in one step.
    private struct Fallout {
        let cell: ProcessCell
        let reason: ExitReason
        /// The links not yet signalled.
        var links: SmallSet<PID>
        let monitors: SmallMap<MonitorRef, Watcher>
        let monitoring: SmallMap<MonitorRef, PID>
        let path: String?
    }

    /// Marks a process dead and fires everything that depends on it. Idempotent: only the first call acts.
    ///
    /// Links fire depth first, each linked process's own links and monitors before the next link and before
    /// the dying process's monitors, but on an explicit stack rather than by recursion: a chain of 10,000
    /// linked processes once took 10,000 nested calls and overflowed the thread's stack.
    func terminate(_ cell: ProcessCell, reason exitReason: ExitReason, cancelTask: Bool) {
        guard let first = beginTermination(cell, reason: exitReason, cancelTask: cancelTask) else { return }
        var dying = [first]
        while !dying.isEmpty {
            let top = dying.count - 1
            guard let linked = dying[top].links.removeAny()?.key else {
                finishTermination(dying.removeLast())
                continue
            }
            // A killed process is seen by its links as `killed`, which (unlike `kill`) can be trapped.
            let from = dying[top].cell.pid
            if let other = self.cell(linked),
                let death = signal(other, from: from, reason: dying[top].reason, viaLink: true),
                let next = beginTermination(other, reason: death, cancelTask: true)
            {
                dying.append(next)
            }
        }
    }

    /// Marks the process dead and tells what needs no other process's state: observers, its name, whoever
    /// waits in it. Nil when it was already dead.
    private func beginTermination(_ cell: ProcessCell, reason exitReason: ExitReason, cancelTask: Bool) -> Fallout? {
        let reason = exitReason == .kill ? ExitReason.killed : exitReason
        struct Taken {
            var fallout: Fallout
            var waiter: UnsafeContinuation<ProcessCell.Wake, Never>?
            var timer: TimerEntry?
            var task: Task<Void, Never>?
            var name: String?
            var tracer: (@Sendable (TraceRecord) -> Void)?
            var messagesIn: UInt64
        }
        let taken: Taken? = cell.state.withLock { state -> Taken? in
            guard state.status != .dead else { return nil }
            state.status = .dead
            state.exitReason = reason
            // Cleared inside the lock so that no reader sees a dead process as alive once a monitor fired.
            cell.alive.store(false, ordering: .relaxed)
            let taken = Taken(
                fallout: Fallout(
                    cell: cell, reason: reason, links: state.links, monitors: state.monitors,
                    monitoring: state.monitoring, path: state.path),
                waiter: state.waiter, timer: state.waiterTimer, task: state.task, name: state.name,
                tracer: state.tracer, messagesIn: state.messagesIn)
            state.tracer = nil
            state.links = SmallSet()
            state.monitors = SmallMap()
            state.monitoring = SmallMap()
            state.waiter = nil
            state.waiterTimer = nil
            state.mailbox = Deque()
            return taken
        }
        guard let taken else { return nil }
        // Observers hear of the exit before anything it causes: before a waiter, a link or a monitor is told,
        // so telemetry records an exit ahead of the restart it leads to, and whoever awaited the exit finds
        // its event already recorded (a loaded run once caught `captureEvents` returning without it).
        taken.tracer?(
            TraceRecord(kind: .exited, pid: cell.pid, detail: reason.description, at: SystemClock.wallSeconds()))
        if observers.isActive {
            observers.emit(.exited(pid: cell.pid, reason: reason, path: taken.fallout.path))
        }
        messagesOfExited.wrappingAdd(taken.messagesIn, ordering: .relaxed)
        // The name is free at once, so a replacement started by a supervisor can take it.
        if let name = taken.name {
            table.withLock { table in
                if table.names[name] == cell.pid { table.names.removeValue(forKey: name) }
            }
        }
        if let timer = taken.timer { TimerService.shared.cancel(timer) }
        taken.waiter?.resume(returning: .dead)
        if cancelTask { taken.task?.cancel() }
        return taken.fallout
    }

    /// After the links: fires the monitors and leaves the table.
    private func finishTermination(_ fallout: Fallout) {
        let cell = fallout.cell
        // Monitors added while the links were firing are still the old process's: fire them too, then
        // close the record, and only then leave the table, so that whoever sees the PID gone also sees
        // every signal it caused.
        let late: SmallMap<MonitorRef, Watcher> = cell.state.withLock { state in
            state.finished = true
            defer { state.monitors = SmallMap() }
            return state.monitors
        }
        func fire(_ ref: MonitorRef, _ watcher: Watcher) {
            switch watcher {
            case .process(let watcherPID):
                if let other = self.cell(watcherPID) {
                    other.state.withLock { _ = $0.monitoring.removeValue(forKey: ref) }
                    other.deliver(.down(ref, pid: cell.pid, reason: fallout.reason))
                }
            case .callback(let callback):
                callback(fallout.reason)
            }
        }
        // No ref is in both: every monitor gets a fresh ref, and the late ones were added after the rest were taken.
        fallout.monitors.forEach(fire)
        late.forEach(fire)
        // Monitors this process held on others die with it.
        fallout.monitoring.forEach { ref, target in
            self.cell(target)?.state.withLock { _ = $0.monitors.removeValue(forKey: ref) }
        }
        table.withLock { table in
            table.cells.remove(cell.pid.number)
            if let path = fallout.path { table.removePath(path, ifHeldBy: cell.pid) }
        }
    }

    // MARK: Links and monitors

    /// Adds `other` to `pid`'s link set; `false` when `pid` is not alive.
    func addLink(on pid: PID, to other: PID) -> Bool {
        guard let cell = cell(pid) else { return false }
        return cell.state.withLock { state in
            guard state.status != .dead else { return false }
            state.links.insert(other)
            return true
        }
    }

    func removeLink(on pid: PID, to other: PID) {
        cell(pid)?.state.withLock { _ = $0.links.remove(other) }
    }

    func makeRef() -> MonitorRef {
        MonitorRef(value: nextRef.wrappingAdd(1, ordering: .relaxed).oldValue)
    }

    /// Adds a monitor on `target`; if it is not alive, the watcher hears `noproc` at once.
    func addMonitor(on target: PID, watcher: Watcher) -> MonitorRef {
        let ref = makeRef()
        let attached =
            cell(target)?.state.withLock { state -> Bool in
                guard !state.finished else { return false }
                state.monitors[ref] = watcher
                return true
            } ?? false
        if attached {
            if case .process(let watcherPID) = watcher {
                cell(watcherPID)?.state.withLock { $0.monitoring[ref] = target }
            }
        } else {
            switch watcher {
            case .process(let watcherPID): deliver(.down(ref, pid: target, reason: .noproc), to: watcherPID)
            case .callback(let callback): callback(.noproc)
            }
        }
        return ref
    }

    func removeMonitor(_ ref: MonitorRef, on target: PID) {
        cell(target)?.state.withLock { _ = $0.monitors.removeValue(forKey: ref) }
    }

    /// Waits until `pid` exits and returns its reason (`noproc` if it was not alive); `nil` on timeout.
    ///
    /// This is a monitor without a mailbox, for code outside any process (tests, the daemon).
    nonisolated(nonsending) public func awaitExit(of pid: PID, timeout: Duration? = nil) async -> ExitReason? {
        let channel = ReplyChannel()
        let ref = addMonitor(on: pid, watcher: .callback { reason in channel.resolve(.value(reason)) })
        let timer = timeout.map { timeout in
            TimerService.shared.schedule(after: timeout) {
                channel.resolve(.failure(.timeout(pid.description, timeout)))
            }
        }
        let outcome = await withTaskCancellationHandler {
            await channel.wait()
        } onCancel: {
            channel.resolve(.failure(.cancelled))
        }
        if let timer { TimerService.shared.cancel(timer) }
        removeMonitor(ref, on: pid)
        if case .value(let reason as ExitReason) = outcome { return reason }
        return nil
    }

    // MARK: Requests

    /// Sends a request built around a fresh reply channel and waits for the answer, the target's exit, or
    /// the timeout, whichever comes first. A timed-out request leaves no monitor, timer or waiter behind.
    ///
    /// With `exitAnswers`, the target's exit is the answer (its reason, as the value): what a stop waits for,
    /// which then needs no error, and no PID written into one, to learn that it worked.
    nonisolated(nonsending) func request(
        _ target: PID, timeout: Duration?, exitAnswers: Bool = false, _ makeMessage: (ReplyChannel) -> Message
    ) async throws(CallError) -> any Sendable {
        guard let cell = cell(target) else { throw .noproc(target.description) }
        let channel = ReplyChannel()
        let ref = addMonitor(
            on: target,
            watcher: .callback { reason in
                if exitAnswers && reason != .noproc {
                    channel.resolve(.value(reason))
                } else {
                    channel.resolve(
                        .failure(
                            reason == .noproc ? .noproc(target.description) : .exited(target.description, reason)))
                }
            })
        cell.deliver(makeMessage(channel))
        let timer = timeout.map { timeout in
            TimerService.shared.schedule(after: timeout) {
                channel.resolve(.failure(.timeout(target.description, timeout)))
            }
        }
        let outcome = await withTaskCancellationHandler {
            await channel.wait()
        } onCancel: {
            channel.resolve(.failure(.cancelled))
        }
        if let timer { TimerService.shared.cancel(timer) }
        removeMonitor(ref, on: target)
        switch outcome {
        case .value(let value): return value
        case .failure(let error): throw error
        }
    }

    /// Calls a server and waits for its reply, gen_server's `call/3`.
    /// - Parameters:
    ///   - pid: the server.
    ///   - request: the request term, handed to `Server.handleCall`.
    ///   - timeout: how long to wait; `nil` waits forever. Defaults to 5 s, as in OTP.
    /// - Returns: the server's reply.
    /// - Throws: `CallError` when the server is not alive, exits first, or does not answer in time.
    nonisolated(nonsending) public func call(_ pid: PID, _ request: Term, timeout: Duration? = .seconds(5))
        async throws(CallError) -> Term
    {
        let value = try await self.request(pid, timeout: timeout) { .call(request, reply: $0) }
        guard let term = value as? Term else { throw .badReply(pid.description) }
        return term
    }

    /// Sends an asynchronous request to a server, gen_server's `cast/2`; never fails.
    public func cast(_ pid: PID, _ message: Term) {
        deliver(.cast(message), to: pid)
    }

    /// Stops a server or supervisor with `reason` and waits until it has exited, gen_server's `stop/3`.
    ///
    /// The process runs its `terminate` callback (a supervisor shuts its children down first).
    /// - Throws: `CallError` if it is not alive or does not stop within `timeout`.
    nonisolated(nonsending) public func stop(_ pid: PID, reason: ExitReason = .normal, timeout: Duration? = nil)
        async throws(CallError)
    {
        let answer = try await request(pid, timeout: timeout, exitAnswers: true) { .system(.stop(reason), reply: $0) }
        if let exitReason = answer as? ExitReason, exitReason != reason {
            throw .exited(pid.description, exitReason)
        }
    }

    /// A summary of a server's state (`Server.inspect`), OTP's `sys:get_state`.
    nonisolated(nonsending) public func state(of pid: PID, timeout: Duration? = .seconds(5)) async throws(CallError)
        -> Term
    {
        let value = try await request(pid, timeout: timeout) { .system(.getState, reply: $0) }
        guard let term = value as? Term else { throw .badReply(pid.description) }
        return term
    }

    // MARK: Observation

    /// Starts delivering lifecycle events to `observer`; keep the token to remove it.
    ///
    /// Observers are called synchronously on the thread where the event happens; they must be quick and
    /// must not block. With no observer attached, events are not even built.
    public func addObserver(_ observer: @escaping @Sendable (RuntimeEvent) -> Void) -> ObserverToken {
        observers.add(observer)
    }

    /// Stops delivering events to the observer behind `token`.
    public func removeObserver(_ token: ObserverToken) {
        observers.remove(token)
    }

    package func emit(_ event: @autoclosure () -> RuntimeEvent) {
        if observers.isActive { observers.emit(event()) }
    }
}

/// How `Runtime.spawn` starts a process.
public struct SpawnOptions: Sendable {
    /// A name to register the process under (ignored if taken).
    public var name: String?
    /// A process to link to before the body runs (`spawn_link`).
    public var link: PID?
    /// The parent recorded in process info; defaults to the linked process.
    public var parent: PID?
    /// Whether the process starts trapping exits.
    public var trapExit: Bool
    /// A stable path such as `demo/jobs/tick`, set by supervisors for their children.
    public var path: String?
    /// How many times this child has been restarted, recorded by supervisors.
    public var restarts: Int

    /// Creates spawn options; every field is optional.
    public init(
        name: String? = nil, link: PID? = nil, parent: PID? = nil, trapExit: Bool = false, path: String? = nil,
        restarts: Int = 0
    ) {
        self.name = name
        self.link = link
        self.parent = parent
        self.trapExit = trapExit
        self.path = path
        self.restarts = restarts
    }
}

/// Why a name could not be registered.
public enum RegistryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Another process holds the name.
    case nameTaken(String, PID)
    /// The process is not alive.
    case noproc(PID)
    /// The process already has a registered name.
    case alreadyNamed(PID)

    /// One line naming the name or process.
    public var description: String {
        switch self {
        case .nameTaken(let name, let holder): "name \(name) is already registered to \(holder)"
        case .noproc(let pid): "no process \(pid)"
        case .alreadyNamed(let pid): "\(pid) already has a registered name"
        }
    }
}
