import Foundation
import SuperlearnerClient
import Supervision
import Testing

@Suite("Command line: exit codes, JSON shapes, autostart, wait, help", .serialized)
struct CommandLineTests {
    @Test func usageErrorsExitTwoWithOneLineAndASuggestion() async {
        let home = TestHome()
        defer { home.close() }
        let noun = await home.run(["sandbx", "list"])
        #expect(noun.status == 2 && noun.stderr.contains("did you mean 'sandbox'?"))
        let verb = await home.run(["sandbox", "lst"])
        #expect(verb.status == 2 && verb.stderr.contains("did you mean 'list'?"))
        let flag = await home.run(["process", "list", "--sortt", "mailbox"])
        #expect(flag.status == 2 && flag.stderr.contains("did you mean '--sort'?"))
        let choice = await home.run(["process", "list", "--sort", "size"])
        #expect(choice.status == 2 && choice.stderr.contains("must be one of pid, mailbox"))
        let missing = await home.run(["sandbox", "info"])
        #expect(missing.status == 2 && missing.stderr.contains("missing ID"))
        let json = await home.run(["sandbox", "info", "--json"])
        #expect(json.status == 2 && (try? Term(json: json.stderr))?["error"]?["code"] == "usage")
        #expect(!home.client.isReachable(), "usage errors never start a daemon")
    }

    @Test func helpAtEveryLevel() async {
        let home = TestHome()
        defer { home.close() }
        let root = await home.run(["--help"])
        #expect(root.status == 0 && root.stdout.contains("Exit codes:") && root.stdout.contains("sandbox"))
        #expect(
            await home.run(["help", "sandbox", "create"]).stdout.contains(
                "superlearner sandbox create ID [TEMPLATE] [flags]"))
        #expect(await home.run(["sandbox", "create", "--help"]).stdout.contains("--spec FILE"))
        #expect(await home.run(["process", "-h"]).stdout.contains("Commands:"))
        let version = await home.run(["--version"])
        #expect(version.stdout.contains("Supervision") && version.stdout.contains("SuperlearnerDaemon"))
    }

    @Test func anOperationPagesExampleRuns() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "demo", "DemoSupervisor"]).status == 0)
        for name in ["what_if", "get_sandbox_history", "explain_restarts"] {
            let page = await home.run(["operation", "docs", name]).stdout
            let line = try #require(page.split(separator: "\n").first { $0.hasPrefix("  superlearner operation run") })
            let words = line.split(separator: " ").dropFirst().map(String.init)
            let result = await home.run(words)
            #expect(result.status == 0, "\(line): \(result.stderr)")
        }
    }

    @Test func operationListAndDocsNeedNoDaemon() async {
        let home = TestHome()
        defer { home.close() }
        let list = await home.run(["operation", "list", "--json"])
        #expect(list.status == 0 && (list.json?.arrayValue?.count ?? 0) >= 30)
        let docs = await home.run(["operation", "docs"])
        #expect(docs.json?["openapi"] == "3.1.0")
        #expect(
            await home.run(["operation", "docs", "--format", "markdown"]).stdout.hasPrefix("# Operations reference"))
        #expect(await home.run(["operation", "docs", "nope"]).status == 3)
        let page = await home.run(["operation", "docs", "list_processes"])
        #expect(page.stdout.hasPrefix("list_processes — list live processes"), "\(page.stdout)")
        #expect(page.stdout.contains("REST:      GET /api/v1/processes") && page.stdout.contains("PARAMETERS"))
        #expect(page.stdout.contains("one of pid, mailbox, messages, restarts, memory; default pid"))
        #expect(
            await home.run(["operation", "docs", "list_processes", "--format", "openapi"]).json?["openapi"] == "3.1.0")
        #expect(await home.run(["operation", "docs", "--format", "page"]).status == 2)
        #expect(!FileManager.default.fileExists(atPath: home.socket), "no daemon was started")
    }

    @Test func autostartIsOnByDefaultAndCanBeTurnedOff() async {
        let home = TestHome()
        defer { home.close() }
        let refused = await home.run(["sandbox", "list"], extraEnvironment: ["SUPERLEARNER_NO_AUTOSTART": "1"])
        #expect(refused.status == 5 && refused.stderr.contains("superlearner server start"))
        let started = await home.run(["sandbox", "list"])
        #expect(started.status == 0 && started.stderr.contains("started the daemon"))
        let again = await home.run(["sandbox", "list"])
        #expect(again.stderr.isEmpty, "one note, only when it starts one")
    }

    @Test func everyExitCode() async {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "x", "DemoSupervisor"]).status == 0)
        #expect(await home.run(["sandbox", "create", "x", "DemoSupervisor"]).status == 4, "conflict")
        #expect(await home.run(["sandbox", "info", "nope"]).status == 3, "not found")
        #expect(await home.run(["sandbox", "create", "bad id", "DemoSupervisor"]).status == 2, "validation")
        let badSpec = await home.run(
            ["sandbox", "create", "y", "--spec", "-"],
            input: "children:\n  - { id: a, worker: counter, restart: sometimes }\n")
        #expect(
            badSpec.status == 2
                && badSpec.stderr.contains(
                    "children[0].restart: expected permanent, transient or temporary, got \"sometimes\"")
        )
        let failing = await home.run(["sandbox", "run", "x", "kill-child", "target=counter_1", "timeout_ms=1"])
        #expect(failing.status == 0 || failing.status == 1, "a verdict: pass (0) or fail (1)")
        #expect(await home.run(["process", "send", "x/counter_1", "crash", "--call"]).status == 1, "operation failed")
        #expect(
            await home.run(["wait", "x/counter_2", "--for", "restarted", "--timeout", "200ms"]).status == 6, "timed out"
        )
        #expect(
            await home.run(["server", "status"], extraEnvironment: ["SUPERLEARNER_SOCKET": home.path + "/none.sock"])
                .status == 5)
    }

    @Test func jsonShapesAreStable() async {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "j", "DemoSupervisor"]).status == 0)
        let list = await home.run(["process", "list", "--sandbox", "j", "--json"])
        let rows = list.json?.arrayValue ?? []
        #expect(rows.count == 4)
        #expect(rows.allSatisfy { $0["pid"] != nil && $0["path"] != nil && $0["name"] != nil && $0["status"] != nil })
        #expect(rows.contains { $0["path"] == "j" }, "the root supervisor's path is the sandbox id")
        let reply = await home.run(["process", "send", "j/counter_2", "get_value", "--call", "--json"])
        #expect(reply.json == ["reply": 100])
        let sandboxes = await home.run(["sandbox", "list", "--json"])
        #expect(
            sandboxes.json?.arrayValue?.first?["id"] == "j" && sandboxes.json?.arrayValue?.first?["status"] == "running"
        )
        let error = await home.run(["sandbox", "info", "zz", "--json"])
        #expect(error.stdout.isEmpty && (try? Term(json: error.stderr))?["error"]?["code"] == "sandbox_not_found")
    }

    @Test func createWithARestartOverrideLeavesKilledWorkersDead() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "t", "DemoSupervisor", "--restart", "temporary"]).status == 0)
        #expect(await home.run(["process", "kill", "t/counter_1"]).status == 0)
        #expect(await home.run(["wait", "t/counter_1", "--for", "terminated", "--timeout", "10s"]).status == 0)
        let info = await home.run(["supervisor", "info", "t", "--json"])
        let children = try Term(jsonBytes: Array(info.stdout.utf8))["children"]?.arrayValue ?? []
        #expect(
            children.compactMap { $0["id"]?.stringValue } == ["counter_2", "printer_1"],
            "a temporary child is not restarted")
        #expect(children.allSatisfy { $0["restart"]?.stringValue == "temporary" })
        let bad = await home.run(["sandbox", "create", "u", "DemoSupervisor", "--restart", "sometimes"])
        #expect(
            bad.status == 2
                && bad.stderr.hasPrefix("superlearner: --restart must be one of permanent, transient, temporary"),
            "\(bad.stderr)")
        #expect(await home.run(["sandbox", "info", "u"]).status == 3, "nothing was created")
    }

    @Test func waitOnAPIDSeesTheRestartThatReplacedIt() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "p", "DemoSupervisor"]).status == 0)
        let info = try Term(jsonBytes: Array(await home.run(["process", "info", "p/counter_1", "--json"]).stdout.utf8))
        let pid = try #require(info["pid"]?.stringValue)
        let waiter = try await startWaiter(["wait", pid, "--for", "restarted", "--timeout", "20s"], home: home)
        #expect(await home.run(["process", "kill", pid]).status == 0)
        #expect(await waiter.exitStatus() == 0, "the restart event names the old PID")
        let replaced = try Term(
            jsonBytes: Array(await home.run(["process", "info", "p/counter_1", "--json"]).stdout.utf8))
        #expect(replaced["pid"]?.stringValue != pid)
    }

    @Test func waitAfterTheKillStillSeesTheRestartThatCameFirst() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "k", "DemoSupervisor"]).status == 0)
        let calm = await home.run(["wait", "k/counter_2", "--for", "restarted", "--timeout", "300ms"])
        #expect(calm.status == 6, "nothing restarted counter_2: \(calm.stderr)")
        // The CI pattern: break, then wait. The restart takes milliseconds and is over before `wait` starts.
        #expect(await home.run(["process", "kill", "k/counter_1"]).status == 0)
        #expect(
            await Self.eventually {
                await home.run(["process", "info", "k/counter_1", "--json"]).json?["restarts"] == 1
            })
        let waited = await home.run(["wait", "k/counter_1", "--for", "restarted", "--timeout", "10s"])
        #expect(waited.status == 0, "\(waited.stderr)")
    }

    static func eventually(_ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test func waitSucceedsOnTheEventThatProvesTheState() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "w", "DemoSupervisor"]).status == 0)
        #expect(await home.run(["wait", "w", "--for", "running"]).status == 0, "already running")
        #expect(await home.run(["wait", "ghost", "--for", "terminated"]).status == 0, "already gone")
        let waiter = try await startWaiter(
            ["wait", "w/counter_1", "--for", "restarted", "--timeout", "20s"], home: home)
        #expect(await home.run(["process", "kill", "w/counter_1"]).status == 0)
        #expect(await waiter.exitStatus() == 0)
        let escalation = try await startWaiter(["wait", "w", "--for", "escalated", "--timeout", "20s"], home: home)
        #expect(
            await home.run(["sandbox", "run", "w", "crash-storm", "target=counter_2", "restore=false"]).status == 0)
        #expect(await escalation.exitStatus() == 0)
    }

    @Test func pipedOutputHasNoEscapeCodes() async {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "p", "DemoSupervisor"]).status == 0)
        for arguments in [
            ["sandbox", "list"], ["process", "list"], ["sandbox", "tree", "p"], ["events", "--limit", "5"],
            ["sandbox", "run", "p", "kill-child"],
        ] {
            let result = await home.run(arguments)
            #expect(!result.stdout.contains("\u{1B}["), "\(arguments) printed escape codes")
            #expect(!result.stdout.isEmpty, "\(arguments)")
        }
        #expect(await home.run(["sandbox", "tree", "p"]).stdout.contains("└─ printer_1"))
        #expect(await home.run(["sandbox", "list", "-q"]).stdout.isEmpty, "-q prints nothing")
    }

    @Test func eventsTelemetryAndOperationRun() async {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "t", "DemoSupervisor"]).status == 0)
        let run = await home.run(["operation", "run", "get_process_info", "pid=t/counter_2", "--json"])
        #expect(run.json?["state"] == ["value": 100])
        let params = await home.run([
            "operation", "run", "list_processes", "--params", #"{"sandbox":"t","limit":2}"#, "--json",
        ])
        #expect(params.json?.arrayValue?.count == 2)
        #expect(await home.run(["operation", "run", "list_processes", "limit=0"]).status == 2)
        let summary = await home.run(["telemetry", "--json"])
        #expect(summary.json?["sandboxes_created"] == 1)
        let prometheus = await home.run(["telemetry", "export", "--format", "prometheus"])
        #expect(prometheus.stdout.contains("# TYPE superlearner_sandboxes_created_total counter"))
        let csv = await home.run(["telemetry", "export", "--format", "csv"])
        #expect(csv.stdout.hasPrefix("name,labels,value"))
        let events = await home.run(["events", "--json", "--limit", "500"])
        #expect(events.json?.arrayValue?.contains { $0["name"] == "sandbox.create" } == true)
        let config = await home.run(["sandbox", "config", "t", "a=1", "b=hello"])
        #expect(config.status == 0 && config.stdout.contains("b=\"hello\""))
        let trace = await home.run(["process", "trace", "t/counter_1", "--duration", "200ms", "--json"])
        #expect(trace.status == 0 && trace.json?["id"] != nil)
        #expect(await home.run(["supervisor", "info", "t"]).stdout.contains("counter_1"))
        #expect(await home.run(["process", "stop", "t/printer_1"]).status == 0)
    }

    @Test func theDemoRunsTheTour() async {
        let home = TestHome()
        defer { home.close() }
        let demo = await home.run(["demo"])
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("its value starts over: 0"))
        #expect(demo.stdout.contains("superlearner sandbox destroy demo"))
    }

    /// Starts `superlearner wait …` and returns once it has taken its starting point in the event log: it
    /// reads the log's last sequence number first and looks the target up as a sandbox next, so once that
    /// lookup is counted (reads are metrics, not events), whatever the test does afterwards is after the
    /// waiter's starting point.
    func startWaiter(_ arguments: [String], home: TestHome) async throws -> ChildProcess {
        func lookups() async throws -> Int {
            let response = try await home.client.send("GET", "/metrics")
            let text = String(decoding: response.body, as: UTF8.self)
            return text.split(separator: "\n").filter {
                $0.hasPrefix("superlearner_operations_total{operation=\"get_sandbox_info\"")
            }.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
        }
        let before = try await lookups()
        let waiter = try ChildProcess(binary, arguments, environment: home.environment, output: "/dev/null")
        let deadline = ContinuousClock.now + .seconds(20)
        while try await lookups() <= before && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return waiter
    }
}

/// Spec files are often untrusted input in CI: a YAML alias bomb, a huge file and a file that is not a spec
/// at all each give one clear line and exit 2, at once.
@Suite struct HostileSpecFileTests {
    @Test func anAliasBombIsRefusedWithoutExpandingIt() async throws {
        let home = TestHome()
        defer { home.close() }
        // Nine levels of ten aliases: 10⁹ nodes if expanded.
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            yaml += "a\(level): &a\(level) [" + Array(repeating: previous, count: 10).joined(separator: ", ") + "]\n"
        }
        yaml += "strategy: one_for_one\nchildren: []\n"
        let result = await home.run(["sandbox", "create", "bomb", "--spec", "-"], input: yaml)
        #expect(result.status == 2 && result.stderr.contains("too many aliases"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count <= 2)
    }

    @Test func aHugeOrForeignFileGivesOneLine() async throws {
        let home = TestHome()
        defer { home.close() }
        let huge = String(repeating: "# padding\n", count: 120_000)
        let big = await home.run(["sandbox", "create", "big", "--spec", "-"], input: huge)
        #expect(big.status == 2 && big.stderr.contains("larger than 1 MiB"), "\(big.stderr)")
        // A file of many lines that is not a spec: the problems are counted, not listed one per line.
        let lines = (0..<500).map { "key\($0): [\($0)" }.joined(separator: "\n")
        let foreign = await home.run(["sandbox", "create", "f", "--spec", "-"], input: lines)
        #expect(foreign.status == 2 && foreign.stderr.count < 600, "\(foreign.stderr.prefix(800))")
        let manyFields = "children:\n" + (0..<50).map { "  - {id: c\($0), worker: nope}" }.joined(separator: "\n")
        let many = await home.run(["sandbox", "create", "m", "--spec", "-"], input: manyFields)
        #expect(many.status == 2 && many.stderr.contains("and 40 more"), "\(many.stderr.prefix(800))")
    }
}

/// A valid but huge restart budget does not make one request run a million kills (schemathesis found a
/// crash-storm that outlived its 60 s timeout). In the daemon, so its ten thousand kills do not disturb the
/// memory checks of the tests running beside it in this process.
@Suite struct LongExperimentTests {
    @Test func crashStormCapsItsDefaultKills() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(
            await home.run(["sandbox", "create", "huge", "DemoSupervisor", "--max-restarts", "1000000"]).status == 0)
        // Ten thousand kills take about 7 s alone in a debug daemon and more than 30 s (the client's default
        // wait) beside the rest of the suite on 2 cores, so the client waits as long as the storm may take.
        let result = await home.run([
            "sandbox", "run", "huge", "crash-storm", "target=counter_1", "timeout_ms=200", "--json",
            "--timeout", "300s",
        ])
        #expect(result.status == 1, "the budget was not reached: \(result.stderr)")
        let measurements = result.json?["measurements"]
        #expect(measurements?["kill_limit"]?.intValue == 10_000, "\(result.stdout.prefix(400))")
        // Each kill waits up to 200 ms for its restart; on a loaded machine one may take longer and end the storm.
        #expect((1...10_000).contains(measurements?["kills"]?.intValue ?? 0), "\(result.stdout.prefix(400))")
    }
}
