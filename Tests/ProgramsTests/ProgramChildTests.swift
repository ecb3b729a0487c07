import Foundation
import Supervision
import Testing

@testable import Programs

#if canImport(Glibc)
    import Glibc
#endif

/// Programs as children through the library alone: a `Supervisor` from `Supervision` with a
/// `ChildStart.program` child, real programs from Debian.
@Suite("Program children in the library")
struct ProgramChildTests {
    static func host() -> ProgramHost {
        let folder = NSTemporaryDirectory() + "sl-programs-\(UUID().uuidString.prefix(8))"
        return ProgramHost(logsDirectory: folder + "/logs", marker: folder)
    }

    static func osPID(_ pid: PID, in runtime: Runtime) async throws -> Int32 {
        let state = try await runtime.state(of: pid)
        return Int32(try #require(state["os_pid"]?.intValue))
    }

    @Test func aProgramChildRestartsWhenKilledAndStopsWithItsSupervisor() async throws {
        let runtime = Runtime()
        let host = Self.host()
        let spec = SupervisorSpec(
            strategy: .oneForOne,
            children: [ChildSpec(id: "sleeper", start: .program(ProgramSpec(command: ["sleep", "1000"]), host: host))])
        let supervisor = try await Supervisor.start(spec, in: runtime, options: SpawnOptions(path: "lib"))
        let child = try #require(try await supervisor.whichChildren().first?.pid)
        let first = try await Self.osPID(child, in: runtime)
        let restarted = RuntimeWaiter(runtime) {
            if case .restarted(_, "sleeper", _, _, _, _) = $0 { true } else { false }
        }
        kill(first, SIGKILL)
        guard case .restarted(_, _, _, let replacement, let reason, _)? = await restarted.wait(timeout: .seconds(10))
        else {
            Issue.record("no restart after kill -9 of the program")
            return
        }
        #expect(reason == .killed)
        let second = try await Self.osPID(replacement, in: runtime)
        #expect(second != first && kill(second, 0) == 0)
        try await supervisor.stop()
        #expect(kill(second, 0) != 0, "the program outlived its supervisor")
        #expect(host.log(for: "lib/sleeper").path.hasSuffix("/logs/lib/sleeper.log"))
    }

    @Test func exitStatusesBecomeExitReasons() async throws {
        let runtime = Runtime()
        let host = Self.host()
        for (script, expected) in [
            ("exit 0", ExitReason.normal), ("exit 3", .error("exit_status 3")),
            ("kill -SEGV $$", .error("signal SEGV")),
            ("kill -KILL $$", .killed),
        ] {
            let exited = RuntimeWaiter(runtime) {
                if case .exited(_, _, "once/\(script.count)") = $0 { true } else { false }
            }
            let start = ChildStart.program(
                ProgramSpec(command: ["/bin/sh", "-c", "sleep 0.05; \(script)"]), host: host)
            let spec = SupervisorSpec(
                children: [ChildSpec(id: String(script.count), start: start, restart: .temporary)])
            let supervisor = try await Supervisor.start(spec, in: runtime, options: SpawnOptions(path: "once"))
            guard case .exited(_, let reason, _)? = await exited.wait(timeout: .seconds(10)) else {
                Issue.record("\(script): no exit")
                continue
            }
            #expect(reason == expected, "\(script)")
            try await supervisor.stop()
        }
    }

    @Test func limitsAreSetBeforeExecAndMemoryIsWatched() async throws {
        let runtime = Runtime()
        let host = Self.host()
        var limited = ProgramSpec(command: ["/bin/sh", "-c", "ulimit -n; ulimit -t; exec sleep 1000"])
        limited.limits = .init(openFiles: 64, cpuSeconds: 30)
        limited.ready = .init(probe: .logLine("^[0-9]+$"))
        var hungry = ProgramSpec(
            command: ["python3", "-c", "import time; x = bytearray(96 * 1024 * 1024); time.sleep(1000)"])
        hungry.limits = .init(memoryBytes: 32 << 20)
        let exited = RuntimeWaiter(runtime) {
            if case .exited(_, _, "limits/hungry") = $0 { true } else { false }
        }
        let spec = SupervisorSpec(children: [
            ChildSpec(id: "limited", start: .program(limited, host: host)),
            ChildSpec(id: "hungry", start: .program(hungry, host: host), restart: .temporary),
        ])
        let supervisor = try await Supervisor.start(spec, in: runtime, options: SpawnOptions(path: "limits"))
        let lines = host.log(for: "limits/limited").read().map(\.text)
        #expect(lines.prefix(2) == ["64", "30"], "\(lines)")
        guard case .exited(_, let reason, _)? = await exited.wait(timeout: .seconds(15)) else {
            Issue.record("the memory limit did not end the program")
            return
        }
        #expect(reason.description.hasPrefix("memory_limit: rss "), "\(reason)")
        try await supervisor.stop()
    }

    @Test func dotenvReadsExportsQuotesAndComments() throws {
        let folder = NSTemporaryDirectory() + "sl-env-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = folder + "/.env"
        try """
        # a comment
        export A=1
        B = 'two words # kept'
        C="line\\nbreak \\"quoted\\""
        D=plain # dropped

        """.write(toFile: file, atomically: true, encoding: .utf8)
        var spec = ProgramSpec(
            command: ["true"], environmentFiles: [.init(path: file), .init(path: folder + "/no", optional: true)])
        spec.environment["E"] = "from spec"
        let environment = try ProgramInstance.buildEnvironment(spec, marker: "m")
        for expected in [
            "A=1", "B=two words # kept", "C=line\nbreak \"quoted\"", "D=plain", "E=from spec",
            "SUPERLEARNER_SUPERVISOR=m",
        ] {
            #expect(environment.contains(expected), "\(expected)")
        }
        spec.environmentFiles = [.init(path: folder + "/no")]
        #expect(throws: LaunchError.self) { try ProgramInstance.buildEnvironment(spec, marker: "m") }
    }

    @Test func aLogReadsAcrossRotationsFromItsCursor() throws {
        let folder = NSTemporaryDirectory() + "sl-log-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let log = ProgramLog(path: folder + "/child.log")
        log.use(.init(maxBytes: 4096, backups: 3))
        for index in 0..<600 {
            log.append(index % 2 == 0 ? .stdout : .stderr, lines: [Array("line \(index)".utf8)[...]])
        }
        let all = log.read(limit: 10_000)
        // Three backups of 4 KiB keep the newest lines only, in order, with increasing timestamps.
        #expect(all.last?.text == "line 599" && all.count < 600 && all.count > 200)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.at < $1.at })
        let cursor = all[all.count / 2].at
        let after = log.read(after: cursor, limit: 10_000)
        #expect(after == Array(all.drop { $0.at <= cursor }))
        #expect(log.read(after: cursor, limit: 5) == Array(after.prefix(5)))
        #expect(log.read(stream: .stderr, limit: 3).map(\.text) == ["line 595", "line 597", "line 599"])
        #expect(log.read(after: try #require(all.last).at).isEmpty)
        try? FileManager.default.removeItem(atPath: folder)
    }

    @Test func backoffDelaysGrowToTheirMaximum() {
        let backoff = ProgramSpec.Backoff(initial: .milliseconds(100), maximum: .seconds(1), multiplier: 3)
        #expect(backoff.delay(attempt: 0) == .zero)
        #expect(backoff.delay(attempt: 1) == .milliseconds(100))
        #expect(backoff.delay(attempt: 2) == .milliseconds(300))
        #expect(backoff.delay(attempt: 3) == .milliseconds(900))
        #expect(backoff.delay(attempt: 4) == .seconds(1))
        #expect(backoff.delay(attempt: 40) == .seconds(1))
    }
}
