import CSuperlearner
import Foundation
import SuperlearnerClient
import Supervision
import Testing

@Suite("The readline shell in a real terminal", .serialized)
struct InteractiveShellTests {
    @Test func tabCompletesACommandRunsAndHistoryRecallsIt() async {
        let home = TestHome()
        let terminal = Terminal(session: "shell", home: home)
        #expect(await home.run(["sandbox", "create", "term", "DemoSupervisor"]).status == 0)

        await terminal.start(terminal.cleanEnvironment + " \(binary) shell")
        #expect(
            await terminal.waitForScreen { $0.contains("superlearner> ") }.contains("superlearner> "),
            "the prompt appears")
        // The same engine as the scripts: operations, then their parameters (no space after `=`), then values.
        for (typed, expected) in [
            ("operation run get_process_i", "get_process_info "), ("p", "pid="), ("term/pr", "pid=term/printer_1 "),
        ] {
            await terminal.type(typed)
            await terminal.send("Tab")
            let line = await terminal.waitForLine(endingWith: expected)
            #expect(line.hasSuffix(expected), "'\(typed)' + Tab left '\(line)'")
        }
        await terminal.send("C-u")
        await terminal.send("sandb Tab")
        let completed = await terminal.waitForScreen { $0.contains("superlearner> sandbox ") }
        #expect(completed.contains("superlearner> sandbox "), "Tab completed the noun: \(completed)")
        await terminal.send("list Enter")
        let listed = await terminal.waitForScreen { $0.contains("term  running") }
        #expect(listed.contains("term") && listed.contains("running"), "the command ran: \(listed)")
        await terminal.send("Up")
        let recalled = await terminal.waitForScreen { Terminal.promptLine($0)?.contains("sandbox list") == true }
        #expect(Terminal.promptLine(recalled)?.contains("sandbox list") == true, "Up recalls it: \(recalled)")
        await terminal.send("C-u exit Enter")
        #expect(await terminal.waitForExit(), "exit ends the shell")

        // A new shell reads the history file: Up twice passes `exit` and finds the command again.
        await terminal.start(terminal.cleanEnvironment + " \(binary) shell")
        _ = await terminal.waitForScreen { $0.contains("superlearner> ") }
        await terminal.send("Up Up")
        let reloaded = await terminal.waitForScreen { Terminal.promptLine($0)?.contains("sandbox list") == true }
        #expect(
            Terminal.promptLine(reloaded)?.contains("sandbox list") == true, "history survives the shell: \(reloaded)")
        await terminal.send("C-u C-d")  // Ctrl-D ends input only on an empty line, as in bash
        #expect(await terminal.waitForExit(), "Ctrl-D ends the shell")

        let history = (try? String(contentsOfFile: home.path + "/history", encoding: .utf8)) ?? ""
        #expect(history.contains("sandbox list"), "history is kept in the state directory")
        await terminal.close()
        home.close()
    }

    @Test func ctrlCAbandonsTheLineOrStopsTheCommandAndTheShellLivesOn() async {
        let home = TestHome()
        let terminal = Terminal(session: "shell", home: home)
        #expect(await home.run(["sandbox", "create", "c", "DemoSupervisor"]).status == 0)
        await terminal.start(terminal.cleanEnvironment + " \(binary) shell")
        _ = await terminal.waitForScreen { $0.contains("superlearner> ") }

        // At the prompt: the typed text stays with ^C after it, and a fresh prompt follows.
        await terminal.type("sandb")
        _ = await terminal.waitForLine(endingWith: "superlearner> sandb")  // the tty drops unread keys on ^C
        await terminal.send("C-c")
        let abandoned = await terminal.waitForScreen { $0.contains("superlearner> sandb^C\nsuperlearner> ") }
        #expect(abandoned.contains("superlearner> sandb^C\nsuperlearner> "), "\(abandoned)")

        // During a command that would run for ever: the command stops with one line, the prompt returns.
        await terminal.type("events --follow")
        await terminal.send("Enter")
        _ = await terminal.waitForScreen { $0.contains("sandbox.create") }
        await terminal.send("C-c")
        let stopped = await terminal.waitForScreen {
            $0.contains("superlearner: interrupted") && Terminal.promptLine($0) == "superlearner> "
        }
        #expect(stopped.contains("superlearner: interrupted"), "\(stopped)")
        let after = stopped.components(separatedBy: "superlearner: interrupted").last ?? ""
        #expect(
            after.trimmingCharacters(in: .whitespacesAndNewlines) == "superlearner>",
            "one fresh prompt, no stray ^C: \(stopped)")

        await terminal.type("sandbox list")
        await terminal.send("Enter")
        // The events above name the template too, so wait for the table row itself.
        let alive = await terminal.waitForScreen { $0.contains("c   running") }
        #expect(alive.contains("c   running"), "the shell still runs commands: \(alive)")
        await terminal.type("exit")
        await terminal.send("Enter")
        #expect(await terminal.waitForExit())
        await terminal.close()
        home.close()
    }

    @Test func sigtermEndsTheShellLikeCtrlDSavingHistoryAndTheTerminal() async {
        let home = TestHome()
        let terminal = Terminal(session: "shell", home: home)
        await terminal.start(terminal.cleanEnvironment + " bash -c '\(binary) shell; echo EXIT=$?; stty -a; sleep 60'")
        _ = await terminal.waitForScreen { $0.contains("superlearner> ") }
        await terminal.type("version")
        await terminal.send("Enter")
        _ = await terminal.waitForScreen { $0.contains("Supervision") }
        await terminal.type("sandb")
        _ = await terminal.waitForLine(endingWith: "superlearner> sandb")
        await terminal.signalChild("TERM")
        let ended = await terminal.waitForScreen { $0.contains("EXIT=") && $0.contains("icanon") }
        #expect(ended.contains("EXIT=0"), "\(ended)")
        #expect(ended.contains(" icanon") && ended.contains(" echo "), "readline gave the terminal back: \(ended)")
        let history = (try? String(contentsOfFile: home.path + "/history", encoding: .utf8)) ?? ""
        #expect(history.contains("version"), "history was saved: \(history)")
        await terminal.close()
        home.close()
    }

    @Test func aScriptOnStandardInputRunsLineByLine() async {
        let home = TestHome()
        defer { home.close() }
        let result = await home.run(
            ["shell"],
            input:
                "sandbox create piped DemoSupervisor\n# a comment\nprocess send piped/counter_2 get_value --call\nexit\nsandbox list\n"
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("created sandbox piped") && result.stdout.contains("\n100\n"))
        #expect(!result.stdout.contains("ID  STATUS"), "nothing runs after exit")
        let nested = await home.run(["shell"], input: "shell\n")
        #expect(
            nested.status == 2 && nested.stderr.hasPrefix("superlearner: already in the shell\n"), "\(nested.stderr)")
        let failing = await home.run(["shell"], input: "sandbox info nowhere\n")
        #expect(failing.status == 3, "the last command's exit code")
    }
}
