// CannedAnswer: serves one recorded HTTP answer on a Unix socket, at once, to every connection, until killed.
// With the daemon's own answer recorded (`curl -i`), a command run against it does all of its own work and none
// of the daemon's: the difference from the same command against the daemon is the daemon's share of its time.
//
//   CannedAnswer /tmp/x/superlearner.sock answer.http
import BenchmarkSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The whole of the file at `path`, or exits naming it.
func contents(of path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fail("cannot read \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if count == 0 { break }
        bytes += chunk[0..<count]
    }
    return bytes
}

/// Reads from `connection` until a request head has ended (a blank line) or the peer stops sending.
func readRequestHead(_ connection: Int32) {
    var buffer = [UInt8](repeating: 0, count: 16384)
    var head: [UInt8] = []
    while true {
        let count = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
        if count <= 0 { return }
        head += buffer[0..<count]
        if head.count >= 4 && head.suffix(4).elementsEqual([13, 10, 13, 10]) { return }
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else { fail("usage: CannedAnswer SOCKET ANSWER-FILE", code: 2) }
let answer = contents(of: arguments[2])
guard answer.starts(with: Array("HTTP/1.1 ".utf8)) else {
    fail("\(arguments[2]) is not an HTTP/1.1 answer (record it with curl -i)", code: 2)
}
let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
var address = sockaddr_un()
address.sun_family = sa_family_t(AF_UNIX)
let path = Array(arguments[1].utf8)
guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { fail("socket path too long: \(arguments[1])") }
withUnsafeMutableBytes(of: &address.sun_path) { raw in
    for (index, byte) in path.enumerated() { raw[index] = byte }
}
unlink(arguments[1])
let bound = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
    }
}
guard bound == 0, listen(listener, 128) == 0 else { fail("cannot listen on \(arguments[1])") }
while true {
    let connection = accept(listener, nil, nil)
    if connection < 0 { continue }
    readRequestHead(connection)
    _ = answer.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
    close(connection)
}
