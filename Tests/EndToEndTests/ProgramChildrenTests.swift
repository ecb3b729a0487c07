import CSuperlearner
import Foundation
import SuperlearnerClient
import Supervision
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Operating-system programs as children, through the real binary and daemon: Debian's sh, sleep and
/// python3, no mocks. Programs are found by a marker argument unique to each test.
@Suite("Programs as children of supervision trees")
struct ProgramChildrenTests {
    // MARK: Helpers

    /// Writes `text` to `name` in the home and returns the path.
    static func write(_ text: String, _ name: String, in home: TestHome) -> String {
        let file = home.path + "/" + name
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }

    /// A marker for test number `n`: an argument `sleep` takes as its duration (a bit over 1000 s), unique to
    /// the test and to this run, so the test's programs can be counted by their command lines.
    static func marker(_ n: Int) -> String { "\(1000 + n).\(getpid())" }

    /// Live processes with `marker` as one of their arguments.
    static func processes(marked marker: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let commandLine = procFile("/proc/\(pid)/cmdline") else { return false }
            let arguments = commandLine.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            // A zombie has exited already (its command line reads empty).
            return arguments.contains(marker)
        }
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes; whether it held.
    static func eventually(_ timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async rethrows
        -> Bool
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    /// A loopback port nobody listens on at the moment.
    static func freePort() -> Int { Int(sl_free_loopback_port()) }

    static func state(_ home: TestHome, _ path: String) async -> Term? {
        await home.run(["process", "info", path, "--json"]).json?["state"]
    }

    static func osPID(_ home: TestHome, _ path: String) async -> Int? {
        await state(home, path)?["os_pid"]?.intValue
    }

    /// `path → pid` for every node of the tree.
    static func pids(_ home: TestHome, _ id: String) async -> [String: String] {
        var result: [String: String] = [:]
        func walk(_ node: Term) {
            if let path = node["path"]?.stringValue { result[path] = node["pid"]?.stringValue ?? "-" }
            for child in node["children"]?.arrayValue ?? [] { walk(child) }
        }
        if let tree = await home.run(["sandbox", "tree", id, "--json"]).json { walk(tree) }
        return result
    }

    // MARK: Strategies over mixed trees

    @Test(arguments: ["one_for_one", "one_for_all", "rest_for_one"])
    func aProgramThatDiesIsHandledByTheStrategyLikeAWorker(strategy: String) async throws {
        let home = TestHome()
        defer { home.close() }
        let marker = Self.marker(["one_for_one": 1, "one_for_all": 2, "rest_for_one": 3][strategy]!)
        let spec = Self.write(
            """
            strategy: \(strategy)
            children:
              - { id: a, worker: counter }
              - { id: b, command: [sleep, "\(marker)"] }
              - { id: c, command: [sleep, "\(marker)"] }
              - { id: d, worker: counter }
            """, "mixed.yaml", in: home)
        let created = await home.run(["sandbox", "create", "m", "--spec", spec])
        #expect(created.status == 0, "\(created.stderr)")
        let before = await Self.pids(home, "m")
        let osB = try #require(await Self.osPID(home, "m/b"))
        let osC = try #require(await Self.osPID(home, "m/c"))
        kill(Int32(osB), SIGKILL)
        let restarted = await Self.eventually {
            let now = await Self.osPID(home, "m/b")
            return now != nil && now != osB
        }
        #expect(restarted, "b was not restarted after kill -9 of its program")
        let after = await Self.pids(home, "m")
        let changed = Set(["a", "b", "c", "d"].filter { before["m/\($0)"] != after["m/\($0)"] })
        let expected: Set<String> =
            switch strategy {
            case "one_for_one": ["b"]
            case "one_for_all": ["a", "b", "c", "d"]
            default: ["b", "c", "d"]
            }
        #expect(changed == expected, "\(strategy): restarted \(changed.sorted())")
        // A program stopped by the strategy was really replaced; one left alone kept running.
        let newC = await Self.osPID(home, "m/c")
        #expect((newC != osC) == (strategy != "one_for_one"))
        #expect(kill(Int32(osC), 0) == (strategy == "one_for_one" ? 0 : -1))
        #expect(await Self.eventually(.seconds(5)) { Self.processes(marked: marker).count == 2 })
        #expect(await home.run(["sandbox", "destroy", "m"]).status == 0)
        #expect(Self.processes(marked: marker).isEmpty)
    }

    // MARK: Stop: the whole group, whatever it does

    @Test func aForkingProgramThatIgnoresTermIsKilledWithItsGroupAfterShutdown() async throws {
        let home = TestHome()
        defer { home.close() }
        let marker = Self.marker(4)
        let spec = Self.write(
            """
            children:
              - id: stubborn
                shell: "trap '' TERM; sleep \(marker) & sleep \(marker) & echo forked; wait"
                shutdown: 300
                ready: { log_line: forked }
            """, "fork.yaml", in: home)
        #expect(await home.run(["sandbox", "create", "f", "--spec", spec]).status == 0)
        // `forked` can be printed before a backgrounded `sleep` has exec'd and shows its marker.
        #expect(await Self.eventually(.seconds(5)) { Self.processes(marked: marker).count == 2 })
        let clock = ContinuousClock()
        let started = clock.now
        let destroyed = await home.run(["sandbox", "destroy", "f"])
        let took = clock.now - started
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        // Ignoring TERM bought it the shutdown time, no more, and no grandchild outlived it.
        #expect(took >= .milliseconds(300))
        #expect(Self.processes(marked: marker).isEmpty, "grandchildren survived: \(Self.processes(marked: marker))")
    }

    // MARK: Readiness

    @Test func readinessByTcpHttpExecAndLogLineGatesTheStart() async throws {
        let home = TestHome()
        defer { home.close() }
        let (tcpPort, httpPort) = (Self.freePort(), Self.freePort())
        let ready = Self.write("", "ready-flag", in: home)
        let spec = Self.write(
            """
            children:
              - id: tcp
                command: [python3, -m, http.server, "\(tcpPort)", --bind, 127.0.0.1]
                ready: { tcp: "127.0.0.1:\(tcpPort)", timeout: 20s }
              - id: http
                command: [python3, -m, http.server, "\(httpPort)", --bind, 127.0.0.1]
                ready: { http: "http://127.0.0.1:\(httpPort)/", status: 200, timeout: 20s }
              - id: exec
                shell: "sleep 0.3; touch \(ready); exec sleep 1000"
                ready: { exec: [test, -e, \(ready)], timeout: 20s }
              - id: line
                shell: "sleep 0.3; echo 'server listening on 7'; exec sleep 1000"
                ready: { log_line: "listening on [0-9]+", timeout: 20s }
            """, "ready.yaml", in: home)
        unlink(ready)
        let created = await home.run(["sandbox", "create", "r", "--spec", spec])
        #expect(created.status == 0, "\(created.stderr)")
        // Each start returned only once its probe passed: everything a probe checks is true right now.
        #expect(await rawRequest(port: httpPort, "GET / HTTP/1.1\nHost: 127.0.0.1").status == 200)
        #expect(FileManager.default.fileExists(atPath: ready))
        let lines = await home.run(["process", "logs", "r/line", "--json"]).json?["lines"]?.arrayValue ?? []
        #expect(lines.contains { $0["text"]?.stringValue == "server listening on 7" })
        for path in ["r/tcp", "r/http", "r/exec", "r/line"] {
            #expect(await Self.state(home, path)?["status"]?.stringValue == "running", "\(path)")
        }
        #expect(await home.run(["sandbox", "destroy", "r"]).status == 0)
    }

    @Test func aProbeThatNeverPassesFailsTheStartWithItsReason() async throws {
        let home = TestHome()
        defer { home.close() }
        let marker = Self.marker(5)
        let spec = Self.write(
            """
            children:
              - id: deaf
                command: [sleep, "\(marker)"]
                ready: { tcp: "127.0.0.1:\(Self.freePort())", timeout: 500ms }
            """, "never.yaml", in: home)
        let created = await home.run(["sandbox", "create", "n", "--spec", spec])
        #expect(created.status != 0)
        #expect(created.stderr.contains("not ready after 0.5 s: tcp 127.0.0.1:"), "\(created.stderr)")
        #expect(Self.processes(marked: marker).isEmpty)
        let missing = Self.write(
            "children:\n  - { id: ghost, command: [no-such-program-\(getpid())] }\n", "missing.yaml", in: home)
        let failed = await home.run(["sandbox", "create", "g", "--spec", missing])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("command not found: no-such-program-\(getpid())"), "\(failed.stderr)")
    }

    @Test func experimentsAndProcessCommandsWorkOnPrograms() async throws {
        let home = TestHome()
        defer { home.close() }
        let marker = Self.marker(8)
        let spec = Self.write(
            """
            max_restarts: 1000
            children:
              - { id: svc, command: [sleep, "\(marker)"] }
              - { id: other, command: [sleep, "\(marker)"], shutdown: 2000 }
            """, "experiments.yaml", in: home)
        #expect(await home.run(["sandbox", "create", "x", "--spec", spec]).status == 0)
        // Generous deadlines and latency budget: this proves the experiments work on programs, not a time
        // (the suite shares two cores with browsers and a hundred other tests).
        for experiment in [
            ["kill-child", "target=svc", "timeout_ms=20000"], ["kill-random", "n=5", "timeout_ms=20000"],
            ["restart-latency", "target=svc", "timeout_ms=20000", "max_median_ms=60000"],
        ] {
            let result = await home.run(["sandbox", "run", "x"] + experiment + ["--json"])
            #expect(result.status == 0, "\(experiment): \(result.stdout) \(result.stderr)")
            #expect(result.json?["verdict"]?.stringValue == "pass", "\(experiment): \(result.stdout)")
        }
        #expect(await Self.eventually { Self.processes(marked: marker).count == 2 })
        let osPID = try #require(await Self.osPID(home, "x/other"))
        let stopped = await home.run(["process", "stop", "x/other", "--reason", "shutdown"])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(await Self.eventually { kill(Int32(osPID), 0) != 0 }, "process stop left the program running")
        #expect(await home.run(["sandbox", "destroy", "x"]).status == 0)
        #expect(Self.processes(marked: marker).isEmpty)
    }

    // MARK: Health, backoff, exit codes

    @Test func failedLivenessChecksRestartTheProgramAsUnhealthy() async throws {
        let home = TestHome()
        defer { home.close() }
        let spec = Self.write(
            """
            max_restarts: 100
            children:
              - id: zombie
                command: [sleep, "1000"]
                liveness: { tcp: "127.0.0.1:\(Self.freePort())", every: 100ms, failures: 2, timeout: 100ms }
            """, "liveness.yaml", in: home)
        #expect(await home.run(["sandbox", "create", "l", "--spec", spec]).status == 0)
        // The program is replaced every few hundred milliseconds, so one read can fall between an instance and
        // the next (a clean-clone run once read no os_pid): wait for one.
        var running: Int? = nil
        #expect(
            await Self.eventually {
                running = await Self.osPID(home, "l/zombie")
                return running != nil
            })
        let first = try #require(running)
        let replaced = await Self.eventually {
            let now = await Self.osPID(home, "l/zombie")
            return now != nil && now != first
        }
        #expect(replaced)
        let supervisor = await home.run(["supervisor", "info", "l", "--json"]).json
        let reasons = supervisor?["history"]?.arrayValue?.compactMap { $0["reason"]?.stringValue } ?? []
        #expect(reasons.contains { $0.hasPrefix("unhealthy: 2 failed checks of tcp 127.0.0.1:") }, "\(reasons)")
    }

    @Test func aCrashLoopBacksOffWithGrowingDelaysThenEscalates() async throws {
        let home = TestHome()
        defer { home.close() }
        let spec = Self.write(
            """
            max_restarts: 4
            max_seconds: 60
            children:
              - id: loop
                shell: "echo run; exit 3"
                backoff: { initial: 100ms, multiplier: 2, max: 10s, jitter: 0 }
            """, "loop.yaml", in: home)
        #expect(await home.run(["sandbox", "create", "c", "--spec", spec]).status == 0)
        let failed = await Self.eventually {
            await home.run(["sandbox", "info", "c", "--json"]).json?["status"]?.stringValue == "failed"
        }
        #expect(failed, "the crash loop did not escalate")
        let lines = await home.run(["process", "logs", "c/loop", "--json"]).json?["lines"]?.arrayValue ?? []
        let times = lines.compactMap { $0["at"]?.stringValue }.compactMap(Self.seconds)
        // The first start and four restarts, each after a delay twice the one before.
        #expect(times.count == 5, "\(lines)")
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        for (index, gap) in gaps.enumerated() {
            #expect(gap >= 0.1 * pow(2, Double(index)), "restart \(index + 1) came after \(gap) s")
        }
        let info = await home.run(["sandbox", "info", "c", "--json"]).json
        #expect(info?["failure_reason"]?.stringValue?.isEmpty == false)
    }

    /// Seconds of the day in a log timestamp (the test runs within one day or fails loudly).
    static func seconds(_ at: String) -> Double? {
        let time = at.split(separator: "T").last?.dropLast() ?? ""
        let parts = time.split(separator: ":").compactMap { Double($0) }
        return parts.count == 3 ? parts[0] * 3600 + parts[1] * 60 + parts[2] : nil
    }

    @Test func exitCodesDecideNormalAndNoRestart() async throws {
        let home = TestHome()
        defer { home.close() }
        let spec = Self.write(
            """
            children:
              - { id: done, shell: "exit 4", restart: transient, exit_codes: { normal: [0, 4] } }
              - { id: config, shell: "echo bad config; exit 78", exit_codes: { no_restart: [78] } }
              - { id: steady, command: [sleep, "1000"] }
            """, "codes.yaml", in: home)
        #expect(await home.run(["sandbox", "create", "e", "--spec", spec]).status == 0)
        let settled = await Self.eventually {
            await Self.state(home, "e/config")?["status"]?.stringValue == "stopped (exit_status 78, no_restart)"
        }
        #expect(settled)
        let tree = await Self.pids(home, "e")
        #expect(tree["e/done"] == "-", "a transient child with a normal exit code stays down")
        let supervisor = await home.run(["supervisor", "info", "e", "--json"]).json
        #expect(supervisor?["history"]?.arrayValue?.isEmpty ?? true, "nothing was restarted")
        #expect(await home.run(["sandbox", "info", "e", "--json"]).json?["status"]?.stringValue == "running")
    }

    // MARK: Logs and environment

    @Test func logsRotateAndFollowAcrossARestart() async throws {
        let home = TestHome()
        defer { home.close() }
        let spec = Self.write(
            """
            children:
              - id: chatty
                shell: "i=0; while [ $i -lt 300 ]; do echo line-$i-padding-padding-padding; i=$((i+1)); done; echo done >&2; exec sleep 1000"
                ready: { log_line: done }
                logs: { max_bytes: 4096, backups: 2 }
            """, "chatty.yaml", in: home)
        #expect(await home.run(["sandbox", "create", "o", "--spec", spec]).status == 0)
        let log = home.path + "/logs/o/chatty.log"
        for file in [log, log + ".1", log + ".2"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? -1
            #expect(size > 0 && size <= 4096, "\(file): \(size) bytes")
        }
        #expect(!FileManager.default.fileExists(atPath: log + ".3"))
        let stderr = await home.run(["process", "logs", "o/chatty", "--stderr", "--json"]).json?["lines"]?.arrayValue
        #expect(stderr?.map { $0["text"]?.stringValue } == ["done"])
        let tail = await home.run(["process", "logs", "o/chatty", "--stdout", "--limit", "2"])
        #expect(tail.stdout.contains(" out line-298-") && tail.stdout.contains(" out line-299-"), "\(tail.stdout)")
        // Follow, then break the program: the follower goes on with the next run's lines.
        let followed = home.path + "/followed"
        let follower = try ChildProcess(
            binary, ["process", "logs", "o/chatty", "-f", "--stderr"], environment: home.environment,
            output: followed)
        defer { kill(follower.pid, SIGKILL) }
        #expect(
            await Self.eventually { ((try? String(contentsOfFile: followed, encoding: .utf8)) ?? "").contains("done") })
        #expect(await home.run(["process", "kill", "o/chatty"]).status == 0)
        let both = await Self.eventually {
            ((try? String(contentsOfFile: followed, encoding: .utf8)) ?? "").components(separatedBy: " err done").count
                == 3
        }
        #expect(both, "\((try? String(contentsOfFile: followed, encoding: .utf8)) ?? "")")
        kill(follower.pid, SIGTERM)
        _ = await follower.exitStatus()
        // The same work, counted for Prometheus: two starts, every line of both runs.
        let exposition = await home.run(["telemetry", "export", "--format", "prometheus"]).stdout
        func value(_ name: String) -> Double {
            exposition.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
                Double($0.split(separator: " ").last ?? "")
            } ?? 0
        }
        #expect(value("superlearner_program_starts_total") >= 2, "\(exposition)")
        #expect(value("superlearner_program_log_lines_total") >= 602, "\(exposition)")
    }

    @Test func envFilesAreReadAtEveryStartAndValuesStayOutOfInfo() async throws {
        let home = TestHome()
        defer { home.close() }
        let folder = home.path + "/app"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = Self.write("# settings\nexport GREETING='hello there'\nSECRET=\"s3cr3t\"\n", "app/.env", in: home)
        let spec = Self.write(
            """
            children:
              - id: env
                shell: "echo \\"$GREETING/$SECRET/$EXTRA/$(pwd)\\"; exec sleep 1000"
                env: { EXTRA: extra-value }
                env_file: [.env, -missing.env]
                ready: { log_line: "/" }
            """, "app/spec.yaml", in: home)
        #expect(await home.run(["sandbox", "create", "v", "--spec", spec]).status == 0)
        func lastLine() async -> String? {
            await home.run(["process", "logs", "v/env", "--json"]).json?["lines"]?.arrayValue?.last?["text"]?
                .stringValue
        }
        // Relative env files and the working directory resolve against the spec file's folder.
        #expect(await lastLine() == "hello there/s3cr3t/extra-value/\(folder)")
        let info = await home.run(["process", "info", "v/env"]).stdout
        #expect(!info.contains("s3cr3t") && !info.contains("extra-value") && info.contains("EXTRA=***"), "\(info)")
        _ = Self.write("GREETING=changed\n", "app/.env", in: home)
        #expect(await home.run(["process", "kill", "v/env"]).status == 0)
        #expect(await Self.eventually { await lastLine() == "changed//extra-value/\(folder)" })
    }

    // MARK: The daemon's crash

    @Test func killNineOfTheDaemonLeavesNoOrphanAndNoDuplicate() async throws {
        let home = TestHome()
        defer { home.close() }
        let marker = Self.marker(6)
        let spec = Self.write(
            """
            children:
              - { id: one, command: [sleep, "\(marker)"] }
              - { id: two, shell: "sleep \(marker) & exec sleep \(marker)" }
              - { id: nested, supervisor: { children: [{ id: three, command: [sleep, "\(marker)"] }] } }
            """, "crash.yaml", in: home)
        #expect(await home.run(["sandbox", "create", "k", "--spec", spec]).status == 0)
        let first = Set(Self.processes(marked: marker))
        #expect(first.count == 4)
        let daemon = try #require(home.daemonPID)
        kill(daemon, SIGKILL)
        #expect(await Self.eventually { kill(daemon, 0) != 0 })
        #expect(await home.run(["server", "start"]).status == 0)
        #expect(await Self.eventually(.seconds(10)) { Self.processes(marked: marker).count == 4 })
        let second = Set(Self.processes(marked: marker))
        #expect(
            second.isDisjoint(with: first), "programs of the crashed daemon still run: \(second.intersection(first))")
        #expect(await home.run(["server", "stop"]).status == 0)
        #expect(Self.processes(marked: marker).isEmpty, "a graceful stop leaves no program")
        #expect(home.markedPrograms().isEmpty)
    }

    // MARK: Scale, quick form, bad input

    @Test func twoHundredProgramsInOneSandbox() async throws {
        let home = TestHome()
        defer { home.close() }
        let marker = Self.marker(7)
        let children = (0..<200).map { "  - { id: p\($0), command: [sleep, \"\(marker)\"] }" }
        let spec = Self.write("children:\n" + children.joined(separator: "\n") + "\n", "many.yaml", in: home)
        let created = await home.run(["sandbox", "create", "many", "--spec", spec])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(Self.processes(marked: marker).count == 200)
        #expect(await home.run(["sandbox", "destroy", "many"]).status == 0)
        #expect(Self.processes(marked: marker).isEmpty)
    }

    @Test func theQuickFormSupervisesOneCommand() async throws {
        let home = TestHome()
        defer { home.close() }
        let port = Self.freePort()
        let created = await home.run([
            "sandbox", "create", "web", "--command", "python3 -m http.server \(port) --bind '127.0.0.1'",
            "--ready", "tcp:127.0.0.1:\(port)",
        ])
        #expect(created.status == 0, "\(created.stderr)")
        let tree = await home.run(["sandbox", "tree", "web"]).stdout
        #expect(tree.contains("main") && tree.contains("os_pid "), "\(tree)")
        #expect(await rawRequest(port: port, "GET / HTTP/1.1\nHost: 127.0.0.1").status == 200)
        let bad = await home.run(["sandbox", "create", "w2", "--command", "python3 'unclosed"])
        #expect(bad.status == 2 && bad.stderr.contains("unterminated single quote"), "\(bad.stderr)")
        let badReady = await home.run(["sandbox", "create", "w3", "--command", "sleep 1", "--ready", "udp:1"])
        #expect(badReady.status == 2 && badReady.stderr.contains("--ready: expected"), "\(badReady.stderr)")
    }

    @Test func badProgramFieldsAreRejectedWithTheirPath() async throws {
        let home = TestHome()
        defer { home.close() }
        let cases: [(String, String)] = [
            ("{ id: a, command: \"sleep 1\" }", "children[0].command: expected a non-empty list of strings"),
            ("{ id: a, command: [sleep], worker: counter }", "children[0]: has worker and command; choose one"),
            ("{ id: a, command: [sleep], ready: { tcp: nowhere } }", "children[0].ready.tcp: expected HOST:PORT"),
            (
                "{ id: a, command: [sleep], ready: { log_line: \"(\" } }",
                "children[0].ready.log_line: invalid regular expression"
            ),
            (
                "{ id: a, command: [sleep], backoff: { initial: 2s, max: 1s } }",
                "children[0].backoff.max: must be at least initial"
            ),
            ("{ id: a, command: [sleep], stop_signal: SIGNOPE }", "children[0].stop_signal: expected one of TERM"),
            (
                "{ id: a, command: [sleep], limits: { memory: 12 } }",
                "children[0].limits.memory: expected a size of at least 1MiB"
            ),
            ("{ id: a, worker: counter, cwd: /tmp }", "children[0].cwd: belongs to programs"),
        ]
        for (child, message) in cases {
            let spec = Self.write("children:\n  - \(child)\n", "bad.yaml", in: home)
            let result = await home.run(["sandbox", "create", "bad", "--spec", spec])
            #expect(result.status == 2, "\(child)")
            #expect(result.stderr.contains(message), "\(child): \(result.stderr)")
        }
        // Through the API a relative path has no folder to resolve against: refused, nothing created.
        await home.start()
        let (status, body) = try await home.api(
            "POST", "/api/v1/sandboxes",
            body: #"{"sandbox_id":"rel","spec":{"children":[{"id":"a","command":["sleep","1"],"cwd":"data"}]}}"#)
        #expect(status == 400 || status == 422, "\(body)")
        #expect(body.description.contains("children[0].cwd: expected an absolute path"), "\(body)")
        #expect(await home.run(["sandbox", "list", "--json"]).json?.arrayValue?.isEmpty == true)
    }

    // MARK: The guide

    /// The example of docs/os-processes.md, as written there (only its port changed to a free one).
    @Test func theGuidesExampleRuns() async throws {
        let home = TestHome()
        defer { home.close() }
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let guide = try String(contentsOfFile: parts.joined(separator: "/") + "/docs/os-processes.md", encoding: .utf8)
        let blocks = guide.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let example = try #require(blocks.first)
        let port = Self.freePort()
        let folder = home.path + "/shop"
        try FileManager.default.createDirectory(atPath: folder + "/public", withIntermediateDirectories: true)
        let spec = Self.write(example.replacingOccurrences(of: "8000", with: String(port)), "shop/shop.yaml", in: home)
        let created = await home.run(["sandbox", "create", "shop", "--spec", spec])
        #expect(created.status == 0, "\(created.stderr)")
        let tree = await home.run(["sandbox", "tree", "shop"]).stdout
        #expect(tree.contains("shop (rest_for_one)") && tree.components(separatedBy: "os_pid ").count == 3, "\(tree)")
        #expect(
            await Self.eventually { await rawRequest(port: port, "GET /heartbeat.txt HTTP/1.1\nHost: x").status == 200 }
        )
        #expect(
            await Self.eventually {
                let lines =
                    await home.run(["process", "logs", "shop/worker", "--json"]).json?["lines"]?.arrayValue ?? []
                return lines.contains { $0["text"]?.stringValue == "wrote heartbeat for demo-shop" }
            })
        let before = await Self.pids(home, "shop")
        let web = try #require(await Self.osPID(home, "shop/web"))
        kill(Int32(web), SIGKILL)
        #expect(await Self.eventually { await Self.osPID(home, "shop/web").map { $0 != web } ?? false })
        let after = await Self.pids(home, "shop")
        for child in ["web", "worker", "visits"] {
            #expect(before["shop/\(child)"] != after["shop/\(child)"], "rest_for_one restarts \(child)")
        }
        let worker = try #require(await Self.osPID(home, "shop/worker"))
        #expect(await home.run(["sandbox", "destroy", "shop"]).status == 0)
        #expect(kill(Int32(worker), 0) != 0 && home.markedPrograms().isEmpty)
    }
}
