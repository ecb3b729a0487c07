import Schema
import Supervision

/// `kill-child`: kills one child and passes if its supervisor restarts it within `timeout_ms`.
public struct KillChildExperiment: Experiment {
    /// Creates the experiment.
    public init() {}
    /// `kill-child`.
    public var name: String { "kill-child" }
    /// What it does.
    public var summary: String {
        "kill one child (target, or the first worker); pass if it is restarted within timeout_ms"
    }
    /// `target`, `timeout_ms`.
    public var parameters: [Parameter] {
        [
            Parameter("target", .path, "child path relative to the sandbox; default: the first worker"),
            Parameter(
                "timeout_ms", .integer, "how long to wait for the restart", default: 2000, minimum: 1, maximum: 60_000),
        ]
    }

    /// Kills and waits.
    public func run(_ context: ExperimentContext) async throws(SandboxError) -> ExperimentResult {
        let path = try context.targetPath()
        let timeout = context.integer("timeout_ms")
        let (old, new, milliseconds) = await context.killAndAwaitRestart(path, timeout: .milliseconds(timeout))
        var details: [String: Term] = ["target": .string(path), "old_pid": old.map(Term.pid) ?? .null]
        guard let new else {
            return ExperimentResult(verdict: .fail("\(path) was not restarted within \(timeout) ms"), details: details)
        }
        details["new_pid"] = .pid(new)
        return ExperimentResult(
            verdict: .pass("\(path) restarted as \(new) in \(rounded(milliseconds)) ms"),
            measurements: ["restart_ms": milliseconds], details: details)
    }
}

/// `kill-random`: kills `n` random workers one after another; passes if every one came back.
public struct KillRandomExperiment: Experiment {
    /// Creates the experiment.
    public init() {}
    /// `kill-random`.
    public var name: String { "kill-random" }
    /// What it does.
    public var summary: String {
        "kill n random workers, one after another; pass if each is restarted and the sandbox survives"
    }
    /// `n`, `timeout_ms`.
    public var parameters: [Parameter] {
        [
            Parameter("n", .integer, "how many kills", default: 3, minimum: 1, maximum: 1000),
            Parameter(
                "timeout_ms", .integer, "how long to wait for each restart", default: 2000, minimum: 1, maximum: 60_000),
        ]
    }

    /// Kills at random and counts restarts.
    public func run(_ context: ExperimentContext) async throws(SandboxError) -> ExperimentResult {
        let count = context.integer("n")
        let timeout = context.integer("timeout_ms")
        var restarted = 0
        var latencies: [Double] = []
        var victims: [Term] = []
        for _ in 0..<count {
            guard let victim = context.random.pick(context.workers()) else { break }
            victims.append(.string(victim.path))
            let (_, new, milliseconds) = await context.killAndAwaitRestart(victim.path, timeout: .milliseconds(timeout))
            if new != nil {
                restarted += 1
                latencies.append(milliseconds)
            }
        }
        let alive = (try? context.sandboxes.info(context.sandboxID).status) == .running
        let measurements: [String: Double] = [
            "killed": Double(victims.count), "restarted": Double(restarted),
            "max_restart_ms": latencies.max() ?? 0,
            "mean_restart_ms": latencies.isEmpty ? 0 : latencies.reduce(0, +) / Double(latencies.count),
        ]
        let verdict: ExperimentResult.Verdict =
            restarted == count && alive
            ? .pass("all \(count) killed workers were restarted")
            : .fail(
                "\(restarted) of \(count) kills were followed by a restart\(alive ? "" : "; the sandbox's supervisor gave up")"
            )
        return ExperimentResult(verdict: verdict, measurements: measurements, details: ["victims": .array(victims)])
    }
}

/// `crash-storm`: kills a child faster than its supervisor's intensity allows; passes if the supervisor
/// gives up (escalates) as OTP specifies, then restores the sandbox.
public struct CrashStormExperiment: Experiment {
    /// Creates the experiment.
    public init() {}
    /// `crash-storm`.
    public var name: String { "crash-storm" }
    /// What it does.
    public var summary: String {
        "kill a child again and again; pass if its supervisor exceeds its intensity and gives up (restore: restart the sandbox after)"
    }
    /// `target`, `kills`, `restore`, `timeout_ms`.
    public var parameters: [Parameter] {
        [
            Parameter("target", .path, "child path relative to the sandbox; default: the first worker"),
            Parameter(
                "kills", .integer,
                "the most kills; default: ten times the supervisor's max_restarts + 1 (at most 10000)",
                minimum: 1, maximum: Double(CrashStormExperiment.maximumKills)),
            Parameter("restore", .boolean, "restart the sandbox afterwards if it failed", default: true),
            Parameter(
                "timeout_ms", .integer, "how long to wait for each restart or the escalation", default: 2000,
                minimum: 1, maximum: 60_000),
        ]
    }

    /// Kills until the supervisor gives up.
    public func run(_ context: ExperimentContext) async throws(SandboxError) -> ExperimentResult {
        let path = try context.targetPath()
        let supervisorPath = String(path[..<path.lastIndex(of: "/")!])
        let spec = try context.sandboxes.info(context.sandboxID).spec
        let budget = CrashStormExperiment.maxRestarts(of: supervisorPath, sandboxID: context.sandboxID, in: spec)
        // The storm goes on until the supervisor gives up: max_restarts + 1 kills are enough when they fall
        // within max_seconds, and the default allows ten times that for a machine so loaded that they do not.
        // A budget of a million restarts is valid, but no one request should spend a million kills: the
        // default is capped at the parameter's own maximum, and the verdict says the budget was larger.
        let kills =
            context.parameters["kills"]?.intValue
            ?? Swift.min(
                (budget + 1).multipliedReportingOverflow(by: 10).partialValue, CrashStormExperiment.maximumKills)
        let timeout = Duration.milliseconds(context.integer("timeout_ms"))
        let escalation = RuntimeWaiter(context.runtime) { event in
            if case .escalated(_, _, _, _, let escalatedPath) = event { return escalatedPath == supervisorPath }
            return false
        }
        var restarts = 0
        var made = 0
        for _ in 0..<kills {
            guard context.runtime.resolve(path) != nil else { break }
            made += 1
            let (_, new, _) = await context.killAndAwaitRestart(path, timeout: timeout)
            if new != nil { restarts += 1 } else { break }
        }
        let escalated = await escalation.wait(timeout: restarts >= kills ? .milliseconds(1) : timeout) != nil
        let measurements: [String: Double] = [
            "kills": Double(made), "kill_limit": Double(kills), "restarts": Double(restarts),
            "max_restarts": Double(budget),
        ]
        let details: [String: Term] = ["target": .string(path), "supervisor": .string(supervisorPath)]
        if escalated {
            return ExperimentResult(
                verdict: .pass("\(supervisorPath) gave up after \(restarts) restarts (max_restarts \(budget))"),
                measurements: measurements, details: details)
        }
        return ExperimentResult(
            verdict: .fail(
                "\(supervisorPath) survived \(made) kills with \(restarts) restarts (max_restarts \(budget))"),
            measurements: measurements, details: details)
    }

    /// The most kills one storm makes.
    static let maximumKills = 10_000

    /// Restarts the sandbox if the storm took it down and `restore` is set.
    public func tearDown(_ context: ExperimentContext) async {
        guard context.parameters["restore"] != false else { return }
        if (try? context.sandboxes.info(context.sandboxID).status) == .failed {
            _ = try? await context.sandboxes.restart(context.sandboxID)
        }
    }

    static func maxRestarts(of supervisorPath: String, sandboxID: String, in spec: SandboxSpec) -> Int {
        if supervisorPath == sandboxID { return spec.maxRestarts }
        let relative = String(supervisorPath.dropFirst(sandboxID.count + 1))
        for (path, child) in spec.flattened() where path == relative {
            if case .supervisor(let nested) = child.kind { return nested.maxRestarts }
        }
        return spec.maxRestarts
    }
}

/// `message-flood`: sends `count` messages to one process, then a call that queues behind them; passes if
/// the process handled them all and answered within `timeout_ms`.
public struct MessageFloodExperiment: Experiment {
    /// Creates the experiment.
    public init() {}
    /// `message-flood`.
    public var name: String { "message-flood" }
    /// What it does.
    public var summary: String {
        "send count messages to a worker, then a call queued behind them; pass if it drains them and answers within timeout_ms (reports throughput and latency)"
    }
    /// `target`, `count`, `timeout_ms`.
    public var parameters: [Parameter] {
        [
            Parameter("target", .path, "child path relative to the sandbox; default: the first worker"),
            Parameter("count", .integer, "how many messages", default: 10_000, minimum: 1, maximum: 10_000_000),
            Parameter(
                "timeout_ms", .integer, "how long the final call may take", default: 10_000, minimum: 1,
                maximum: 600_000),
        ]
    }

    /// Floods and measures.
    public func run(_ context: ExperimentContext) async throws(SandboxError) -> ExperimentResult {
        let path = try context.targetPath()
        guard let pid = context.runtime.resolve(path) else {
            throw .invalidParameter("target", "no running process at \(path)")
        }
        let count = context.integer("count")
        let timeout = context.integer("timeout_ms")
        let start = SystemClock.monotonicSeconds()
        for index in 0..<count { context.runtime.send(["flood", .int(index)], to: pid) }
        let sent = SystemClock.monotonicSeconds()
        let peak = context.runtime.info(pid)?.mailboxLength ?? 0
        let details: [String: Term] = ["target": .string(path), "pid": .pid(pid)]
        do {
            _ = try await context.runtime.state(of: pid, timeout: .milliseconds(timeout))
        } catch {
            return ExperimentResult(
                verdict: .fail("\(path) did not drain \(count) messages within \(timeout) ms: \(error)"),
                measurements: ["messages": Double(count), "peak_mailbox": Double(peak)], details: details)
        }
        let done = SystemClock.monotonicSeconds()
        let total = done - start
        return ExperimentResult(
            verdict: .pass("\(path) handled \(count) messages in \(rounded(total * 1000)) ms"),
            measurements: [
                "messages": Double(count), "send_ms": (sent - start) * 1000, "drain_latency_ms": (done - sent) * 1000,
                "total_ms": total * 1000, "throughput_per_s": Double(count) / max(total, 1e-9),
                "peak_mailbox": Double(peak),
            ], details: details)
    }
}

/// `restart-latency`: kills a child `samples` times and reports the kill → running latency distribution.
public struct RestartLatencyExperiment: Experiment {
    /// Creates the experiment.
    public init() {}
    /// `restart-latency`.
    public var name: String { "restart-latency" }
    /// What it does.
    public var summary: String {
        "kill a child samples times, measuring kill → replacement running; pass if every kill was followed by a restart and the median is under max_median_ms"
    }
    /// `target`, `samples`, `max_median_ms`, `timeout_ms`.
    public var parameters: [Parameter] {
        [
            Parameter("target", .path, "child path relative to the sandbox; default: the first worker"),
            Parameter(
                "samples", .integer, "how many kills; keep it within the supervisor's intensity", default: 3,
                minimum: 1, maximum: 10_000),
            Parameter(
                "max_median_ms", .integer, "the median restart latency that still passes", default: 100, minimum: 1,
                maximum: 60_000),
            Parameter(
                "timeout_ms", .integer, "how long to wait for each restart", default: 2000, minimum: 1, maximum: 60_000),
        ]
    }

    /// Kills, waits, measures.
    public func run(_ context: ExperimentContext) async throws(SandboxError) -> ExperimentResult {
        let path = try context.targetPath()
        let samples = context.integer("samples")
        let timeout = context.integer("timeout_ms")
        var latencies: [Double] = []
        for _ in 0..<samples {
            let (_, new, milliseconds) = await context.killAndAwaitRestart(path, timeout: .milliseconds(timeout))
            guard new != nil else { break }
            latencies.append(milliseconds)
        }
        latencies.sort()
        let median = latencies.isEmpty ? 0 : latencies[latencies.count / 2]
        let measurements: [String: Double] = [
            "samples": Double(latencies.count), "median_ms": median, "min_ms": latencies.first ?? 0,
            "max_ms": latencies.last ?? 0,
            "p99_ms": latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))],
        ]
        let limit = Double(context.integer("max_median_ms"))
        let verdict: ExperimentResult.Verdict
        if latencies.count < samples {
            verdict = .fail(
                "only \(latencies.count) of \(samples) kills were followed by a restart within \(timeout) ms")
        } else if median > limit {
            verdict = .fail("median restart latency \(rounded(median)) ms is over \(Int(limit)) ms")
        } else {
            verdict = .pass("median restart latency \(rounded(median)) ms over \(samples) kills")
        }
        return ExperimentResult(verdict: verdict, measurements: measurements, details: ["target": .string(path)])
    }
}

/// `value` with three decimals, for verdict sentences.
func rounded(_ value: Double) -> String {
    let scaled = (value * 1000).rounded() / 1000
    return String(scaled)
}
