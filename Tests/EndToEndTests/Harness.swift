import CSuperlearner
import Foundation
import SuperlearnerClient
import Supervision
import Testing

/// The built `superlearner` binary, next to the test bundle.
let binary: String = {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = executable.deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("superlearner").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return FileManager.default.currentDirectoryPath + "/.build/debug/superlearner"
}()

/// What one run of the binary printed and returned.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// The harness killed the command at `TestHome.commandLimit` (its status is then -2).
    var hung = false
    var json: Term? { try? Term(json: stdout) }
}

/// A private home in a short temp path (`/tmp/sl-XXXXXX`, short enough for a socket path), with its own
/// daemon; `close()` stops the daemon and removes the directory.
final class TestHome: @unchecked Sendable {
    let path: String
    var socket: String { path + "/superlearner.sock" }
    var environment: [String: String]

    init() {
        var template = Array("/tmp/sl-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = created.map { String(cString: $0) } ?? "/tmp/sl-\(UUID().uuidString.prefix(8))"
        var environment = ProcessInfo.processInfo.environment
        environment["SUPERLEARNER_HOME"] = path
        environment.removeValue(forKey: "SUPERLEARNER_SOCKET")
        environment.removeValue(forKey: "SUPERLEARNER_NO_AUTOSTART")
        environment["NO_COLOR"] = nil
        self.environment = environment
    }

    /// Runs the binary with `arguments` on a thread of its own (waiting for a child process must not
    /// block Swift's cooperative pool, which the tests running in parallel share).
    @discardableResult
    func run(
        _ arguments: [String], input: String? = nil, extraEnvironment: [String: String] = [:],
        executable: String = binary
    ) async -> RunResult {
        let result = await offPool {
            self.runBlocking(arguments, input: input, extraEnvironment: extraEnvironment, executable: executable)
        }
        if result.hung {
            Issue.record(
                "'superlearner \(arguments.joined(separator: " "))' hung: killed after \(TestHome.commandLimit)")
        }
        return result
    }

    func runBlocking(
        _ arguments: [String], input: String? = nil, extraEnvironment: [String: String] = [:],
        executable: String = binary
    ) -> RunResult {
        var environment = self.environment
        for (key, value) in extraEnvironment { environment[key] = value }
        // Files, not pipes: a long output can never fill a pipe and stall the child.
        let out = path + "/.out-\(UUID().uuidString)"
        let err = path + "/.err-\(UUID().uuidString)"
        var inputPath: String? = nil
        if let input {
            inputPath = path + "/.in-\(UUID().uuidString)"
            _ = FileManager.default.createFile(atPath: inputPath!, contents: Data(input.utf8))
        }
        defer {
            for file in [out, err] + (inputPath.map { [$0] } ?? []) {
                try? FileManager.default.removeItem(atPath: file)
            }
        }
        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable, arguments, environment: environment, input: inputPath, output: out, error: err)
        } catch {
            return RunResult(status: -1, stdout: "", stderr: error.description)
        }
        let status = child.exitStatus(within: TestHome.commandLimit)
        let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        var stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        if status == nil {
            stderr +=
                "\nthe test harness killed 'superlearner \(arguments.joined(separator: " "))': it had not exited "
                + "within \(TestHome.commandLimit)"
        }
        return RunResult(status: status ?? -2, stdout: stdout, stderr: stderr, hung: status == nil)
    }

    /// The longest one command may run. A hang then fails the test that met it, naming the command, instead of
    /// stalling the whole run until CI's limit (`server run` once hung in its shutdown). Generous: the
    /// longest legitimate command, a 10,000-kill crash-storm beside the full suite, takes under a minute.
    static let commandLimit: Duration = .seconds(600)

    var client: SuperlearnerClient { SuperlearnerClient(endpoint: .unix(socket), timeout: .seconds(30)) }

    /// The daemon's pid from its pid file.
    var daemonPID: Int32? {
        (try? String(contentsOfFile: path + "/daemon.pid", encoding: .utf8)).flatMap {
            Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    func start() async {
        let result = await run(["server", "start"])
        #expect(result.status == 0, "server start failed: \(result.stderr)")
    }

    /// Kills the test's daemon, and any program it supervised, and removes the home (the graceful stop has
    /// tests of its own).
    func close() {
        if let pid = daemonPID, kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        for pid in markedPrograms() { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Processes that carry this home's mark in their environment: the programs its daemon started.
    func markedPrograms() -> [Int32] {
        let needle = "SUPERLEARNER_SUPERVISOR=\(path)"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let environment = procFile("/proc/\(pid)/environ") else { return false }
            return environment.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == needle }
        }
    }

    /// Starts the daemon with TCP on a free loopback port: the port and the token it created.
    func startWithTCP(environment: [String: String] = [:]) async throws -> (port: Int, token: String) {
        let started = await run(["server", "start", "--port", "0", "--json"], extraEnvironment: environment)
        #expect(started.status == 0, "\(started.stderr)")
        let port = try #require(started.json?["port"]?.intValue)
        let token = try String(contentsOfFile: path + "/token", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        return (port, token)
    }

    /// `request` as JSON.
    func api(_ method: String, _ path: String, body: String? = nil) async throws -> (Int, Term) {
        let response = try await client.send(method, path, body: body)
        return (response.status, (try? Term(jsonBytes: response.body)) ?? .string(response.text))
    }
}

/// Runs blocking work on a new thread and awaits its result.
func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}

/// The bytes of a /proc file, or `nil` when it cannot be read (the process may exit while we look:
/// Foundation's `FileHandle.readDataToEndOfFile` traps on that error, so plain read(2) it is).
func procFile(_ path: String) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 { return nil }
        if count == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<count])
    }
}
