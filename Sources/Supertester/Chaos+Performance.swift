import CSuperlearner
import Sandbox
import Supervision
import Synchronization
import Telemetry
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: Chaos

/// Crashes `pid` (an exit signal with an error reason), now or after `delay`, with `probability`.
/// - Returns: whether the crash was sent (it is not when the dice say no).
@discardableResult
public func injectCrash(
    into pid: PID, in runtime: Runtime, after delay: Duration? = nil, probability: Double = 1,
    reason: String = "injected crash"
) async -> Bool {
    guard probability >= 1 || Double.random(in: 0..<1) < probability else { return false }
    if let delay { try? await Task.sleep(for: delay) }
    runtime.exit(pid, reason: .error(reason))
    return true
}

/// What `chaos(_:rate:duration:)` did and saw.
public struct ChaosReport: Sendable, Hashable {
    /// Children killed.
    public var killed: Int
    /// Restarts observed in the same time.
    public var restarted: Int
    /// Whether the supervisor gave up (exceeded its intensity) during the run.
    public var supervisorGaveUp: Bool
}

/// Kills random running children of `supervisor` at `rate` per second for `duration`, and reports what
/// was killed, what was restarted and whether the supervisor gave up.
public func chaos(_ supervisor: Supervisor, rate: Double, duration: Duration) async -> ChaosReport {
    let runtime = supervisor.runtime
    let restarts = Counter()
    let token = runtime.addObserver { event in
        if case .restarted(let by, _, _, _, _, _) = event, by == supervisor.pid { restarts.increment() }
    }
    defer { runtime.removeObserver(token) }
    let interval = Duration.seconds(1 / max(rate, 0.001))
    let deadline = ContinuousClock.now + duration
    var killed = 0
    while ContinuousClock.now < deadline && runtime.isAlive(supervisor.pid) {
        if let children = try? await supervisor.whichChildren(timeout: .seconds(1)),
            let victim = children.compactMap(\.pid).filter({ runtime.isAlive($0) }).randomElement()
        {
            runtime.kill(victim)
            killed += 1
        }
        try? await Task.sleep(for: interval)
    }
    if runtime.isAlive(supervisor.pid) { _ = try? await supervisor.whichChildren(timeout: .seconds(1)) }
    return ChaosReport(killed: killed, restarted: restarts.value, supervisorGaveUp: !runtime.isAlive(supervisor.pid))
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

// MARK: Performance

/// How long a body took, and how much heap it kept.
public struct Measurement: Sendable, Hashable {
    /// Iterations run.
    public var iterations: Int
    /// Total wall time.
    public var total: Duration
    /// Wall time per iteration.
    public var perIteration: Duration
    /// Heap bytes in use after minus before (glibc's `mallinfo2`; 0 where unavailable).
    public var heapGrowthBytes: Int
}

/// Runs `body` `iterations` times and measures it.
public func measure(iterations: Int = 1, _ body: () async throws -> Void) async rethrows -> Measurement {
    let heapBefore = heapInUse()
    let clock = ContinuousClock()
    let total = try await clock.measure {
        for _ in 0..<iterations { try await body() }
    }
    return Measurement(
        iterations: iterations, total: total, perIteration: total / max(iterations, 1),
        heapGrowthBytes: heapInUse() - heapBefore)
}

/// Runs `body` `iterations` times after a warm-up and records an issue if the heap grew by more than
/// `tolerance` bytes per iteration on average in each of `rounds` rounds: a leak keeps something every
/// time. One clean round ends the check.
///
/// The heap this reads is the whole process's, and tests running in parallel share it. So a round that
/// grew too much is followed by a control period as long as the round, in which `body` does not run, and
/// what the heap grew by then (other code's, not `body`'s) is taken off the round's growth.
public func assertNoMemoryLeak(
    iterations: Int = 100, warmup: Int = 10, tolerance: Int = 256, rounds: Int = 3,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async rethrows {
    for _ in 0..<warmup { try await body() }
    var perIteration: [Int] = []
    var controls: [Int] = []
    for _ in 0..<max(rounds, 1) {
        let measurement = try await measure(iterations: iterations, body)
        var growth = measurement.heapGrowthBytes
        if growth / max(iterations, 1) > tolerance {
            let control = await heapGrowth(over: measurement.total)
            controls.append(control)
            growth -= max(control, 0)
        }
        perIteration.append(growth / max(iterations, 1))
        if perIteration.last! <= tolerance { return }
    }
    Issue.record(
        "memory grew in each of \(perIteration.count) rounds of \(iterations) iterations: \(perIteration) bytes per iteration (tolerance \(tolerance); the process grew by \(controls) bytes in as long without the body)",
        sourceLocation: sourceLocation)
}

/// How much the heap in use grew over `duration` while this task only waited.
func heapGrowth(over duration: Duration) async -> Int {
    let before = heapInUse()
    try? await cancellableSleep(for: duration)
    return heapInUse() - before
}

/// Bytes of heap in use (glibc's `mallinfo2`); 0 elsewhere.
public func heapInUse() -> Int {
    Int(sl_heap_in_use())
}

/// Samples `pid`'s mailbox `samples` times, `interval` apart, and records an issue if it keeps growing —
/// never shrinks and ends longer than it started: a process that cannot keep up with what it is sent.
public func expectMailboxStable(
    _ pid: PID, in runtime: Runtime, samples: Int = 5, interval: Duration = .milliseconds(20),
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    var lengths: [Int] = []
    for index in 0..<samples {
        guard let info = runtime.info(pid) else {
            Issue.record("\(pid) exited while its mailbox was watched", sourceLocation: sourceLocation)
            return
        }
        lengths.append(info.mailboxLength)
        if index < samples - 1 { try? await Task.sleep(for: interval) }
    }
    let growing =
        lengths.count > 1 && lengths.last! > lengths.first! && zip(lengths, lengths.dropFirst()).allSatisfy { $0 <= $1 }
    if growing {
        Issue.record("the mailbox of \(pid) keeps growing: \(lengths)", sourceLocation: sourceLocation)
    }
}

// MARK: Telemetry

/// The telemetry events (optionally only those whose name starts with `prefix`) emitted while `body` ran.
public func captureEvents(
    from telemetry: Telemetry, prefix: String? = nil, _ body: () async throws -> Void
) async rethrows -> [TelemetryEvent] {
    let start = telemetry.bus.lastSequence
    try await body()
    return telemetry.bus.history(since: start).filter { prefix == nil || $0.name.hasPrefix(prefix!) }
}

/// Records an issue unless `events` holds one named `name` whose metadata satisfies `predicate`.
public func expectEvent(
    named name: String, in events: [TelemetryEvent], sourceLocation: SourceLocation = #_sourceLocation,
    where predicate: ([String: Term]) -> Bool = { _ in true }
) {
    if !events.contains(where: { $0.name == name && predicate($0.metadata) }) {
        Issue.record("no \(name) event among \(events.map(\.name))", sourceLocation: sourceLocation)
    }
}

// MARK: Sandboxes

/// Creates a sandbox from a template, runs `body`, and always destroys it (and checks nothing is left).
public func withSandbox<T>(
    template: String, id: String = "test", in sandboxes: SandboxManager? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (SandboxInfo, SandboxManager) async throws -> T
) async throws -> T {
    let manager = sandboxes ?? SandboxManager(runtime: Runtime())
    let info = try await manager.create(id: id, template: template)
    return try await finish(id, manager, sourceLocation) { try await body(info, manager) }
}

/// Creates a sandbox from a spec, runs `body`, and always destroys it (and checks nothing is left).
public func withSandbox<T>(
    spec: SandboxSpec, id: String = "test", in sandboxes: SandboxManager? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (SandboxInfo, SandboxManager) async throws -> T
) async throws -> T {
    let manager = sandboxes ?? SandboxManager(runtime: Runtime())
    let info = try await manager.create(id: id, spec: spec)
    return try await finish(id, manager, sourceLocation) { try await body(info, manager) }
}

private func finish<T>(
    _ id: String, _ manager: SandboxManager, _ sourceLocation: SourceLocation, _ body: () async throws -> T
) async throws -> T {
    do {
        let result = try await body()
        try? await manager.destroy(id)
        // Give anything still exiting (a child caught mid-restart by the shutdown) its moment to finish.
        for pid in manager.runtime.processes(underPath: id) {
            _ = await manager.runtime.awaitExit(of: pid, timeout: .seconds(2))
        }
        let left = manager.runtime.processes(underPath: id)
        if !left.isEmpty {
            Issue.record(
                "sandbox \(id) left processes: \(describe(left, in: manager.runtime))", sourceLocation: sourceLocation)
        }
        return result
    } catch {
        try? await manager.destroy(id)
        throw error
    }
}
