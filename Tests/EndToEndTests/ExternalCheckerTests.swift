import CSuperlearner
import Foundation
import SuperlearnerClient
import Supervision
import Testing

/// The daemon judged by checkers that are not ours: Prometheus' promtool on the live `/metrics`, and
/// schemathesis generating requests from the OpenAPI document against the live daemon over TCP with the
/// token. `make test` installs both (Debian's prometheus package, PyPI's schemathesis).
@Suite("External checkers against the live daemon", .serialized)
struct ExternalCheckerTests {
    /// Runs `command` (found on PATH) with its output in a file; the exit status and the output.
    static func run(_ command: [String], in home: TestHome, input: String? = nil) -> (status: Int32, output: String) {
        let output = home.path + "/.checker-\(UUID().uuidString)"
        var inputPath: String? = nil
        if let input {
            inputPath = home.path + "/.checker-in-\(UUID().uuidString)"
            _ = FileManager.default.createFile(atPath: inputPath!, contents: Data(input.utf8))
        }
        do {
            let child = try ChildProcess(
                "/usr/bin/env", command, environment: home.environment, input: inputPath, output: output, error: output)
            let status = sl_wait(child.pid)
            return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
        } catch {
            return (-1, "\(error)")
        }
    }

    @Test func theLiveMetricsPassPromtool() async throws {
        let home = TestHome()
        defer { home.close() }
        let (port, token) = try await home.startWithTCP()
        // Some of everything: sandboxes, messages, a kill and its restart, an error, HTTP requests.
        #expect(await home.run(["sandbox", "create", "p", "DemoSupervisor"]).status == 0)
        #expect(await home.run(["process", "send", "p/counter_1", "increment", "--cast"]).status == 0)
        #expect(await home.run(["process", "kill", "p/counter_1"]).status == 0)
        #expect(await home.run(["sandbox", "info", "nope"]).status == 3)
        #expect(await home.run(["sandbox", "destroy", "p"]).status == 0)
        let client = SuperlearnerClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: token))
        let metrics = try await client.send("GET", "/metrics")
        #expect(metrics.status == 200 && metrics.text.contains("# HELP superlearner_restarts_total"))
        #expect(!metrics.text.contains("superlearner metric "), "every metric has help text of its own")
        let checked = Self.run(["promtool", "check", "metrics"], in: home, input: metrics.text)
        #expect(
            checked.status == 0 && checked.output.isEmpty,
            "promtool (run make test, which installs it): \(checked.output)")
    }

    @Test func schemathesisFindsNoServerErrorAndNoAcceptedBadRequest() async throws {
        let home = TestHome()
        defer { home.close() }
        // Its connection pool keeps connections idle longer than the default request-head timeout, which
        // has tests of its own; here it would only turn closed idle connections into "errors".
        let (port, token) = try await home.startWithTCP(environment: ["SUPERLEARNER_REQUEST_HEAD_TIMEOUT": "120s"])
        #expect(await home.run(["sandbox", "create", "demo", "DemoSupervisor"]).status == 0)
        // The document the daemon serves, exactly.
        let client = SuperlearnerClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: token))
        let document = try await client.send("GET", "/api/v1/arsenal/docs")
        let schema = home.path + "/openapi.json"
        _ = FileManager.default.createFile(atPath: schema, contents: Data(document.body))
        let result = await offPool {
            Self.run(
                [
                    "schemathesis", "run", schema, "--url", "http://127.0.0.1:\(port)", "-H",
                    "Authorization: Bearer \(token)",
                    "--checks", "not_a_server_error,negative_data_rejection",
                    // Experiments run for seconds by design, longer on a loaded machine.
                    "--request-timeout", "60", "--max-examples", "15", "--seed",
                    "20261201",
                    "--no-color",
                ], in: home)
        }
        let summary = result.output.split(separator: "\n").filter { $0.contains("generated") || $0.contains("passed") }
        let errors =
            result.output.components(separatedBy: "ERRORS").dropFirst().first.map { String($0.prefix(4000)) } ?? ""
        #expect(
            result.status == 0,
            "schemathesis (run make test, which installs it): \(errors.isEmpty ? String(result.output.suffix(3000)) : errors)"
        )
        #expect(result.output.contains(" passed"), "\(summary)")
        print("schemathesis: \(summary.joined(separator: " | "))")
    }
}

/// The fuzz targets, built as replayers, run the committed corpus and every kept crash input: what once
/// crashed stays fixed (`make fuzz` finds new ones).
@Suite struct FuzzRegressionTests {
    @Test(arguments: [("FuzzSpecParser", "spec"), ("FuzzJSONBody", "json"), ("FuzzCommandLine", "commandline")])
    func theCorpusAndEveryKeptCrashReplayCleanly(target: String, corpus: String) async throws {
        let home = TestHome()
        defer { home.close() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let replayer = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent(target).path
        let crashes = (try? FileManager.default.contentsOfDirectory(atPath: root + "/Fuzz/Crashes")) ?? []
        let kept = crashes.filter { $0.hasPrefix(target + "-") }.map { root + "/Fuzz/Crashes/" + $0 }
        let result = await offPool {
            ExternalCheckerTests.run([replayer, root + "/Fuzz/Corpus/" + corpus] + kept, in: home)
        }
        #expect(result.status == 0, "\(target): \(result.output.suffix(2000))")
        let count = Int(result.output.split(separator: " ").dropFirst().first ?? "") ?? 0
        #expect(count >= 3 + kept.count, "\(target) replayed \(result.output)")
    }
}
