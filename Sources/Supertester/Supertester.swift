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

/// Test helpers for code that runs on the supervision runtime: isolation, synchronisation without sleeps,
/// assertions, chaos, performance, telemetry capture and sandboxes that always clean up.
///
/// Failures are recorded as Swift Testing issues at the caller's source location, so a failing helper
/// points at the line of the test that used it.
///
/// ```swift
/// @Test func counterSurvivesACrash() async throws {
///     try await withIsolatedRuntime { runtime in
///         let supervisor = try await Supervisor.start(spec, in: runtime, options: SpawnOptions(path: "app"))
///         let old = try #require(runtime.resolve("app/counter"))
///         runtime.kill(old)
///         let new = await awaitRestart(of: "app/counter", in: runtime, replacing: old)
///         #expect(new != nil)
///         try await supervisor.stop()
///     }
/// }
/// ```
public enum Supertester {
    /// The deadline helpers use when none is given: how long to wait for something that should happen
    /// (a message, an exit, a restart). It costs nothing when the thing happens, so it is generous; a loaded
    /// CI machine (a full parallel test run on two cores) has overrun 5 s. Pass a short timeout where a test
    /// means to show that something does *not* happen.
    public static let defaultTimeout: Duration = .seconds(20)
}

// MARK: Isolation

/// Runs `body` with a fresh runtime and fails, naming the leftovers, if processes outlive it.
///
/// Each test gets its own process table and registry, so tests run in parallel without seeing each other.
public func withIsolatedRuntime<T>(
    leakTimeout: Duration = .seconds(2), sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (Runtime) async throws -> T
) async rethrows -> T {
    let runtime = Runtime()
    let result = try await body(runtime)
    let leftovers = await settle(runtime, excluding: [], timeout: leakTimeout)
    if !leftovers.isEmpty {
        Issue.record("processes left behind: \(describe(leftovers, in: runtime))", sourceLocation: sourceLocation)
        for pid in leftovers { runtime.kill(pid) }
    }
    return result
}

/// Fails, naming them, if `body` leaves processes behind — including descendants that appear late.
///
/// Processes alive before the body are ignored. After the body, exiting processes get until `timeout`
/// to finish exiting before they count as leaks.
public func assertNoProcessLeaks<T>(
    in runtime: Runtime, timeout: Duration = .seconds(2), sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async rethrows -> T {
    let before = Set(runtime.processes())
    let result = try await body()
    let leftovers = await settle(runtime, excluding: before, timeout: timeout)
    if !leftovers.isEmpty {
        Issue.record("processes left behind: \(describe(leftovers, in: runtime))", sourceLocation: sourceLocation)
    }
    return result
}

/// Waits until every process not in `excluding` has exited, or `timeout`; returns those still alive.
func settle(_ runtime: Runtime, excluding: Set<PID>, timeout: Duration) async -> [PID] {
    let deadline = ContinuousClock.now + timeout
    while true {
        let alive = runtime.processes().filter { !excluding.contains($0) }
        if alive.isEmpty || ContinuousClock.now >= deadline { return alive }
        // Wait on an actual exit, not a sleep: the first survivor's exit (or the deadline).
        _ = await runtime.awaitExit(of: alive[0], timeout: deadline - ContinuousClock.now)
    }
}

func describe(_ pids: [PID], in runtime: Runtime) -> String {
    pids.map { pid in
        guard let info = runtime.info(pid) else { return pid.description }
        return [pid.description, info.path ?? info.name].compactMap { $0 }.joined(separator: " ")
    }.joined(separator: ", ")
}

/// Stops `probe`, if given, then records an issue naming every process of `runtime` still alive once
/// exiting ones have had `timeout` to finish: the closing check of a test that owns its runtime.
public func expectNoProcessesLeft(
    in runtime: Runtime, stopping probe: Probe? = nil, timeout: Duration = .seconds(2),
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    probe?.stop()
    let left = await settle(runtime, excluding: [], timeout: timeout)
    if !left.isEmpty {
        Issue.record("processes left behind: \(describe(left, in: runtime))", sourceLocation: sourceLocation)
    }
}
