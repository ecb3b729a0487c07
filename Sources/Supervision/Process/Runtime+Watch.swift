import Synchronization

/// A monitor held by code outside any process; remove it with `Runtime.unwatch(_:)`.
public struct ExitWatch: Hashable, Sendable {
    let ref: MonitorRef
    /// The watched process.
    public let pid: PID
}

/// A message event recorded for a traced process.
public struct TraceRecord: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable {
        /// A message was delivered to the traced process.
        case received
        /// The traced process exited.
        case exited
    }
    /// What happened.
    public var kind: Kind
    /// The process traced.
    public var pid: PID
    /// The message (for `received`) or the exit reason (for `exited`), as text.
    public var detail: String
    /// Wall-clock seconds since 1970.
    public var at: Double
}

extension Runtime {
    /// Calls `onExit` once with the reason `pid` exits with (`noproc` at once if it is not alive).
    ///
    /// The callback runs on the thread where the process exits; keep it short and non-blocking.
    @discardableResult
    public func watch(_ pid: PID, onExit: @escaping @Sendable (ExitReason) -> Void) -> ExitWatch {
        ExitWatch(ref: addMonitor(on: pid, watcher: .callback(onExit)), pid: pid)
    }

    /// Removes a watch; its callback will not be called if it has not been already.
    public func unwatch(_ watch: ExitWatch) {
        removeMonitor(watch.ref, on: watch.pid)
    }

    /// Starts tracing `pid`: every message delivered to it and its exit are reported to `tracer`.
    ///
    /// Tracing costs nothing for processes that are not traced. Returns `false` if the process is not alive.
    @discardableResult
    public func trace(_ pid: PID, _ tracer: @escaping @Sendable (TraceRecord) -> Void) -> Bool {
        guard let cell = cell(pid) else { return false }
        return cell.state.withLock { state in
            guard state.status != .dead else { return false }
            state.tracer = tracer
            return true
        }
    }

    /// Stops tracing `pid`.
    public func untrace(_ pid: PID) {
        cell(pid)?.state.withLock { $0.tracer = nil }
    }
}
