import CSuperlearner

#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// chromedriver, started in a session of its own so that it and every browser process under it can be
/// found and ended together, with a fresh folder for the browser's profile and the driver's log.
///
/// chromedriver binds a port of its own choosing (`--port=0`) and announces it on its standard output:
/// choosing a free port for it beforehand would leave a moment in which another process could take it.
final class DriverProcess: Sendable {
    let pid: pid_t
    /// The temporary folder: `profile/` for chromium, `chromedriver.log`.
    let folder: String

    private init(pid: pid_t, folder: String) {
        self.pid = pid
        self.folder = folder
    }

    static func start(_ chromedriver: String) throws(PlaywriterError) -> DriverProcess {
        var template = Array("/tmp/playwriter-XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw PlaywriterError(
                .driverFailed, "cannot create a temporary folder: \(String(cString: strerror(errno)))")
        }
        let folder = String(cString: created)
        let arguments = [chromedriver, "--port=0", "--allowed-ips=127.0.0.1", "--log-level=WARNING"]
        var argv = arguments.map { strdup($0) } + [nil]
        var environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in environment { free(pointer) }
        }
        let pid = sl_spawn(chromedriver, &argv, &environment, folder, nil, folder + "/chromedriver.log", nil, 1)
        guard pid > 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: folder)
            throw PlaywriterError(.driverFailed, "cannot start \(chromedriver): \(reason)")
        }
        return DriverProcess(pid: pid, folder: folder)
    }

    /// The port chromedriver announced ("ChromeDriver was started successfully on port N."), or nil while
    /// it has not yet.
    var announcedPort: Int? {
        guard let log = try? String(contentsOfFile: folder + "/chromedriver.log", encoding: .utf8) else { return nil }
        return DriverProcess.announcedPort(in: log)
    }

    /// The port in chromedriver's announcement within `log`, or nil.
    static func announcedPort(in log: String) -> Int? {
        let marker = "started successfully on port "
        guard let range = log.firstRange(of: marker) else { return nil }
        let digits = log[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        guard let port = Int(digits), (1...65_535).contains(port) else { return nil }
        return port
    }

    /// Whether chromedriver has exited (and reaps it if so).
    var hasExited: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid || kill(pid, 0) != 0
    }

    /// The end of chromedriver's log, for error messages.
    var logTail: String {
        let text = (try? String(contentsOfFile: folder + "/chromedriver.log", encoding: .utf8)) ?? ""
        return String(text.suffix(400).drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// Kills every process of the driver's session (the driver, chromium and its helpers), reaps the driver
    /// and removes the folder.
    func terminate() async {
        for member in DriverProcess.sessionMembers(pid) { kill(member, SIGKILL) }
        kill(-pid, SIGKILL)
        for _ in 0..<200 {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno == ECHILD) { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        // Helpers that were starting while we looked: one more pass, then the profile goes.
        for _ in 0..<100 {
            let left = DriverProcess.sessionMembers(pid)
            if left.isEmpty { break }
            for member in left { kill(member, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(10))
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Live processes whose session id is `session` (field 6 of /proc/PID/stat).
    static func sessionMembers(_ session: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(pid_t.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // state, ppid, pgrp, session: a zombie (Z) is already dead.
            return fields.count > 3 && fields[0] != "Z" && pid_t(fields[3]) == session
        }
    }
}
