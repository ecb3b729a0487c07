import Programs
import Supervision
import Testing

@testable import Sandbox

/// Program children in spec files: every field read, paths resolved against the file's folder, the term
/// form round-tripping.
@Suite("Spec files: program children")
struct ProgramSpecParsingTests {
    static let example = """
        children:
          - id: db
            command: [redis-server, --port, "6399"]
            cwd: ./data
            env: { REDIS_ARGS: "--save ''", WORKERS: 4 }
            env_file: [.env, -optional.env]
            restart: transient
            shutdown: 5000
            stop_signal: SIGINT
            backoff: { initial: 100ms, max: 30s, multiplier: 2, jitter: 0.2, reset_after: 60s }
            ready: { tcp: "127.0.0.1:6399", timeout: 10s }
            liveness: { http: "http://127.0.0.1:8080/healthz", every: 5s, failures: 3 }
            exit_codes: { normal: [0], no_restart: [78] }
            limits: { nofile: 4096, memory: 512MiB, cpu_seconds: 3600 }
            logs: { max_bytes: 10MiB, backups: 5 }
          - { id: sh, shell: "echo hi", ready: { log_line: "^hi$" } }
        """

    @Test func everyFieldOfTheIssuesExampleIsRead() throws {
        let spec = try SandboxSpec.parse(Self.example, base: "/srv/app")
        guard case .program(let db) = spec.children[0].kind, case .program(let sh) = spec.children[1].kind else {
            Issue.record("both children should be programs")
            return
        }
        #expect(db.command == ["redis-server", "--port", "6399"])
        #expect(db.directory == "/srv/app/./data")
        #expect(db.environment == ["REDIS_ARGS": "--save ''", "WORKERS": "4"])
        #expect(
            db.environmentFiles == [.init(path: "/srv/app/.env"), .init(path: "/srv/app/optional.env", optional: true)])
        #expect(db.stopSignal == .int)
        #expect(
            db.backoff
                == .init(
                    initial: .milliseconds(100), maximum: .seconds(30), multiplier: 2, jitter: 0.2,
                    resetAfter: .seconds(60)))
        #expect(db.ready == .init(probe: .tcp(host: "127.0.0.1", port: 6399), timeout: .seconds(10)))
        #expect(
            db.liveness
                == .init(
                    probe: .http(url: "http://127.0.0.1:8080/healthz", status: 200), every: .seconds(5), failures: 3))
        #expect(db.exitCodes == .init(normal: [0], noRestart: [78]))
        #expect(db.limits == .init(openFiles: 4096, memoryBytes: 512 << 20, cpuSeconds: 3600))
        #expect(db.logs == .init(maxBytes: 10 << 20, backups: 5))
        #expect(spec.children[0].restart == .transient && spec.children[0].shutdown == .timeout(.seconds(5)))
        #expect(sh.command == ["/bin/sh", "-c", "echo hi"] && sh.directory == "/srv/app")
        #expect(sh.ready?.probe == .logLine("^hi$"))
    }

    @Test func theTermFormRoundTripsThroughJSON() throws {
        let spec = try SandboxSpec.parse(Self.example, base: "/srv/app")
        #expect(try SandboxSpec(term: spec.term) == spec)
        #expect(try SandboxSpec.parse(spec.term.json) == spec)
    }

    @Test func withoutAFolderRelativePathsAreRefused() {
        #expect {
            try SandboxSpec.parse(Self.example)
        } throws: { error in
            let issues = (error as? SpecError)?.issues.map(\.path) ?? []
            return issues == ["children[0].cwd", "children[0].env_file[0]", "children[0].env_file[1]"]
        }
    }
}
