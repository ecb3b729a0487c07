import Sandbox
import Supervision

/// The whole command line, as data: parsing, help, "did you mean", completion scripts and man pages all
/// read this one tree.
enum CommandTree {
    // Read from the runtime and the sandbox registries, so help, completion and man pages cannot drift.
    static let strategies = SupervisorStrategy.allCases.map(\.rawValue)
    static let restartTypes = RestartType.allCases.map(\.rawValue)
    static let experiments = ExperimentRegistry.names
    static let templates = SandboxTemplate.names
    static let processSortKeys = ["pid", "mailbox", "messages", "restarts", "memory"]

    /// Flags every command accepts.
    static let globalFlags: [FlagSpec] = [
        FlagSpec("json", "print data as JSON on stdout (errors as JSON on stderr)"),
        FlagSpec("quiet", short: "q", "print nothing on success"),
        FlagSpec("no-color", "never colour output (also NO_COLOR or TERM=dumb)"),
        FlagSpec(
            "socket", "the daemon's socket (default $SUPERLEARNER_HOME/superlearner.sock)", value: .file,
            placeholder: "PATH", completion: .file),
        FlagSpec("timeout", "how long to wait for the daemon (default 30s)", value: .duration, placeholder: "DURATION"),
        FlagSpec(
            "node", "talk to this node of the cluster started from this home (see 'cluster status')", value: .string,
            placeholder: "NAME"),
        FlagSpec("help", short: "h", "show help for the command"),
    ]

    static let targetArgument = ArgumentSpec(
        "TARGET", "a PID (<0.12.0>), a path (demo/counter_1) or a registered name", completion: .process)
    static let sandboxArgument = ArgumentSpec("ID", "the sandbox id", completion: .sandbox)

    /// The root: `superlearner`.
    static let root = CommandSpec(
        "superlearner", "build, watch and break supervision trees",
        discussion: """
            superlearner brings Erlang/OTP supervision to Swift. A background daemon hosts sandboxes — isolated \
            supervision trees — that you create, inspect, break and restart from here; commands that need it \
            start it when none answers (set SUPERLEARNER_NO_AUTOSTART=1 to refuse).
            """,
        subcommands: [
            .named("sandbox", SandboxCommands.spec), .named("process", ProcessCommands.spec),
            .named("supervisor", SupervisorCommands.spec), .named("operation", OperationCommands.spec),
            .named("server", ServerCommands.spec),
            .named("events", EventsCommand.spec), .named("wait", WaitCommand.spec), .named("why", WhyCommand.spec),
            .named("telemetry", TelemetryCommand.spec), .named("top", TopCommand.spec),
            .named("completion", CompletionCommand.spec),
            .named("shell", ShellCommand.spec),
            .named("cluster", ClusterCommands.spec), .named("demo", DemoCommand.spec),
            .named("docs", DocsCommands.spec), .named("test", TestCommands.spec),
            .named("version", VersionCommand.spec),
            .named("help", HelpCommand.spec),
        ])
}
