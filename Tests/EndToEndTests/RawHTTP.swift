import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP (or Unix socket) connection to the daemon for requests the client would never send (foreign Origin, wrong
/// Host, text/plain bodies, half heads), as an attacker or a browser would.
final class RawConnection: Sendable {
    let descriptor: Int32

    /// Connects to 127.0.0.1:`port`; `nil` if nothing listens. A small `receiveBuffer` (set before
    /// connecting, so the advertised window is small too) makes a reader that never reads stall the sender.
    init?(port: Int, receiveBuffer: Int32? = nil) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // No close here: a class whose failable init returns nil after setting every property is still
        // deinitialised, and a second close of the number would close whatever another thread opened under
        // it meanwhile (a WebDriver socket, once, which crashed the run).
        guard result == 0 else { return nil }
    }

    /// Connects to the Unix socket at `path`; `nil` if nothing listens there.
    init?(unixSocket path: String) {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let fits = withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            guard bytes.count < raw.count else { return false }
            raw.copyBytes(from: bytes)
            return true
        }
        let result =
            fits
            ? withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            } : -1
        // No close here either (see above).
        guard result == 0 else { return nil }
    }

    deinit { close(descriptor) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// The first bytes the peer sends (waiting at most `timeout`).
    func readFirst(timeout: Duration) -> String {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(
            timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) > 0 else { return "" }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(descriptor, &buffer, buffer.count)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    }

    /// Everything until the peer closes, or `timeout` passes (only the last `keepLast` bytes, when given, so
    /// draining megabytes does not grow this process); and whether the peer closed.
    func readToClose(timeout: Duration, keepLast: Int? = nil) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let left = deadline - ContinuousClock.now
            let milliseconds = Int32(
                max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&poller, 1, milliseconds) > 0 else { continue }
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[0..<count]
            if let keepLast, received.count > keepLast { received.removeFirst(received.count - keepLast) }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }
}

/// One request on a fresh connection (`Connection: close`), its status and the whole response text.
func rawRequest(port: Int, _ head: String, body: String = "") async -> (status: Int, text: String) {
    await offPool {
        guard let connection = RawConnection(port: port) else { return (-1, "connect failed") }
        var request = head.replacingOccurrences(of: "\n", with: "\r\n")
        if !request.hasSuffix("\r\n") { request += "\r\n" }
        request += "Connection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        connection.send(request)
        let (text, _) = connection.readToClose(timeout: .seconds(10))
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? -1
        return (status, text)
    }
}
