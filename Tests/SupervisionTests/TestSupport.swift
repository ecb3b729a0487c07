import Synchronization
import Testing

@testable import Supervision

/// Records runtime events and lets a test wait for the one that proves a state, with a deadline.
final class EventRecorder: Sendable {
    private struct State {
        var events: [RuntimeEvent] = []
        var waiters: [(id: Int, predicate: @Sendable (RuntimeEvent) -> Bool, channel: ReplyChannel)] = []
        var nextID = 0
    }
    private let state = Mutex(State())
    let token: ObserverToken
    let runtime: Runtime

    init(_ runtime: Runtime) {
        self.runtime = runtime
        let box = WeakBox()
        token = runtime.addObserver { event in box.recorder?.record(event) }
        box.recorder = self
    }

    deinit { runtime.removeObserver(token) }

    private func record(_ event: RuntimeEvent) {
        let matched: [ReplyChannel] = state.withLock { state in
            state.events.append(event)
            var hits: [ReplyChannel] = []
            state.waiters.removeAll { waiter in
                if waiter.predicate(event) {
                    hits.append(waiter.channel)
                    return true
                }
                return false
            }
            return hits
        }
        for channel in matched { channel.resolve(.value(EventBox(event: event))) }
    }

    var events: [RuntimeEvent] { state.withLock { $0.events } }

    /// The first event (already seen or still to come) that satisfies `predicate`, or `nil` at the deadline.
    func first(
        timeout: Duration = .seconds(5), where predicate: @escaping @Sendable (RuntimeEvent) -> Bool
    ) async -> RuntimeEvent? {
        let channel = ReplyChannel()
        let seen: RuntimeEvent? = state.withLock { state in
            if let hit = state.events.first(where: predicate) { return hit }
            state.nextID += 1
            state.waiters.append((state.nextID, predicate, channel))
            return nil
        }
        if let seen { return seen }
        let timer = TimerService.shared.schedule(after: timeout) { channel.resolve(.failure(.cancelled)) }
        let outcome = await channel.wait()
        TimerService.shared.cancel(timer)
        if case .value(let box as EventBox) = outcome { return box.event }
        return nil
    }

    /// Restart events for the child `id`.
    func restarts(of id: String) -> [RuntimeEvent] {
        events.filter { if case .restarted(_, let childID, _, _, _, _) = $0 { childID == id } else { false } }
    }

    /// The reason `pid` exited with, once it has.
    func exitReason(of pid: PID, timeout: Duration = .seconds(5)) async -> ExitReason? {
        let event = await first(timeout: timeout) { if case .exited(let exited, _, _) = $0 { exited == pid } else { false } }
        if case .exited(_, let reason, _)? = event { return reason }
        return nil
    }

    func waitForRestart(of id: String, count: Int = 1, timeout: Duration = .seconds(5)) async -> Bool {
        let seen = Mutex(0)
        let event = await first(timeout: timeout) { event in
            if case .restarted(_, let childID, _, _, _, _) = event, childID == id {
                return seen.withLock { $0 += 1; return $0 >= count }
            }
            return false
        }
        return event != nil
    }
}

struct EventBox: Sendable { let event: RuntimeEvent }

final class WeakBox: Sendable {
    private let storage = Mutex<EventRecorder?>(nil)
    var recorder: EventRecorder? {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}

/// A process that collects the terms sent to it, so a test can await what workers report.
struct Probe: Sendable {
    let pid: PID
    let runtime: Runtime
    private let inbox: Inbox

    final class Inbox: Sendable {
        let state = Mutex<(terms: [Term], waiter: ReplyChannel?)>(([], nil))
        func push(_ term: Term) {
            let waiter: ReplyChannel? = state.withLock { state in
                if let waiter = state.waiter {
                    state.waiter = nil
                    return waiter
                }
                state.terms.append(term)
                return nil
            }
            waiter?.resolve(.value(term))
        }
    }

    init(_ runtime: Runtime) {
        let inbox = Inbox()
        self.inbox = inbox
        self.runtime = runtime
        self.pid = runtime.spawn { context in
            while true {
                if case .term(let term) = try await context.receive() { inbox.push(term) }
            }
        }
    }

    /// The next term received, or `nil` at the deadline.
    func next(timeout: Duration = .seconds(5)) async -> Term? {
        let channel = ReplyChannel()
        let ready: Term? = inbox.state.withLock { state in
            if !state.terms.isEmpty { return state.terms.removeFirst() }
            state.waiter = channel
            return nil
        }
        if let ready { return ready }
        let timer = TimerService.shared.schedule(after: timeout) { channel.resolve(.failure(.cancelled)) }
        let outcome = await channel.wait()
        TimerService.shared.cancel(timer)
        inbox.state.withLock { if $0.waiter === channel { $0.waiter = nil } }
        if case .value(let term as Term) = outcome { return term }
        return nil
    }

    /// The next `count` terms, in order.
    func take(_ count: Int, timeout: Duration = .seconds(5)) async -> [Term] {
        var terms: [Term] = []
        for _ in 0..<count {
            guard let term = await next(timeout: timeout) else { break }
            terms.append(term)
        }
        return terms
    }

    func stop() { runtime.kill(pid) }
}

/// A server for tests: reports `["started", id]` and `["terminated", id, reason]` to a probe; exits on
/// cast `["exit", reason]`, crashes on cast `"crash"`; can fail its init, trap exits, and take its time
/// to terminate.
struct ReportingServer: Server {
    var id: String
    var probe: PID?
    var trapExits = false
    var failInit = false
    var terminateDelay: Duration? = nil

    func initialize(_ context: ServerContext) async throws -> Int {
        if failInit { throw WorkerCrash(worker: id, detail: "init refused") }
        if trapExits { context.process.trapsExits = true }
        if let probe { context.process.send(["started", .string(id)], to: probe) }
        return 0
    }

    func handleCast(_ message: Term, state: inout Int, context: ServerContext) async throws -> ServerAction {
        switch message.command?.name {
        case "exit": return .stop(ExitReason(parsing: message.command?.content?.stringValue ?? "normal"))
        case "crash": throw WorkerCrash(worker: id, detail: "crash requested")
        default: return .continue
        }
    }

    func handleCall(_ request: Term, state: inout Int, context: ServerContext) async throws -> CallReply {
        .reply(.string(id))
    }

    func terminate(reason: ExitReason, state: Int, context: ServerContext) async {
        if let terminateDelay {
            // Ignores the shutdown for a while, like a worker stuck in cleanup; a kill cuts this short.
            try? await Task.sleep(for: terminateDelay)
        }
        if let probe { context.process.send(["terminated", .string(id), .string(reason.description)], to: probe) }
    }
}

/// Waits until every process of `runtime` has exited, or the deadline passes; returns the survivors.
func survivors(of runtime: Runtime, timeout: Duration = .seconds(5)) async -> [PID] {
    for pid in runtime.processes() {
        _ = await runtime.awaitExit(of: pid, timeout: timeout)
    }
    return runtime.processes()
}

/// Stops the probe and checks that the test left no process behind.
func expectClean(_ runtime: Runtime, probe: Probe? = nil, sourceLocation: SourceLocation = #_sourceLocation) async {
    probe?.stop()
    let left = await survivors(of: runtime, timeout: .seconds(2))
    #expect(left.isEmpty, "processes left behind: \(left)", sourceLocation: sourceLocation)
}

extension Runtime {
    /// The current PID at `path`, waiting (with a deadline) for a restart to register a new one.
    func waitForPID(at path: String, otherThan old: PID? = nil, timeout: Duration = .seconds(5)) async -> PID? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let pid = resolve(path), pid != old { return pid }
            await Task.yield()
        }
        return nil
    }
}
