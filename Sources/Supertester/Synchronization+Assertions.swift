import Sandbox
import Supervision
import Testing

// MARK: Synchronisation without sleeps

/// Casts `message` to a server, then waits until the server has handled it: a state request queued
/// behind the cast answers only after it. Returns the state after the cast.
@discardableResult
public func castAndSync(
    _ pid: PID, _ message: Term, in runtime: Runtime, timeout: Duration = Supertester.defaultTimeout,
    sourceLocation: SourceLocation = #_sourceLocation
) async -> Term? {
    runtime.cast(pid, message)
    do {
        return try await runtime.state(of: pid, timeout: timeout)
    } catch {
        Issue.record("castAndSync \(message) to \(pid): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Waits until the child at `path` is running under a PID other than `old`; records an issue and returns
/// `nil` if that does not happen before `timeout`.
@discardableResult
public func awaitRestart(
    of path: String, in runtime: Runtime, replacing old: PID?, timeout: Duration = Supertester.defaultTimeout,
    sourceLocation: SourceLocation = #_sourceLocation
) async -> PID? {
    let waiter = RuntimeWaiter(runtime) { event in
        if case .restarted(_, _, _, _, _, let restarted) = event { return restarted == path }
        return false
    }
    if let current = runtime.resolve(path), current != old { return current }
    if case .restarted(_, _, _, let new, _, _)? = await waiter.wait(timeout: timeout) { return new }
    if let current = runtime.resolve(path), current != old { return current }
    Issue.record("\(path) was not restarted within \(timeout)", sourceLocation: sourceLocation)
    return nil
}

/// Waits until `pid` has exited and returns its reason; records an issue if it is still alive at `timeout`.
@discardableResult
public func awaitExit(
    of pid: PID, in runtime: Runtime, timeout: Duration = Supertester.defaultTimeout,
    sourceLocation: SourceLocation = #_sourceLocation
) async -> ExitReason? {
    let reason = await runtime.awaitExit(of: pid, timeout: timeout)
    if reason == nil { Issue.record("\(pid) did not exit within \(timeout)", sourceLocation: sourceLocation) }
    return reason
}

/// Waits until every non-temporary child of `supervisor` runs and two consecutive looks agree; records an
/// issue if the supervisor does not settle before `timeout`.
@discardableResult
public func awaitSettled(
    _ supervisor: Supervisor, timeout: Duration = Supertester.defaultTimeout,
    sourceLocation: SourceLocation = #_sourceLocation
) async -> [ChildInfo]? {
    let deadline = ContinuousClock.now + timeout
    var previous: [ChildInfo]? = nil
    while ContinuousClock.now < deadline {
        guard let children = try? await supervisor.whichChildren(timeout: deadline - ContinuousClock.now) else { break }
        let complete = children.allSatisfy { $0.pid != nil || $0.restart != .permanent }
        if complete, let previous, previous == children { return children }
        previous = complete ? children : nil
        await Task.yield()
    }
    Issue.record("supervisor \(supervisor.pid) did not settle within \(timeout)", sourceLocation: sourceLocation)
    return nil
}

// MARK: Assertions

/// Records an issue unless `pid` is alive.
public func expectAlive(_ pid: PID, in runtime: Runtime, sourceLocation: SourceLocation = #_sourceLocation) {
    if !runtime.isAlive(pid) {
        Issue.record("expected \(pid) to be alive, but it has exited", sourceLocation: sourceLocation)
    }
}

/// Records an issue unless `pid` has exited.
public func expectDead(_ pid: PID, in runtime: Runtime, sourceLocation: SourceLocation = #_sourceLocation) {
    if runtime.isAlive(pid) {
        Issue.record(
            "expected \(pid) to have exited, but it is alive (\(runtime.info(pid)?.path ?? "no path"))",
            sourceLocation: sourceLocation)
    }
}

/// Records an issue unless the child at `path` now runs under a PID other than `old`.
public func expectRestarted(
    _ path: String, from old: PID, in runtime: Runtime, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let current = runtime.resolve(path) else {
        Issue.record("expected \(path) to be restarted, but nothing runs there", sourceLocation: sourceLocation)
        return
    }
    if current == old {
        Issue.record("expected \(path) to be restarted, but it is still \(old)", sourceLocation: sourceLocation)
    }
}

/// Records an issue, naming them, unless every child of `supervisor` runs.
public func expectAllChildrenAlive(_ supervisor: Supervisor, sourceLocation: SourceLocation = #_sourceLocation) async {
    guard let children = try? await supervisor.whichChildren() else {
        Issue.record("supervisor \(supervisor.pid) did not answer", sourceLocation: sourceLocation)
        return
    }
    let stopped = children.filter { $0.pid == nil || !supervisor.runtime.isAlive($0.pid!) }.map(\.id)
    if !stopped.isEmpty {
        Issue.record("children not running: \(stopped.joined(separator: ", "))", sourceLocation: sourceLocation)
    }
}

/// Records an issue unless `supervisor` has exactly `count` children (running or not).
public func expectChildCount(_ count: Int, of supervisor: Supervisor, sourceLocation: SourceLocation = #_sourceLocation)
    async
{
    let actual = (try? await supervisor.countChildren().specs) ?? -1
    if actual != count { Issue.record("expected \(count) children, found \(actual)", sourceLocation: sourceLocation) }
}

/// Proves a supervisor's strategy by experiment: kills the middle running child and checks which
/// siblings were restarted. Records an issue saying what happened instead when it does not match.
public func expectStrategy(
    _ strategy: SupervisorStrategy, of supervisor: Supervisor, timeout: Duration = Supertester.defaultTimeout,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    let runtime = supervisor.runtime
    guard let before = try? await supervisor.whichChildren(), before.count >= 3 else {
        Issue.record("expectStrategy needs a supervisor with at least three children", sourceLocation: sourceLocation)
        return
    }
    let victimIndex = before.count / 2
    guard let victim = before[victimIndex].pid else {
        Issue.record("the child \(before[victimIndex].id) is not running", sourceLocation: sourceLocation)
        return
    }
    let waiter = RuntimeWaiter(runtime) { event in
        if case .restarted(_, let id, _, _, _, _) = event { return id == before[victimIndex].id }
        return false
    }
    runtime.kill(victim)
    guard await waiter.wait(timeout: timeout) != nil,
        let after = await awaitSettled(supervisor, timeout: timeout, sourceLocation: sourceLocation)
    else {
        Issue.record("\(before[victimIndex].id) was not restarted within \(timeout)", sourceLocation: sourceLocation)
        return
    }
    let changed = Set(zip(before, after).filter { $0.pid != $1.pid }.map(\.0.id))
    let expected: Set<String>
    switch strategy {
    case .oneForOne: expected = [before[victimIndex].id]
    case .oneForAll: expected = Set(before.map(\.id))
    case .restForOne: expected = Set(before[victimIndex...].map(\.id))
    }
    if changed != expected {
        Issue.record(
            "expected \(strategy.rawValue): killing \(before[victimIndex].id) should restart \(expected.sorted()), but restarted \(changed.sorted())",
            sourceLocation: sourceLocation)
    }
}

/// Records an issue unless the server's state equals `expected`.
public func expectState(
    of pid: PID, in runtime: Runtime, equals expected: Term, sourceLocation: SourceLocation = #_sourceLocation
) async {
    await expectState(of: pid, in: runtime, sourceLocation: sourceLocation) { $0 == expected }
}

/// Records an issue unless the server's state satisfies `predicate`.
public func expectState(
    of pid: PID, in runtime: Runtime, sourceLocation: SourceLocation = #_sourceLocation,
    satisfies predicate: (Term) -> Bool
) async {
    do {
        let state = try await runtime.state(of: pid)
        if !predicate(state) { Issue.record("unexpected state of \(pid): \(state)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("could not read the state of \(pid): \(error)", sourceLocation: sourceLocation)
    }
}
