import Synchronization

/// What a process body uses to act as a process: receive, send, link, monitor, trap exits, exit.
///
/// The context belongs to one process; use it only from that process's body.
public struct ProcessContext: Sendable {
    let cell: ProcessCell
    /// The runtime the process runs in.
    public let runtime: Runtime

    /// This process's PID, Erlang's `self()`.
    public var pid: PID { cell.pid }

    /// The process that spawned or linked this one at start, if any.
    public var parent: PID? { cell.parent }

    // `receive` is `nonisolated(nonsending)`: it runs on the caller's executor (the process's scheduler)
    // instead of hopping to the generic executor and back, which would cost a task-status lock per message.

    /// The next message in the mailbox, waiting for one if it is empty.
    /// - Throws: `ProcessExit` when the process has been killed or exited by a signal; let it propagate.
    nonisolated(nonsending) public func receive() async throws(ProcessExit) -> Message {
        try await cell.receive()
    }

    /// The next message, or `nil` if none arrives within `timeout` (Erlang's `receive … after`).
    nonisolated(nonsending) public func receive(timeout: Duration) async throws(ProcessExit) -> Message? {
        try await cell.receive(timeout: timeout)
    }

    /// Sends a plain message; dropped if the target is not alive (or this process no longer is).
    public func send(_ term: Term, to target: PID) {
        guard cell.alive.load(ordering: .relaxed) else { return }
        cell.messagesOut.wrappingAdd(1, ordering: .relaxed)
        cell.send(.term(term), to: target, in: runtime)
    }

    /// Sends any mailbox message (for behaviours built on the runtime).
    public func send(_ message: Message, to target: PID) {
        guard cell.alive.load(ordering: .relaxed) else { return }
        cell.messagesOut.wrappingAdd(1, ordering: .relaxed)
        cell.send(message, to: target, in: runtime)
    }

    /// Sends `term` to `target` after `delay`, Erlang's `send_after`.
    public func send(_ term: Term, to target: PID, after delay: Duration) {
        runtime.send(term, to: target, after: delay)
    }

    /// Whether exit signals arrive as `.exit` messages instead of killing this process (`kill` still kills).
    public var trapsExits: Bool {
        get { cell.state.withLock { $0.trapExit } }
        nonmutating set { cell.state.withLock { $0.trapExit = newValue } }
    }

    /// Links this process to `other`, both ways. If `other` is not alive this process gets a `noproc`
    /// exit signal, as in Erlang.
    public func link(_ other: PID) {
        guard other != pid else { return }
        guard runtime.addLink(on: pid, to: other), runtime.addLink(on: other, to: pid) else {
            runtime.removeLink(on: pid, to: other)
            runtime.deliverExitSignal(to: cell, from: other, reason: .noproc, viaLink: true)
            return
        }
    }

    /// Removes the link with `other`, both ways.
    public func unlink(_ other: PID) {
        runtime.removeLink(on: pid, to: other)
        runtime.removeLink(on: other, to: pid)
    }

    /// Monitors `target`: a `.down` message arrives when it exits (at once, with `noproc`, if it is gone).
    @discardableResult
    public func monitor(_ target: PID) -> MonitorRef {
        runtime.addMonitor(on: target, watcher: .process(pid))
    }

    /// Removes a monitor; a `.down` already in the mailbox stays there.
    public func demonitor(_ ref: MonitorRef, of target: PID) {
        runtime.removeMonitor(ref, on: target)
        cell.state.withLock { _ = $0.monitoring.removeValue(forKey: ref) }
    }

    /// Sends an exit signal to `target` from this process, Erlang's `exit/2`.
    public func exit(_ target: PID, reason: ExitReason) {
        runtime.sendExitSignal(to: target, from: pid, reason: reason)
    }

    /// Exits this process with `reason`. Always throws; let the error propagate out of the body.
    public func exit(_ reason: ExitReason) throws(ProcessExit) -> Never {
        throw ProcessExit(reason)
    }

    /// Spawns a process on this process's scheduler, so the two exchange messages without thread hops. The
    /// child runs until its first wait before this returns.
    @discardableResult
    public func spawn(
        _ options: SpawnOptions = SpawnOptions(), _ body: @escaping @Sendable (ProcessContext) async throws -> Void
    ) -> PID {
        var options = options
        if options.parent == nil { options.parent = pid }
        return runtime.spawnCell(options, scheduler: cell.scheduler, body).pid
    }

    /// Spawns a process linked to this one, Erlang's `spawn_link`.
    @discardableResult
    public func spawnLink(
        _ options: SpawnOptions = SpawnOptions(), _ body: @escaping @Sendable (ProcessContext) async throws -> Void
    ) -> PID {
        var options = options
        options.link = pid
        if options.parent == nil { options.parent = pid }
        return runtime.spawnCell(options, scheduler: cell.scheduler, body).pid
    }

    /// Registers this process under `name`.
    public func register(_ name: String) throws(RegistryError) {
        try runtime.register(name, for: pid)
    }
}
