import Foundation
import SuperlearnerClient
import Supervision
import Testing

@Suite("top: a live view in a real terminal, frames for scripts", .serialized)
struct TopTests {
    @Test func theLiveViewRedrawsSortsOnAKeyAndGivesTheTerminalBack() async {
        let home = TestHome()
        let terminal = Terminal(home: home)
        #expect(await home.run(["sandbox", "create", "t", "DemoSupervisor"]).status == 0)
        await terminal.start(
            terminal.cleanEnvironment + " bash -c '\(binary) top --interval 200ms; echo EXIT=$?; sleep 60'")
        let first = await terminal.waitForScreen { $0.contains("superlearner top ·") && $0.contains("t/printer_1") }
        #expect(first.contains("sort: mailbox") && first.contains("keys: m mailbox"), "\(first)")

        // Break something, sort by restarts: the restarted child comes first on a later frame.
        #expect(await home.run(["process", "kill", "t/counter_2"]).status == 0)
        #expect(await home.run(["wait", "t/counter_2", "--for", "running"]).status == 0)
        await terminal.send("r")
        let sorted = await terminal.waitForScreen { TopTests.firstRow($0)?.contains("t/counter_2") == true }
        #expect(sorted.contains("sort: restarts"), "\(sorted)")
        #expect(TopTests.firstRow(sorted)?.contains("t/counter_2") == true, "the restarted child leads: \(sorted)")

        await terminal.send("q")
        #expect(await terminal.waitForScreen { $0.contains("EXIT=0") }.contains("EXIT=0"), "q ends it")

        // Every way out gives the terminal back: the main screen, canonical mode and echo. (bash, unlike
        // dash, carries on after a child that handled the SIGINT it also received.)
        for (index, way) in ["q", "C-c", "TERM"].enumerated() {
            let exit = Terminal(session: "exit\(index)", home: home)
            await exit.start(
                exit.cleanEnvironment + " bash -c '\(binary) top --interval 200ms; echo EXIT=$?; stty -a; sleep 60'")
            _ = await exit.waitForScreen { $0.contains("superlearner top ·") }
            if way == "TERM" { await exit.signalChild(way) } else { await exit.send(way) }
            let after = await exit.waitForScreen { $0.contains("EXIT=") && $0.contains("icanon") }
            #expect(
                after.contains("EXIT=0") && !after.contains("superlearner top ·"),
                "\(way) leaves the alternate screen: \(after)")
            #expect(
                after.contains(" icanon") && after.contains(" echo "), "\(way) turns line editing back on: \(after)")
        }
        await terminal.close()
        home.close()
    }

    @Test func offATerminalItPrintsFramesAsTextOrJSONLines() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "f", "DemoSupervisor"]).status == 0)
        let text = await home.run(["top", "--count", "2", "--interval", "100ms", "--sort", "pid", "--limit", "2"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.components(separatedBy: "superlearner top ·").count == 3, "two frames: \(text.stdout)")
        #expect(!text.stdout.contains("\u{1B}"), "no escape codes off a terminal")
        #expect(!text.stdout.contains("keys:"), "no keys to press off a terminal")
        let rows = text.stdout.split(separator: "\n").filter { $0.hasPrefix("<0.") }
        #expect(rows.count == 4, "--limit 2 rows in each of two frames: \(rows)")

        let json = await home.run(["top", "--json", "--count", "2", "--interval", "100ms", "--sandbox", "f"])
        let frames = json.stdout.split(separator: "\n").compactMap { try? Term(json: String($0)) }
        #expect(frames.count == 2, "one JSON object per frame: \(json.stdout)")
        #expect(frames.first?["processes"]?.arrayValue?.count == 4 && frames.first?["sandbox"] == "f")
        #expect(
            frames.first?["processes"]?.arrayValue?.first?["messages_per_second"] == .null, "no rate on a first frame")
        #expect(
            frames.last?["processes"]?.arrayValue?.first?["messages_per_second"]?.doubleValue != nil,
            "a rate on the second")

        for (arguments, message) in [
            (["top", "--interval", "50ms"], "--interval must be at least 100ms"),
            (["top", "--count", "0"], "--count must be at least 1"),
            (["top", "--sort", "age"], "--sort must be one of"),
        ] {
            let bad = await home.run(arguments)
            #expect(bad.status == 2 && bad.stderr.hasPrefix("superlearner: \(message)"), "\(arguments): \(bad.stderr)")
        }
        #expect(await home.run(["top", "--sandbox", "nowhere"]).status == 3)
    }

    @Test func whenTheDaemonGoesAwayItSaysSoAndStartsNoOther() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "g", "DemoSupervisor"]).status == 0)
        let output = home.path + "/top.out"
        let errors = home.path + "/top.err"
        let top = try ChildProcess(
            binary, ["top", "--count", "1000", "--interval", "100ms"], environment: home.environment, output: output,
            error: errors)
        let deadline = ContinuousClock.now + .seconds(20)
        while ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(await home.run(["server", "stop"]).status == 0)
        #expect(await top.exitStatus() == 5)
        let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        #expect(stderr.contains("the daemon went away"), "\(stderr)")
        #expect(!home.client.isReachable(), "top did not start another daemon")
    }

    /// The first line of the process table (the one after the header row).
    static func firstRow(_ screen: String) -> Substring? {
        let lines = screen.split(separator: "\n")
        guard let header = lines.firstIndex(where: { $0.hasPrefix("PID ") }), header + 1 < lines.count else {
            return nil
        }
        return lines[header + 1]
    }
}
