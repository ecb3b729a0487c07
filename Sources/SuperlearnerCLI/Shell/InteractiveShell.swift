@preconcurrency import CReadline
import CSuperlearner
import SuperlearnerClient

#if canImport(Glibc)
    import Glibc
#endif

/// `superlearner shell`: every command without the `superlearner` prefix, on GNU readline (line editing,
/// history kept in the state directory, Tab completion by the same engine as the shell scripts). With
/// standard input not a terminal it reads commands line by line, so it can be scripted.
///
/// Readline keeps global C state and calls back into us synchronously on the thread that called
/// `readline()`; the one owner of all of it is the main actor.
@MainActor
enum InteractiveShell {
    static func run(history path: String) async -> ExitCode {
        if isatty(0) == 0 {
            var last = ExitCode.ok
            reading: while let line = Swift.readLine() {
                switch classify(line) {
                case .blank: continue
                case .exit: break reading
                case .refused(let why):
                    Output.write("superlearner: \(why)\n", to: 2)
                    last = .usage
                case .command(let arguments):
                    last = await SuperlearnerCLI.main(arguments)
                }
            }
            return last
        }
        rl_readline_name = UnsafePointer(strdup("superlearner"))
        rl_completer_word_break_characters = UnsafePointer(strdup(" \t\n"))
        rl_attempted_completion_function = complete
        // Ctrl-C is ours: at the prompt it abandons the line, during a command it stops the command.
        rl_catch_signals = 0
        let interrupt = sl_interrupt_install()
        using_history()
        // append_history needs the file to exist; create it (mode 0600, like everything in the home).
        if read_history(path) != 0 {
            let descriptor = open(path, O_WRONLY | O_CREAT, 0o600)
            if descriptor >= 0 { close(descriptor) }
        }
        Output.write("superlearner shell — commands without the 'superlearner' prefix; help, exit or Ctrl-D.\n", to: 1)
        reading: while let line = readLine(prompt: "superlearner> ", interrupt: interrupt) {
            let kind = classify(line)
            if case .blank = kind { continue }
            add_history(line)
            append_history(1, path)
            switch kind {
            case .blank: continue
            case .exit: break reading
            case .refused(let why): Output.write("superlearner: \(why)\n", to: 2)
            case .command(let arguments):
                // A Ctrl-C pressed before Enter does not stop the new command; the one that stopped it is spent.
                if isEnding(sl_interrupt_take()) { break reading }
                _ = await SuperlearnerCLI.main(arguments)
                if isEnding(sl_interrupt_take()) { break reading }
            }
        }
        write_history(path)
        Output.write("\n", to: 1)
        return .ok
    }

    /// What one line of input asks for, the same at the prompt and from a script.
    enum Line {
        /// Nothing, or a `#` comment.
        case blank
        /// `exit` or `quit`.
        case exit
        /// Not run, and why.
        case refused(String)
        /// The command line's arguments (`help` alone becomes `--help`).
        case command([String])
    }

    static func classify(_ line: String) -> Line {
        guard let words = split(line) else { return .refused("unbalanced quotes") }
        if words.isEmpty || words.first?.hasPrefix("#") == true { return .blank }
        if words == ["exit"] || words == ["quit"] { return .exit }
        if words.first == "shell" { return .refused("already in the shell") }
        return .command(words == ["help"] ? ["--help"] : words)
    }

    /// SIGTERM or SIGHUP: leave as after Ctrl-D, history saved and terminal restored.
    static func isEnding(_ signal: Int32) -> Bool { signal == SIGTERM || signal == SIGHUP }

    /// The line the callback hands over: `.some(nil)` at end of input (Ctrl-D on an empty line).
    static var acceptedLine: String?? = nil

    /// Reads one line with readline's callback interface, polling the terminal and the Ctrl-C pipe
    /// together: Ctrl-C shows `^C` and a fresh prompt instead of ending the shell. `nil` at end of input.
    static func readLine(prompt: String, interrupt: Int32) -> String? {
        acceptedLine = nil
        rl_callback_handler_install(prompt, acceptLine)
        while true {
            var descriptors = [
                pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0),
            ]
            if poll(&descriptors, 2, -1) < 0 {
                if errno == EINTR { continue }
                rl_callback_handler_remove()
                return nil
            }
            if descriptors[0].revents != 0 {
                rl_callback_read_char()
                if let line = acceptedLine { return line }
                continue  // keys typed before a Ctrl-C are handled before it
            }
            if descriptors[1].revents & Int16(POLLIN) != 0 {
                if isEnding(sl_interrupt_take()) {
                    rl_callback_handler_remove()  // puts the terminal back
                    return nil
                }
                // What bash does: leave the typed text with ^C after it, start over on a new line.
                rl_point = rl_end
                rl_redisplay()
                Output.write("^C\n", to: 1)
                rl_free_line_state()
                rl_callback_sigcleanup()
                rl_callback_handler_remove()
                rl_callback_handler_install(prompt, acceptLine)
                continue
            }
        }
    }

    /// Splits a line into words: spaces separate, '…' and "…" quote, a backslash escapes; `nil` when a
    /// quote is left open.
    static func split(_ line: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character? = nil
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if character == "\\" && quote != "'" {
                escaped = true
                inWord = true
                continue
            }
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
                continue
            }
            if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if quote != nil { return nil }
        if inWord { words.append(current) }
        return words
    }
}

/// Readline's line handler: keeps the line and removes itself, so readline neither frees the terminal
/// for the next prompt nor prints it before the command has run.
private func acceptLine(_ raw: UnsafeMutablePointer<CChar>?) {
    let line = raw.map { String(cString: $0) }
    free(raw)
    rl_callback_handler_remove()
    MainActor.assumeIsolated { InteractiveShell.acceptedLine = .some(line) }
}

/// Readline's completion hook: the candidates `__complete` would print for the words typed so far.
private func complete(
    _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    // The pointer crosses the isolation boundary as an address: readline owns it from here on.
    let address: Int = MainActor.assumeIsolated {
        let buffer = rl_line_buffer.map { String(cString: $0) } ?? ""
        let typed = String(buffer.utf8.prefix(Int(end))) ?? buffer
        var words = InteractiveShell.split(typed) ?? typed.split(separator: " ").map(String.init)
        if typed.isEmpty || typed.hasSuffix(" ") { words.append("") }
        let candidates = Completion.candidates(words)
        if candidates == [Completion.filesDirective] { return 0 }  // readline's own file completion
        rl_attempted_completion_over = 1
        guard !candidates.isEmpty else { return 0 }
        var common = candidates[0]
        for candidate in candidates.dropFirst() {
            while !candidate.hasPrefix(common) { common.removeLast() }
        }
        if candidates.count == 1 && candidates[0].hasSuffix("=") { rl_completion_append_character = 0 }
        let matches = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: candidates.count + 2)
        matches[0] = strdup(candidates.count == 1 ? candidates[0] : common)
        for (index, candidate) in candidates.enumerated() { matches[index + 1] = strdup(candidate) }
        matches[candidates.count + 1] = nil
        // Readline frees the array and its strings with free(); allocate(capacity:) uses malloc on Linux.
        return Int(bitPattern: matches)
    }
    return UnsafeMutablePointer(bitPattern: address)
}
