import Synchronization

/// What the runtime knows about one process at one moment (Erlang's `process_info/1`).
public struct ProcessSnapshot: Sendable, Hashable {
    /// The process.
    public var pid: PID
    /// Its registered name, if any.
    public var name: String?
    /// Its stable path (`demo/jobs/tick`) when a supervisor started it.
    public var path: String?
    /// Plain process, server or supervisor.
    public var kind: ProcessKind
    /// Running, waiting in `receive`, or dead.
    public var status: ProcessStatus
    /// Messages waiting in the mailbox.
    public var mailboxLength: Int
    /// Messages delivered to it since it started.
    public var messagesIn: UInt64
    /// Messages it sent through its context.
    public var messagesOut: UInt64
    /// Times its supervisor restarted this child before this incarnation.
    public var restarts: Int
    /// Linked processes.
    public var links: [PID]
    /// Processes it monitors.
    public var monitors: [PID]
    /// Processes (or runtime callers) monitoring it.
    public var monitoredBy: Int
    /// The process that started or linked it.
    public var parent: PID?
    /// Wall-clock start time, seconds since 1970.
    public var startedAt: Double
    /// Whether it traps exits.
    public var trapsExits: Bool
    /// Estimated bytes held: the process record, its mailbox and its task.
    public var memoryEstimate: Int
}

extension Runtime {
    /// A snapshot of `pid`, or `nil` if it is not alive.
    public func info(_ pid: PID) -> ProcessSnapshot? {
        guard let cell = cell(pid) else { return nil }
        return cell.state.withLock { state -> ProcessSnapshot? in
            guard state.status != .dead else { return nil }
            // The task's own allocation (its first slab) dominates an idle process; messages are inline.
            let memory =
                MemoryLayout<ProcessCell>.size + MemoryLayout<ProcessCell.State>.size + 1024
                + state.mailbox.count * MemoryLayout<Message>.stride
                + state.links.count * MemoryLayout<PID>.stride * 2
                + state.monitors.count * 64
            return ProcessSnapshot(
                pid: cell.pid, name: state.name, path: state.path, kind: state.kind, status: state.status,
                mailboxLength: state.mailbox.count, messagesIn: state.messagesIn,
                messagesOut: cell.messagesOut.load(ordering: .relaxed), restarts: state.restarts,
                links: state.links.keys.sorted(), monitors: state.monitoring.values.sorted(),
                monitoredBy: state.monitors.count, parent: cell.parent, startedAt: cell.startedAt,
                trapsExits: state.trapExit, memoryEstimate: memory)
        }
    }

    /// Snapshots of every live process, in spawn order.
    public func allInfo() -> [ProcessSnapshot] {
        processes().compactMap { info($0) }
    }

    /// The PID for `target`: a PID (`<0.12.0>` or `0.12.0`), a registered name, or a supervision path
    /// (which always names the current incarnation of a supervised child).
    public func resolve(_ target: String) -> PID? {
        if let pid = PID(parsing: target) { return isAlive(pid) ? pid : nil }
        if let pid = whereis(target) { return pid }
        guard let pid = table.withLock({ $0.paths[target] }), isAlive(pid) else { return nil }
        return pid
    }
}

extension Runtime {
    /// Live processes with a supervision path, counted by the path's first component (a sandbox's id),
    /// only for `roots` when given; from the path index, without a snapshot of every process.
    public func processCountsByRoot(only roots: Set<String>? = nil) -> [String: Int] {
        table.withLock { table in
            var counts: [String: Int] = [:]
            for root in roots ?? Set(table.pathsByRoot.keys) {
                guard let paths = table.pathsByRoot[root] else { continue }
                counts[root] = paths.count { path in
                    guard let pid = table.paths[path], let cell = table.cells[pid.number] else { return false }
                    return cell.alive.load(ordering: .relaxed)
                }
            }
            return counts
        }
    }

    /// Live processes whose supervision path is `root` or lies under it (`root/…`), from the path index.
    ///
    /// Processes spawned without a path (by a worker, say) are not included; they are usually linked to
    /// one that is.
    public func processes(underPath root: String) -> [PID] {
        var pids: [PID] = table.withLock { table in
            var pids: [PID] = []
            table.forEachPath(under: root) { pid in pids.append(pid) }
            return pids
        }
        pids.sort()
        return pids
    }

    /// How many processes `processes(underPath:)` would list, without listing them.
    public func processCount(underPath root: String) -> Int {
        table.withLock { table in
            var count = 0
            table.forEachPath(under: root) { _ in count += 1 }
            return count
        }
    }
}

extension Runtime.Table {
    /// Calls `body` with every live process whose path is `root` or lies under it.
    func forEachPath(under root: String, _ body: (PID) -> Void) {
        guard let members = pathsByRoot[Runtime.Table.root(of: root)] else { return }
        // A sandbox id is a first component: everything indexed under it is its own, with no prefix to test.
        let prefix: String? = root.utf8.contains(UInt8(ascii: "/")) ? root + "/" : nil
        for path in members {
            if let prefix, path != root, !path.hasPrefix(prefix) { continue }
            guard let pid = paths[path], let cell = cells[pid.number], cell.pid == pid,
                cell.alive.load(ordering: .relaxed)
            else {
                continue
            }
            body(pid)
        }
    }
}
