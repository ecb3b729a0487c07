/// Renders `--help` from the command tree.
enum Help {
    /// `superlearner sandbox create ID [TEMPLATE] [flags]`.
    static func usage(_ spec: CommandSpec, path: [String]) -> String {
        var parts = ["superlearner"] + path
        if spec.hasSubcommands && spec.arguments.isEmpty { parts.append("COMMAND") }
        for argument in spec.arguments {
            let name = argument.name + (argument.variadic ? "…" : "")
            parts.append(argument.optional ? "[\(name)]" : name)
        }
        if !spec.flags.isEmpty { parts.append("[flags]") }
        return parts.joined(separator: " ")
    }

    /// The full help text of a command.
    static func text(for spec: CommandSpec, path: [String]) -> String {
        var out = "\(usage(spec, path: path))\n\n\(spec.summary.prefix(1).uppercased() + spec.summary.dropFirst()).\n"
        if !spec.discussion.isEmpty { out += "\n\(lines(of: spec.discussion, width: 100).joined(separator: "\n"))\n" }
        let visible = spec.subcommands.filter { !$0.hidden }
        if !visible.isEmpty {
            out += "\nCommands:\n"
            let width = visible.map(\.name.count).max() ?? 0
            for command in visible { out += "  \(command.name.padded(width))  \(command.summary)\n" }
        }
        if !spec.arguments.isEmpty {
            out += "\nArguments:\n"
            let width = spec.arguments.map(\.name.count).max() ?? 0
            for argument in spec.arguments { out += "  \(argument.name.padded(width))  \(argument.summary)\n" }
        }
        if !spec.flags.isEmpty {
            out += "\nFlags:\n" + flagLines(spec.flags)
        }
        out += "\nGlobal flags:\n" + flagLines(CommandTree.globalFlags)
        if !spec.examples.isEmpty {
            out += "\nExamples:\n"
            for (example, comment) in spec.examples { out += "  \(example)\n      \(comment)\n" }
        }
        if path.isEmpty {
            let codes = ExitCode.allCases.map { "\($0.rawValue) \($0.label)" }.joined(separator: " · ")
            out += "\nExit codes:\n" + lines(of: codes, width: 98).map { "  " + $0 }.joined(separator: "\n")
            out += "\n\nRun 'superlearner help COMMAND' or 'superlearner COMMAND --help' for more.\n"
        }
        return out
    }

    /// `text` broken at spaces into lines of at most `width` characters (a longer word keeps its own line).
    static func lines(of text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    static func flagLines(_ flags: [FlagSpec]) -> String {
        let labels = flags.map { flag -> String in
            var label = flag.short.map { "-\($0), " } ?? "    "
            label += "--\(flag.long)"
            if flag.value != nil { label += " \(flag.placeholder)" }
            return label
        }
        let width = labels.map(\.count).max() ?? 0
        return zip(labels, flags).map { "  \($0.padded(width))  \($1.summaryWithChoices)\n" }.joined()
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
