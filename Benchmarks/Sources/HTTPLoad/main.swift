// HTTPLoad: N keep-alive connections, each on its own thread, sending GET PATH back to back until the
// total is reached; prints requests/s and the latency percentiles.
//   HTTPLoad (--unix PATH | --tcp HOST:PORT) [--connections 16] [--requests 100000] [--path /api/v1/sandboxes]
//            [--create]
// With --create each request is a durable `POST /api/v1/sandboxes` of a new DemoSupervisor sandbox; the
// run then destroys them all the same way (`DELETE`) and prints that line too.
import BenchmarkSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

nonisolated func option(_ name: String) -> String? {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let usage = "usage: HTTPLoad (--unix PATH | --tcp HOST:PORT) [--connections N] [--requests N] [--path P] [--create]"
let unixPath = option("--unix")
let tcp = option("--tcp")
if CommandLine.arguments.contains("--help") || (unixPath == nil) == (tcp == nil) {
    print(usage)
    exit(CommandLine.arguments.contains("--help") ? 0 : 2)
}
let connections = Int(option("--connections") ?? "16") ?? 16
let total = Int(option("--requests") ?? "100000") ?? 100000
let path = option("--path") ?? "/api/v1/sandboxes"

/// One line on standard error and exit 1: a benchmark that cannot connect says so instead of trapping.
func fail(_ message: String) -> Never { BenchmarkSupport.fail("HTTPLoad: \(message)") }

func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

func connectSocket() -> Int32 {
    if let unixPath {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(unixPath.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { fail("cannot connect to \(unixPath): \(String(cString: strerror(errno)))") }
        return descriptor
    }
    let parts = (tcp ?? "").split(separator: ":")
    guard parts.count == 2, let port = UInt16(parts[1]) else { fail("--tcp expects HOST:PORT, got \(tcp ?? "")") }
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(port.bigEndian)
    inet_pton(AF_INET, String(parts[0]), &address.sin_addr)
    var one: Int32 = 1
    setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard result == 0 else { fail("cannot connect to \(tcp ?? ""): \(String(cString: strerror(errno)))") }
    return descriptor
}

let creating = CommandLine.arguments.contains("--create")
let request = Array("GET \(path) HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)
/// The request numbered `index` in the current phase.
nonisolated func request(_ index: Int, phase: Phase) -> [UInt8] {
    switch phase {
    case .get: return request
    case .create:
        let body = "{\"sandbox_id\":\"load\(index)\",\"supervisor_module\":\"DemoSupervisor\"}"
        return Array(
            "POST /api/v1/sandboxes HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                .utf8)
    case .destroy:
        return Array("DELETE /api/v1/sandboxes/load\(index) HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)
    }
}
enum Phase { case get, create, destroy }
let next = Atomic<Int>(0)
let latencies = Mutex<[UInt64]>([])
let failures = Atomic<Int>(0)

/// Reads one response (headers + Content-Length body) from `descriptor`, keeping leftovers in `buffer`.
func readResponse(_ descriptor: Int32, _ buffer: inout [UInt8]) -> Bool {
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        if let end = findHeaderEnd(buffer) {
            let head = String(decoding: buffer[0..<end], as: UTF8.self).lowercased()
            var length = 0
            for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                length = Int(line.dropFirst("content-length:".count).drop { $0 == " " }.prefix { $0.isNumber }) ?? 0
            }
            let needed = end + 4 + length
            while buffer.count < needed {
                let count = recv(descriptor, &chunk, chunk.count, 0)
                if count <= 0 { return false }
                buffer.append(contentsOf: chunk[0..<count])
            }
            let ok = head.hasPrefix("http/1.1 2")
            buffer.removeFirst(needed)
            return ok
        }
        let count = recv(descriptor, &chunk, chunk.count, 0)
        if count <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<count])
    }
}

func findHeaderEnd(_ buffer: [UInt8]) -> Int? {
    guard buffer.count >= 4 else { return nil }
    for index in 0...(buffer.count - 4)
    where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
        return index
    }
    return nil
}

final class Worker: @unchecked Sendable {
    let phase: Phase
    init(_ phase: Phase) { self.phase = phase }
    func run() {
        let descriptor = connectSocket()
        var buffer: [UInt8] = []
        var mine: [UInt64] = []
        while true {
            let index = next.add(1, ordering: .relaxed).oldValue
            if index >= total { break }
            let bytes = request(index, phase: phase)
            let start = now()
            _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if !readResponse(descriptor, &buffer) { failures.add(1, ordering: .relaxed) }
            mine.append(now() - start)
        }
        close(descriptor)
        latencies.withLock { $0.append(contentsOf: mine) }
    }
}

/// Starts the workers off the main actor (top-level code is main-actor isolated; worker threads are not).
nonisolated func startWorkers(_ count: Int, phase: Phase) -> [pthread_t] {
    var threads: [pthread_t] = []
    for _ in 0..<count {
        var thread = pthread_t()
        let worker = Unmanaged.passRetained(Worker(phase)).toOpaque()
        pthread_create(
            &thread, nil,
            { raw in
                let worker = Unmanaged<Worker>.fromOpaque(raw!).takeRetainedValue()
                worker.run()
                return nil
            }, worker)
        threads.append(thread)
    }
    return threads
}

/// Runs one phase over every connection and prints its two lines, prefixed with `label` when given.
nonisolated func measure(_ phase: Phase, label: String) {
    next.store(0, ordering: .relaxed)
    failures.store(0, ordering: .relaxed)
    latencies.withLock { $0 = [] }
    let started = now()
    let threads = startWorkers(connections, phase: phase)
    for thread in threads { pthread_join(thread, nil) }
    let elapsed = Double(now() - started) / 1e9
    let sorted = latencies.withLock { $0 }.sorted()
    func percentile(_ p: Double) -> Double {
        Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
    }
    print("\(label)requests \(sorted.count) failures \(failures.load(ordering: .relaxed)) seconds \(elapsed)")
    print(
        "\(label)requests_per_second \(Int(Double(sorted.count) / elapsed)) p50_ms \(percentile(0.5)) p99_ms \(percentile(0.99))"
    )
}

if creating {
    measure(.create, label: "create ")
    measure(.destroy, label: "destroy ")
} else {
    measure(.get, label: "")
}
