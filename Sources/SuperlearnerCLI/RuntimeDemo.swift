import Supervision

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func fputsStandardError(_ string: String) {
    // write(2) on descriptor 2 rather than the C `stderr` global, which Swift 6 rightly treats as shared state.
    var bytes = Array(string.utf8)
    bytes.withUnsafeMutableBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

/// A short narrated tour of the runtime: a supervisor, a crash, a restart, an escalation.
enum RuntimeDemo {
    static func run() async {
        let runtime = Runtime()
        let events = EventLog()
        let token = runtime.addObserver { event in events.append(event) }
        defer { runtime.removeObserver(token) }

        say("1. Start a one_for_one supervisor with counter_1 = 0, counter_2 = 100 and printer_1 (DemoSupervisor).")
        let spec = SupervisorSpec(
            strategy: .oneForOne, maxRestarts: 3, maxSeconds: .seconds(5),
            children: [
                ChildSpec(id: "counter_1", server: CounterWorker(initial: 0)),
                ChildSpec(id: "counter_2", server: CounterWorker(initial: 100)),
                ChildSpec(id: "printer_1", server: PrinterWorker()),
            ])
        let supervisor: Supervisor
        do {
            supervisor = try await Supervisor.start(spec, in: runtime, options: SpawnOptions(path: "demo"))
        } catch {
            say("   could not start: \(error)")
            return
        }
        await showChildren(supervisor)

        guard let counter = runtime.resolve("demo/counter_1") else { return }
        say("2. Increment counter_1 three times; it now holds state.")
        for _ in 0..<3 { runtime.cast(counter, "increment") }
        let value = (try? await runtime.call(counter, "get_value")) ?? .null
        say("   call get_value → \(value)")

        say("3. Kill counter_1 (\(counter)). The supervisor restarts it under a new PID; its state starts over.")
        runtime.kill(counter)
        _ = await runtime.awaitExit(of: counter, timeout: .seconds(1))
        if let replacement = await replacement(of: counter, at: "demo/counter_1", in: runtime) {
            let fresh = (try? await runtime.call(replacement, "get_value")) ?? .null
            say("   demo/counter_1 is now \(replacement); get_value → \(fresh)")
        }
        await showChildren(supervisor)

        say("4. Crash counter_2 four times in a row: more than 3 restarts in 5 s exceeds the intensity.")
        for _ in 0..<4 {
            guard let pid = runtime.resolve("demo/counter_2") else { break }
            runtime.cast(pid, "crash")
            _ = await runtime.awaitExit(of: pid, timeout: .seconds(1))
            if await replacement(of: pid, at: "demo/counter_2", in: runtime) == nil { break }
        }
        let reason = await runtime.awaitExit(of: supervisor.pid, timeout: .seconds(2))
        say("   the supervisor gave up and exited with reason: \(reason.map(String.init(describing:)) ?? "still running")")
        say("   processes still alive: \(runtime.processCount)")

        say("5. What the runtime reported along the way:")
        for line in events.lines() { say("   \(line)") }
        say("")
        say("Next: read README.md, run 'make test', and see Sources/Supervision for the runtime's API.")
    }

    /// The new incarnation at `path` once the supervisor has restarted it; `nil` if none comes within 1 s.
    static func replacement(of old: PID, at path: String, in runtime: Runtime) async -> PID? {
        for _ in 0..<200 {
            if let pid = runtime.resolve(path), pid != old { return pid }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    static func showChildren(_ supervisor: Supervisor) async {
        guard let children = try? await supervisor.whichChildren() else { return }
        for child in children {
            say("   \(child.id.padding(10)) \(child.pid.map(String.init(describing:)) ?? "-")  restarts=\(child.restarts)")
        }
    }

    static func say(_ line: String) { print(line) }
}

/// Collects runtime events for the demo's summary.
final class EventLog: Sendable {
    private let events = LockedEvents()

    func append(_ event: RuntimeEvent) {
        switch event {
        case .restarted, .escalated, .childStartFailed: events.append(event)
        case .exited(_, let reason, _) where !reason.isClean: events.append(event)
        default: break
        }
    }

    func lines() -> [String] {
        events.all().map { event in
            switch event {
            case .exited(let pid, let reason, let path): "exit     \(path ?? pid.description) reason=\(reason)"
            case .restarted(_, let id, _, let newPID, let reason, _): "restart  \(id) → \(newPID) after \(reason)"
            case .escalated(let supervisor, let restarts, let seconds, _, _):
                "escalate \(supervisor): \(restarts) restarts within \(seconds) s"
            case .childStartFailed(_, let id, let reason, _): "failed   \(id): \(reason)"
            case .spawned(let pid, _, _, _): "spawn    \(pid)"
            }
        }
    }
}

import Synchronization

final class LockedEvents: Sendable {
    private let storage = Mutex<[RuntimeEvent]>([])
    func append(_ event: RuntimeEvent) { storage.withLock { $0.append(event) } }
    func all() -> [RuntimeEvent] { storage.withLock { $0 } }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
