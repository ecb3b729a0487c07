import Supervision
import Telemetry
import Testing

@testable import Sandbox

func makeManager() -> (SandboxManager, Telemetry) {
    let runtime = Runtime()
    let telemetry = Telemetry()
    telemetry.observe(runtime)
    return (SandboxManager(runtime: runtime, telemetry: telemetry), telemetry)
}

@Suite("Sandboxes: lifecycle, isolation, status, config, templates")
struct SandboxManagerTests {
    @Test func createInspectDestroyLeavesNoProcess() async throws {
        let (sandboxes, telemetry) = makeManager()
        let info = try await sandboxes.create(id: "demo", template: "DemoSupervisor", config: ["owner": "ci"])
        #expect(info.status == .running && info.template == "DemoSupervisor" && info.processCount == 4)
        let counter = try #require(sandboxes.runtime.resolve("demo/counter_2"))
        #expect(try await sandboxes.runtime.call(counter, "get_value") == 100)
        let tree = try await sandboxes.tree("demo")
        #expect(tree.strategy == .oneForOne && tree.children.map(\.id) == ["counter_1", "counter_2", "printer_1"])
        #expect(tree.children.allSatisfy { $0.pid != nil && $0.path.hasPrefix("demo/") })
        try await sandboxes.destroy("demo")
        #expect(sandboxes.runtime.processCount == 0)
        #expect(throws: SandboxError.notFound("demo")) { try sandboxes.info("demo") }
        let names = telemetry.bus.history().map(\.name)
        #expect(names.contains("sandbox.create") && names.contains("sandbox.destroy"))
        #expect(telemetry.export(.prometheus).contains("superlearner_sandboxes_destroyed_total 1"))
    }

    @Test func aPathsSandboxIsItsFirstComponent() {
        let cases: [(String?, String?)] = [
            (nil, nil), ("", nil), ("demo", "demo"), ("demo/workers/w1", "demo"), ("démo-é/x", "démo-é"),
            ("/demo/x", "demo"), ("demo/", "demo"),
        ]
        for (path, sandbox) in cases {
            #expect(SandboxManager.sandboxID(ofPath: path) == sandbox, "\(String(describing: path))")
        }
    }

    @Test func twoSandboxesFromOneTemplateAreIsolated() async throws {
        let (sandboxes, _) = makeManager()
        try await sandboxes.create(id: "one", template: "DemoSupervisor")
        try await sandboxes.create(id: "two", template: "DemoSupervisor")
        let first = try #require(sandboxes.runtime.resolve("one/counter_1"))
        let second = try #require(sandboxes.runtime.resolve("two/counter_1"))
        #expect(first != second)
        sandboxes.runtime.cast(first, ["increment", 5])
        #expect(try await sandboxes.runtime.call(first, "get_value") == 5)
        #expect(try await sandboxes.runtime.call(second, "get_value") == 0)
        sandboxes.runtime.kill(first)
        #expect(sandboxes.runtime.resolve("two/counter_1") == second, "a crash in one sandbox does not touch the other")
        #expect(sandboxes.list().map(\.id) == ["one", "two"])
        await sandboxes.destroyAll()
        #expect(sandboxes.runtime.processCount == 0)
    }

    @Test func badRequestsAreRefusedAndLoseNothing() async throws {
        let (sandboxes, _) = makeManager()
        try await sandboxes.create(id: "keep", template: "DemoSupervisor")
        await #expect(throws: SandboxError.invalidID("bad id!")) {
            try await sandboxes.create(id: "bad id!", template: "DemoSupervisor")
        }
        await #expect(throws: SandboxError.invalidID(String(repeating: "x", count: 65))) {
            try await sandboxes.create(id: String(repeating: "x", count: 65), template: "DemoSupervisor")
        }
        await #expect(throws: SandboxError.alreadyExists("keep")) {
            try await sandboxes.create(id: "keep", template: "CrashLoop")
        }
        await #expect(throws: SandboxError.unknownTemplate("Nope")) {
            try await sandboxes.create(id: "x", template: "Nope")
        }
        await #expect(throws: SandboxError.notFound("ghost")) { try await sandboxes.destroy("ghost") }
        await #expect(throws: SandboxError.self) { try await sandboxes.updateConfig("keep", ["bad key": 1]) }
        #expect(try sandboxes.info("keep").status == .running)
        #expect(try sandboxes.info("keep").template == "DemoSupervisor", "the duplicate did not replace it")
        #expect(sandboxes.count == 1)
        await sandboxes.destroyAll()
    }

    @Test func aStartFailureLeavesNoSandboxAndNoProcess() async throws {
        let (sandboxes, _) = makeManager()
        let spec = try SandboxSpec(term: [
            "children": [
                ["id": "ok", "worker": "counter"],
                ["id": "bad", "worker": "crasher", "args": ["crash_on_start": true]],
            ]
        ])
        await #expect(throws: SandboxError.self) { try await sandboxes.create(id: "s", spec: spec) }
        do {
            _ = try await sandboxes.create(id: "s", spec: spec)
        } catch {
            #expect(error.code == "start_failed")
            #expect(error.description.contains("failed_to_start_child bad"))
        }
        #expect(!sandboxes.contains("s"))
        #expect(sandboxes.runtime.processCount == 0, "the counter started before the failure was stopped")
    }

    @Test func exceedingTheIntensityMarksTheSandboxFailedAndRestartRevivesIt() async throws {
        let (sandboxes, telemetry) = makeManager()
        // A window of an hour: on a loaded machine the two kills may fall seconds apart, and they must still
        // be two restarts within it.
        try await sandboxes.create(
            id: "storm", template: "DemoSupervisor", overriding: .init(maxRestarts: 1, maxSeconds: 3600),
            config: ["k": "v"])
        let failed = telemetry.bus.stream(prefix: "sandbox.failed")
        for _ in 0..<2 {
            let pid = try #require(await waitForPID(sandboxes.runtime, "storm/counter_1"))
            sandboxes.runtime.kill(pid)
        }
        for await event in failed {
            #expect(event.metadata["reason"] == "shutdown")
            break
        }
        let info = try sandboxes.info("storm")
        #expect(info.status == .failed && info.failureReason == "shutdown" && info.processCount == 0)
        let revived = try await sandboxes.restart("storm")
        #expect(revived.status == .running && revived.restartCount == 1 && revived.config == ["k": "v"])
        #expect(sandboxes.runtime.resolve("storm/counter_1") != nil)
        try await sandboxes.destroy("storm")
        #expect(sandboxes.runtime.processCount == 0)
    }

    @Test func configUpdatesMergeAndNullRemoves() async throws {
        let (sandboxes, _) = makeManager()
        try await sandboxes.create(id: "c", template: "TestDemoSupervisor", config: ["a": 1, "b": 2])
        #expect(try await sandboxes.updateConfig("c", ["b": .null, "c": "three"]) == ["a": 1, "c": "three"])
        #expect(try sandboxes.config("c") == ["a": 1, "c": "three"])
        let restarted = try await sandboxes.restart("c")
        #expect(restarted.config == ["a": 1, "c": "three"], "restart keeps the config")
        await sandboxes.destroyAll()
    }

    @Test func theWrittenOutTemplateNamesAreTheTemplates() {
        #expect(SandboxTemplate.names == SandboxTemplate.all.map(\.name))
    }

    @Test func everyTemplateStartsAndHasADescription() async throws {
        let (sandboxes, _) = makeManager()
        for template in SandboxTemplate.all {
            #expect(!template.description.isEmpty)
            let info = try await sandboxes.create(id: "t-\(template.name)", template: template.name)
            #expect(info.status == .running, "\(template.name)")
        }
        let nested = try await sandboxes.tree("t-NestedTree")
        #expect(
            nested.children.first { $0.id == "jobs" }?.children.map(\.path) == [
                "t-NestedTree/jobs/tick", "t-NestedTree/jobs/counter",
            ])
        await sandboxes.destroyAll()
        #expect(sandboxes.runtime.processCount == 0)
    }
}

/// The PID at `path`, waiting with a deadline for a restart to register it.
func waitForPID(_ runtime: Runtime, _ path: String, timeout: Duration = .seconds(20)) async -> PID? {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let pid = runtime.resolve(path) { return pid }
        // A short sleep, not a yield: a spinning test must not take a core from what it waits for.
        try? await Task.sleep(for: .milliseconds(1))
    }
    return nil
}
