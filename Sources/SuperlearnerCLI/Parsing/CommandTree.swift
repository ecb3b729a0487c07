/// What a value on the command line is, for parsing, help, completion and man pages.
enum ValueKind: Sendable, Hashable {
    /// Free text.
    case string
    /// A whole number.
    case integer
    /// `500ms`, `5s`, `2m`, `1h` or milliseconds.
    case duration
    /// One of a fixed set.
    case choice([String])
    /// A file path (`-` for standard input where documented).
    case file
    /// JSON text, or `@file` to read it from a file.
    case json
}

/// What a shell can complete a value with.
enum CompletionSource: String, Sendable, Hashable {
    /// Nothing beyond what is typed.
    case none
    /// Sandbox ids, from the daemon.
    case sandbox
    /// Process targets (PIDs and child paths), from the daemon.
    case process
    /// Supervisor paths, from the daemon.
    case supervisor
    /// Operation names (no daemon needed).
    case operation
    /// An operation's `key=` parameters (no daemon needed).
    case operationParameter
    /// Template names.
    case template
    /// Experiment names.
    case experiment
    /// Files.
    case file
    /// The values of a `.choice`.
    case choice
    /// `key=value` config keys of a sandbox.
    case keyValue
}

/// A positional argument.
struct ArgumentSpec: Sendable, Hashable {
    /// The placeholder, such as `ID`.
    var name: String
    /// One line.
    var summary: String
    /// Its type.
    var kind: ValueKind
    /// Whether it may be left out.
    var optional: Bool
    /// Whether it takes every remaining word.
    var variadic: Bool
    /// How to complete it.
    var completion: CompletionSource

    init(
        _ name: String, _ summary: String, _ kind: ValueKind = .string, optional: Bool = false, variadic: Bool = false,
        completion: CompletionSource = .none
    ) {
        self.name = name
        self.summary = summary
        self.kind = kind
        self.optional = optional
        self.variadic = variadic
        self.completion = completion
    }
}

/// A flag: `--long VALUE`, `-s VALUE`, or a switch without a value.
struct FlagSpec: Sendable, Hashable {
    /// The long name without dashes.
    var long: String
    /// The short letter, if any.
    var short: Character?
    /// One line.
    var summary: String
    /// The value's type, or `nil` for a switch.
    var value: ValueKind?
    /// The value's placeholder in help.
    var placeholder: String
    /// How to complete the value.
    var completion: CompletionSource
    /// Whether it may be given several times (values accumulate).
    var repeatable: Bool

    init(
        _ long: String, short: Character? = nil, _ summary: String, value: ValueKind? = nil,
        placeholder: String = "VALUE", completion: CompletionSource = .none, repeatable: Bool = false
    ) {
        self.long = long
        self.short = short
        self.summary = summary
        self.value = value
        self.placeholder = placeholder
        self.completion =
            completion == .none && value.map({ if case .choice = $0 { true } else { false } }) == true
            ? .choice : completion
        self.repeatable = repeatable
    }

    /// The summary with the accepted values, when they are a fixed list: "override the restart
    /// strategy: one_for_one, one_for_all or rest_for_one".
    var summaryWithChoices: String {
        guard case .choice(let choices)? = value, let last = choices.last else { return summary }
        let list = choices.count == 1 ? last : choices.dropLast().joined(separator: ", ") + " or " + last
        return summary + ": " + list
    }
}

/// One node of the command tree: a noun with verbs, or a verb with arguments and flags.
struct CommandSpec: Sendable, Hashable {
    /// The word typed.
    var name: String
    /// One line.
    var summary: String
    /// Paragraphs for `--help` and the man page.
    var discussion: String
    /// Positional arguments, in order.
    var arguments: [ArgumentSpec]
    /// Flags of this command (global flags are separate).
    var flags: [FlagSpec]
    /// Sub-commands (verbs of a noun), each built.
    var subcommands: [CommandSpec] { namedSubcommands.map { $0.spec() } }
    /// Sub-commands by name, each built only when asked: a command line reads only the nodes on its path,
    /// so a short command does not pay for building every other command's flags, help and examples.
    let namedSubcommands: [Subcommand]
    /// Whether this node has sub-commands, without building them.
    var hasSubcommands: Bool { !namedSubcommands.isEmpty }
    /// Example invocations with a comment each.
    var examples: [(String, String)]
    /// Left out of help and completion (`__complete`).
    var hidden: Bool
    /// What runs when this node is the command typed; `nil` for a noun that only groups verbs.
    var command: (any Command.Type)?

    init(
        _ name: String, _ summary: String, discussion: String = "", arguments: [ArgumentSpec] = [],
        flags: [FlagSpec] = [],
        subcommands: [Subcommand] = [], examples: [(String, String)] = [],
        hidden: Bool = false,
        command: (any Command.Type)? = nil
    ) {
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.arguments = arguments
        self.flags = flags
        self.namedSubcommands = subcommands
        self.examples = examples
        self.hidden = hidden
        self.command = command
    }

    /// The sub-command called `name`, the only one built.
    func subcommand(_ name: String) -> CommandSpec? { namedSubcommands.first { $0.name == name }?.spec() }

    static func == (lhs: CommandSpec, rhs: CommandSpec) -> Bool { lhs.name == rhs.name && lhs.summary == rhs.summary }
    func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// A sub-command known by its name before its spec is built (`CommandSpec.namedSubcommands`).
struct Subcommand: Sendable {
    /// The word typed; the same as the built spec's `name` (a test checks every one).
    let name: String
    /// Builds the spec (usually reads a `static let`, built once).
    let spec: @Sendable () -> CommandSpec

    /// The sub-command `name`, whose spec `spec` builds when it is first needed.
    static func named(_ name: String, _ spec: @autoclosure @escaping @Sendable () -> CommandSpec) -> Subcommand {
        Subcommand(name: name, spec: spec)
    }
}
