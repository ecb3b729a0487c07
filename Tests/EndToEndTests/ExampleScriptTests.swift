import CSuperlearner
import Foundation
import Testing

/// The example projects that are scripts over the command line (Examples/*/ with a README), run as a reader
/// would run them: bash, the built binary as `superlearner`, a fresh home.
@Suite("Examples: the scripts run and prove what their READMEs say")
struct ExampleScriptTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func runScript(_ relativePath: String, environment: [String: String] = [:]) async -> RunResult {
        let home = TestHome()
        defer { home.close() }
        return await home.run(
            [Self.root + "/" + relativePath], extraEnvironment: environment.merging(["SUPERLEARNER": binary]) { $1 },
            executable: "/bin/bash")
    }

    @Test func crashRecoveryRestartsWhatEachStrategySays() async {
        let result = await runScript("Examples/CrashRecovery/crash-recovery.sh")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(
            lines == [
                "one_for_one killed b → restarted: b ok",
                "one_for_all killed b → restarted: a b c ok",
                "rest_for_one killed b → restarted: b c ok",
            ])
    }

    @Test func theCrashRecoveryTestPlanPassesAndWritesJUnit() async throws {
        let home = TestHome()
        defer { home.close() }
        let junit = home.path + "/failures.xml"
        let result = await home.run([
            "test", "run", Self.root + "/Examples/CrashRecovery/failures.yaml", "--junit", junit,
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("✔ ") }.count == 3, "\(result.stdout)")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains(#"tests="3" failures="0""#), "\(xml)")
    }

    @Test func anExperimentInOneSandboxLeavesTheOtherUntouched() async {
        let result = await runScript("Examples/SandboxIsolation/isolation.sh")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("green untouched: same PIDs, no restarts"))
        #expect(result.stdout.contains("blue: 3 restarts caused by the experiment"))
        #expect(result.stdout.contains("one name, two processes"))
    }

    @Test func theTodoServiceRecoversFromItsStoresDeathWithNothingLost() async throws {
        let service = Self.root + "/Examples/.build/debug/todo-service"
        try #require(
            FileManager.default.isExecutableFile(atPath: service),
            "\(service) is missing: make examples builds it (make test runs it first)")
        let result = await runScript(
            "Examples/TodoService/todo.sh",
            environment: [
                "TODO_SERVICE": service, "TODO_API_PORT": "\(sl_free_loopback_port())",
                "TODO_STORE_PORT": "\(sl_free_loopback_port())",
            ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("added #2: write the report"))
        #expect(lines.contains { $0.hasPrefix("├─ store") && $0.contains("restarts=1") })
        #expect(lines.contains { $0.hasPrefix("└─ api") && $0.contains("restarts=1") })
        #expect(lines.contains { $0.contains("todo/store exited (killed) → restarted") })
        #expect(
            lines.suffix(3) == [
                "1. water the plants", "2. write the report",
                "the service recovered: both acknowledged items are there",
            ])
    }

    @Test(.timeLimit(.minutes(5))) func theCachesShardFailsOverWhenItsNodeIsKilled() async throws {
        try #require(ClusterTests.etcdInstalled(), "etcd is missing: make test installs etcd-server")
        let result = await runScript("Examples/DistributedCache/distributed-cache.sh")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("3 nodes registered") })
        #expect(lines.contains { $0.hasPrefix("cache-") && $0.contains("failed over: node") })
        #expect(lines.contains { $0.hasPrefix("after the failover: ") && $0.hasSuffix("misses refilled") })
        #expect(lines.last == "every key answers again")
    }
}
