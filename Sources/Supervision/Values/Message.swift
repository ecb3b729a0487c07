/// Everything that can arrive in a process's mailbox.
///
/// Plain messages are `Term`s; the other cases are what the runtime and the server and supervisor
/// behaviours put there: exit signals turned into messages (for processes that trap exits), monitor
/// notifications, and server requests that carry their reply channel.
public enum Message: Sendable {
    /// A plain message, as sent by `send(_:to:)`.
    case term(Term)
    // The rarer cases are boxed (`indirect`) so that a plain message stays small to copy.
    /// An exit signal from `from`, delivered as a message because the receiver traps exits.
    indirect case exit(from: PID, reason: ExitReason)
    /// A monitored process exited (or did not exist: `noproc`).
    indirect case down(MonitorRef, pid: PID, reason: ExitReason)
    /// A synchronous server request; the server answers through `reply`.
    case call(Term, reply: ReplyChannel)
    /// An asynchronous server request.
    case cast(Term)
    /// A runtime-internal request (state inspection, stop, supervisor calls), answered through `reply`.
    indirect case system(SystemRequest, reply: ReplyChannel?)
}

/// Identifies one monitor, so it can be removed and so its `DOWN` message can be told apart.
public struct MonitorRef: Hashable, Sendable, CustomStringConvertible {
    let value: UInt64
    /// `#Ref<value>`.
    public var description: String { "#Ref<\(value)>" }
}

/// The requests a runtime-built behaviour (server, supervisor) answers outside its user callbacks.
public enum SystemRequest: Sendable {
    /// Return the state summary (`Server.inspect`), gen_server's `sys:get_state`.
    case getState
    /// Run `terminate` and exit with the reason, gen_server's `stop/2`.
    case stop(ExitReason)
    /// A supervisor request.
    case supervisor(SupervisorRequest)
    /// Internal: retry a restart that failed to start (OTP's `try_again_restart`).
    case retryRestart(childID: String)
}

extension Message {
    /// One line describing the message, for traces and listings.
    public var traceDescription: String {
        switch self {
        case .term(let term): "send \(term)"
        case .exit(let from, let reason): "exit from \(from): \(reason)"
        case .down(let ref, let pid, let reason): "down \(ref) \(pid): \(reason)"
        case .call(let term, _): "call \(term)"
        case .cast(let term): "cast \(term)"
        case .system(let request, _): "system \(request)"
        }
    }
}
