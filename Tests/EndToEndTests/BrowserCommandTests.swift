import Foundation
import Playwriter
import Supervision
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `docs generate` and `test e2e` through the real binary, a real private daemon and Debian's chromium.
@Suite("Docs screenshots and the dashboard self-test in a real browser")
struct BrowserCommandTests {
    @Test func docsGenerateWritesRealScreenshotsOfTheDashboard() async throws {
        let home = TestHome()
        defer { home.close() }
        let folder = home.path + "/images"
        let result = await home.run(["docs", "generate", "--out", folder, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = result.json?.arrayValue?.compactMap { $0["file"]?.stringValue } ?? []
        #expect(
            files.map { ($0 as NSString).lastPathComponent }
                == ["overview", "trees", "processes", "sandboxes", "operations", "events", "nodes"].map {
                    "dashboard-\($0).png"
                })
        for file in files {
            let image = try PNGImage([UInt8](try Data(contentsOf: URL(fileURLWithPath: file))))
            // A blank page compresses to a few hundred bytes; trees, tables, charts and forms do not.
            #expect(image.dataBytes > 4000, "\(file) looks blank: \(image)")
        }
        #expect(home.markedPrograms().isEmpty, "the private daemon's programs were stopped")
        #expect(home.daemonPID == nil, "the user's home got no daemon")
    }

    @Test func theSelfTestPassesAgainstAHealthyDaemonAndNamesTheStepThatFails() async throws {
        let home = TestHome()
        defer { home.close() }
        let junit = home.path + "/e2e.xml"
        let healthy = await home.run(["test", "e2e", "--junit", junit])
        #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")
        for step in [
            "open the dashboard", "create a sandbox from the form", "see its supervision tree",
            "kill a process and watch it heal", "run an experiment and read its verdict",
            "an operation form names the field that is wrong", "destroy it",
        ] {
            #expect(healthy.stdout.contains("✔ \(step) ("), "\(step): \(healthy.stdout)")
        }
        let report = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(report.contains("tests=\"9\" failures=\"0\""), "\(report)")

        // A dashboard that is broken: a page without its tables, served by a real HTTP server.
        let site = home.path + "/broken"
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        try "<title>superlearner</title><p>500 internal error</p>".write(
            toFile: site + "/index.html", atomically: true, encoding: .utf8)
        let port = ProgramChildrenTests.freePort()
        let server = try ChildProcess(
            "/bin/sh", ["-c", "exec python3 -m http.server \(port) --bind 127.0.0.1 --directory \(site)"],
            environment: home.environment, output: home.path + "/server.log")
        defer {
            kill(server.pid, SIGKILL)
            _ = sl_waitBlocking(server.pid)
        }
        #expect(
            // A cold python3 under the whole suite's load can take a while to listen.
            await ProgramChildrenTests.eventually(.seconds(45)) {
                await rawRequest(port: port, "GET / HTTP/1.1\nHost: x").status == 200
            })
        let broken = await home.run(["test", "e2e", "--url", "http://127.0.0.1:\(port)/", "--junit", junit])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("step \"open the dashboard\" failed"), "\(broken.stderr)")
        #expect(try String(contentsOfFile: junit, encoding: .utf8).contains("<failure message="))
    }

    @Test func withoutChromiumBothSayWhatToInstall() async {
        let home = TestHome()
        defer { home.close() }
        let missing = ["PLAYWRITER_CHROMIUM": "/nonexistent/chromium"]
        for command in [["docs", "generate", "--out", home.path + "/x"], ["test", "e2e"]] {
            let result = await home.run(command, extraEnvironment: missing)
            #expect(result.status == 7, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("apt-get install chromium chromium-driver"), "\(result.stderr)")
        }
    }
}

extension BrowserCommandTests {
    @Test func aBrowserLimitThatIsNotANumberIsAUsageErrorBeforeAnyWork() async {
        let home = TestHome()
        defer { home.close() }
        for value in ["two", "0", "-1"] {
            for command in [["docs", "generate", "--out", home.path + "/x"], ["test", "e2e"]] {
                let result = await home.run(command, extraEnvironment: ["PLAYWRITER_MAX_BROWSERS": value])
                #expect(result.status == 2, "\(command) \(value): \(result.stderr)")
                #expect(
                    result.stderr.contains(
                        "PLAYWRITER_MAX_BROWSERS must be a whole number of at least 1, not \"\(value)\""),
                    "\(result.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: home.path + "/x"), "nothing was written")
        #expect(home.daemonPID == nil)
    }

    @Test func aCommandTimeoutThatIsNotAPositiveNumberIsAUsageErrorBeforeAnyWork() async {
        let home = TestHome()
        defer { home.close() }
        for value in ["soon", "0", "-5", "nan", "1e9"] {
            for command in [["docs", "generate", "--out", home.path + "/x"], ["test", "e2e"]] {
                let result = await home.run(command, extraEnvironment: ["PLAYWRITER_COMMAND_TIMEOUT": value])
                #expect(result.status == 2, "\(command) \(value): \(result.stderr)")
                #expect(
                    result.stderr.contains(
                        "PLAYWRITER_COMMAND_TIMEOUT must be a number of seconds above 0 and at most 86400, not \"\(value)\""
                    ),
                    "\(result.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: home.path + "/x"), "nothing was written")
        #expect(home.daemonPID == nil)
    }
}

/// Waits for a child the test killed (its exit is immediate).
func sl_waitBlocking(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    return waitpid(pid, &status, 0)
}
