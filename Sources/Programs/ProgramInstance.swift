import CSuperlearner
import Supervision
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How a program ended.
public enum ProgramStatus: Sendable, Hashable, CustomStringConvertible {
    /// It called exit with the code.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// `exit_status 3` or `signal SEGV`.
    public var description: String {
        switch self {
        case .exited(let code): "exit_status \(code)"
        case .signaled(let number): "signal \(Signal.name(of: number))"
        }
    }
}

/// Why a program could not be started: what and where, one line.
public struct LaunchError: Error, Sendable, CustomStringConvertible {
    /// The message, such as `command not found: redis-server`.
    public var message: String
    /// The message.
    public var description: String { message }
}

/// One run of a program: its process, its pidfd, and how it ended.
///
/// The exit is learnt from the pidfd; the leader is then left a zombie until `finish()`, which first kills
/// what is left of its process group, so a grandchild cannot outlive it and the group id cannot be reused
/// meanwhile.
final class ProgramInstance: Sendable {
    let pid: Int32
    let pidfd: Int32
    let startedAt: Double
    let startedMonotonic: UInt64
    let exited = OneShot()
    let lineMatched = OneShot()
    private struct State {
        var status: ProgramStatus?
        var abandoned = false
    }
    private let state = Mutex(State())

    private init(pid: Int32, pidfd: Int32) {
        self.pid = pid
        self.pidfd = pidfd
        self.startedAt = SystemClock.wallSeconds()
        self.startedMonotonic = SystemClock.monotonicNanoseconds()
    }

    /// How it ended, once finished.
    var status: ProgramStatus? { state.withLock { $0.status } }

    /// Starts `spec` with its output going to `log`; `onExit` runs on the watcher thread when it exits.
    static func launch(
        _ spec: ProgramSpec, marker: String, log: ProgramLog, matching pattern: LinePattern?,
        onExit: @escaping @Sendable () -> Void
    ) throws(LaunchError) -> ProgramInstance {
        var environment = try buildEnvironment(spec, marker: marker)
        environment.removeAll { $0.isEmpty }
        let executable = try resolve(spec.command[0], directory: spec.directory, environment: environment)
        var output: [Int32] = [0, 0]
        var errors: [Int32] = [0, 0]
        guard sl_pipe(&output) == 0 else { throw LaunchError(message: "pipe: \(errnoText())") }
        guard sl_pipe(&errors) == 0 else {
            close(output[0])
            close(output[1])
            throw LaunchError(message: "pipe: \(errnoText())")
        }
        var limits = sl_program_limits(
            open_files: spec.limits.openFiles.map(Int64.init) ?? -1,
            cpu_seconds: spec.limits.cpuSeconds.map(Int64.init) ?? -1, address_space_bytes: -1)
        let hasLimits = spec.limits.openFiles != nil || spec.limits.cpuSeconds != nil
        var stage: Int32 = 0
        var failure: Int32 = 0
        let pid = withCStrings(spec.command) { argv in
            withCStrings(environment) { envp in
                withUnsafePointer(to: &limits) { limitsPointer in
                    sl_program_spawn(
                        executable, argv, envp, spec.directory, output[1], errors[1], hasLimits ? limitsPointer : nil,
                        &stage, &failure)
                }
            }
        }
        close(output[1])
        close(errors[1])
        guard pid > 0 else {
            close(output[0])
            close(errors[0])
            throw LaunchError(message: describe(stage: stage, errno: failure, spec: spec, executable: executable))
        }
        let pidfd = sl_pidfd_open(pid)
        guard pidfd >= 0 else {
            let reason = errnoText()
            kill(-pid, SIGKILL)
            _ = sl_wait(pid)
            close(output[0])
            close(errors[0])
            throw LaunchError(message: "pidfd_open: \(reason) (Linux 5.3 or later is needed)")
        }
        let instance = ProgramInstance(pid: pid, pidfd: pidfd)
        for (descriptor, stream) in [(output[0], OutputStream.stdout), (errors[0], .stderr)] {
            var observer: (@Sendable (String) -> Void)? = nil
            if let pattern {
                observer = { [weak instance] line in
                    guard let instance, !instance.lineMatched.hasFired, pattern.matches(line) else { return }
                    instance.lineMatched.fire()
                }
            }
            let splitter = LineSplitter(stream: stream, log: log, observer: observer)
            ChildWatcher.shared.onOutput(of: descriptor) { splitter.consume($0) }
        }
        ChildWatcher.shared.onExit(of: pidfd) { [instance] in
            instance.exited.fire()
            if instance.state.withLock({ $0.abandoned }) {
                _ = instance.finish()
            } else {
                onExit()
            }
        }
        return instance
    }

    /// Sends `signal` to the program's process group.
    func signal(_ number: Int32) {
        guard status == nil else { return }
        kill(-pid, number)
    }

    /// After the exit: kills what is left of the group, reaps the leader and closes the pidfd. Idempotent.
    @discardableResult
    func finish() -> ProgramStatus? {
        state.withLock { state -> ProgramStatus? in
            if let status = state.status { return status }
            // The leader is a zombie, so its pid (the group's id) cannot have been reused.
            kill(-pid, SIGKILL)
            var code: Int32 = -1
            var number: Int32 = 0
            guard sl_pidfd_reap(pidfd, &code, &number) == 0 else { return nil }
            close(pidfd)
            state.status = number != 0 ? .signaled(number) : .exited(code)
            return state.status
        }
    }

    /// Kills the group at once and leaves the reaping to the watcher: for a runtime process that is being
    /// killed itself and cannot wait.
    func abandon() {
        let alreadyExited = state.withLock { state -> Bool in
            state.abandoned = true
            return state.status != nil
        }
        guard !alreadyExited else { return }
        kill(-pid, SIGKILL)
        if exited.hasFired { finish() }
    }

    /// Resident memory in bytes and CPU seconds used, from /proc (the leader only).
    func usage() -> (rss: Int, cpu: Double)? {
        guard status == nil, let statm = ProgramLog.contents(of: "/proc/\(pid)/statm"),
            let stat = ProgramLog.contents(of: "/proc/\(pid)/stat")
        else { return nil }
        let pages = String(decoding: statm, as: UTF8.self).split(separator: " ").dropFirst().first.flatMap { Int($0) }
        // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
        let text = String(decoding: stat, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cpu = fields.count > 12 ? ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks : 0
        return ((pages ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))), cpu)
    }

    // MARK: Preparing the launch

    static func buildEnvironment(_ spec: ProgramSpec, marker: String) throws(LaunchError) -> [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        func set(_ key: String, _ value: String) {
            if values[key] == nil { order.append(key) }
            values[key] = value
        }
        var entry = sl_environ()
        while let pointer = entry?.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                set(String(text[..<equals]), String(text[text.index(after: equals)...]))
            }
            entry = entry?.successor()
        }
        // The daemon's own settings are not the program's business.
        for key in order where key.hasPrefix("SUPERLEARNER_") { values[key] = nil }
        for file in spec.environmentFiles {
            guard let bytes = ProgramLog.contents(of: file.path) else {
                if file.optional { continue }
                throw LaunchError(message: "env_file \(file.path): \(errnoText())")
            }
            do {
                for (key, value) in try DotEnv.parse(String(decoding: bytes, as: UTF8.self)) { set(key, value) }
            } catch {
                throw LaunchError(message: "env_file \(file.path): \(error)")
            }
        }
        for key in spec.environment.keys.sorted() { set(key, spec.environment[key]!) }
        set(ProgramHost.markerVariable, marker)
        return order.compactMap { key in values[key].map { "\(key)=\($0)" } }
    }

    /// The absolute path of `command`: as given when it has a slash (relative to the working directory),
    /// else the first executable of that name on the program's `PATH`.
    static func resolve(_ command: String, directory: String?, environment: [String]) throws(LaunchError) -> String {
        if command.contains("/") {
            if command.hasPrefix("/") { return command }
            return "\(directory ?? currentDirectory())/\(command)"
        }
        let path =
            environment.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(command)"
            var info = stat()
            if access(candidate, X_OK) == 0, stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                return candidate
            }
        }
        throw LaunchError(message: "command not found: \(command) (searched PATH=\(path))")
    }

    static func describe(stage: Int32, errno code: Int32, spec: ProgramSpec, executable: String) -> String {
        let reason = String(cString: strerror(code))
        switch Int(stage) {
        case Int(SL_STAGE_DIRECTORY): return "cwd \(spec.directory ?? ""): \(reason)"
        case Int(SL_STAGE_LIMITS): return "limits: \(reason)"
        case Int(SL_STAGE_EXEC): return "cannot execute \(executable): \(reason)"
        default: return "cannot start \(spec.command[0]): \(reason)"
        }
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }

/// Runs `body` with `strings` as a NULL-terminated C array.
func withCStrings<Result>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result)
    -> Result
{
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// A `log_line` pattern, compiled once.
final class LinePattern: @unchecked Sendable {
    // @unchecked: the compiled regex is immutable after init; matching does not mutate it.
    let source: String
    private let regex: Regex<AnyRegexOutput>

    init(_ source: String) throws {
        self.source = source
        self.regex = try Regex(source)
    }

    func matches(_ line: String) -> Bool { (try? regex.firstMatch(in: line)) != nil }
}
