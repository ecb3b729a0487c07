/// A command the user runs: its declaration (name, arguments, flags, help) and what it does, side by side.
///
/// `init` reads every value the command needs from its `CommandInput`, which checks each name (and its
/// kind) against `spec`; `run` validates combinations and acts. A test walks the whole tree and builds
/// every command from sample values, so a misspelt or undeclared name fails there, not at run time.
///
/// ```swift
/// struct Destroy: Command {
///     static let spec = CommandSpec("destroy", "shut a sandbox down", arguments: [CommandTree.sandboxArgument], command: Self.self)
///     let id: String
///     init(_ input: CommandInput) { id = input.required("ID") }
///     func run(_ context: CommandContext) throws { … }
/// }
/// ```
protocol Command: Sendable {
    /// The command's place in the tree; its `command` is `Self.self`.
    static var spec: CommandSpec { get }
    /// Reads the command's values; never throws: combinations are checked by `run`.
    init(_ input: CommandInput)
    /// Does the work.
    @MainActor func run(_ context: CommandContext) async throws
}

/// A parsed command line as a command reads it: typed accessors, each checked against the command's own
/// declaration. Reading a name that is not declared (or as the wrong kind) is a programming error, which
/// is recorded in `undeclared`; the dispatcher refuses to run such a command, and the tree-walk test fails.
final class CommandInput {
    /// What the parser produced.
    let parsed: ParsedCommand
    /// Names read that the command does not declare, or read as another kind than declared.
    private(set) var undeclared: [String] = []

    init(_ parsed: ParsedCommand) {
        self.parsed = parsed
    }

    private func declaredArgument(_ name: String) -> ArgumentSpec? {
        guard let argument = parsed.spec.arguments.first(where: { $0.name == name }) else {
            undeclared.append("argument \(name)")
            return nil
        }
        return argument
    }

    private func declaredFlag(_ name: String, switch isSwitch: Bool? = nil, kind: ValueKind? = nil) -> FlagSpec? {
        // Looked up in place: concatenating the two lists copied every flag for each one read.
        guard
            let flag = parsed.spec.flags.first(where: { $0.long == name })
                ?? CommandTree.globalFlags.first(where: { $0.long == name })
        else {
            undeclared.append("flag --\(name)")
            return nil
        }
        if let isSwitch, isSwitch != (flag.value == nil) {
            undeclared.append("flag --\(name) read as \(isSwitch ? "a switch" : "a value")")
        }
        if let kind, let declared = flag.value, declared != kind {
            undeclared.append("flag --\(name) read as \(kind)")
        }
        return flag
    }

    /// A required positional argument (the parser has made sure it is there).
    func required(_ name: String) -> String {
        if let argument = declaredArgument(name), argument.optional || argument.variadic {
            undeclared.append("argument \(name) read as required")
        }
        return parsed.arguments[name]?.first ?? ""
    }

    /// An optional positional argument.
    func optional(_ name: String) -> String? {
        _ = declaredArgument(name)
        return parsed.arguments[name]?.first
    }

    /// Every value of a variadic argument.
    func values(_ name: String) -> [String] {
        if let argument = declaredArgument(name), !argument.variadic {
            undeclared.append("argument \(name) read as variadic")
        }
        return parsed.arguments[name] ?? []
    }

    /// Whether switch `--name` was given.
    func has(_ name: String) -> Bool {
        _ = declaredFlag(name, switch: true)
        return parsed.flags[name] != nil
    }

    /// The (last) value of flag `--name`, as text.
    func flag(_ name: String) -> String? {
        _ = declaredFlag(name, switch: false)
        return parsed.flags[name]?.last
    }

    /// Every value of a repeatable flag.
    func flags(_ name: String) -> [String] {
        if let flag = declaredFlag(name, switch: false), !flag.repeatable {
            undeclared.append("flag --\(name) read as repeatable")
        }
        return parsed.flags[name] ?? []
    }

    /// The value of an integer flag (the parser has checked it is one).
    func integer(_ name: String) -> Int? {
        _ = declaredFlag(name, switch: false, kind: .integer)
        return parsed.flags[name]?.last.flatMap { Int($0) }
    }

    /// The value of a duration flag (the parser has checked it is one).
    func duration(_ name: String) -> Duration? {
        _ = declaredFlag(name, switch: false, kind: .duration)
        return parsed.flags[name]?.last.flatMap(Duration.parse)
    }
}
