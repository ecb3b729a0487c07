import Sandbox
import Supervision

extension SandboxCommands {
    /// Prints a plan: what an apply or a rollback does (or did).
    static func planLines(_ data: Term, output: Output) -> String {
        var lines: [String] = []
        for (flag, change) in (data["flags"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append(output.paint("~", "33") + " \(flag): \(change.plain)")
        }
        for id in data["added"]?.arrayValue ?? [] { lines.append(output.paint("+", "32") + " \(id.plain)  (started)") }
        for id in data["removed"]?.arrayValue ?? [] {
            lines.append(output.paint("-", "31") + " \(id.plain)  (stopped)")
        }
        for id in data["changed"]?.arrayValue ?? [] {
            lines.append(output.paint("~", "33") + " \(id.plain)  (restarted with its new spec)")
        }
        for id in data["kept"]?.arrayValue ?? [] { lines.append("= \(id.plain)  (keeps running, same PID)") }
        if data["empty"] == .bool(true) { lines.append("no change") }
        return lines.joined(separator: "\n")
    }

    /// `sandbox apply ID --spec FILE [--dry-run]`.
    struct Apply: Command {
        static let spec = CommandSpec(
            "apply", "move a running sandbox to a new spec; untouched children keep running",
            discussion:
                "Computes the plan (children added, removed, changed; strategy or budget changed), prints it, and applies it the OTP way: removed and changed children are stopped, added and changed ones started in the new order, the others keep their PIDs. The spec is stored as a new version ('sandbox history'); 'sandbox rollback' returns to an earlier one.",
            arguments: [CommandTree.sandboxArgument],
            flags: [
                FlagSpec(
                    "spec", "the new spec file (YAML or JSON; - for stdin)", value: .file, placeholder: "FILE",
                    completion: .file),
                FlagSpec("dry-run", "only print the plan"),
            ],
            examples: [("superlearner sandbox apply shop --spec shop-v2.yaml --dry-run", "see what would change")],
            command: Self.self)

        let id: String
        let file: String?
        let dryRun: Bool
        init(_ input: CommandInput) {
            id = input.required("ID")
            file = input.flag("spec")
            dryRun = input.has("dry-run")
        }

        func run(_ context: CommandContext) throws {
            guard let file else {
                throw CLIError(exit: .usage, code: "usage", message: "sandbox apply needs --spec FILE")
            }
            let text = try CommandContext.readInput(file)
            let spec: Term
            do {
                spec = try SandboxSpec.parse(
                    text, format: SandboxSpec.Format(fileName: file), base: ProcessPaths.folder(of: file)
                ).term
            } catch {
                throw CLIError(
                    exit: .usage, code: "invalid_spec", message: "\(file == "-" ? "stdin" : file): \(error.summary())")
            }
            let data = try context.call(
                .applySandboxSpec, ["sandbox_id": .string(id), "spec": spec, "dry_run": .bool(dryRun)])
            context.output.data(data) {
                let header =
                    dryRun
                    ? "plan for \(id) (dry run, nothing changed):"
                    : data["version"]?.intValue.map { "applied to \(id) as version \($0):" }
                        ?? "\(id): nothing to apply"
                return header + "\n" + SandboxCommands.planLines(data, output: context.output)
            }
        }
    }

    /// `sandbox history ID`.
    struct History: Command {
        static let spec = CommandSpec(
            "history", "a sandbox's spec versions (create, apply, rollback)", arguments: [CommandTree.sandboxArgument],
            command: Self.self)

        let id: String
        init(_ input: CommandInput) { id = input.required("ID") }

        func run(_ context: CommandContext) throws {
            let data = try context.call(.getSandboxHistory, ["sandbox_id": .string(id)])
            let versions = data.arrayValue ?? []
            context.output.data(data) {
                context.output.table(
                    ["VERSION", "APPLIED", "ORIGIN", "STRATEGY", "CHILDREN"],
                    versions.map { version in
                        [
                            version["version"]?.plain ?? "", WhyCommand.clock(version["applied_at"]?.doubleValue ?? 0),
                            version["origin"]?.plain ?? "", version["strategy"]?.plain ?? "",
                            (version["children"]?.arrayValue ?? []).map(\.plain).joined(separator: " "),
                        ]
                    })
            }
        }
    }

    /// `sandbox rollback ID [--to N]`.
    struct Rollback: Command {
        static let spec = CommandSpec(
            "rollback", "apply an earlier version of a sandbox's spec again (default: the previous one)",
            arguments: [CommandTree.sandboxArgument],
            flags: [
                FlagSpec("to", "the version to return to (see 'sandbox history')", value: .integer, placeholder: "N")
            ],
            command: Self.self)

        let id: String
        let to: Int?
        init(_ input: CommandInput) {
            id = input.required("ID")
            to = input.integer("to")
        }

        func run(_ context: CommandContext) throws {
            var parameters: [String: Term] = ["sandbox_id": .string(id)]
            if let to { parameters["to"] = .int(to) }
            let data = try context.call(.rollbackSandbox, parameters)
            context.output.data(data) {
                "rolled \(id) back to version \(data["restored"]?.plain ?? "?")"
                    + (data["version"]?.intValue.map { " (now version \($0))" } ?? " (no change)") + ":\n"
                    + SandboxCommands.planLines(data, output: context.output)
            }
        }
    }
}

extension SandboxCommands {
    /// `sandbox replay RUN`.
    struct Replay: Command {
        static let spec = CommandSpec(
            "replay", "run a recorded experiment run again with its seed, and compare",
            discussion:
                "Restarts the sandbox (a fresh tree, an empty restart window), then runs the same experiment with the same parameters and seed, which makes the same random choices (which workers kill-random kills, in which order). The runtime runs on real time, not a virtual clock, so timings differ; a tree whose spec changed meanwhile gives different choices. The last 100 runs are kept while the daemon runs. Exit 0 when the choices and the verdict are the same, 1 when not.",
            arguments: [ArgumentSpec("RUN", "the run's id (run-N), from 'sandbox run'")],
            command: Self.self)

        let run: String
        init(_ input: CommandInput) { run = input.required("RUN") }

        func run(_ context: CommandContext) throws {
            let data = try context.call(.replayExperiment, ["run_id": .string(run)])
            let same = data["same_choices"] == .bool(true) && data["same_verdict"] == .bool(true)
            context.output.data(data) {
                let original = data["original"] ?? .null
                let replay = data["replay"] ?? .null
                return [
                    "\(run) (seed \(original["seed"]?.plain ?? "?")): \(original["verdict"]?.plain ?? "") — \(original["reason"]?.plain ?? "")",
                    "\(replay["run_id"]?.plain ?? "replay"): \(replay["verdict"]?.plain ?? "") — \(replay["reason"]?.plain ?? "")",
                    "same choices: \(data["same_choices"] == .bool(true) ? "yes" : "no"), same verdict: \(data["same_verdict"] == .bool(true) ? "yes" : "no")",
                ].joined(separator: "\n")
            }
            if !same { throw CLIError(exit: .failure, code: "replay_differs", message: "the replay of \(run) differs") }
        }
    }
}
