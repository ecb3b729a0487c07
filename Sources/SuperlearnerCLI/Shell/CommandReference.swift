/// docs/commands.md: every command, argument and flag, the global flags and the exit codes, generated from
/// the command tree as `--help` and the man pages are (a test fails when the committed page is stale).
enum CommandReference {
    static func markdown() -> String {
        var out = """
            # Command reference

            Generated from the command tree (`SUPERLEARNER_WRITE_DOCS=1 swift test --filter CommandReferenceTests`
            or `make docs`); `superlearner COMMAND --help` and `man superlearner-NOUN` say the same.

            \(CommandTree.root.discussion)

            ## Global flags

            Every command accepts these.

            \(flagTable(CommandTree.globalFlags))
            ## Exit codes

            | Code | Meaning |
            |---|---|

            """
        for code in ExitCode.allCases { out += "| \(code.rawValue) | \(cell(code.meaning)) |\n" }
        out += "\n## Commands\n\n"
        let commands = CommandTree.root.subcommands.filter(\.isDocumented)
        for command in commands {
            let verbs = command.subcommands.filter(\.isDocumented).map { "`\($0.name)`" }
            out += "- [`\(command.name)`](#superlearner-\(command.name))"
            out +=
                verbs.isEmpty ? " — \(command.summary)\n" : " — \(command.summary): \(verbs.joined(separator: ", "))\n"
        }
        for command in commands { out += section(command, path: [command.name]) }
        return out
    }

    private static func section(_ spec: CommandSpec, path: [String]) -> String {
        let level = path.count == 1 ? "###" : "####"
        var out = "\n\(level) superlearner \(path.joined(separator: " "))\n\n"
        out += "`\(Help.usage(spec, path: path))`\n\n"
        out += spec.summary.prefix(1).uppercased() + spec.summary.dropFirst() + ".\n"
        if !spec.discussion.isEmpty { out += "\n\(spec.discussion)\n" }
        if !spec.arguments.isEmpty {
            out += "\n| Argument | |\n|---|---|\n"
            for argument in spec.arguments {
                var notes: [String] = []
                if argument.optional { notes.append("optional") }
                if argument.variadic { notes.append("any number") }
                let suffix = notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))"
                out += "| `\(argument.name)` | \(cell(argument.summary))\(suffix) |\n"
            }
        }
        if !spec.flags.isEmpty { out += "\n" + flagTable(spec.flags) }
        if !spec.examples.isEmpty {
            out += "\n```sh\n"
            for (example, comment) in spec.examples { out += "\(example)    # \(comment)\n" }
            out += "```\n"
        }
        for sub in spec.subcommands where sub.isDocumented { out += section(sub, path: path + [sub.name]) }
        return out
    }

    private static func flagTable(_ flags: [FlagSpec]) -> String {
        var out = "| Flag | |\n|---|---|\n"
        for flag in flags {
            let short = flag.short.map { "`-\($0)`, " } ?? ""
            let value = flag.value == nil ? "" : " \(flag.placeholder)"
            let repeated = flag.repeatable ? " (repeatable)" : ""
            out += "| \(short)`--\(flag.long)\(value)` | \(cell(flag.summaryWithChoices))\(repeated) |\n"
        }
        return out
    }

    /// Text safe inside a Markdown table cell.
    private static func cell(_ text: String) -> String {
        text.replacingAll("|", with: "\\|").replacingAll("\n", with: " ")
    }
}

extension CommandSpec {
    /// Shown in the reference: not hidden, and not `help` (which only repeats the reference).
    fileprivate var isDocumented: Bool { !hidden && name != "help" }
}
