import CSuperlearner
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A connection to the daemon's socket opened before the command knows what it will ask.
///
/// A new connection costs the daemon about as much as a short command's own start: its event loop wakes,
/// accepts, and builds the connection's HTTP pipeline. Connecting first, while the command line is still
/// being parsed, lets that run on the other core at the same time instead of after the parse
/// (docs/performance.md). The first request to the same socket takes it over.
///
/// A connection older than its maximum age, or one the daemon has closed meanwhile (a request-head timeout, a
/// daemon that stopped), is not used: the request opens a new one. So a command that pauses before it asks
/// (a confirmation prompt) does not send its request into a connection the daemon dropped while it waited.
public enum EarlyConnection {
    /// How old an early connection may be when a request takes it over, unless `open` is told otherwise: far
    /// below the daemon's shortest sensible request-head timeout, far above the few milliseconds a command
    /// takes to parse.
    public static let defaultMaximumAge: Duration = .milliseconds(250)

    private struct Pending {
        var path: String
        var descriptor: Int32
        /// Monotonic nanoseconds after which the connection is too old to use.
        var expires: UInt64
        /// The request already sent on it, if any: only a request with exactly these bytes may take it.
        var sent: [UInt8]?
    }

    private static let pending = Mutex<Pending?>(nil)

    /// Connects to the Unix socket at `path` for a request to come. Does nothing when nothing listens there
    /// (the request then finds that out itself, and may start a daemon) or when one is already open.
    ///
    /// With `request`, a read the command is sure to make (`GET` of that path, no body), the request is sent
    /// at once as well, so the daemon answers while the command is still parsing; the command's own request
    /// then finds its answer waiting, if it is the same request byte for byte (any other closes this
    /// connection and opens its own).
    ///
    /// The constructor in `CSuperlearner` (early.c) may have sent that request before `main` already, on a
    /// connection to the same socket: then that connection is the early one.
    public static func open(
        unixSocket path: String, maximumAge: Duration = defaultMaximumAge, sending request: String? = nil
    ) {
        let expires = Connection.now() &+ maximumAge.wholeNanoseconds
        if request != nil, let adopted = takeFromConstructor(path) {
            keep(Pending(path: path, descriptor: adopted.descriptor, expires: expires, sent: adopted.sent))
            return
        }
        guard let descriptor = try? Connection.openUnixSocket(path) else { return }
        var sent: [UInt8]? = nil
        if let request {
            let bytes = SuperlearnerClient(endpoint: .unix(path)).requestBytes(
                "GET", request, body: nil, keepAlive: false)
            // A fresh connection's buffer takes a request this short whole; a daemon that closed at once
            // (stopping) or a partial write leaves nothing a request could take over.
            let written = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written == bytes.count else {
                close(descriptor)
                return
            }
            sent = bytes
        }
        keep(Pending(path: path, descriptor: descriptor, expires: expires, sent: sent))
    }

    /// Holds `connection` for the first request, or closes it when one is held already.
    private static func keep(_ connection: Pending) {
        let unused = pending.withLock { pending -> Int32? in
            guard pending == nil else { return connection.descriptor }
            pending = connection
            return nil
        }
        if let unused { close(unused) }
    }

    /// The connection early.c's constructor opened to `path`, and the request it sent on it.
    private static func takeFromConstructor(_ path: String) -> (descriptor: Int32, sent: [UInt8])? {
        var request: UnsafePointer<CChar>? = nil
        let descriptor = sl_early_take(path, &request)
        guard descriptor >= 0, let request else { return nil }
        return (descriptor, Array(UnsafeRawBufferPointer(start: request, count: strlen(request))))
    }

    /// Closes the early connection to `path` if no request took it (a command that ended without asking the
    /// daemon).
    public static func discard(unixSocket path: String) {
        if let descriptor = pending.withLock({ $0?.path == path ? $0.take()?.descriptor : nil }) { close(descriptor) }
    }

    /// Whether an early connection to the Unix socket at `path` is open and not yet taken.
    public static func isOpen(unixSocket path: String) -> Bool { pending.withLock { $0?.path == path } }

    /// The early connection to `path` for a request of these bytes (`nil`: bytes of its own to come), and
    /// whether the request was sent on it already. Without a request sent, only a connection young enough
    /// that the daemon has not closed is given; with one, only to the same request (its answer may already be
    /// waiting). Otherwise it is closed here and nil returned. One to another socket stays for its own
    /// request.
    static func take(_ path: String, for request: [UInt8]?) -> (descriptor: Int32, requestSent: Bool)? {
        guard let early = pending.withLock({ $0?.path == path ? $0.take() : nil }) else { return nil }
        if let sent = early.sent {
            if let request, sent == request { return (early.descriptor, true) }
        } else if Connection.now() < early.expires && isUnused(early.descriptor) {
            return (early.descriptor, false)
        }
        close(early.descriptor)
        return nil
    }

    /// Nothing to read and no hang-up: the daemon has neither closed the connection nor written to it.
    private static func isUnused(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }
}
