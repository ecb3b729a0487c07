/// Why a process exited, or the reason carried by an exit signal.
///
/// The cases follow OTP: `normal` and the `shutdown` family are the "clean" exits that a `transient`
/// child is not restarted for; `kill` exists only as a signal (it cannot be trapped) and is observed as
/// `killed`; `noproc` is what a link or monitor reports for a process that was already gone.
public enum ExitReason: Hashable, Sendable, CustomStringConvertible {
    /// The process finished its work; returning from a process body exits with `normal`.
    case normal
    /// Ordered shutdown, usually by a supervisor.
    case shutdown
    /// Ordered shutdown with a detail, OTP's `{shutdown, Term}`.
    case shutdownWith(String)
    /// The untrappable kill signal. Only meaningful as a signal; the victim exits with `killed`.
    case kill
    /// The reason of a process that received the `kill` signal.
    case killed
    /// The process did not exist when it was linked to or monitored.
    case noproc
    /// A crash: a thrown error or an explicit error exit, with a description.
    case error(String)

    /// `true` for `normal`, `shutdown` and `shutdown(detail)`: the exits a `transient` child is not
    /// restarted for and that supervisors do not report as crashes.
    public var isClean: Bool {
        switch self {
        case .normal, .shutdown, .shutdownWith: true
        default: false
        }
    }

    /// `normal`, `shutdown`, `shutdown(detail)`, `kill`, `killed`, `noproc` or the error's description.
    public var description: String {
        switch self {
        case .normal: "normal"
        case .shutdown: "shutdown"
        case .shutdownWith(let detail): "shutdown(\(detail))"
        case .kill: "kill"
        case .killed: "killed"
        case .noproc: "noproc"
        case .error(let description): description
        }
    }

    /// Parses the textual forms that `description` prints; anything else is an `error` reason.
    public init(parsing text: String) {
        switch text {
        case "normal": self = .normal
        case "shutdown": self = .shutdown
        case "kill": self = .kill
        case "killed": self = .killed
        case "noproc": self = .noproc
        default:
            if text.hasPrefix("shutdown("), text.hasSuffix(")") {
                self = .shutdownWith(String(text.dropFirst("shutdown(".count).dropLast()))
            } else {
                self = .error(text)
            }
        }
    }
}

/// Thrown inside a process to exit it with a reason; `ProcessContext.exit(_:)` throws it.
///
/// The runtime also throws it out of `receive()` when the process has been killed or exited by a signal,
/// so that the body unwinds; catching and ignoring it does not bring the process back.
public struct ProcessExit: Error, Sendable, CustomStringConvertible {
    /// The reason the process exits with.
    public let reason: ExitReason

    /// Creates an exit with `reason`.
    public init(_ reason: ExitReason) { self.reason = reason }

    /// `process exit: <reason>`.
    public var description: String { "process exit: \(reason)" }
}
