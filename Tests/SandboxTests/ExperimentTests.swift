import Supervision
import Testing

@testable import Sandbox

@Suite("Experiments: each verdict, passing and failing")
struct ExperimentTests {
    @Test func killChildPassesWhenTheChildIsRestarted() async throws {
        let (sandboxes, _) = makeManager()
        try await sandboxes.create(id: "k", template: "DemoSupervisor")
        let result = try await sandboxes.runExperiment("k", "kill-child", ["target": "counter_1"])
        #expect(result.verdict.passed, "\(result.verdict)")
        #expect(result.measurements["restart_ms"] != nil)
        #expect(result.term["verdict"] == "pass" && result.term["experiment"] == "kill-child")
        await sandboxes.destroyAll()
    }

    @Test func killChildFailsWhenNothingRestartsIt() async throws {
        let (sandboxes, _) = makeManager()
        let spec = try SandboxSpec(term: ["children": [["id": "once", "worker": "counter", "restart": "temporary"]]])
        try await sandboxes.create(id: "t", spec: spec)
        let result = try await sandboxes.runExperiment("t", "kill-child", ["target": "once", "timeout_ms": 100])
        #expect(!result.verdict.passed)
        #expect(result.term["reason"]?.stringValue?.contains("was not restarted within 100 ms") == true)
        await sandboxes.destroyAll()
    }

    @Test func killRandomPassesAndFails() async throws {
        let (sandboxes, _) = makeManager()
        try await sandboxes.create(id: "r", template: "DemoSupervisor", overriding: .init(maxRestarts: 10))
        let passing = try await sandboxes.runExperiment("r", "kill-random", ["n": 3])
        #expect(passing.verdict.passed, "\(passing.verdict)")
        #expect(passing.measurements["restarted"] == 3)
        let spec = try SandboxSpec(term: ["children": [["id": "a", "worker": "kv", "restart": "temporary"]]])
        try await sandboxes.create(id: "r2", spec: spec)
        let failing = try await sandboxes.runExperiment("r2", "kill-random", ["n": 1, "timeout_ms": 50])
        #expect(!failing.verdict.passed)
        await sandboxes.destroyAll()
    }

    @Test func crashStormTripsTheIntensityAndRestores() async throws {
        let (sandboxes, _) = makeManager()
        try await sandboxes.create(id: "cs", template: "DemoSupervisor")
        let result = try await sandboxes.runExperiment("cs", "crash-storm", ["target": "counter_1"])
        #expect(result.verdict.passed, "\(result.verdict)")
        #expect(result.measurements["max_restarts"] == 3)
        #expect(try sandboxes.info("cs").status == .running, "restored afterwards")
        #expect(try sandboxes.info("cs").restartCount == 1)
        await sandboxes.destroyAll()
    }

    @Test func crashStormFailsWhenTheBudgetIsNotReached() async throws {
        let (sandboxes, _) = makeManager()
        try await sandboxes.create(id: "calm", template: "DemoSupervisor", overriding: .init(maxRestarts: 50))
        let result = try await sandboxes.runExperiment(
            "calm", "crash-storm", ["target": "counter_1", "kills": 2, "timeout_ms": 100])
        #expect(!result.verdict.passed)
        #expect(try sandboxes.info("calm").status == .running)
        await sandboxes.destroyAll()
    }

    @Test func messageFloodMeasuresAndPassesOrTimesOut() async throws {
        let (sandboxes, _) = makeManager()
        try await sandboxes.create(id: "f", template: "DemoSupervisor")
        let result = try await sandboxes.runExperiment("f", "message-flood", ["target": "printer_1", "count": 5000])
        #expect(result.verdict.passed, "\(result.verdict)")
        #expect(result.measurements["messages"] == 5000 && (result.measurements["throughput_per_s"] ?? 0) > 0)
        let slow = try SandboxSpec(term: ["children": [["id": "s", "worker": "sleeper"]]])
        try await sandboxes.create(id: "slow", spec: slow)
        let sleeper = try #require(sandboxes.runtime.resolve("slow/s"))
        // Keep the sleeper busy so the flood cannot drain in time: once it has taken the call (its message
        // count says so, whatever the scheduling), it sleeps for two seconds.
        let blocker = Task { try? await sandboxes.runtime.call(sleeper, ["sleep", 2000], timeout: .seconds(10)) }
        defer { blocker.cancel() }
        let deadline = ContinuousClock.now + .seconds(10)
        while (sandboxes.runtime.info(sleeper)?.messagesIn ?? 0) == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        let failing = try await sandboxes.runExperiment(
            "slow", "message-flood", ["target": "s", "count": 10, "timeout_ms": 20])
        #expect(!failing.verdict.passed)
        _ = await blocker.value
        await sandboxes.destroyAll()
    }

    @Test func restartLatencyReportsADistribution() async throws {
        let (sandboxes, _) = makeManager()
        try await sandboxes.create(id: "l", template: "DemoSupervisor", overriding: .init(maxRestarts: 20))
        // The latency budget is set out of reach: this proves the distribution, not a time (never assert one).
        let result = try await sandboxes.runExperiment(
            "l", "restart-latency", ["target": "counter_2", "samples": 5, "max_median_ms": 60_000])
        #expect(result.verdict.passed, "\(result.verdict)")
        #expect(result.measurements["samples"] == 5)
        #expect(
            (result.measurements["median_ms"] ?? -1) >= 0
                && (result.measurements["max_ms"] ?? 0) >= (result.measurements["min_ms"] ?? 1))
        await sandboxes.destroyAll()
    }

    @Test func restartLatencyFailsWhenRestartsStop() async throws {
        let (sandboxes, _) = makeManager()
        let spec = try SandboxSpec(term: ["children": [["id": "t", "worker": "counter", "restart": "temporary"]]])
        try await sandboxes.create(id: "nl", spec: spec)
        let result = try await sandboxes.runExperiment(
            "nl", "restart-latency", ["target": "t", "samples": 2, "timeout_ms": 50])
        #expect(!result.verdict.passed)
        #expect(result.term["reason"]?.stringValue?.contains("only 0 of 2") == true)
        await sandboxes.destroyAll()
    }

    @Test func unknownExperimentsAndParametersAreRejected() async throws {
        let (sandboxes, _) = makeManager()
        try await sandboxes.create(id: "p", template: "DemoSupervisor")
        await #expect(throws: SandboxError.unknownExperiment("explode")) {
            try await sandboxes.runExperiment("p", "explode")
        }
        await #expect(throws: SandboxError.self) { try await sandboxes.runExperiment("p", "kill-random", ["n": 0]) }
        await #expect(throws: SandboxError.self) {
            try await sandboxes.runExperiment("p", "kill-random", ["colour": "red"])
        }
        await #expect(throws: SandboxError.self) {
            try await sandboxes.runExperiment("p", "kill-child", ["target": "nobody"])
        }
        await #expect(throws: SandboxError.notFound("q")) { try await sandboxes.runExperiment("q", "kill-child") }
        await sandboxes.destroyAll()
    }
}
