import Supertester
import Testing

@testable import Supervision

@Suite("Servers: init, call, cast, info, stop, terminate, timeouts")
struct ServerTests {
    @Test func callCastAndStateInspectionOnACounter() async throws {
        let runtime = Runtime()
        let pid = try await runtime.startServer(CounterWorker(initial: 5))
        runtime.cast(pid, "increment")
        runtime.cast(pid, ["increment", 10])
        #expect(try await runtime.call(pid, "get_value") == 16)
        #expect(try await runtime.state(of: pid) == ["value": 16])
        try await runtime.stop(pid)
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func aTimedOutCallLeavesNothingBehindAndTheServerLivesOn() async throws {
        let runtime = Runtime()
        let pid = try await runtime.startServer(SleeperWorker())
        await #expect(throws: CallError.timeout(pid.description, .milliseconds(20))) {
            try await runtime.call(pid, ["sleep", 300], timeout: .milliseconds(20))
        }
        #expect(runtime.info(pid)?.monitoredBy == 0, "the call's monitor is removed on timeout")
        // The late reply is dropped; the next call gets its own answer.
        #expect(try await runtime.call(pid, ["sleep", 0], timeout: .seconds(5)) == "ok")
        try await runtime.stop(pid)
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func callingADeadServerFailsWithNoproc() async throws {
        let runtime = Runtime()
        let pid = try await runtime.startServer(EchoWorker())
        runtime.kill(pid)
        await #expect(throws: CallError.noproc(pid.description)) { try await runtime.call(pid, "hi") }
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func aServerThatCrashesDuringACallFailsTheCaller() async throws {
        let runtime = Runtime()
        let pid = try await runtime.startServer(CounterWorker())
        await #expect(throws: CallError.exited(pid.description, .error("counter crashed: crash requested"))) {
            try await runtime.call(pid, "crash")
        }
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func stopRunsTerminateWithTheReason() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let pid = try await runtime.startServer(ReportingServer(id: "s", probe: probe.pid))
        #expect(await probe.next() == ["started", "s"])
        try await runtime.stop(pid, reason: .shutdownWith("maintenance"))
        #expect(await probe.next() == ["terminated", "s", "shutdown(maintenance)"])
        #expect(!runtime.isAlive(pid))
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func aCrashInACallbackStillRunsTerminate() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let pid = try await runtime.startServer(ReportingServer(id: "c", probe: probe.pid))
        _ = await probe.next()
        runtime.cast(pid, "crash")
        #expect(await probe.next() == ["terminated", "c", "c crashed: crash requested"])
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func aKilledServerDoesNotRunTerminate() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let pid = try await runtime.startServer(ReportingServer(id: "k", probe: probe.pid, trapExits: true))
        _ = await probe.next()
        runtime.kill(pid)
        runtime.send("marker", to: probe.pid)
        #expect(await probe.next() == "marker", "no terminate report before the marker")
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func aFailingInitFailsTheStart() async {
        let runtime = Runtime()
        await #expect(throws: StartError.self) {
            try await runtime.startServer(ReportingServer(id: "x", failInit: true))
        }
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func infoMessagesReachHandleInfo() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let echo = try await runtime.startServer(EchoWorker())
        runtime.send(["echo", .pid(probe.pid), "ping"], to: echo)
        #expect(await probe.next() == "ping")
        #expect(try await runtime.call(echo, ["any", 1]) == ["any", 1])
        runtime.kill(echo)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }
}
