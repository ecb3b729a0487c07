import CSuperlearner
import Foundation
import Testing

/// A real terminal: one tmux session on a private tmux server whose socket lives in the test's home.
/// Send keys, then wait (with a deadline) for the screen to show something.
struct Terminal {
    let session: String
    let home: TestHome

    init(session: String = "term", home: TestHome) {
        self.session = session
        self.home = home
    }

    /// The private server's socket: no other tmux server is involved and nothing is left behind.
    var socket: String { home.path + "/tmux.sock" }

    /// `env -i` with just enough for a program in the pane: the built binary first on PATH, TERM, and HOME
    /// and SUPERLEARNER_HOME both the test's home.
    var cleanEnvironment: String {
        let binaries = URL(fileURLWithPath: binary).deletingLastPathComponent().path
        return
            "env -i PATH=\(binaries):/usr/bin:/bin TERM=xterm LANG=C.UTF-8 HOME=\(home.path) SUPERLEARNER_HOME=\(home.path)"
    }

    /// Starts `command` (a shell command line) in a new detached 120×40 session.
    func start(_ command: String) async {
        // The tmux server outlives the client that starts it: ChildProcess closes every descriptor above 2,
        // so the server holds nothing of ours, and the client exits once the session exists.
        // A server whose last session just ended may still be on its way out; a second try gets a new one.
        var status: Int32 = -1
        for attempt in 0..<3 where status != 0 {
            if attempt > 0 { try? await Task.sleep(for: .milliseconds(100)) }
            do {
                let client = try ChildProcess(
                    "/usr/bin/tmux",
                    ["-S", socket, "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command],
                    environment: ProcessInfo.processInfo.environment, output: home.path + "/tmux.log", newSession: true)
                status = await client.exitStatus()
            } catch {
                Issue.record("\(error)")
                return
            }
        }
        #expect(
            status == 0,
            "tmux new-session: \((try? String(contentsOfFile: home.path + "/tmux.log", encoding: .utf8)) ?? "")")
    }

    /// Runs a tmux command on the private server and returns what it printed.
    @discardableResult
    func tmux(_ arguments: String) async -> String {
        await shell("sh", "tmux -S \(socket) \(arguments)", home: home).1
    }

    /// Types keys, in tmux's `send-keys` notation (`Tab`, `Enter`, `C-u`; words are typed as they are).
    func send(_ keys: String) async { await tmux("send-keys -t \(session) \(keys)") }

    /// Types `text` literally, whatever characters it holds.
    func type(_ text: String) async {
        let quoted = "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
        await tmux("send-keys -l -t \(session) -- \(quoted)")
    }

    /// The pane's text; `-N` keeps the spaces at each line's end (prompts end in one).
    func screen() async -> String { await tmux("capture-pane -p -N -t \(session)") }

    /// The line the cursor is on, up to the cursor: what a completion left behind, including whether it
    /// added a space.
    func lineBeforeCursor() async -> String {
        let position = await tmux("display-message -p -t \(session) '#{cursor_x} #{cursor_y}'")
        let numbers = position.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard numbers.count == 2 else { return "" }
        let lines = await screen().split(separator: "\n", omittingEmptySubsequences: false)
        guard numbers[1] < lines.count else { return "" }
        return String(lines[numbers[1]].prefix(numbers[0]))
    }

    /// The text before the cursor once it ends with `expected`, or the last one seen at the deadline.
    func waitForLine(endingWith expected: String, timeout: Duration = .seconds(10)) async -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = await lineBeforeCursor()
            if last.hasSuffix(expected) { return last }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return last
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

    /// Whether the session ended (its only pane's program exited) before the deadline.
    func waitForExit(timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (status, _) = await shell(
                "sh", "tmux -S \(socket) has-session -t \(session) </dev/null >/dev/null 2>&1", home: home)
            if status != 0 { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// The last line that shows `prompt`.
    static func promptLine(_ screen: String, prompt: String = "superlearner>") -> Substring? {
        screen.split(separator: "\n").last { $0.hasPrefix(prompt) }
    }

    /// Sends `signal` to the program the pane's shell is running (the shell's only child).
    func signalChild(_ signal: String) async {
        let shellPID = (await tmux("display-message -p -t \(session) '#{pane_pid}'")).trimmingCharacters(
            in: .whitespacesAndNewlines)
        _ = await shell("sh", "pkill -\(signal) -P \(shellPID)", home: home)
    }

    /// Stops the private tmux server.
    func close() async { await tmux("kill-server") }
}
