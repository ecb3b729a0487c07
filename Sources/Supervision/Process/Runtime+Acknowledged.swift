extension Runtime {
    /// Spawns a process that acknowledges its own start on the channel it is given, once it is ready
    /// (proc_lib's `init_ack`), and waits for that: the PID, or why the start failed.
    ///
    /// If the body ends before acknowledging, its exit reason is the answer; a monitor covers a process
    /// killed before it could say anything. The reason comes from the process itself because the monitor
    /// may be set only after the process is gone, when it can say no more than `noproc`.
    nonisolated(nonsending) func spawnAcknowledged(
        _ options: SpawnOptions, scheduler: Scheduler?, kind: ProcessKind,
        _ body: @escaping @Sendable (ProcessContext, ReplyChannel) async throws -> Void
    ) async throws(StartError) -> PID {
        let ack = ReplyChannel()
        let cell = spawnCell(options, scheduler: scheduler, kind: kind) { context in
            do {
                try await body(context, ack)
            } catch {
                // After a successful acknowledgement this would change nothing (the first answer wins), so the
                // dynamic cast that reads the error's reason is skipped.
                if !ack.isResolved {
                    ack.resolve(
                        .failure(.exited("", (error as? ProcessExit)?.reason ?? .error(String(describing: error)))))
                }
                throw error
            }
            ack.resolve(.failure(.exited("", .normal)))
        }
        // A child started inline (from a process of its scheduler) has usually acknowledged, or failed and
        // said why, before `spawnCell` returns: then there is nothing to wait for, and no monitor is needed to
        // hear of its death.
        let outcome: ReplyChannel.Outcome
        if let ready = ack.takeIfResolved() {
            outcome = ready
        } else {
            let ref = addMonitor(
                on: cell.pid, watcher: .callback { reason in ack.resolve(.failure(.exited("", reason))) })
            outcome = await ack.wait()
            removeMonitor(ref, on: cell.pid)
        }
        switch outcome {
        case .value: return cell.pid
        case .failure(.exited(_, let reason)): throw StartError(reason: reason)
        case .failure(let other): throw StartError(reason: .error(other.description))
        }
    }
}

extension StartContext {
    /// Spawns the child linked to its supervisor, trapping exits when asked, and waits for the body to
    /// acknowledge its start on the channel it is given: what start functions outside this module use.
    nonisolated(nonsending) package func spawnAcknowledged(
        trapExit: Bool, kind: ProcessKind,
        _ body: @escaping @Sendable (ProcessContext, ReplyChannel) async throws -> Void
    ) async throws(StartError) -> PID {
        var options = spawnOptions
        options.trapExit = trapExit
        return try await runtime.spawnAcknowledged(options, scheduler: scheduler, kind: kind, body)
    }
}
