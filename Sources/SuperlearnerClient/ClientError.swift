/// Why a request to the daemon did not get an answer. "No daemon" and "the daemon said no" are
/// different things: the second is a `Response` with an error status, not a `ClientError`.
public enum ClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing answers at the socket or port: no daemon runs there.
    case unreachable(String)
    /// The daemon did not answer in time.
    case timeout(String)
    /// The daemon answered something that is not valid HTTP.
    case protocolError(String)
    /// The daemon closed the connection before answering: it stopped or died mid-request.
    case closed(String)
    /// A local I/O failure (the socket path is too long, a file cannot be created).
    case io(String)
    /// Ctrl-C was pressed while waiting (only where the shell turned it into a descriptor).
    case interrupted

    /// One line.
    public var description: String {
        switch self {
        case .unreachable(let detail): "no daemon answers at \(detail)"
        case .timeout(let detail): "the daemon did not answer in time (\(detail))"
        case .protocolError(let detail): "unexpected answer from the daemon: \(detail)"
        case .closed(let detail): "the daemon at \(detail) closed the connection before answering"
        case .io(let detail): detail
        case .interrupted: "interrupted"
        }
    }
}
