import CSuperlearner
import SuperlearnerAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An HTTP/1.1 response from the daemon.
public struct ClientResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The response's headers, looked up by lower-case name.
    public var headers: ResponseHeaders
    /// The body bytes.
    public var body: [UInt8]

    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A client of the daemon's HTTP API over its Unix socket (or TCP).
///
/// Requests are plain blocking HTTP/1.1 on a socket with a deadline: a command-line invocation makes one
/// or two requests, and a socket round trip costs far less than starting an event loop. From async code,
/// use `send(_:_:body:)`, which runs the request on a dedicated thread, never on Swift's cooperative pool.
///
/// ```swift
/// let client = SuperlearnerClient(endpoint: .unix("/tmp/sl/superlearner.sock"))
/// let response = try client.request("GET", "/api/v1/sandboxes")
/// ```
public struct SuperlearnerClient: Sendable {
    /// Where the daemon listens.
    public var endpoint: Endpoint
    /// The deadline for connecting, sending and reading a whole response.
    public var timeout: Duration

    /// Creates a client.
    public init(endpoint: Endpoint, timeout: Duration = .seconds(30)) {
        self.endpoint = endpoint
        self.timeout = timeout
    }

    /// Sends one request and reads the whole response (blocking the calling thread).
    /// - Parameters:
    ///   - method: `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    ///   - path: the path with its query, already percent-encoded.
    ///   - body: a JSON text, sent with `Content-Type: application/json`.
    /// - Throws: `ClientError.unreachable` when no daemon listens, `.timeout`, `.protocolError`.
    public func request(_ method: String, _ path: String, body: String? = nil) throws(ClientError) -> ClientResponse {
        let bytes = requestBytes(method, path, body: body, keepAlive: false)
        let connection = try Connection(endpoint, timeout: timeout, request: bytes)
        if !connection.requestSent { try connection.write(bytes) }
        return try readResponse(connection)
    }

    /// Sends one request to `route`, at `path` when given (the route's template filled and its query, from
    /// `route.path(…)`), else at the route's own path (a route without parameters).
    public func request(_ route: Route, path: String? = nil, body: String? = nil) throws(ClientError) -> ClientResponse
    {
        try request(route.method.rawValue, path ?? route.path(), body: body)
    }

    /// `request` from async code, on a dedicated thread.
    public func send(_ method: String, _ path: String, body: String? = nil) async throws(ClientError) -> ClientResponse
    {
        let client = self
        let result: Result<ClientResponse, ClientError> = await withCheckedContinuation { continuation in
            SuperlearnerClient.onThread {
                do throws(ClientError) {
                    continuation.resume(returning: .success(try client.request(method, path, body: body)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Whether a daemon answers at the endpoint (a connect, nothing sent).
    public func isReachable() -> Bool {
        (try? Connection(endpoint, timeout: .seconds(1))) != nil
    }

    func requestBytes(_ method: String, _ path: String, body: String?, keepAlive: Bool) -> [UInt8] {
        // Appended as bytes: string interpolation put a short command's request together through
        // `DefaultStringInterpolation`, 13,000 instructions on the way to its first byte sent.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + (body?.utf8.count ?? 0))
        func add(_ text: String) { bytes.append(contentsOf: text.utf8) }
        add(method)
        add(" ")
        add(path)
        add(" HTTP/1.1\r\nHost: ")
        // On TCP the Host header names the listener, as the daemon's DNS-rebinding check requires.
        if case .tcp(let name, let port, _) = endpoint {
            add(name)
            add(":")
            add(String(port))
        } else {
            add("superlearner")
        }
        add("\r\nUser-Agent: superlearner-cli\r\n")
        if !keepAlive { add("Connection: close\r\n") }
        if case .tcp(_, _, let token?) = endpoint {
            add("Authorization: Bearer ")
            add(token)
            add("\r\n")
        }
        if let body {
            add("Content-Type: application/json\r\nContent-Length: ")
            add(String(body.utf8.count))
            add("\r\n\r\n")
            add(body)
        } else {
            add("Content-Length: 0\r\n\r\n")
        }
        return bytes
    }

    func readHead(_ connection: Connection, deadline: UInt64? = nil) throws(ClientError) -> (Int, ResponseHeaders) {
        guard let statusLine = try connection.readLine(deadline: deadline) else {
            throw .closed(connection.label)
        }
        // Read as bytes: splitting by `Character` runs Unicode's grapheme rules over every byte, which was a
        // tenth of a short command's instructions.
        guard let status = Self.status(ofStatusLine: statusLine) else {
            throw .protocolError("bad status line: \(statusLine.prefix(80))")
        }
        var headers = ResponseHeaders()
        while let line = try connection.readLine(deadline: deadline) {
            if line.isEmpty { return (status, headers) }
            let bytes = line.utf8
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
                throw .protocolError("bad header line")
            }
            var start = bytes.index(after: colon)
            while start < bytes.endIndex && (bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t")) {
                start = bytes.index(after: start)
            }
            headers.append(name: String(line[..<colon]).lowercased(), value: String(line[start...]))
        }
        throw .protocolError("the connection closed inside the headers")
    }

    /// The code of an HTTP/1.x status line (`HTTP/1.1 200 OK`), or nil when it is not one.
    static func status(ofStatusLine line: String) -> Int? {
        let bytes = line.utf8
        guard line.hasPrefix("HTTP/1."), let space = bytes.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        var code = 0
        var digits = 0
        var index = bytes.index(after: space)
        while index < bytes.endIndex, bytes[index] != UInt8(ascii: " ") {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), digits < 3 else { return nil }
            code = code * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            index = bytes.index(after: index)
        }
        return digits == 3 ? code : nil
    }

    func readResponse(_ connection: Connection) throws(ClientError) -> ClientResponse {
        let (status, headers) = try readHead(connection)
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                guard let sizeLine = try connection.readLine() else { throw .protocolError("truncated chunked body") }
                let sizeText = sizeLine.split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(sizeText.trimmingWhitespace(), radix: 16) else {
                    throw .protocolError("bad chunk size")
                }
                if size == 0 {
                    while let trailer = try connection.readLine(), !trailer.isEmpty {}
                    break
                }
                body += try connection.read(count: size)
                _ = try connection.readLine()
            }
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            body = try connection.read(count: length)
        } else {
            body = try connection.readToEnd()
        }
        return ClientResponse(status: status, headers: headers, body: body)
    }

    /// Follows the server-sent event stream at `path`, calling `onEvent` with each event's id and data
    /// until it returns `false`, the stream ends, or `deadline` passes.
    /// - Returns: `true` if `onEvent` asked to stop, `false` if the stream ended or the deadline passed.
    @discardableResult
    public func followEvents(
        _ path: String, lastEventID: UInt64? = nil, until deadline: ContinuousClock.Instant? = nil,
        _ onEvent: (_ id: UInt64?, _ data: String) -> Bool
    ) throws(ClientError) -> Bool {
        var streamTimeout = timeout
        if deadline != nil { streamTimeout = .seconds(3600 * 24) }
        let connection = try Connection(endpoint, timeout: streamTimeout)
        var bytes = requestBytes("GET", path, body: nil, keepAlive: false)
        if let lastEventID {
            bytes = Array(
                String(decoding: bytes, as: UTF8.self).replacingFirst(
                    "\r\n\r\n", with: "\r\nLast-Event-ID: \(lastEventID)\r\n\r\n"
                ).utf8)
        }
        try connection.write(bytes)
        // The socket's own clock: nanoseconds on it, `UInt64.max` for no deadline.
        let effective =
            deadline.map { Connection.now() &+ ContinuousClock.now.duration(to: $0).wholeNanoseconds } ?? UInt64.max
        let (status, headers) = try readHead(connection, deadline: effective)
        guard status == 200 else {
            throw .protocolError(
                "event stream answered \(status): \(String(decoding: (try? readRemaining(connection, headers)) ?? [], as: UTF8.self))"
            )
        }
        let chunked = headers["transfer-encoding"]?.lowercased().contains("chunked") == true
        var pending = ""
        var id: UInt64? = nil
        var data: [String] = []
        func handle(line: String) -> Bool {
            if line.isEmpty {
                defer {
                    data = []
                    id = nil
                }
                if !data.isEmpty { return onEvent(id, data.joined(separator: "\n")) }
                return true
            }
            if line.hasPrefix(":") { return true }
            if line.hasPrefix("id:") { id = UInt64(line.dropFirst(3).drop { $0 == " " }) }
            if line.hasPrefix("data:") { data.append(String(line.dropFirst(5).drop { $0 == " " })) }
            return true
        }
        while true {
            var text: String
            if chunked {
                guard let sizeLine = try connection.readLine(deadline: effective),
                    let size = Int(
                        sizeLine.split(separator: ";").first.map(String.init)?.trimmingWhitespace() ?? "", radix: 16)
                else { return false }
                if size == 0 { return false }
                text = String(decoding: try connection.read(count: size), as: UTF8.self)
                _ = try connection.readLine(deadline: effective)
            } else {
                guard let line = try connection.readLine(deadline: effective) else { return false }
                text = line + "\n"
            }
            pending += text
            while let newline = pending.firstIndex(of: "\n") {
                var line = String(pending[..<newline])
                if line.hasSuffix("\r") { line.removeLast() }
                pending = String(pending[pending.index(after: newline)...])
                if !handle(line: line) { return true }
            }
        }
    }

    /// Sends one request and hands its response body to `onBytes` piece by piece as it arrives (a chunked
    /// stream such as etcd's watch), until `onBytes` returns `false`, the body ends or `deadline` passes;
    /// then the connection is closed. Blocks the calling thread.
    /// - Returns: the response status, and whether the body ended by itself.
    /// - Throws: `ClientError` when the request cannot be sent or the head is not read by `deadline`.
    public func stream(
        _ method: String, _ path: String, body: String? = nil, until deadline: ContinuousClock.Instant,
        _ onBytes: ([UInt8]) -> Bool
    ) throws(ClientError) -> (status: Int, ended: Bool) {
        let connection = try Connection(endpoint, timeout: .seconds(3600 * 24))
        try connection.write(requestBytes(method, path, body: body, keepAlive: false))
        let effective = Connection.now() &+ ContinuousClock.now.duration(to: deadline).wholeNanoseconds
        let (status, headers) = try readHead(connection, deadline: effective)
        let chunked = headers["transfer-encoding"]?.lowercased().contains("chunked") == true
        do throws(ClientError) {
            while true {
                if chunked {
                    guard let sizeLine = try connection.readLine(deadline: effective),
                        let size = Int(
                            sizeLine.split(separator: ";").first.map(String.init)?.trimmingWhitespace() ?? "",
                            radix: 16)
                    else { return (status, true) }
                    if size == 0 { return (status, true) }
                    let piece = try connection.read(count: size, deadline: effective)
                    _ = try connection.readLine(deadline: effective)
                    if !onBytes(piece) { return (status, false) }
                } else {
                    guard let line = try connection.readLine(deadline: effective) else { return (status, true) }
                    if !onBytes(Array((line + "\n").utf8)) { return (status, false) }
                }
            }
        } catch {
            if case .timeout = error { return (status, false) }
            throw error
        }
    }

    private func readRemaining(_ connection: Connection, _ headers: ResponseHeaders) throws(ClientError) -> [UInt8] {
        if let length = headers["content-length"].flatMap({ Int($0) }) { return try connection.read(count: length) }
        return []
    }

    /// Runs `body` on a new detached thread: for blocking work (a socket read, a long HTTP response) that
    /// must not occupy Swift's cooperative pool.
    public static func onThread(_ body: @escaping @Sendable () -> Void) {
        final class Box: @unchecked Sendable {
            // @unchecked: written once before the thread starts, read once by it.
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }, box)
        if created == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<Box>.fromOpaque(box).takeRetainedValue().body()
        }
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        let parts = split(separator: target, maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? String(parts[0]) + replacement + String(parts[1]) : self
    }
}

extension Duration {
    /// The duration in whole nanoseconds, zero when negative.
    var wholeNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 && attoseconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
