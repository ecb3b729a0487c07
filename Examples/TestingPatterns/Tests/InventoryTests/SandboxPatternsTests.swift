// Two more patterns: a program (an operating-system process) as a child under test, and a failure
// experiment run from a test with its verdict checked. Both run in a SandboxManager inside the test
// process, no daemon needed; withSandbox destroys the sandbox (and checks nothing is left) however the
// test ends.
import Sandbox
import Supertester
import Supervision
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A tree with a program in it: `sh` printing a line a second, next to a built-in counter.
let spec = """
    strategy: one_for_one
    max_restarts: 3
    max_seconds: 10
    children:
      - id: heartbeat
        shell: "while true; do echo beat; sleep 1; done"
        ready: { log_line: beat, timeout: 5s }
      - id: visits
        worker: counter
    """

@Test func aProgramKilledFromOutsideIsRestartedAsANewOSProcess() async throws {
    let sandboxes = SandboxManager(runtime: Runtime())
    try await withSandbox(spec: try SandboxSpec.parse(spec), id: "beat", in: sandboxes) { _, sandboxes in
        let runtime = sandboxes.runtime
        let child = try #require(runtime.resolve("beat/heartbeat"))
        let first = try #require(try await runtime.state(of: child)["os_pid"]?.intValue)
        let visits = try #require(runtime.resolve("beat/visits"))

        kill(pid_t(first), SIGKILL)  // the program dies the way programs do, outside the runtime

        let replacement = try #require(await awaitRestart(of: "beat/heartbeat", in: runtime, replacing: child))
        let second = try #require(try await runtime.state(of: replacement)["os_pid"]?.intValue)
        #expect(second != first, "a new OS process, not the old one")
        // one_for_one: the sibling is untouched.
        #expect(runtime.resolve("beat/visits") == visits)
    }
}

@Test func theKillChildExperimentPassesOnTheDemoTree() async throws {
    try await withSandbox(template: "DemoSupervisor", id: "demo") { _, sandboxes in
        let result = try await sandboxes.runExperiment("demo", "kill-child", ["target": "counter_1"], seed: 7)
        #expect(result.verdict.passed, "\(result.verdict)")
        // The experiment changed only its target.
        let restarted = sandboxes.processes(in: "demo").filter { $0.restarts > 0 }.compactMap(\.path)
        #expect(restarted == ["demo/counter_1"])
    }
}
