import CSuperlearner
import Foundation
import Supervision
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `why`, `sandbox what-if`, `sandbox status`, `server status` and `sandbox export` through the real binary:
/// what-if is checked against what really happens when the child is then killed, for every strategy.
@Suite("Seeing into a running tree: why, what-if, health, export")
struct InsightTests {
    /// Every process's pid in a sandbox, by path.
    static func pids(_ home: TestHome, _ sandbox: String) async -> [String: String] {
        let list = await home.run(["process", "list", "--sandbox", sandbox, "--json"]).json?.arrayValue ?? []
        return Dictionary(
            list.compactMap { row in row["path"]?.stringValue.map { ($0, row["pid"]?.stringValue ?? "") } },
            uniquingKeysWith: { first, _ in first })
    }

    @Test(arguments: [
        ("DemoSupervisor", "counter_1", "one_for_one"), ("Pipeline", "transform", "one_for_all"),
        ("NestedTree", "store", "rest_for_one"),
    ])
    func whatIfForeseesWhatAKillThenDoesAndWhyExplainsIt(template: String, child: String, strategy: String) async throws
    {
        let home = TestHome()
        defer { home.close() }
        let id = "t"
        #expect(await home.run(["sandbox", "create", id, template]).status == 0)
        let forecast = await home.run(["sandbox", "what-if", id, child, "--reason", "kill", "--json"])
        #expect(forecast.status == 0, "\(forecast.stderr)")
        let step = try #require(forecast.json?["steps"]?.arrayValue?.first)
        #expect(
            step["strategy"] == .string(strategy) && step["action"] == "restart"
                && forecast.json?["outcome"] == "restarted")
        let restarted = Set(step["restarted"]?.arrayValue?.compactMap { $0.stringValue.map { "\(id)/\($0)" } } ?? [])

        let before = await Self.pids(home, id)
        #expect(await home.run(["process", "kill", "\(id)/\(child)"]).status == 0)
        #expect(await home.run(["wait", "\(id)/\(child)", "--for", "restarted", "--timeout", "10s"]).status == 0)
        var after: [String: String] = [:]
        // The strategy restarts its children in order; wait until the last one named is back.
        for _ in 0..<100 {
            after = await Self.pids(home, id)
            if restarted.allSatisfy({ after[$0] != nil && after[$0] != before[$0] }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        // Direct children of the sandbox's root whose PID changed: exactly what what-if named.
        let direct = Set(before.keys.filter { $0.split(separator: "/").count == 2 })
        let changed = Set(direct.filter { after[$0] != before[$0] })
        #expect(
            changed == restarted,
            "\(strategy): what-if said \(restarted.sorted()), the kill restarted \(changed.sorted())")
        #expect(
            Set(direct.subtracting(changed).map { after[$0] }) == Set(direct.subtracting(changed).map { before[$0] }))

        // why: the decision as it was taken, the same as foreseen, with the intensity window.
        let why = await home.run(["why", "\(id)/\(child)", "--json"])
        let decision = try #require(why.json?["decisions"]?.arrayValue?.last)
        #expect(decision["action"] == step["action"] && decision["restarted"] == step["restarted"])
        #expect(decision["stopped"] == step["stopped"] && decision["reason"] == "killed")
        #expect(decision["explanation"]?.stringValue?.hasPrefix("1st restart of 3 in 5 s") == true, "\(decision)")
        let text = await home.run(["why", "\(id)/\(child)"])
        #expect(text.stdout.contains("exited (killed) → restarted: 1st restart of 3 in 5 s"), "\(text.stdout)")
    }

    @Test func anEscalationIsForeseenUpTheTreeAndTheSandboxHealthSaysWhy() async throws {
        let home = TestHome()
        defer { home.close() }
        let spec = """
            strategy: one_for_one
            max_restarts: 1
            max_seconds: 60
            children:
              - id: api
                worker: counter
              - id: jobs
                supervisor:
                  strategy: one_for_one
                  max_restarts: 0
                  children:
                    - { id: tick, worker: ticker }
            """
        #expect(await home.run(["sandbox", "create", "e", "--spec", "-"], input: spec).status == 0)
        #expect(await home.run(["sandbox", "status", "e"]).status == 0)
        // A crash in jobs: jobs gives up at once (budget 0); the root restarts jobs (1st of 1).
        let nested = await home.run(["sandbox", "what-if", "e", "jobs/tick", "--json"])
        let steps = nested.json?["steps"]?.arrayValue ?? []
        #expect(steps.map { $0["action"] } == ["escalate", "restart"], "\(nested.stdout)")
        #expect(steps.map { $0["supervisor"] } == ["e/jobs", "e"] && nested.json?["outcome"] == "restarted")
        #expect(await home.run(["process", "kill", "e/jobs/tick"]).status == 0)
        #expect(await home.run(["wait", "e/jobs", "--for", "restarted", "--timeout", "10s"]).status == 0)
        let why = await home.run(["why", "e", "--json"])
        let actions = why.json?["decisions"]?.arrayValue?.map {
            "\($0["path"]?.stringValue ?? ""):\($0["action"]?.stringValue ?? "")"
        }
        #expect(actions?.contains("e/jobs:restart") == true, "\(why.stdout)")
        // The jobs supervisor that gave up is gone, its log with it; the kept decision still says why.
        let gone = await home.run(["why", "e/jobs/tick", "--json"])
        #expect(gone.json?["decisions"]?.arrayValue?.last?["action"] == "escalate", "\(gone.stdout)")
        // Now the root's budget is spent: its status says so, and the next crash would fail the sandbox.
        let degraded = await home.run(["sandbox", "status", "e", "--json"])
        #expect(degraded.status == 1, "\(degraded.stdout)")
        #expect(
            degraded.json?["reasons"]?.arrayValue?.first?.stringValue?.contains("e has used 1 of its 1 restarts")
                == true)
        let doomed = await home.run(["sandbox", "what-if", "e", "api"])
        #expect(doomed.stdout.contains("sandbox e fails"), "\(doomed.stdout)")
        #expect(await home.run(["process", "kill", "e/api"]).status == 0)
        #expect(await home.run(["wait", "e", "--for", "escalated", "--timeout", "10s"]).status == 0)
        let failed = await home.run(["sandbox", "status", "e"])
        #expect(failed.status == 1 && failed.stdout.contains("the sandbox is failed"), "\(failed.stdout)")
        let server = await home.run(["server", "status"])
        #expect(server.status == 1 && server.stderr.contains("sandbox e failed"), "\(server.stderr)")
        #expect(await home.run(["sandbox", "status", "ghost"]).status == 3)
        // And after the daemon itself crashed, why still knows: decisions are written every other second, so
        // wait two and a half periods (one and a quarter was not always enough under a full make test).
        try await Task.sleep(for: .seconds(5))
        kill(try #require(home.daemonPID), SIGKILL)
        try await Task.sleep(for: .milliseconds(200))
        let remembered = await home.run(["why", "e", "--json"])
        let kept = remembered.json?["decisions"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
        #expect(kept.contains("escalate") && kept.contains("restart"), "\(remembered.stdout)\(remembered.stderr)")
        #expect(await home.run(["sandbox", "what-if", "e", "nobody"]).status == 3)
    }

    @Test func theSameSeedMakesTheSameKillsAndAReplayRepeatsThem() async throws {
        let home = TestHome()
        defer { home.close() }
        let spec = """
            max_restarts: 100
            children:
              - { id: a, worker: counter }
              - { id: b, worker: counter }
              - { id: c, worker: counter }
            """
        #expect(await home.run(["sandbox", "create", "r", "--spec", "-"], input: spec).status == 0)
        func victims(_ seed: Int) async -> (run: String, victims: Term?) {
            let result = await home.run(["sandbox", "run", "r", "kill-random", "n=8", "--seed", String(seed), "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.json?["seed"] == .int(seed))
            return (result.json?["run_id"]?.stringValue ?? "", result.json?["details"]?["victims"])
        }
        let first = await victims(42)
        let second = await victims(42)
        let other = await victims(7)
        #expect(first.victims != nil && first.victims == second.victims, "the same seed, the same kills")
        #expect(first.victims != other.victims, "another seed, other kills")
        // Without a seed, one is chosen and reported, so any run can be repeated.
        let unseeded = await home.run(["sandbox", "run", "r", "kill-random", "n=2", "--json"])
        #expect(unseeded.json?["seed"]?.intValue != nil && unseeded.json?["run_id"] != nil)
        let replay = await home.run(["sandbox", "replay", first.run, "--json"])
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        #expect(replay.json?["same_choices"] == true && replay.json?["replay"]?["details"]?["victims"] == first.victims)
        #expect(await home.run(["sandbox", "replay", "run-999"]).status == 3)
    }

    @Test func telemetryHistoryIsATableOverTimeThatSurvivesADaemonCrash() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "c", "CrashLoop"]).status == 0)
        try await Task.sleep(for: .seconds(4))
        let table = await home.run(["telemetry", "--since", "8s", "--every", "2s", "--json"])
        let rows = table.json?.arrayValue ?? []
        #expect(rows.count == 4, "\(table.stdout)\(table.stderr)")
        let restarts = rows.compactMap { $0["restarts"]?.intValue }.reduce(0, +)
        #expect(restarts >= 3, "the crash loop restarts about three times a second: \(table.stdout)")
        // Three processes (the root, the crasher, the counter), or two when the sample falls between the
        // crasher's exit and its restart: it dies every 300 ms, and a loaded machine widens that gap.
        let processes = rows.last?["processes"]?.intValue ?? 0
        #expect(rows.last?["sandboxes"] == 1 && (2...3).contains(processes), "\(table.stdout)")

        // kill -9: what was kept before the crash is still there for the next daemon.
        try await Task.sleep(for: .seconds(2.5))
        let crashedAt = Date().timeIntervalSince1970
        kill(try #require(home.daemonPID), SIGKILL)
        try await Task.sleep(for: .milliseconds(200))
        let after = await home.run(["telemetry", "--since", "20s", "--every", "1s", "--json"])
        let before = (after.json?.arrayValue ?? []).filter { ($0["to"]?.doubleValue ?? 0) < crashedAt - 2 }
        #expect(before.compactMap { $0["restarts"]?.intValue }.reduce(0, +) >= 3, "\(after.stdout)\(after.stderr)")
        let text = await home.run(["telemetry", "--since", "4s", "--every", "2s"])
        #expect(text.stdout.hasPrefix("FROM") && text.stdout.contains("RESTARTS"))
        #expect(await home.run(["telemetry", "--every", "2s"]).status == 2)
    }

    @Test func whyGivesAProgramChildsBackoffDelay() async throws {
        let home = TestHome()
        defer { home.close() }
        let spec = """
            max_restarts: 10
            children:
              - id: main
                command: [sh, -c, "sleep 0.2; exit 3"]
                backoff: { initial: 1s, max: 1s, jitter: 0 }
            """
        #expect(await home.run(["sandbox", "create", "p", "--spec", "-"], input: spec).status == 0)
        #expect(await home.run(["wait", "p/main", "--for", "restarted", "--timeout", "10s"]).status == 0)
        var decision: Term? = nil
        for _ in 0..<40 {
            decision = await home.run(["why", "p/main", "--json"]).json?["decisions"]?.arrayValue?.last
            if decision?["backoff_seconds"] != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(decision?["reason"] == "exit_status 3", "\(decision ?? .null)")
        #expect(decision?["backoff_seconds"]?.doubleValue == 1, "\(decision ?? .null)")
        #expect(decision?["explanation"]?.stringValue?.contains("backoff of 1.0 s") == true)
    }

    @Test func exportGivesASpecThatRecreatesTheTreeAndGraphsThatDotAccepts() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "n", "NestedTree"]).status == 0)
        let yaml = await home.run(["sandbox", "export", "n"])
        #expect(yaml.status == 0 && yaml.stdout.contains("strategy: rest_for_one"))
        #expect(await home.run(["sandbox", "create", "copy", "--spec", "-"], input: yaml.stdout).status == 0)
        func shape(_ id: String) async -> [String] {
            (await Self.pids(home, id)).keys.map { $0.split(separator: "/").dropFirst().joined(separator: "/") }
                .sorted()
        }
        #expect(await shape("copy") == shape("n"))
        #expect(
            await home.run(["sandbox", "info", "copy", "--json"]).json?["spec"]
                == home.run(["sandbox", "info", "n", "--json"]).json?["spec"])

        let dot = await home.run(["sandbox", "export", "n", "--format", "dot"])
        #expect(dot.stdout.hasPrefix("digraph \"n\" {"))
        let file = home.path + "/n.dot"
        try dot.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let svg = try ChildProcess(
            "/bin/sh", ["-c", "dot -Tsvg \(file) > \(file).svg"], environment: home.environment,
            output: home.path + "/dot.log")
        #expect(
            sl_wait(svg.pid) == 0,
            "dot rejected the export: \((try? String(contentsOfFile: home.path + "/dot.log", encoding: .utf8)) ?? "")")
        let picture = (try? String(contentsOfFile: file + ".svg", encoding: .utf8)) ?? ""
        #expect(picture.contains("<svg") && picture.contains("rest_for_one") && picture.contains("counter"))

        let mermaid = await home.run(["sandbox", "export", "n", "--format", "mermaid"])
        #expect(mermaid.stdout.hasPrefix("graph TD") && mermaid.stdout.contains("--> "))
        let json = await home.run(["sandbox", "export", "n", "--format", "json"])
        #expect(json.json?["tree"]?["strategy"] == "rest_for_one")
        #expect(await home.run(["sandbox", "export", "n", "--format", "png"]).status == 2)
    }
}

/// `sandbox apply`, `history` and `rollback` through the real binary and a real daemon, restarted between.
@Suite("Changing a running tree and undoing it")
struct ApplyTests {
    @Test func applyKeepsUntouchedPIDsAndRollbackRestoresThePreviousSpecAcrossADaemonCrash() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "d", "DemoSupervisor"]).status == 0)
        let v1 = await home.run(["sandbox", "info", "d", "--json"]).json?["spec"]
        let v2 = """
            strategy: rest_for_one
            max_restarts: 5
            children:
              - { id: counter_1, worker: counter, args: { initial: 0 } }
              - { id: counter_2, worker: counter, args: { initial: 7 } }
              - { id: cache, worker: kv }
            """
        let file = home.path + "/v2.yaml"
        try v2.write(toFile: file, atomically: true, encoding: .utf8)
        let before = await InsightTests.pids(home, "d")

        let plan = await home.run(["sandbox", "apply", "d", "--spec", file, "--dry-run", "--json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.json?["added"] == ["cache"] && plan.json?["removed"] == ["printer_1"])
        #expect(plan.json?["changed"] == ["counter_2"] && plan.json?["kept"] == ["counter_1"])
        #expect(plan.json?["flags"]?["strategy"] == "one_for_one → rest_for_one" && plan.json?["version"] == .null)
        #expect(await InsightTests.pids(home, "d") == before, "a dry run changes nothing")

        let applied = await home.run(["sandbox", "apply", "d", "--spec", file, "--json"])
        #expect(applied.status == 0 && applied.json?["version"] == 2, "\(applied.stderr)")
        let after = await InsightTests.pids(home, "d")
        #expect(after["d/counter_1"] == before["d/counter_1"], "untouched: same PID")
        #expect(after["d"] == before["d"], "the root supervisor itself keeps running")
        #expect(after["d/counter_2"] != nil && after["d/counter_2"] != before["d/counter_2"], "changed: restarted")
        #expect(after["d/cache"] != nil && after["d/printer_1"] == nil)
        #expect(await home.run(["process", "state", "d/counter_2", "--json"]).json?["state"]?["value"] == 7)
        // The new strategy is the one the supervisor now runs by: a crash of counter_1 takes its followers.
        let forecast = await home.run(["sandbox", "what-if", "d", "counter_1", "--json"])
        #expect(forecast.json?["steps"]?.arrayValue?.first?["restarted"] == ["counter_1", "counter_2", "cache"])

        // The versions survive a crash of the daemon.
        kill(try #require(home.daemonPID), SIGKILL)
        try await Task.sleep(for: .milliseconds(200))
        let history = await home.run(["sandbox", "history", "d", "--json"])
        #expect(
            history.json?.arrayValue?.map { $0["origin"] } == ["create", "apply"], "\(history.stdout)\(history.stderr)")

        let rolled = await home.run(["sandbox", "rollback", "d", "--json"])
        #expect(rolled.status == 0 && rolled.json?["restored"] == 1 && rolled.json?["version"] == 3, "\(rolled.stderr)")
        #expect(await home.run(["sandbox", "info", "d", "--json"]).json?["spec"] == v1, "the previous spec is back")
        #expect(Set((await InsightTests.pids(home, "d")).keys) == Set(before.keys))
        #expect(
            await home.run(["sandbox", "history", "d", "--json"]).json?.arrayValue?.last?["origin"] == "rollback to 1")

        // Bad input: a spec with a wrong field, a version that does not exist, a sandbox that does not.
        try "children:\n  - { id: a, worker: nope }\n".write(toFile: file, atomically: true, encoding: .utf8)
        let bad = await home.run(["sandbox", "apply", "d", "--spec", file])
        #expect(bad.status == 2 && bad.stderr.contains("children[0].worker"), "\(bad.stderr)")
        let missing = await home.run(["sandbox", "rollback", "d", "--to", "9"])
        #expect(missing.status == 3 && missing.stderr.contains("no version 9"), "\(missing.stderr)")
        #expect(await home.run(["sandbox", "history", "ghost"]).status == 3)
    }
}
