import SuperlearnerClient
import Supervision

/// `superlearner completion SHELL`: print the completion script for a shell.
struct CompletionCommand: Command {
    static let spec = CommandSpec(
        "completion", "print the completion script for a shell",
        discussion:
            "bash: source it or install it in bash-completion's directory; zsh: put it in $fpath as _superlearner; fish: save it as ~/.config/fish/completions/superlearner.fish.",
        arguments: [ArgumentSpec("SHELL", "bash, zsh or fish", .choice(["bash", "zsh", "fish"]))],
        examples: [("source <(superlearner completion bash)", "completion in this bash session")],
        command: Self.self)

    let shell: String
    init(_ input: CommandInput) { shell = input.required("SHELL") }

    func run(_ context: CommandContext) throws {
        Output.write(CompletionScripts.script(for: shell) ?? "", to: 1)
    }
}

/// `superlearner shell`: an interactive prompt with history and Tab completion.
struct ShellCommand: Command {
    static let spec = CommandSpec(
        "shell", "an interactive prompt: every command without the prefix, with history and Tab completion",
        discussion:
            "Tab completes like the shell scripts; Up and Ctrl-R recall history, kept in $SUPERLEARNER_HOME/history. Ctrl-C abandons the line, or stops the running command (events --follow, wait) and returns to the prompt; exit, quit or Ctrl-D leave (SIGTERM and a hang-up too, with the terminal restored). With standard input not a terminal it reads commands line by line, so it can be scripted, and exits with the last command's code.",
        command: Self.self)

    init(_ input: CommandInput) {}

    func run(_ context: CommandContext) async throws {
        try? context.paths.createHome()
        let code = await InteractiveShell.run(history: context.paths.historyFile)
        if code != .ok { throw CLIError(exit: code, code: "shell", message: "the last command failed") }
    }
}

/// `superlearner version` (and `--version`): the version of every module.
struct VersionCommand: Command {
    static let spec = CommandSpec("version", "the version of every module", command: Self.self)

    /// The modules the binary is made of, each at the package's version.
    static let modules = [
        "Supervision", "Programs", "Telemetry", "Sandbox", "Arsenal", "ArsenalHTTP", "SuperlearnerDaemon",
        "SuperlearnerClient", "SuperlearnerCLI", "Playwriter",
    ]

    init(_ input: CommandInput) {}

    func run(_ context: CommandContext) throws {
        _ = Self.print(json: context.output.json)
    }

    static func print(json: Bool) -> ExitCode {
        let version = Superlearner.version
        if json {
            let versions = Dictionary(uniqueKeysWithValues: modules.map { ($0, Term.string(version)) })
            Output.write(
                Term.object(["version": .string(version), "modules": .object(versions)]).prettyJSON() + "\n", to: 1)
        } else {
            var text = "superlearner \(version)\n"
            for module in modules { text += "  \(module.padded(20)) \(version)\n" }
            Output.write(text, to: 1)
        }
        return .ok
    }
}

/// `superlearner help [COMMAND…]`: help for a command.
struct HelpCommand: Command {
    static let spec = CommandSpec(
        "help", "help for a command",
        arguments: [ArgumentSpec("COMMAND", "the command", optional: true, variadic: true)],
        command: Self.self)

    let words: [String]
    init(_ input: CommandInput) { words = input.values("COMMAND") }

    func run(_ context: CommandContext) throws {
        var spec = CommandTree.root
        var path: [String] = []
        for word in words {
            guard let next = spec.subcommand(word) else {
                throw CLIError(
                    exit: .usage, code: "usage",
                    message:
                        "no command '\((path + [word]).joined(separator: " "))'\(Parser.suggestion(word, spec.subcommands.map(\.name)))"
                )
            }
            spec = next
            path.append(word)
        }
        Output.write(Help.text(for: spec, path: path), to: 1)
    }
}
