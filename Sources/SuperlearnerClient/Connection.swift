import CSuperlearner

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One blocking socket connection with a deadline on every read and write (poll before each call).
///
/// The command line makes one request per process: a plain socket costs less than starting an event loop
/// (see docs/client.md), and the calls never run on Swift's cooperative pool (the async API hops to a
/// dedicated thread).
final class Connection {
    /// The socket; -1 once closed. A failed `init` closes it and sets -1: Swift runs `deinit` for an
    /// instance whose initializer threw after every property was set, and a second `close` of the same
    /// number could close a descriptor another thread has opened meanwhile.
    private(set) var descriptor: Int32
    /// The request was sent on this connection before it was opened here (an early request).
    private(set) var requestSent = false
    let deadline: UInt64
    let label: String
    private var buffer: [UInt8] = []
    private var position = 0
    /// Where `recv` writes before the bytes join `buffer`: allocated on the first read and never zeroed
    /// (a zeroed 64 KiB array per read was 8 % of a short command's instructions).
    private var chunk: UnsafeMutableRawBufferPointer? = nil
    /// The socket and, when the shell has made Ctrl-C a descriptor, that one too (poll skips -1); set up
    /// once, so a wait allocates nothing.
    private var waitSet = [
        pollfd(fd: -1, events: 0, revents: 0), pollfd(fd: sl_interrupt_fd(), events: Int16(POLLIN), revents: 0),
    ]

    /// Connects to `endpoint`, failing with `.unreachable` when nothing listens. `request`, the bytes about
    /// to be sent, lets an early connection that sent them already be taken over (`requestSent`).
    init(_ endpoint: Endpoint, timeout: Duration, request: [UInt8]? = nil) throws(ClientError) {
        deadline = Connection.now() &+ timeout.wholeNanoseconds
        label = endpoint.description
        switch endpoint {
        case .unix(let path):
            // A connection the command opened before it knew its request (see EarlyConnection), else a new one.
            if let early = EarlyConnection.take(path, for: request) {
                descriptor = early.descriptor
                requestSent = early.requestSent
            } else {
                descriptor = try Connection.openUnixSocket(path)
            }
        case .tcp(let host, let port, _):
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw .io("socket: \(String(cString: strerror(errno)))") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
                close(descriptor)
                descriptor = -1
                throw .io("not an IPv4 address: \(host)")
            }
            var one: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if result != 0 {
                let code = errno
                close(descriptor)
                descriptor = -1
                throw .unreachable("\(host):\(port) (\(String(cString: strerror(code))))")
            }
        }
        // Non-blocking from here on: every read and write waits in poll with the deadline, and a write
        // never blocks on a peer that stopped reading (a server that answered 413 early, say).
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    /// A blocking socket connected to the Unix socket at `path`; `.unreachable` when nothing listens there.
    static func openUnixSocket(_ path: String) throws(ClientError) -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw .io("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw .io("socket path is too long (\(bytes.count) bytes): \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let code = errno
            close(descriptor)
            throw .unreachable("\(path) (\(String(cString: strerror(code))))")
        }
        return descriptor
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        chunk?.deallocate()
    }

    /// Monotonic nanoseconds, what poll's deadlines are counted in (this module does not link the runtime
    /// and its `SystemClock`; callers pass `ContinuousClock` instants and durations).
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Waits until the socket is ready for `events`, or throws at the deadline; returns what is ready.
    @discardableResult
    private func waitUntilReady(_ events: Int16, deadline: UInt64?) throws(ClientError) -> Int16 {
        waitSet[0] = pollfd(fd: descriptor, events: events, revents: 0)
        while true {
            waitSet[1].revents = 0
            var timeout: Int32 = -1
            if let deadline {
                let now = Connection.now()
                guard now < deadline else { throw .timeout(label) }
                timeout = Int32(min(UInt64(Int32.max), (deadline - now) / 1_000_000 + 1))
            }
            let ready = poll(&waitSet, 2, timeout)
            if waitSet[1].revents & Int16(POLLIN) != 0 { throw .interrupted }
            if ready > 0 { return waitSet[0].revents }
            if ready < 0 && errno != EINTR { throw .io("poll: \(String(cString: strerror(errno)))") }
        }
    }

    func write(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let ready = try waitUntilReady(Int16(POLLOUT) | Int16(POLLIN), deadline: deadline)
            // The server answered (or hung up) before taking the whole request: stop and read its answer.
            if ready & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 { return }
            let written = bytes[offset...].withUnsafeBytes { raw in
                send(descriptor, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                throw .unreachable("\(label) (write: \(String(cString: strerror(errno))))")
            }
            offset += written
        }
    }

    /// Reads more bytes into the buffer; `false` at end of stream.
    private func fill(deadline: UInt64?) throws(ClientError) -> Bool {
        if position > 0 && position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        }
        try waitUntilReady(Int16(POLLIN), deadline: deadline)
        let chunk = self.chunk ?? UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        self.chunk = chunk
        let count = recv(descriptor, chunk.baseAddress, chunk.count, 0)
        if count < 0 {
            if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { return true }
            // A peer that answered early and reset the rest of our upload: what was read stands.
            if errno == ECONNRESET { return false }
            throw .protocolError("read: \(String(cString: strerror(errno)))")
        }
        if count == 0 { return false }
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        return true
    }

    /// One CRLF- (or LF-) terminated line, without the terminator; `nil` at end of stream.
    func readLine(deadline: UInt64? = nil, limit: Int = 1 << 20) throws(ClientError) -> String? {
        let effective = deadline ?? self.deadline
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                var end = newline
                if end > position && buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[position..<end], as: UTF8.self)
                position = newline + 1
                return line
            }
            if buffer.count - position > limit { throw .protocolError("line longer than \(limit) bytes") }
            guard try fill(deadline: effective == UInt64.max ? nil : effective) else {
                if position < buffer.count {
                    let line = String(decoding: buffer[position...], as: UTF8.self)
                    position = buffer.count
                    return line
                }
                return nil
            }
        }
    }

    /// Exactly `count` bytes, by the connection's deadline or an earlier one.
    func read(count: Int, deadline: UInt64? = nil) throws(ClientError) -> [UInt8] {
        while buffer.count - position < count {
            guard try fill(deadline: deadline ?? self.deadline) else {
                throw .protocolError("connection closed in the middle of a body")
            }
        }
        let bytes = Array(buffer[position..<(position + count)])
        position += count
        return bytes
    }

    /// Everything until the peer closes.
    func readToEnd() throws(ClientError) -> [UInt8] {
        while try fill(deadline: deadline) {}
        let bytes = Array(buffer[position...])
        position = buffer.count
        return bytes
    }
}

/// Where the daemon listens.
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// A Unix socket path.
    case unix(String)
    /// A TCP host, port and optional bearer token.
    case tcp(host: String, port: Int, token: String?)

    /// The socket path or `host:port`.
    public var description: String {
        switch self {
        case .unix(let path): path
        case .tcp(let host, let port, _): "\(host):\(port)"
        }
    }
}
