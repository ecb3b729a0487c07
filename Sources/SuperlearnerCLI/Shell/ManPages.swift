import Sandbox

/// The man pages, generated from the command tree in mdoc: `superlearner(1)`, one page per noun
/// (`superlearner-sandbox(1)`, …) and per top-level command with flags, arguments or more to say
/// (`superlearner-wait(1)`, `superlearner-shell(1)`, …), and `superlearner-spec(5)`.
enum ManPages {
    /// A fixed date keeps generated pages byte-identical between runs.
    static let date = "November 29, 2026"

    /// File name → page text.
    static func all() -> [(String, String)] {
        var pages = [("superlearner.1", root())]
        for command in CommandTree.root.subcommands where hasOwnPage(command) {
            pages.append(("superlearner-\(command.name).1", page(for: command)))
        }
        pages.append(("superlearner-spec.5", spec()))
        return pages
    }

    /// Nouns, and the top-level commands that take something or have more to say than their summary.
    static func hasOwnPage(_ command: CommandSpec) -> Bool {
        guard !command.hidden, command.name != "help" else { return false }
        return !command.subcommands.isEmpty || !command.arguments.isEmpty || !command.flags.isEmpty
            || !command.discussion.isEmpty
    }

    static func escape(_ text: String) -> String {
        var out = text.replacingAll("\\", with: "\\e").replacingAll("—", with: "\\(em")
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }

    /// One sentence per line, as mdoc wants.
    static func sentences(_ text: String) -> String {
        var lines: [String] = []
        var current = ""
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        for (index, word) in words.enumerated() {
            current += (current.isEmpty ? "" : " ") + word
            let next = index + 1 < words.count ? words[index + 1] : nil
            if word.hasSuffix(".") && next.map({ $0.first?.isUppercase == true }) ?? false {
                lines.append(current)
                current = ""
            }
        }
        if !current.isEmpty { lines.append(current) }
        // mdoc joins the input lines of a sentence; short ones keep the source readable.
        return lines.flatMap { Help.lines(of: $0, width: 72) }.map(escape).joined(separator: "\n")
    }

    static func header(_ name: String, section: Int, description: String) -> String {
        """
        .Dd \(date)
        .Dt \(name.uppercased()) \(section)
        .Os
        .Sh NAME
        .Nm \(name)
        .Nd \(escape(description))

        """
    }

    static func synopsis(_ command: CommandSpec, path: [String]) -> String {
        var out = ".Nm superlearner\n"
        for word in path { out += ".Cm \(word)\n" }
        for argument in command.arguments {
            let name = argument.name.replacingAll("=", with: "\\(eq") + (argument.variadic ? " ..." : "")
            out += argument.optional ? ".Op Ar \(name)\n" : ".Ar \(name)\n"
        }
        for flag in command.flags {
            let value = flag.value == nil ? "" : " Ar \(flag.placeholder)"
            out += ".Op Fl \(flag.short.map { "\($0)" } ?? "-\(flag.long)")\(flag.short == nil ? "" : "")\(value)\n"
        }
        return out
    }

    static func flags(_ list: [FlagSpec]) -> String {
        guard !list.isEmpty else { return "" }
        var out = ".Bl -tag -width Ds\n"
        for flag in list {
            let value = flag.value == nil ? "" : " Ar \(flag.placeholder)"
            if let short = flag.short {
                out += ".It Fl \(short) , Fl -\(flag.long)\(value)\n"
            } else {
                out += ".It Fl -\(flag.long)\(value)\n"
            }
            let summary = flag.summaryWithChoices
            out += sentences(summary.prefix(1).uppercased() + summary.dropFirst() + ".") + "\n"
        }
        return out + ".El\n"
    }

    static let exitStatus =
        ".Sh EXIT STATUS\n.Bl -tag -width Ds -compact\n"
        + ExitCode.allCases.map { ".It \($0.rawValue)\n\(sentences($0.meaning))\n" }.joined() + ".El\n"

    static func root() -> String {
        var out = header("superlearner", section: 1, description: CommandTree.root.summary)
        out += ".Sh SYNOPSIS\n.Nm\n.Op Ar global flags\n.Ar noun\n.Ar verb\n.Op Ar arguments\n"
        out += ".Sh DESCRIPTION\n" + sentences(CommandTree.root.discussion) + "\n"
        out += ".Pp\nThe commands:\n.Bl -tag -width Ds\n"
        for command in CommandTree.root.subcommands where !command.hidden {
            out +=
                ".It Cm \(command.name)\n"
                + sentences(command.summary.prefix(1).uppercased() + command.summary.dropFirst() + ".") + "\n"
            if hasOwnPage(command) {
                out += "See\n.Xr superlearner-\(command.name) 1 .\n"
            }
        }
        out += ".El\n.Ss Global flags\n" + flags(CommandTree.globalFlags)
        out += """
            .Sh ENVIRONMENT
            .Bl -tag -width Ds
            .It Ev SUPERLEARNER_HOME
            Where the daemon keeps its socket, pid file, log and state database.
            .It Ev SUPERLEARNER_SOCKET
            The daemon's socket, when it is not in the home directory.
            .It Ev SUPERLEARNER_NO_AUTOSTART
            Set to 1 to make commands fail with exit status 5 instead of starting a daemon.
            .It Ev SUPERLEARNER_TOKEN
            The bearer token TCP requests must carry.
            .It Ev NO_COLOR
            Never colour output.
            .It Ev PLAYWRITER_CHROMIUM , Ev PLAYWRITER_CHROMEDRIVER
            The browser and its driver for 'docs generate' and 'test e2e'
            (default /usr/bin/chromium and /usr/bin/chromedriver).
            .It Ev PLAYWRITER_MAX_BROWSERS
            At most this many browsers run at once for the user on this machine,
            counted across processes; a command past it waits for one to close.
            .It Ev PLAYWRITER_COMMAND_TIMEOUT
            Seconds one browser command, a page load included, may take (default 30).
            .El
            .Sh FILES
            .Bl -tag -width Ds
            .It Pa ~/.local/state/superlearner/superlearner.sock
            The daemon's Unix socket.
            .It Pa ~/.local/state/superlearner/state.sqlite
            The sandboxes that survive a restart of the daemon.
            .It Pa ~/.local/state/superlearner/daemon.log
            The daemon's log.
            .El

            """
        out += exitStatus
        out += ".Sh EXAMPLES\n.Bd -literal -offset indent\n"
        out += "superlearner sandbox create demo DemoSupervisor\nsuperlearner process kill demo/counter_1\n"
        out += "superlearner wait demo/counter_1 --for restarted --timeout 10s\n.Ed\n"
        out += ".Sh SEE ALSO\n"
        let paged = CommandTree.root.subcommands.filter(hasOwnPage).sorted { $0.name < $1.name }
        out += paged.map { ".Xr superlearner-\($0.name) 1 ," }.joined(separator: "\n") + "\n.Xr superlearner-spec 5\n"
        return out
    }

    /// A noun's page (every verb in its own subsection) or a top-level command's.
    static func page(for noun: CommandSpec) -> String {
        let leaf = noun.subcommands.isEmpty
        let verbs = leaf ? [noun] : noun.subcommands.filter { !$0.hidden }
        let path: (CommandSpec) -> [String] = { leaf ? [noun.name] : [noun.name, $0.name] }
        var out = header("superlearner-\(noun.name)", section: 1, description: noun.summary)
        out += ".Sh SYNOPSIS\n"
        for verb in verbs {
            out += synopsis(verb, path: path(verb))
            if verb.name != verbs.last?.name { out += ".Pp\n" }
        }
        out +=
            ".Sh DESCRIPTION\n" + sentences(noun.summary.prefix(1).uppercased() + noun.summary.dropFirst() + ".") + "\n"
        if !noun.discussion.isEmpty { out += ".Pp\n" + sentences(noun.discussion) + "\n" }
        for verb in verbs {
            if !leaf {
                out +=
                    ".Ss \(noun.name) \(verb.name)\n"
                    + sentences(verb.summary.prefix(1).uppercased() + verb.summary.dropFirst() + ".") + "\n"
                if !verb.discussion.isEmpty { out += ".Pp\n" + sentences(verb.discussion) + "\n" }
            }
            if !verb.arguments.isEmpty {
                out += ".Bl -tag -width Ds\n"
                for argument in verb.arguments {
                    out +=
                        ".It Ar \(argument.name.replacingAll("=", with: "\\(eq"))\n"
                        + sentences(argument.summary.prefix(1).uppercased() + argument.summary.dropFirst() + ".") + "\n"
                }
                out += ".El\n"
            }
            out += flags(verb.flags)
            if !verb.examples.isEmpty {
                out += ".Pp\nExample:\n.Bd -literal -offset indent\n"
                for (example, _) in verb.examples { out += escape(example) + "\n" }
                out += ".Ed\n"
            }
        }
        out += exitStatus
        out += ".Sh SEE ALSO\n.Xr superlearner 1\n"
        return out
    }

    static func spec() -> String {
        var out = header(
            "superlearner-spec", section: 5, description: "supervision tree spec files for superlearner sandboxes")
        out += """
            .Sh DESCRIPTION
            A spec file describes a supervision tree for
            .Nm superlearner sandbox create Ar ID Fl -spec Ar FILE .
            It is YAML or JSON; a file name ending in .json is read as JSON,
            anything else as YAML.
            .Pp
            The top level and every nested supervisor take these keys:
            .Bl -tag -width Ds
            .It Cm strategy
            One of one_for_one (the default), one_for_all or rest_for_one.
            .It Cm max_restarts
            Restarts allowed within max_seconds before the supervisor gives up; default 3.
            .It Cm max_seconds
            The intensity window in seconds; default 5.
            .It Cm auto_shutdown
            One of never (the default), any_significant or all_significant.
            .It Cm children
            The children, started in order and stopped in reverse.
            .El
            .Pp
            Each child takes:
            .Bl -tag -width Ds
            .It Cm id
            \(SandboxID.rule), unique among its siblings.
            .It Cm worker
            A built-in worker: counter, printer, echo, ticker, crasher, sleeper or kv.
            .It Cm supervisor
            A nested supervisor, with the keys above.
            .It Cm restart
            One of permanent (the default), transient or temporary.
            .It Cm shutdown
            Milliseconds, brutal_kill or infinity;
            default 5000 for workers and infinity for supervisors.
            .It Cm args
            The worker's arguments, such as initial for counter or every_ms for ticker.
            .It Cm significant
            Whether the child's exit counts for auto_shutdown;
            transient and temporary children only.
            .It Cm command
            An operating-system program instead of a worker: its argument vector as a list,
            the first element looked up in PATH.
            No shell is run.
            .It Cm shell
            A program run as
            .Ql /bin/sh -c LINE .
            .El
            .Pp
            A program child (command or shell) also takes:
            .Bl -tag -width Ds
            .It Cm cwd
            Its working directory; default the spec file's folder.
            .It Cm env
            Variables added to the daemon's environment, a mapping.
            .It Cm env_file
            dotenv files read at every start, in order;
            a name starting with - may be missing.
            Values are never shown by process info.
            .It Cm stop_signal
            TERM (the default), INT, HUP, QUIT, KILL, USR1 or USR2:
            sent to the program's process group on stop, then SIGKILL after shutdown.
            .It Cm backoff
            Delays before restarts: initial (100ms), max (30s), multiplier (2),
            jitter (0.2) and reset_after (60s).
            Each restart still counts toward max_restarts.
            .It Cm ready
            When the start is done: one of tcp (HOST:PORT), http (URL, with status),
            exec (a command that exits 0) or log_line (a regular expression),
            with timeout (10s).
            A probe that does not pass in time is a failed start.
            .It Cm liveness
            A tcp, http or exec check every every (5s); failures (3) in a row
            end the program with reason unhealthy.
            .It Cm exit_codes
            normal: codes that are a normal exit (default 0);
            no_restart: codes after which the program is left stopped.
            .It Cm limits
            nofile and cpu_seconds (setrlimit), memory (a size such as 512MiB,
            enforced by checking the program's RSS every second).
            .It Cm logs
            max_bytes (10MiB) and backups (5) of the child's log under the daemon's home;
            read it with
            .Nm superlearner process logs .
            .El
            .Pp
            Relative paths resolve against the spec file's folder.
            .Pp
            A bad spec is rejected whole,
            naming every offending field with its path, such as
            .Ql children[1].restart .
            Unknown keys are errors, supervisors nest at most 8 deep
            and a tree holds at most 1000 children.
            .Sh EXAMPLES
            .Bd -literal -offset indent
            strategy: rest_for_one
            max_restarts: 3
            max_seconds: 5
            children:
              - id: db
                worker: kv
              - id: api
                worker: counter
                restart: transient
                shutdown: 2000
                args: { initial: 10 }
              - id: web
                command: [python3, -m, http.server, "8000"]
                ready: { tcp: "127.0.0.1:8000", timeout: 10s }
                backoff: { initial: 100ms, max: 30s }
            .Ed
            .Sh SEE ALSO
            .Xr superlearner 1 ,
            .Xr superlearner-sandbox 1

            """
        return out
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
