import CSuperlearner
import SuperlearnerAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts the daemon in the background: `superlearner server run …` re-executed detached in a new
/// session, standard input from /dev/null, output to `daemon.log`, no inherited descriptors, default
/// signal dispositions. `fork()` is not safe once threads exist, so this is posix_spawn (through a few
/// lines of C, since glibc's spawn flags are not visible from Swift).
public enum DaemonLauncher {
    /// This executable's path.
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 { return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CommandLine.arguments[0]
    }

    /// Spawns the daemon and waits until it is ready: `GET /api/v1/daemon/ready` answers 200 once every
    /// listener (the socket, and TCP when asked for) accepts connections.
    /// - Parameters:
    ///   - arguments: the arguments after the executable (`server run --socket …`).
    ///   - paths: where the log and socket are.
    ///   - timeout: how long to wait for readiness.
    /// - Returns: the daemon's pid.
    /// - Throws: `ClientError` with the end of the daemon's log if it exited or never answered.
    public static func start(
        executable: String = currentExecutable(), arguments: [String], paths: SuperlearnerPaths,
        timeout: Duration = .seconds(15)
    ) throws(ClientError) -> Int32 {
        try paths.createHome()
        let argv = [executable] + arguments
        var cArguments = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { for pointer in cArguments { free(pointer) } }
        let logStart = fileSize(paths.logFile)
        let pid = sl_spawn_detached(executable, &cArguments, sl_environ(), paths.logFile)
        guard pid > 0 else { throw .io("could not start the daemon: \(String(cString: strerror(errno)))") }
        let client = SuperlearnerClient(endpoint: .unix(paths.socket), timeout: .seconds(2))
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            // Ready means every listener is up (the TCP one too), not just that the socket answers.
            if let answer = try? client.request(APIRoutes.daemonReady), answer.status == 200 { return pid }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                throw .io("the daemon exited during start: \(logTail(paths.logFile, from: logStart))")
            }
            usleep(5_000)
        }
        throw .timeout("the daemon was not ready on \(paths.socket) within \(timeout); see \(paths.logFile)")
    }

    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Why the daemon stopped, from what it logged since `offset`: its own last error line (`superlearner: …`,
    /// which may come before the servers' shutdown chatter), else the last non-empty line.
    static func logTail(_ path: String, from offset: Int) -> String {
        guard let file = fopen(path, "r") else { return "(no log)" }
        defer { fclose(file) }
        fseek(file, offset, SEEK_SET)
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, 4096, file) != nil {
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingWhitespace()
            if !line.isEmpty { lines.append(line) }
        }
        return lines.last { $0.hasPrefix("superlearner: ") } ?? lines.last ?? "(nothing logged)"
    }
}
