import Sandbox
import Supervision

/// `superlearner sandbox …`: create, inspect, break and destroy isolated supervision trees.
enum SandboxCommands {
    static let spec = CommandSpec(
        "sandbox", "create, inspect, break and destroy isolated supervision trees",
        subcommands: [
            .named("create", Create.spec), .named("list", List.spec), .named("info", Info.spec),
            .named("tree", Tree.spec), .named("status", Status.spec), .named("what-if", WhatIf.spec),
            .named("export", Export.spec), .named("apply", Apply.spec),
            .named("history", History.spec), .named("rollback", Rollback.spec), .named("restart", Restart.spec),
            .named("destroy", Destroy.spec), .named("run", Run.spec), .named("replay", Replay.spec),
            .named("config", Config.spec), .named("templates", Templates.spec),
        ])

    struct Create: Command {
        static let spec = CommandSpec(
            "create", "create a sandbox from a template or a spec file",
            discussion:
                "Give a TEMPLATE (see 'sandbox templates'), --spec FILE (YAML or JSON, - for stdin), or --command for a one-program tree (its child is ID/main). Relative paths in a spec file resolve against its folder.",
            arguments: [
                ArgumentSpec("ID", "the new sandbox's id: \(SandboxID.rule)"),
                ArgumentSpec(
                    "TEMPLATE", "a template name", .choice(CommandTree.templates), optional: true, completion: .template
                ),
            ],
            flags: [
                FlagSpec(
                    "spec", "a spec file (YAML or JSON; - reads stdin)", value: .file, placeholder: "FILE",
                    completion: .file),
                FlagSpec(
                    "command", "supervise one program: its command line (split like a shell's words, no shell run)",
                    value: .string, placeholder: "COMMAND"),
                FlagSpec(
                    "ready",
                    "with --command: when it counts as started (tcp:HOST:PORT, http:URL, log:REGEX, exec:COMMAND)",
                    value: .string, placeholder: "PROBE"),
                FlagSpec(
                    "strategy", "override the restart strategy", value: .choice(CommandTree.strategies),
                    placeholder: "STRATEGY"),
                FlagSpec("max-restarts", "override the restart budget", value: .integer, placeholder: "N"),
                FlagSpec("max-seconds", "override the intensity window", value: .integer, placeholder: "SECONDS"),
                FlagSpec(
                    "restart", "give every worker this restart type", value: .choice(CommandTree.restartTypes),
                    placeholder: "TYPE"),
                FlagSpec(
                    "config", "set a config key (repeatable)", value: .string, placeholder: "KEY=VALUE",
                    repeatable: true),
                FlagSpec(
                    "distributed",
                    "place it in the cluster: one node runs it, another takes over if that node dies (with --node NAME: that node first)"
                ),
            ],
            examples: [
                ("superlearner sandbox create demo DemoSupervisor", "the seed's demo tree"),
                ("superlearner sandbox create shop --spec shop.yaml", "a tree of your own"),
                (
                    "superlearner sandbox create web --command 'python3 -m http.server 8000' --ready tcp:127.0.0.1:8000",
                    "supervise a program"
                ),
                ("superlearner sandbox create t DemoSupervisor --restart temporary", "killed workers stay dead"),
            ],
            command: Self.self)

        let id: String
        let template: String?
        let specFile: String?
        let command: String?
        let ready: String?
        let strategy: String?
        let maxRestarts: Int?
        let maxSeconds: Int?
        let restart: String?
        let config: [String]
        let distributed: Bool
        let node: String?

        init(_ input: CommandInput) {
            distributed = input.has("distributed")
            node = input.flag("node")
            id = input.required("ID")
            template = input.optional("TEMPLATE")
            specFile = input.flag("spec")
            command = input.flag("command")
            ready = input.flag("ready")
            strategy = input.flag("strategy")
            maxRestarts = input.integer("max-restarts")
            maxSeconds = input.integer("max-seconds")
            restart = input.flag("restart")
            config = input.flags("config")
        }

        func run(_ context: CommandContext) throws {
            var body: [String: Term] = ["sandbox_id": .string(id)]
            if ready != nil && command == nil {
                throw CLIError(exit: .usage, code: "usage", message: "--ready goes with --command")
            }
            if let command {
                guard template == nil && specFile == nil else {
                    throw CLIError(
                        exit: .usage, code: "usage", message: "give one of TEMPLATE, --spec FILE or --command")
                }
                body["spec"] = try Self.programSpec(command: command, ready: ready)
            } else {
                try describeTree(in: &body)
            }
            if let strategy { body["strategy"] = .string(strategy) }
            if let maxRestarts { body["max_restarts"] = .int(maxRestarts) }
            if let maxSeconds { body["max_seconds"] = .int(maxSeconds) }
            if let restart { body["restart"] = .string(restart) }
            if !config.isEmpty { body["config"] = .object(try CommandContext.keyValues(config)) }
            if distributed {
                body["distributed"] = true
                if let node { body["node"] = .string(node) }
                let data = try context.call(.createSandbox, body)
                context.output.data(data) {
                    "created distributed sandbox \(id) on node \(data["node"]?.plain ?? "?") (fencing token \(data["fencing_token"]?.plain ?? "?"))"
                }
                return
            }
            let (data, info) = try context.call(.createSandbox, body, as: SandboxInfo.self)
            context.output.data(data) {
                "created sandbox \(id) (\(info.template ?? "spec"), \(info.processCount) processes); try 'superlearner sandbox tree \(id)'"
            }
        }

        /// A one-child tree for `--command` (and `--ready`), checked here like a spec file.
        static func programSpec(command: String, ready: String?) throws -> Term {
            let words: [String]
            do {
                words = try ShellWords.split(command)
            } catch {
                throw CLIError(exit: .usage, code: "invalid_command", message: "--command: \(error)")
            }
            guard !words.isEmpty else {
                throw CLIError(exit: .usage, code: "invalid_command", message: "--command: empty command line")
            }
            var child: [String: Term] = ["id": "main", "command": .array(words.map(Term.string))]
            if let ready {
                let (kind, value) =
                    ready.firstIndex(of: ":").map {
                        (String(ready[..<$0]), String(ready[ready.index(after: $0)...]))
                    } ?? (ready, "")
                switch kind {
                case "tcp": child["ready"] = ["tcp": .string(value)]
                case "http": child["ready"] = ["http": .string(value)]
                case "log": child["ready"] = ["log_line": .string(value)]
                case "exec":
                    let probe = (try? ShellWords.split(value)) ?? []
                    child["ready"] = ["exec": .array(probe.map(Term.string))]
                default:
                    throw CLIError(
                        exit: .usage, code: "invalid_ready",
                        message:
                            "--ready: expected tcp:HOST:PORT, http:URL, log:REGEX or exec:COMMAND, got \"\(ready)\"")
                }
            }
            let term: Term = ["strategy": "one_for_one", "children": .array([.object(child)])]
            do {
                return try SandboxSpec(term: term, base: ProcessPaths.currentDirectory()).term
            } catch {
                throw CLIError(exit: .usage, code: "invalid_spec", message: error.summary())
            }
        }

        @MainActor func describeTree(in body: inout [String: Term]) throws {
            switch (template, specFile) {
            case (let template?, nil):
                body["supervisor_module"] = .string(template)
            case (nil, let file?):
                let text = try CommandContext.readInput(file)
                do {
                    body["spec"] = try SandboxSpec.parse(
                        text, format: SandboxSpec.Format(fileName: file), base: ProcessPaths.folder(of: file)
                    ).term
                } catch {
                    let source = file == "-" ? "stdin" : file
                    throw CLIError(
                        exit: .usage, code: "invalid_spec",
                        message: "\(source): \(error.summary())")
                }
            case (.some, .some):
                throw CLIError(exit: .usage, code: "usage", message: "give a TEMPLATE or --spec FILE, not both")
            case (nil, nil):
                throw CLIError(
                    exit: .usage, code: "usage",
                    message: "give a TEMPLATE (see 'superlearner sandbox templates'), --spec FILE or --command")
            }
        }
    }

    struct List: Command {
        static let spec = CommandSpec(
            "list", "list sandboxes in id order",
            flags: [
                FlagSpec("limit", "at most N", value: .integer, placeholder: "N"),
                FlagSpec(
                    "after", "only ids after this one (the last of the previous page)", value: .string,
                    placeholder: "ID", completion: .sandbox),
            ],
            examples: [
                ("superlearner sandbox list --json", "for scripts"),
                ("superlearner sandbox list --limit 50 --after demo", "the 50 sandboxes after demo"),
            ],
            command: Self.self)

        var parameters: [String: Term] = [:]

        init(_ input: CommandInput) {
            if let limit = input.integer("limit") { parameters["limit"] = .int(limit) }
            if let after = input.flag("after") { parameters["after"] = .string(after) }
        }

        func run(_ context: CommandContext) throws {
            let output = context.output
            let (data, list) = try context.call(.listSandboxes, parameters, as: [SandboxSummary].self)
            // In a cluster the node that runs each sandbox matters: a column for it.
            let rowsData = data.arrayValue ?? []
            let clustered = rowsData.contains { $0["distributed"] == .bool(true) }
            output.data(data) {
                let rows = zip(list, rowsData).map { info, row in
                    [
                        info.id, output.status(info.status.rawValue), info.template ?? "spec",
                        String(info.processCount), String(info.restartCount),
                    ] + (clustered ? [row["node"]?.stringValue ?? "-"] : [])
                }
                return rows.isEmpty
                    ? "no sandboxes; create one with 'superlearner sandbox create demo DemoSupervisor'"
                    : output.table(
                        ["ID", "STATUS", "TEMPLATE", "PROCESSES", "RESTARTS"] + (clustered ? ["NODE"] : []), rows)
            }
        }
    }

    struct Info: Command {
        static let spec = CommandSpec(
            "info", "show a sandbox's status, config and spec", arguments: [CommandTree.sandboxArgument],
            command: Self.self)

        let id: String
        init(_ input: CommandInput) { id = input.required("ID") }

        func run(_ context: CommandContext) throws {
            let output = context.output
            let (data, info) = try context.call(.getSandboxInfo, ["sandbox_id": .string(id)], as: SandboxInfo.self)
            output.data(data) {
                let spec = data["spec"]
                return [
                    "id:          \(info.id)",
                    "status:      \(output.status(info.status.rawValue))\(info.failureReason.map { " (\($0))" } ?? "")",
                    "template:    \(info.template ?? "-")",
                    "supervisor:  \(info.supervisor?.description ?? "-")",
                    "processes:   \(info.processCount)",
                    "restarts:    \(info.restartCount)",
                    "strategy:    \(info.spec.strategy.rawValue) (\(info.spec.maxRestarts) restarts in \(spec?["max_seconds"]?.plain ?? "") s)",
                    "config:      \(info.config.isEmpty ? "{}" : Term.object(info.config).json)",
                ].joined(separator: "\n")
            }
        }
    }

    struct Tree: Command {
        static let spec = CommandSpec(
            "tree", "draw a sandbox's tree with PIDs, status and restart counts",
            arguments: [CommandTree.sandboxArgument],
            command: Self.self)

        let id: String
        init(_ input: CommandInput) { id = input.required("ID") }

        func run(_ context: CommandContext) throws {
            let tree = try context.call(.getSandboxInfo, ["sandbox_id": .string(id)])["tree"] ?? .null
            let root = try CommandContext.decode(
                tree, as: SandboxNode.self, from: DaemonOperation.getSandboxInfo.rawValue)
            context.output.data(tree) { Tree.lines(root, output: context.output).joined(separator: "\n") }
        }

        /// The tree drawn with box-drawing connectors, one line per process.
        static func lines(_ tree: SandboxNode, output: Output) -> [String] {
            var lines: [String] = []
            draw(tree, prefix: "", isLast: true, isRoot: true, output: output, into: &lines)
            return lines
        }

        private static func draw(
            _ node: SandboxNode, prefix: String, isLast: Bool, isRoot: Bool, output: Output, into lines: inout [String]
        ) {
            let connector = isRoot ? "" : (isLast ? "└─ " : "├─ ")
            var label = node.id
            if let strategy = node.strategy { label += " (\(strategy.rawValue))" }
            let status = output.status(node.pid == nil ? "stopped" : "running")
            lines.append(
                "\(prefix)\(connector)\(label)  \(node.pid?.description ?? "-")  \(status)  restarts=\(node.restarts)"
                    + (node.detail.map { "  \($0)" } ?? ""))
            let children = node.children
            let childPrefix = isRoot ? "" : prefix + (isLast ? "   " : "│  ")
            for (index, child) in children.enumerated() {
                draw(
                    child, prefix: childPrefix, isLast: index == children.count - 1, isRoot: false, output: output,
                    into: &lines)
            }
        }
    }

    struct Restart: Command {
        static let spec = CommandSpec(
            "restart", "rebuild a sandbox with fresh processes, keeping its config",
            arguments: [CommandTree.sandboxArgument],
            command: Self.self)

        let id: String
        init(_ input: CommandInput) { id = input.required("ID") }

        func run(_ context: CommandContext) throws {
            let (data, info) = try context.call(.restartSandbox, ["sandbox_id": .string(id)], as: SandboxInfo.self)
            context.output.data(data) { "restarted sandbox \(id) (restart \(info.restartCount))" }
        }
    }

    struct Destroy: Command {
        static let spec = CommandSpec(
            "destroy", "shut a sandbox down in order and forget it", arguments: [CommandTree.sandboxArgument],
            command: Self.self)

        let id: String
        init(_ input: CommandInput) { id = input.required("ID") }

        func run(_ context: CommandContext) throws {
            let result = try context.call(.destroySandbox, ["sandbox_id": .string(id)])
            context.output.data(result) { "destroyed sandbox \(id)" }
        }
    }

    struct Run: Command {
        static let spec = CommandSpec(
            "run", "run a failure experiment against a sandbox",
            arguments: [
                CommandTree.sandboxArgument,
                ArgumentSpec("EXPERIMENT", "the experiment", .choice(CommandTree.experiments), completion: .experiment),
                ArgumentSpec("KEY=VALUE", "experiment parameters", optional: true, variadic: true),
            ],
            flags: [
                FlagSpec(
                    "seed",
                    "the seed of its random choices: the same seed makes the same choices (default: a new one, printed)",
                    value: .integer, placeholder: "N")
            ],
            examples: [
                ("superlearner sandbox run demo kill-child target=counter_1", "kill one child and check it comes back"),
                ("superlearner sandbox run demo kill-random n=5 --seed 42", "the same five kills every time"),
            ],
            command: Self.self)

        let id: String
        let experiment: String
        let parameters: [String]
        let seed: Int?

        init(_ input: CommandInput) {
            seed = input.integer("seed")
            id = input.required("ID")
            experiment = input.required("EXPERIMENT")
            parameters = input.values("KEY=VALUE")
        }

        func run(_ context: CommandContext) throws {
            let output = context.output
            let (data, result) = try context.call(
                .runExperiment,
                [
                    "sandbox_id": .string(id), "experiment": .string(experiment),
                    "parameters": .object(try CommandContext.keyValues(parameters)),
                ].merging(seed.map { ["seed": .int($0)] } ?? [:]) { first, _ in first }, as: ExperimentResult.self)
            let (verdict, reason) =
                switch result.verdict {
                case .pass(let why): ("pass", why)
                case .fail(let why): ("fail", why)
                }
            output.data(data) {
                var lines = [
                    "\(result.experiment): \(output.status(verdict)) — \(reason)",
                    "  run \(result.runID), seed \(result.seed) (repeat it: superlearner sandbox replay \(result.runID))",
                ]
                for (key, value) in result.measurements.sorted(by: { $0.key < $1.key }) {
                    lines.append("  \(key.padded(18)) \(Term.double(value).plain)")
                }
                return lines.joined(separator: "\n")
            }
            if !result.verdict.passed {
                throw CLIError(exit: .failure, code: "experiment_failed", message: "experiment failed: \(reason)")
            }
        }
    }

    struct Config: Command {
        static let spec = CommandSpec(
            "config", "print a sandbox's config, or set keys (KEY=null removes one)",
            arguments: [
                CommandTree.sandboxArgument,
                ArgumentSpec("KEY=VALUE", "keys to set", optional: true, variadic: true, completion: .keyValue),
            ],
            command: Self.self)

        let id: String
        let pairs: [String]

        init(_ input: CommandInput) {
            id = input.required("ID")
            pairs = input.values("KEY=VALUE")
        }

        func run(_ context: CommandContext) throws {
            let config =
                pairs.isEmpty
                ? try context.call(.getSandboxConfig, ["sandbox_id": .string(id)])
                : try context.call(
                    .updateSandboxConfig,
                    ["sandbox_id": .string(id), "config": .object(try CommandContext.keyValues(pairs))])
            context.output.data(config) {
                let members = config.objectValue ?? [:]
                return members.isEmpty
                    ? "(no config)"
                    : members.keys.sorted().map { "\($0)=\(members[$0]!.description)" }.joined(separator: "\n")
            }
        }
    }

    struct Templates: Command {
        static let spec = CommandSpec("templates", "list the built-in templates", command: Self.self)

        init(_ input: CommandInput) {}

        func run(_ context: CommandContext) throws {
            let templates = Term.array(
                SandboxTemplate.all.map {
                    ["name": .string($0.name), "description": .string($0.description), "spec": $0.spec.term]
                })
            context.output.data(templates) {
                context.output.table(
                    ["TEMPLATE", "STRATEGY", "DESCRIPTION"],
                    SandboxTemplate.all.map { [$0.name, $0.spec.strategy.rawValue, $0.description] })
            }
        }
    }
}
