import CSuperlearner
import Foundation
import SuperlearnerClient
import Supervision
import Testing

/// Drives a tmux session: send keys, then wait (with a deadline) for the screen to show something.
struct Terminal {
    let session: String
    let home: TestHome

    /// The private tmux server's socket, inside the test's home, so no other server is involved and
    /// nothing is left behind.
    var socket: String { home.path + "/tmux.sock" }

    /// Runs a tmux command on the private server.
    @discardableResult
    func tmux(_ arguments: String) async -> String {
        // Only capture-pane has output we want; the rest must not hand our output file to the tmux server.
        let redirect = arguments.hasPrefix("capture-pane") ? "" : " </dev/null >/dev/null 2>&1"
        return await shell("sh", "tmux -S \(socket) \(arguments)\(redirect)", home: home).1
    }

    func send(_ keys: String) async { _ = await tmux("send-keys -t \(session) \(keys)") }

    /// The pane's text; `-N` keeps the spaces at each line's end (the prompt ends in one).
    func screen() async -> String { await tmux("capture-pane -p -N -t \(session)") }

    /// Starts `superlearner shell` in a new detached session on the private server, with a clean
    /// environment pointing at the test's home.
    func startShell() async {
        // The tmux server outlives the client that starts it: spawn the client with every descriptor above
        // 2 closed, so the server holds nothing of ours (Foundation's Process would wait on it forever).
        let command = "env -i PATH=/usr/bin:/bin TERM=xterm HOME=\(home.path) SUPERLEARNER_HOME=\(home.path) \(binary) shell"
        let arguments = ["/usr/bin/tmux", "-S", socket, "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command]
        var cArguments = arguments.map { strdup($0) }
        cArguments.append(nil)
        let client = sl_spawn_detached("/usr/bin/tmux", &cArguments, sl_environ(), home.path + "/tmux.log")
        for pointer in cArguments { free(pointer) }
        #expect(client > 0, "tmux could not be started")
        guard client > 0 else { return }
        _ = await offPool { () -> Int32 in
            var status: Int32 = 0
            return waitpid(client, &status, 0)
        }
    }

    func waitForPrompt() async -> String { await waitForScreen { $0.contains("superlearner> ") } }

    /// Whether the session ended (its only pane's program exited) before the deadline.
    func waitForExit(timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (status, _) = await shell("sh", "tmux -S \(socket) has-session -t \(session) </dev/null >/dev/null 2>&1", home: home)
            if status != 0 { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// The last line that shows the prompt.
    static func promptLine(_ screen: String) -> Substring? {
        screen.split(separator: "\n").last { $0.hasPrefix("superlearner>") }
    }

    /// The screen once `predicate` holds, or the last screen at the deadline.
    func waitForScreen(timeout: Duration = .seconds(10), _ predicate: (String) -> Bool) async -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = await screen()
            if predicate(last) { return last }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return last
    }
}

@Suite("The readline shell in a real terminal", .serialized)
struct InteractiveShellTests {
    @Test func tabCompletesACommandRunsAndHistoryRecallsIt() async {
        let home = TestHome()
        let terminal = Terminal(session: "shell", home: home)
        #expect(await home.run(["sandbox", "create", "term", "DemoSupervisor"]).status == 0)

        await terminal.startShell()
        #expect(await terminal.waitForPrompt().contains("superlearner> "), "the prompt appears")
        await terminal.send("sandb Tab")
        let completed = await terminal.waitForScreen { $0.contains("superlearner> sandbox ") }
        #expect(completed.contains("superlearner> sandbox "), "Tab completed the noun: \(completed)")
        await terminal.send("list Enter")
        let listed = await terminal.waitForScreen { $0.contains("DemoSupervisor") }
        #expect(listed.contains("term") && listed.contains("running"), "the command ran: \(listed)")
        await terminal.send("Up")
        let recalled = await terminal.waitForScreen { Terminal.promptLine($0)?.contains("sandbox list") == true }
        #expect(Terminal.promptLine(recalled)?.contains("sandbox list") == true, "Up recalls it: \(recalled)")
        await terminal.send("C-u exit Enter")
        #expect(await terminal.waitForExit(), "exit ends the shell")

        // A new shell reads the history file: Up twice passes `exit` and finds the command again.
        await terminal.startShell()
        _ = await terminal.waitForPrompt()
        await terminal.send("Up Up")
        let reloaded = await terminal.waitForScreen { Terminal.promptLine($0)?.contains("sandbox list") == true }
        #expect(Terminal.promptLine(reloaded)?.contains("sandbox list") == true, "history survives the shell: \(reloaded)")
        await terminal.send("C-u C-d")  // Ctrl-D ends input only on an empty line, as in bash
        #expect(await terminal.waitForExit(), "Ctrl-D ends the shell")

        let history = (try? String(contentsOfFile: home.path + "/history", encoding: .utf8)) ?? ""
        #expect(history.contains("sandbox list"), "history is kept in the state directory")
        await terminal.tmux("kill-server")
        home.close()
    }

    @Test func aScriptOnStandardInputRunsLineByLine() async {
        let home = TestHome()
        defer { home.close() }
        let result = await home.run(["shell"], input: "sandbox create piped DemoSupervisor\n# a comment\nprocess send piped/counter_2 get_value --call\nexit\nsandbox list\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("created sandbox piped") && result.stdout.contains("\n100\n"))
        #expect(!result.stdout.contains("ID  STATUS"), "nothing runs after exit")
        let failing = await home.run(["shell"], input: "sandbox info nowhere\n")
        #expect(failing.status == 3, "the last command's exit code")
    }
}
