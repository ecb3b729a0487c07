import Sandbox
import Supervision

/// The whole command line, as data: parsing, help, "did you mean", completion scripts and man pages all
/// read this one tree.
public enum CommandTree {
    // Read from the runtime and the sandbox registries, so help, completion and man pages cannot drift.
    static let strategies = SupervisorStrategy.allCases.map(\.rawValue)
    static let restartTypes = RestartType.allCases.map(\.rawValue)
    static let experiments = ExperimentRegistry.names
    static let templates = SandboxTemplate.all.map(\.name)
    static let processSortKeys = ["pid", "mailbox", "messages", "restarts", "memory"]

    /// Flags every command accepts.
    public static let globalFlags: [FlagSpec] = [
        FlagSpec("json", "print data as JSON on stdout (errors as JSON on stderr)"),
        FlagSpec("quiet", short: "q", "print nothing on success"),
        FlagSpec("no-color", "never colour output (also NO_COLOR or TERM=dumb)"),
        FlagSpec("socket", "the daemon's socket (default $SUPERLEARNER_HOME/superlearner.sock)", value: .file, placeholder: "PATH", completion: .file),
        FlagSpec("timeout", "how long to wait for the daemon (default 30s)", value: .duration, placeholder: "DURATION"),
        FlagSpec("help", short: "h", "show help for the command"),
    ]

    static let targetArgument = ArgumentSpec("TARGET", "a PID (<0.12.0>), a path (demo/counter_1) or a registered name", completion: .process)
    static let sandboxArgument = ArgumentSpec("ID", "the sandbox id", completion: .sandbox)

    /// The root: `superlearner`.
    public static let root = CommandSpec(
        "superlearner", "build, watch and break supervision trees",
        discussion: """
            superlearner brings Erlang/OTP supervision to Swift. A background daemon hosts sandboxes — isolated \
            supervision trees — that you create, inspect, break and restart from here; commands that need it \
            start it when none answers (set SUPERLEARNER_NO_AUTOSTART=1 to refuse).
            """,
        subcommands: [
            CommandSpec(
                "sandbox", "create, inspect, break and destroy isolated supervision trees",
                subcommands: [
                    CommandSpec(
                        "create", "create a sandbox from a template or a spec file",
                        discussion: "Give a TEMPLATE (see 'sandbox templates') or --spec FILE (YAML or JSON, - for stdin).",
                        arguments: [
                            ArgumentSpec("ID", "the new sandbox's id: 1 to 64 letters, digits, _ or -"),
                            ArgumentSpec("TEMPLATE", "a template name", .choice(templates), optional: true, completion: .template),
                        ],
                        flags: [
                            FlagSpec("spec", "a spec file (YAML or JSON; - reads stdin)", value: .file, placeholder: "FILE", completion: .file),
                            FlagSpec("strategy", "override the restart strategy", value: .choice(strategies), placeholder: "STRATEGY"),
                            FlagSpec("max-restarts", "override the restart budget", value: .integer, placeholder: "N"),
                            FlagSpec("max-seconds", "override the intensity window", value: .integer, placeholder: "SECONDS"),
                            FlagSpec("restart", "give every worker this restart type", value: .choice(restartTypes), placeholder: "TYPE"),
                            FlagSpec("config", "set a config key (repeatable)", value: .string, placeholder: "KEY=VALUE", repeatable: true),
                        ],
                        examples: [
                            ("superlearner sandbox create demo DemoSupervisor", "the seed's demo tree"),
                            ("superlearner sandbox create shop --spec shop.yaml", "a tree of your own"),
                            ("superlearner sandbox create t DemoSupervisor --restart temporary", "killed workers stay dead"),
                        ]),
                    CommandSpec("list", "list sandboxes", examples: [("superlearner sandbox list --json", "for scripts")]),
                    CommandSpec("info", "show a sandbox's status, config and spec", arguments: [sandboxArgument]),
                    CommandSpec("tree", "draw a sandbox's tree with PIDs, status and restart counts", arguments: [sandboxArgument]),
                    CommandSpec("restart", "rebuild a sandbox with fresh processes, keeping its config", arguments: [sandboxArgument]),
                    CommandSpec("destroy", "shut a sandbox down in order and forget it", arguments: [sandboxArgument]),
                    CommandSpec(
                        "run", "run a failure experiment against a sandbox",
                        arguments: [
                            sandboxArgument,
                            ArgumentSpec("EXPERIMENT", "the experiment", .choice(experiments), completion: .experiment),
                            ArgumentSpec("KEY=VALUE", "experiment parameters", optional: true, variadic: true),
                        ],
                        examples: [("superlearner sandbox run demo kill-child target=counter_1", "kill one child and check it comes back")]),
                    CommandSpec(
                        "config", "print a sandbox's config, or set keys (KEY=null removes one)",
                        arguments: [sandboxArgument, ArgumentSpec("KEY=VALUE", "keys to set", optional: true, variadic: true, completion: .keyValue)]),
                    CommandSpec("templates", "list the built-in templates"),
                ]),
            CommandSpec(
                "process", "list, inspect, message, stop and kill processes",
                subcommands: [
                    CommandSpec(
                        "list", "list processes",
                        flags: [
                            FlagSpec("sandbox", "only this sandbox's processes", value: .string, placeholder: "ID", completion: .sandbox),
                            FlagSpec("sort", "sort by", value: .choice(processSortKeys), placeholder: "KEY"),
                            FlagSpec("limit", "at most N", value: .integer, placeholder: "N"),
                        ]),
                    CommandSpec("info", "everything about one process", arguments: [targetArgument]),
                    CommandSpec("state", "a server's or supervisor's state", arguments: [targetArgument]),
                    CommandSpec(
                        "kill", "send an exit signal (default kill, which cannot be trapped)", arguments: [targetArgument],
                        flags: [FlagSpec("reason", "the exit reason (kill, shutdown, normal or any text)", value: .string, placeholder: "REASON")]),
                    CommandSpec(
                        "stop", "make a process exit with a reason after its terminate (gen_server:stop)", arguments: [targetArgument],
                        flags: [FlagSpec("reason", "the exit reason (default normal)", value: .string, placeholder: "REASON")]),
                    CommandSpec(
                        "send", "deliver a message; --call prints the reply",
                        arguments: [
                            targetArgument, ArgumentSpec("MESSAGE", "the message (JSON or a word)"),
                            ArgumentSpec("CONTENT", "content; the message becomes [MESSAGE, CONTENT]", optional: true),
                        ],
                        flags: [
                            FlagSpec("cast", "deliver as a cast"), FlagSpec("call", "call and print the reply"),
                            FlagSpec("info", "deliver as a plain message (the default)"),
                        ],
                        examples: [
                            ("superlearner process send demo/counter_1 increment --cast", "add one"),
                            ("superlearner process send demo/counter_1 get_value --call", "read it"),
                        ]),
                    CommandSpec(
                        "trace", "record the messages a process receives, for a while",
                        arguments: [targetArgument],
                        flags: [
                            FlagSpec("duration", "how long (default 5s)", value: .duration, placeholder: "DURATION"),
                            FlagSpec("max-events", "stop after N events (default 100)", value: .integer, placeholder: "N"),
                        ]),
                ]),
            CommandSpec(
                "supervisor", "inspect supervisors",
                subcommands: [
                    CommandSpec(
                        "list", "list supervisors with their restart budget used",
                        flags: [FlagSpec("sandbox", "only this sandbox's", value: .string, placeholder: "ID", completion: .sandbox)]),
                    CommandSpec(
                        "info", "a supervisor's children, strategy and restart history",
                        arguments: [ArgumentSpec("NAME", "a supervisor path (demo, demo/jobs), PID or name", completion: .supervisor)]),
                ]),
            CommandSpec(
                "operation", "list, document and run Arsenal operations",
                subcommands: [
                    CommandSpec("list", "list every operation (no daemon needed)"),
                    CommandSpec(
                        "run", "run an operation by name",
                        arguments: [
                            ArgumentSpec("NAME", "the operation", completion: .operation),
                            ArgumentSpec("KEY=VALUE", "parameters (VALUE may be JSON)", optional: true, variadic: true, completion: .operationParameter),
                        ],
                        flags: [FlagSpec("params", "parameters as a JSON object, or @file", value: .json, placeholder: "JSON")],
                        examples: [("superlearner operation run get_process_info pid=demo/counter_1", "any operation, by name")]),
                    CommandSpec(
                        "docs", "print the OpenAPI document or the Markdown reference (no daemon needed)",
                        arguments: [ArgumentSpec("NAME", "one operation only", optional: true, completion: .operation)],
                        flags: [FlagSpec("format", "output format", value: .choice(["openapi", "markdown"]), placeholder: "FORMAT")]),
                ]),
            CommandSpec(
                "server", "start, stop and inspect the daemon",
                subcommands: [
                    CommandSpec("start", "start the daemon in the background", flags: serverFlags),
                    CommandSpec("stop", "stop the daemon gracefully (sandboxes shut down in order)"),
                    CommandSpec("status", "the daemon's pid, uptime and sandboxes (exit 5 when none runs)"),
                    CommandSpec("run", "run the daemon in the foreground (for systemd and containers)", flags: serverFlags),
                    CommandSpec(
                        "logs", "print the daemon's log",
                        flags: [FlagSpec("lines", short: "n", "the last N lines (default 50)", value: .integer, placeholder: "N")]),
                ]),
            CommandSpec(
                "events", "print telemetry events; --follow streams them",
                flags: [
                    FlagSpec("follow", short: "f", "keep streaming new events"),
                    FlagSpec("since", "only events after this sequence number", value: .integer, placeholder: "SEQ"),
                    FlagSpec("limit", "at most N past events (default 50)", value: .integer, placeholder: "N"),
                ]),
            CommandSpec(
                "wait", "block until a sandbox or process reaches a state: the CI primitive",
                arguments: [ArgumentSpec("TARGET", "a sandbox id, a path or a PID", completion: .process)],
                flags: [
                    FlagSpec("for", "the state to wait for", value: .choice(["running", "restarted", "terminated", "escalated"]), placeholder: "STATE"),
                    FlagSpec("timeout", "give up after this long (exit 6; default 5s)", value: .duration, placeholder: "DURATION"),
                ],
                examples: [("superlearner wait demo/counter_1 --for restarted --timeout 10s", "after breaking something")]),
            CommandSpec(
                "telemetry", "a summary of metrics; 'telemetry export' dumps them",
                subcommands: [
                    CommandSpec(
                        "export", "every metric as JSON, CSV or Prometheus text",
                        flags: [FlagSpec("format", "output format", value: .choice(["json", "csv", "prometheus"]), placeholder: "FORMAT")])
                ]),
            CommandSpec(
                "top", "a live view of the busiest processes, refreshed in place",
                discussion: "On a terminal it redraws every --interval until q or Ctrl-C; keys m, s, r, p and y sort by mailbox, messages, restarts, pid and memory; q, Ctrl-C, SIGTERM or a hang-up restore the terminal and leave. MSG/S is the rate of messages received since the previous frame. With standard output not a terminal it prints --count frames (default 1) as plain text, or one JSON object per line with --json, for CI logs.",
                flags: [
                    FlagSpec("sort", "sort by (default mailbox)", value: .choice(processSortKeys), placeholder: "KEY"),
                    FlagSpec("sandbox", "only this sandbox's processes", value: .string, placeholder: "ID", completion: .sandbox),
                    FlagSpec("interval", "time between frames (default 1s, at least 100ms)", value: .duration, placeholder: "DURATION"),
                    FlagSpec("count", "stop after N frames", value: .integer, placeholder: "N"),
                    FlagSpec("limit", "at most N processes (default: what fits the terminal; 20 off a terminal)", value: .integer, placeholder: "N"),
                ],
                examples: [
                    ("superlearner top --sort restarts", "who keeps crashing"),
                    ("superlearner top --count 3 --interval 2s > top.log", "three frames for a CI log"),
                ]),
            CommandSpec(
                "completion", "print the completion script for a shell",
                discussion: "bash: source it or install it in bash-completion's directory; zsh: put it in $fpath as _superlearner; fish: save it as ~/.config/fish/completions/superlearner.fish.",
                arguments: [ArgumentSpec("SHELL", "bash, zsh or fish", .choice(["bash", "zsh", "fish"]))],
                examples: [("source <(superlearner completion bash)", "completion in this bash session")]),
            CommandSpec(
                "shell", "an interactive prompt: every command without the prefix, with history and Tab completion",
                discussion: "Tab completes like the shell scripts; Up and Ctrl-R recall history, kept in $SUPERLEARNER_HOME/history. Ctrl-C abandons the line, or stops the running command (events --follow, wait) and returns to the prompt; exit, quit or Ctrl-D leave (SIGTERM and a hang-up too, with the terminal restored). With standard input not a terminal it reads commands line by line, so it can be scripted, and exits with the last command's code."),
            CommandSpec("demo", "a narrated tour: start the daemon, create a sandbox, break it, watch it heal"),
            CommandSpec("version", "the version of every module"),
            CommandSpec(
                "help", "help for a command", arguments: [ArgumentSpec("COMMAND", "the command", optional: true, variadic: true)]),
        ])

    static let serverFlags: [FlagSpec] = [
        FlagSpec("port", "also listen on TCP (for the dashboard)", value: .integer, placeholder: "PORT"),
        FlagSpec("host", "the TCP host (default 127.0.0.1; others need a token)", value: .string, placeholder: "HOST"),
        FlagSpec("allow-destructive-ui", "show kill buttons on the dashboard"),
        FlagSpec("read-only", "refuse destructive operations over the API (403)"),
    ]
}
