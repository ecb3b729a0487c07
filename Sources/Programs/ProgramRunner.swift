import Supervision
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension ChildStart {
    /// Starts an operating-system program as the child: a runtime process owns it (as an Erlang port's
    /// owner does) and exits when it exits, so the supervisor's one state machine decides what happens next.
    ///
    /// The start is synchronous: it returns once exec succeeded and, with `ready`, once the probe passed; a
    /// failed exec or probe is a failed start. With a `backoff`, a restart returns at once and the program is
    /// started after the delay; the restart still counts toward the supervisor's intensity.
    /// - Parameters:
    ///   - spec: the program.
    ///   - host: where its log goes and the mark its environment carries.
    ///   - shutdown: how it is stopped (give the child spec's own policy): `stop_signal` to its process
    ///     group, then SIGKILL to the group after the timeout.
    public static func program(_ spec: ProgramSpec, host: ProgramHost, shutdown: ShutdownPolicy = .timeout(.seconds(5)))
        -> ChildStart
    {
        let record = ProgramRecord()
        return ChildStart { context in
            let path =
                context.path
                ?? "programs/\(spec.command.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? "program")"
            return try await context.spawnAcknowledged(trapExit: true, kind: .program) {
                process, ack in
                let runner = ProgramRunner(
                    spec: spec, host: host, shutdown: shutdown, record: record, process: process, path: path)
                try await runner.run(ack: ack)
            }
        }
    }
}

/// What one child's successive runs share: the run in progress, the backoff attempt, the last exit.
final class ProgramRecord: Sendable {
    struct State {
        var current: ProgramInstance?
        var runs = 0
        var attempt = 0
        var lastExit: String?
        var lastExitAt: Double?
        var restartAt: UInt64?
        var phase = "starting"
    }
    let state = Mutex(State())
}

/// The body of the process that owns one run of a program.
final class ProgramRunner: Sendable {
    let spec: ProgramSpec
    let host: ProgramHost
    let shutdown: ShutdownPolicy
    let record: ProgramRecord
    let process: ProcessContext
    let path: String
    /// Tells this run's own exit and health messages from anything else sent to the process.
    let nonce = Int.random(in: 1...Int.max)

    init(
        spec: ProgramSpec, host: ProgramHost, shutdown: ShutdownPolicy, record: ProgramRecord, process: ProcessContext,
        path: String
    ) {
        self.spec = spec
        self.host = host
        self.shutdown = shutdown
        self.record = record
        self.process = process
        self.path = path
    }

    var runtime: Runtime { process.runtime }

    func run(ack: ReplyChannel) async throws {
        // The previous run must be gone before the next one starts (a port it held, a file it locked).
        if let previous = record.state.withLock({ $0.current }) {
            previous.abandon()
            _ = await previous.exited.wait(timeout: .seconds(5))
            previous.finish()
        }
        let delay = nextDelay()
        let log = host.log(for: path)
        log.use(spec.logs)
        if delay > .zero {
            // A restart under backoff: the supervisor goes on at once, and the program starts after the delay.
            ack.reply(.null)
            record.state.withLock {
                $0.phase = "backoff"
                $0.restartAt = SystemClock.monotonicNanoseconds() + delay.nanoseconds
            }
            runtime.emit(
                .backoff(
                    pid: process.pid, seconds: Double(delay.nanoseconds) / 1e9,
                    attempt: record.state.withLock { $0.attempt }, path: path))
            try await idle(until: ContinuousClock.now + delay)
            let instance = try await launch(log: log)
            try await awaitReady(instance)
            try await supervise(instance)
        } else {
            let instance = try await launch(log: log)
            try await awaitReady(instance)
            ack.reply(.null)
            try await supervise(instance)
        }
    }

    /// The backoff delay before this run, with jitter; zero for a first start or without a policy.
    func nextDelay() -> Duration {
        record.state.withLock { state -> Duration in
            state.runs += 1
            guard state.runs > 1, let backoff = spec.backoff else { return .zero }
            if let started = state.current?.startedMonotonic,
                SystemClock.monotonicNanoseconds() - started >= backoff.resetAfter.nanoseconds
            {
                state.attempt = 1
            } else {
                state.attempt += 1
            }
            let base = backoff.delay(attempt: state.attempt)
            let spread = backoff.jitter > 0 ? Double.random(in: -backoff.jitter...backoff.jitter) : 0
            return .nanoseconds(Int64(max(0, Double(base.nanoseconds) * (1 + spread))))
        }
    }

    /// Waits without a program running — out a backoff delay, or for good after a `no_restart` exit when
    /// `deadline` is `nil` — answering requests; an exit signal or a stop ends the process.
    func idle(until deadline: ContinuousClock.Instant?) async throws {
        while deadline.map({ ContinuousClock.now < $0 }) ?? true {
            let message: Message
            if let deadline {
                guard let next = try await process.receive(timeout: deadline - ContinuousClock.now) else { return }
                message = next
            } else {
                message = try await process.receive()
            }
            if let reason = endingReason(message) { throw ProcessExit(reason) }
            answer(message, instance: nil)
        }
    }

    /// The reason an exit signal or a stop request ends this process with, or `nil` for any other message
    /// (a `normal` exit of a linked process other than the parent is ignored, as a trapping gen_server does).
    func endingReason(_ message: Message) -> ExitReason? {
        switch message {
        case .exit(let from, let reason): reason == .normal && from != process.parent ? nil : reason
        case .system(.stop(let reason), _): reason
        default: nil
        }
    }

    /// Forks and execs (and reads env files) on a thread of its own: blocking calls stay off the pool.
    static let launcher = BlockingThread(name: "sl-launch")

    func launch(log: ProgramLog) async throws -> ProgramInstance {
        let pattern: LinePattern?
        if case .logLine(let source) = spec.ready?.probe {
            pattern = try? LinePattern(source)
        } else {
            pattern = nil
        }
        let nonce = self.nonce
        let owner = process.pid
        do {
            let (spec, marker, runtime) = (self.spec, host.marker, self.runtime)
            let instance = try await ProgramRunner.launcher.run {
                try ProgramInstance.launch(spec, marker: marker, log: log, matching: pattern) {
                    runtime.send(.object([ProgramRunner.exitKey: .int(nonce)]), to: owner)
                }
            }
            host.countStart(succeeded: true)
            record.state.withLock {
                $0.current = instance
                $0.phase = spec.ready == nil ? "running" : "starting"
                $0.restartAt = nil
            }
            return instance
        } catch {
            let message = (error as? LaunchError)?.message ?? "\(error)"
            host.countStart(succeeded: false)
            record.state.withLock {
                $0.lastExit = "failed to start: \(message)"
                $0.lastExitAt = SystemClock.wallSeconds()
            }
            throw ProcessExit(.error(message))
        }
    }

    static let exitKey = "$program_exited"
    static let healthKey = "$program_unhealthy"

    /// Waits for the `ready` probe; a probe that does not pass in time, or a program that exits first, is a
    /// failed start (the program is stopped).
    func awaitReady(_ instance: ProgramInstance) async throws {
        guard let ready = spec.ready else { return }
        let deadline = ContinuousClock.now + ready.timeout
        var passed = false
        if case .logLine = ready.probe {
            let either = OneShot()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await instance.lineMatched.wait()
                    either.fire()
                }
                group.addTask {
                    await instance.exited.wait()
                    either.fire()
                }
                _ = await either.wait(timeout: ready.timeout)
                group.cancelAll()
            }
            passed = instance.lineMatched.hasFired
        } else {
            while ContinuousClock.now < deadline && !instance.exited.hasFired {
                try checkCancellation(instance)
                let remaining = deadline - ContinuousClock.now
                if await ready.probe.check(timeout: min(remaining, .seconds(1)), like: spec, marker: host.marker) {
                    passed = true
                    break
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        try checkCancellation(instance)
        if passed && !instance.exited.hasFired {
            record.state.withLock { $0.phase = "running" }
            return
        }
        let why: String
        if instance.exited.hasFired {
            let status = instance.finish()
            why = "exited before it was ready (\(status.map(\.description) ?? "unknown"))"
            ended(status)
        } else {
            await stop(instance, policy: .brutalKill)
            why = "not ready after \(ready.timeout.seconds) s: \(ready.probe.summary)"
        }
        throw ProcessExit(.error(why))
    }

    func checkCancellation(_ instance: ProgramInstance) throws {
        if Task.isCancelled {
            instance.abandon()
            throw ProcessExit(.killed)
        }
    }

    /// Runs until the program exits or the process is told to stop.
    func supervise(_ instance: ProgramInstance) async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if spec.liveness != nil || spec.limits.memoryBytes != nil {
                    group.addTask { await self.watchHealth(instance) }
                }
                do {
                    try await loop(instance)
                } catch {
                    group.cancelAll()
                    throw error
                }
            }
        } catch {
            // Killed (the task is cancelled): take the program down with us, without waiting.
            if instance.status == nil { instance.abandon() }
            throw error
        }
    }

    func loop(_ instance: ProgramInstance) async throws {
        while true {
            let message = try await process.receive()
            switch message {
            case .term(let term) where term[ProgramRunner.exitKey]?.intValue == nonce:
                let status = instance.finish()
                ended(status)
                guard let status else { throw ProcessExit(.error("lost track of the program")) }
                if case .exited(let code) = status, spec.exitCodes.noRestart.contains(code) {
                    record.state.withLock { $0.phase = "stopped (\(status), no_restart)" }
                    // The child stays in its tree, stopped, until it is told to go.
                    try await idle(until: nil)
                }
                throw ProcessExit(reason(for: status))
            case .term(let term) where term[ProgramRunner.healthKey]?.intValue == nonce:
                let why = term["reason"]?.stringValue ?? "unhealthy"
                await stop(instance, policy: shutdown)
                throw ProcessExit(.error(why))
            default:
                if let reason = endingReason(message) {
                    await stop(instance, policy: shutdown)
                    throw ProcessExit(reason)
                }
                answer(message, instance: instance)
            }
        }
    }

    /// Liveness probes and the memory limit, while the program runs; a failure is sent to the owner.
    func watchHealth(_ instance: ProgramInstance) async {
        let every = spec.liveness?.every ?? .seconds(1)
        let tick = spec.limits.memoryBytes != nil ? min(every, .seconds(1)) : every
        var failures = 0
        var sinceProbe = Duration.zero
        while !Task.isCancelled && !instance.exited.hasFired {
            try? await Task.sleep(for: tick)
            if Task.isCancelled { return }
            if let limit = spec.limits.memoryBytes, let usage = instance.usage(), usage.rss > limit {
                runtime.send(
                    .object([
                        ProgramRunner.healthKey: .int(nonce),
                        "reason": .string("memory_limit: rss \(usage.rss) bytes > \(limit)"),
                    ]),
                    to: process.pid)
                return
            }
            sinceProbe += tick
            guard let liveness = spec.liveness, sinceProbe >= liveness.every else { continue }
            sinceProbe = .zero
            if await liveness.probe.check(timeout: liveness.timeout, like: spec, marker: host.marker) {
                failures = 0
            } else {
                failures += 1
                if failures >= liveness.failures {
                    runtime.send(
                        .object([
                            ProgramRunner.healthKey: .int(nonce),
                            "reason": .string("unhealthy: \(failures) failed checks of \(liveness.probe.summary)"),
                        ]), to: process.pid)
                    return
                }
            }
        }
    }

    /// Stops the program: `stop_signal` to its group, then SIGKILL after the policy's timeout, then reaps.
    func stop(_ instance: ProgramInstance, policy: ShutdownPolicy) async {
        if !instance.exited.hasFired {
            switch policy {
            case .brutalKill:
                instance.signal(SIGKILL)
            case .timeout(let limit):
                instance.signal(spec.stopSignal.number)
                if await !instance.exited.wait(timeout: limit) { instance.signal(SIGKILL) }
            case .infinity:
                instance.signal(spec.stopSignal.number)
                await instance.exited.wait()
            }
            _ = await instance.exited.wait(timeout: .seconds(5))
        }
        if instance.exited.hasFired {
            ended(instance.finish())
        } else {
            instance.abandon()
        }
    }

    func ended(_ status: ProgramStatus?) {
        record.state.withLock {
            $0.lastExit = status?.description
            $0.lastExitAt = SystemClock.wallSeconds()
            if !$0.phase.hasPrefix("stopped") { $0.phase = "exited" }
        }
    }

    /// The child's exit reason for how the program ended.
    func reason(for status: ProgramStatus) -> ExitReason {
        switch status {
        case .exited(let code) where spec.exitCodes.normal.contains(code): .normal
        case .exited: .error(status.description)
        case .signaled(SIGKILL): .killed
        case .signaled: .error(status.description)
        }
    }

    func answer(_ message: Message, instance: ProgramInstance?) {
        switch message {
        case .system(.getState, let reply):
            reply?.reply(state(instance))
        case .system(_, let reply):
            reply?.fail(.notSupported(process.pid.description))
        case .call(_, let reply):
            reply.fail(.notSupported(process.pid.description))
        default:
            break
        }
    }

    /// What `process info` shows as the state: the program, its resources, its last exit and its backoff.
    func state(_ instance: ProgramInstance?) -> Term {
        let snapshot = record.state.withLock { $0 }
        let running = instance.flatMap { $0.status == nil ? $0 : nil }
        var members: [String: Term] = [
            "command": .array(spec.command.map(Term.string)),
            "status": .string(snapshot.phase),
            "attempt": .int(snapshot.attempt),
            "log": .string(host.log(for: path).path),
            "env": .array(spec.environment.keys.sorted().map { .string("\($0)=***") }),
        ]
        if let directory = spec.directory { members["cwd"] = .string(directory) }
        if let running {
            members["os_pid"] = .int(Int(running.pid))
            members["started_at"] = .double(running.startedAt)
            if let usage = running.usage() {
                members["rss_bytes"] = .int(usage.rss)
                members["cpu_seconds"] = .double(usage.cpu)
            }
        }
        if let last = snapshot.lastExit { members["last_exit"] = .string(last) }
        if let at = snapshot.lastExitAt { members["last_exit_at"] = .double(at) }
        if let at = snapshot.restartAt {
            let now = SystemClock.monotonicNanoseconds()
            let seconds = at > now ? Double(at - now) / 1e9 : 0
            members["restarting_in_s"] = .double((seconds * 10).rounded() / 10)
        }
        if let ready = spec.ready { members["ready"] = .string(ready.probe.summary) }
        return .object(members)
    }
}

extension ProgramSpec.Probe {
    /// `tcp 127.0.0.1:6399`, `http http://…/healthz → 200`, `exec pg_isready`, `log_line "listening"`.
    public var summary: String {
        switch self {
        case .tcp(let host, let port): "tcp \(host):\(port)"
        case .http(let url, let status): "http \(url) → \(status)"
        case .exec(let command): "exec \(command.joined(separator: " "))"
        case .logLine(let pattern): "log_line \"\(pattern)\""
        }
    }
}
