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
    }

    private static let pending = Mutex<Pending?>(nil)

    /// Connects to the Unix socket at `path` for a request to come. Does nothing when nothing listens there
    /// (the request then finds that out itself, and may start a daemon) or when one is already open.
    public static func open(unixSocket path: String, maximumAge: Duration = defaultMaximumAge) {
        guard let descriptor = try? Connection.openUnixSocket(path) else { return }
        let expires = Connection.now() &+ maximumAge.wholeNanoseconds
        let unused = pending.withLock { pending -> Int32? in
            guard pending == nil else { return descriptor }
            pending = Pending(path: path, descriptor: descriptor, expires: expires)
            return nil
        }
        if let unused { close(unused) }
    }

    /// Closes the early connection to `path` if no request took it (a command that ended without asking the
    /// daemon).
    public static func discard(unixSocket path: String) {
        if let descriptor = pending.withLock({ $0?.path == path ? $0.take()?.descriptor : nil }) { close(descriptor) }
    }

    /// Whether an early connection to the Unix socket at `path` is open and not yet taken.
    public static func isOpen(unixSocket path: String) -> Bool { pending.withLock { $0?.path == path } }

    /// The early connection to `path`, if it is young enough and the daemon has not closed it (then it is
    /// closed here and nil returned). One to another socket stays for its own request.
    static func take(_ path: String) -> Int32? {
        guard let early = pending.withLock({ $0?.path == path ? $0.take() : nil }) else { return nil }
        if Connection.now() < early.expires && isUnused(early.descriptor) {
            return early.descriptor
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
