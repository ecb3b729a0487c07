import Sandbox
import Supertester
import Supervision
import Telemetry
import Testing

@Suite("Sandboxes, checked with Supertester")
struct SandboxSupertesterTests {
    @Test func sandboxLifecyclesLeakNeitherProcessesNorMemory() async throws {
        let manager = SandboxManager(runtime: Runtime())
        try await assertNoProcessLeaks(in: manager.runtime) {
            for template in SandboxTemplate.all {
                try await withSandbox(template: template.name, id: "leak", in: manager) { info, _ in
                    #expect(info.status == .running)
                }
            }
        }
        await assertNoMemoryLeak(iterations: 100, tolerance: 2048) {
            _ = try? await manager.create(id: "cycle", template: "DemoSupervisor")
            try? await manager.destroy("cycle")
        }
    }

    @Test func experimentsPublishTheirVerdicts() async throws {
        let runtime = Runtime()
        let telemetry = Telemetry()
        telemetry.observe(runtime)
        let manager = SandboxManager(runtime: runtime, telemetry: telemetry)
        try await withSandbox(template: "DemoSupervisor", id: "x", in: manager) { _, sandboxes in
            let events = try await captureEvents(from: telemetry) {
                _ = try await sandboxes.runExperiment("x", "kill-child", ["target": "counter_1"])
            }
            expectEvent(named: "sandbox.experiment.stop", in: events) { $0["verdict"] == "pass" }
            expectEvent(named: "runtime.supervisor.restart", in: events) { $0["path"] == "x/counter_1" }
        }
    }
}
