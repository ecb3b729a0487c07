import Testing

@testable import SuperlearnerCLI

/// The command tree is the one declaration of the command line: every leaf has its handler, and every
/// handler reads only what its own declaration names, as the kind it declares.
@Suite struct CommandTreeTests {
    /// Every node of the tree with its path.
    static func nodes(_ spec: CommandSpec = CommandTree.root, path: [String] = []) -> [(CommandSpec, [String])] {
        [(spec, path)] + spec.subcommands.flatMap { nodes($0, path: path + [$0.name]) }
    }

    /// A value the parser would accept for `kind`.
    static func sample(_ kind: ValueKind) -> String {
        switch kind {
        case .string: "x"
        case .integer: "1"
        case .duration: "1s"
        case .choice(let choices): choices.first ?? ""
        case .file: "-"
        case .json: "{}"
        }
    }

    /// A parsed command line for `spec` with every argument and flag given (or only the required ones).
    static func parsed(_ spec: CommandSpec, path: [String], everything: Bool) -> ParsedCommand {
        var arguments: [String: [String]] = [:]
        for argument in spec.arguments where everything || !(argument.optional || argument.variadic) {
            arguments[argument.name] = argument.variadic ? ["k=v", "k2=v"] : [sample(argument.kind)]
        }
        var flags: [String: [String]] = [:]
        if everything {
            for flag in spec.flags + CommandTree.globalFlags where flag.long != "help" {
                flags[flag.long] = [flag.value.map(sample) ?? "true"]
            }
        }
        return ParsedCommand(path: path, spec: spec, arguments: arguments, flags: flags)
    }

    @Test func everySubcommandIsDeclaredUnderTheNameItsSpecHas() {
        // The parser finds a verb by the name it is declared under, without building the others.
        for (spec, path) in Self.nodes() {
            for entry in spec.namedSubcommands {
                #expect(entry.spec().name == entry.name, "\((path + [entry.name]).joined(separator: " "))")
                #expect(spec.subcommand(entry.name)?.name == entry.name)
            }
        }
        #expect(CommandTree.root.namedSubcommands.count > 10)
    }

    @Test func everyLeafOfTheTreeHasAHandler() {
        let leaves = Self.nodes().filter { $0.0.subcommands.isEmpty }
        #expect(leaves.count > 30)
        for (spec, path) in leaves {
            #expect(spec.command != nil, "'\(path.joined(separator: " "))' is declared but nothing runs it")
        }
    }

    @Test func everyHandlerReadsOnlyWhatItsCommandDeclares() {
        var checked = 0
        for (spec, path) in Self.nodes() {
            guard let command = spec.command else { continue }
            for everything in [true, false] {
                let input = CommandInput(Self.parsed(spec, path: path, everything: everything))
                _ = command.init(input)
                #expect(input.undeclared.isEmpty, "'\(path.joined(separator: " "))' reads \(input.undeclared)")
                checked += 1
            }
        }
        #expect(checked >= 60)
    }

    /// The check above can fail: a handler reading a name it never declared is caught.
    @Test func aMisspeltOrMistypedNameIsCaught() {
        struct Misspelt: Command {
            static let spec = CommandSpec(
                "misspelt", "reads ID as IDD and --limit as a duration", arguments: [ArgumentSpec("ID", "an id")],
                flags: [FlagSpec("limit", "a number", value: .integer)], command: Self.self)
            let id: String
            let limit: Duration?
            init(_ input: CommandInput) {
                id = input.required("IDD")
                limit = input.duration("limit")
            }
            func run(_ context: CommandContext) throws {}
        }
        let input = CommandInput(Self.parsed(Misspelt.spec, path: ["misspelt"], everything: true))
        _ = Misspelt(input)
        #expect(input.undeclared == ["argument IDD", "flag --limit read as duration"])
    }

    @Test func aParsedCommandLineFindsItsHandler() throws {
        let parsed = try Parser.parse(["sandbox", "destroy", "demo"])
        #expect(parsed.spec.command == SandboxCommands.Destroy.self)
        let destroy = SandboxCommands.Destroy(CommandInput(parsed))
        #expect(destroy.id == "demo")
        #expect(
            try Parser.parse(["telemetry"]).spec.command == TelemetryCommand.self, "a noun that also runs on its own")
    }
}
