import CSuperlearner

#if canImport(Glibc)
    import Glibc
#endif

/// A child process the end-to-end tests start (the binary, shells, tmux): spawned with posix_spawn and
/// reaped with waitpid. Not Foundation's `Process`, whose `waitUntilExit` can miss a child's exit on Linux
/// and wait for ever (seen here: a zombie `sh` nobody reaped, and a suite that never ended).
struct ChildProcess: Sendable {
    let pid: pid_t

    /// Why a child could not be started.
    struct SpawnError: Error, CustomStringConvertible {
        let executable: String
        let errorNumber: Int32
        var description: String { "cannot start \(executable): \(String(cString: strerror(errorNumber)))" }
    }

    /// Starts `executable` (a path) with `arguments` and exactly `environment`, in `directory`, reading
    /// `input` (a file; /dev/null when nil), appending standard output to `output` and standard error to
    /// `error` (with the output when nil); in a session of its own when `newSession`.
    init(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil,
        input: String? = nil, output: String, error: String? = nil, newSession: Bool = false
    ) throws(SpawnError) {
        var argv = ([executable] + arguments).map { strdup($0) }
        argv.append(nil)
        var envp = environment.map { strdup("\($0.key)=\($0.value)") }
        envp.append(nil)
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        let pid = sl_spawn(executable, &argv, &envp, directory, input, output, error, newSession ? 1 : 0)
        guard pid > 0 else { throw SpawnError(executable: executable, errorNumber: errno) }
        self.pid = pid
    }

    /// Blocks until the child ends or `limit` passes: its exit status (128 + the killing signal), or nil
    /// after killing and reaping a child that was still running at the limit.
    func exitStatus(within limit: Duration) -> Int32? {
        let deadline = ContinuousClock.now + limit
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { return -1 }
            if ContinuousClock.now >= deadline {
                kill(pid, SIGKILL)
                _ = sl_wait(pid)
                return nil
            }
            usleep(2000)
        }
        // The low seven bits are the signal that ended it (0 for an exit), the next eight the exit code.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Waits for the child to end, on a thread of its own: its exit status, or 128 + the killing signal.
    func exitStatus() async -> Int32 {
        let pid = self.pid
        return await offPool { sl_wait(pid) }
    }
}
