import CSuperlearner
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

extension ProgramSpec.Probe {
    /// One attempt of the check, taking at most `timeout`: `true` when it passed. `log_line` is answered by
    /// the program's own output, not here, and counts as passed.
    func check(timeout: Duration, like spec: ProgramSpec, marker: String) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        switch self {
        case .tcp(let host, let port):
            guard let socket = await Self.connect(host: host, port: port, deadline: deadline) else { return false }
            close(socket)
            return true
        case .http(let url, let status):
            guard let target = Self.parse(url: url),
                let socket = await Self.connect(host: target.host, port: target.port, deadline: deadline)
            else { return false }
            defer { close(socket) }
            return await Self.get(target, on: socket, deadline: deadline) == status
        case .exec(let command):
            return await Self.run(command, like: spec, marker: marker, deadline: deadline)
        case .logLine:
            return true
        }
    }

    /// `http://HOST[:PORT][/PATH]` split up; `nil` for anything else.
    static func parse(url: String) -> (host: String, port: Int, path: String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(7)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard let host = parts.first, !host.isEmpty, parts.count <= 2 else { return nil }
        let port = parts.count == 2 ? Int(parts[1]) : 80
        guard let port, (1...65535).contains(port), address(host: String(host)) != nil else { return nil }
        return (String(host), port, path.isEmpty ? "/" : String(path))
    }

    /// An IPv4 address for `host` (a dotted quad or `localhost`): probes do no DNS, which could block.
    static func address(host: String) -> in_addr? {
        var address = in_addr()
        let text = host == "localhost" ? "127.0.0.1" : host
        return inet_pton(AF_INET, text, &address) == 1 ? address : nil
    }

    /// A connected non-blocking socket, or `nil` when refused or not connected by the deadline.
    static func connect(host: String, port: Int, deadline: ContinuousClock.Instant) async -> Int32? {
        guard let ip = address(host: host) else { return nil }
        let socket = Glibc.socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = ip
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return socket }
        guard errno == EINPROGRESS else {
            close(socket)
            return nil
        }
        while ContinuousClock.now < deadline {
            var poll = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            if Glibc.poll(&poll, 1, 0) > 0 {
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length)
                if error == 0 { return socket }
                break
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        close(socket)
        return nil
    }

    /// Sends `GET path` and reads the status code of the answer, or `nil`.
    static func get(
        _ target: (host: String, port: Int, path: String), on socket: Int32, deadline: ContinuousClock.Instant
    )
        async -> Int?
    {
        let request = Array(
            "GET \(target.path) HTTP/1.1\r\nHost: \(target.host):\(target.port)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            if sent < request.count {
                let count = request[sent...].withUnsafeBytes {
                    send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                if count > 0 { sent += count }
            } else {
                let count = buffer.withUnsafeMutableBytes {
                    recv(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
                }
                if count > 0 {
                    received.append(contentsOf: buffer[0..<count])
                    if let newline = received.firstIndex(of: 0x0A) {
                        // `HTTP/1.1 200 OK`
                        let line = String(decoding: received[..<newline], as: UTF8.self)
                        let fields = line.split(separator: " ")
                        return fields.count >= 2 && fields[0].hasPrefix("HTTP/") ? Int(fields[1]) : nil
                    }
                    continue
                }
                if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) { return nil }
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return nil
    }

    /// Runs `command` with the program's environment and directory; `true` when it exits 0 by the deadline.
    static func run(_ command: [String], like spec: ProgramSpec, marker: String, deadline: ContinuousClock.Instant)
        async -> Bool
    {
        var check = spec
        check.command = command
        check.limits = ProgramSpec.Limits()
        let instance: ProgramInstance
        do {
            let prepared = check
            instance = try await ProgramRunner.launcher.run {
                try ProgramInstance.launch(prepared, marker: marker, log: .discard, matching: nil) {}
            }
        } catch {
            return false
        }
        let finished = await instance.exited.wait(timeout: deadline - ContinuousClock.now)
        if !finished { instance.signal(SIGKILL) }
        if !finished { _ = await instance.exited.wait(timeout: .seconds(1)) }
        return instance.finish() == .exited(0) && finished
    }
}

extension ProgramSpec.Probe {
    /// Whether a probe may connect to `host`: an IPv4 address or `localhost` (probes do no DNS lookups).
    public static func tcpHostIsValid(_ host: String) -> Bool { address(host: host) != nil }

    /// Whether `url` is a URL an http probe can use: `http://HOST[:PORT][/PATH]`, HOST as for tcp.
    public static func httpURLIsValid(_ url: String) -> Bool { parse(url: url) != nil }

    /// Why `pattern` is not a regular expression a `log_line` probe can use, or `nil` when it is.
    public static func patternProblem(_ pattern: String) -> String? {
        do {
            _ = try LinePattern(pattern)
            return nil
        } catch {
            return String(describing: error)
        }
    }
}
