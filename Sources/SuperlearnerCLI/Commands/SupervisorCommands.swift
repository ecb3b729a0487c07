import Supervision

/// `superlearner supervisor …`: inspect supervisors.
enum SupervisorCommands {
    static let spec = CommandSpec("supervisor", "inspect supervisors", subcommands: [List.spec, Info.spec])

    struct List: Command {
        static let spec = CommandSpec(
            "list", "list supervisors with their restart budget used",
            flags: [
                FlagSpec("sandbox", "only this sandbox's", value: .string, placeholder: "ID", completion: .sandbox)
            ],
            command: Self.self)

        let sandbox: String?
        init(_ input: CommandInput) { sandbox = input.flag("sandbox") }

        func run(_ context: CommandContext) throws {
            let list = try context.call(.listSupervisors, sandbox.map { ["sandbox": .string($0)] } ?? [:])
            context.output.data(list) {
                context.output.table(
                    ["PID", "PATH", "STRATEGY", "CHILDREN", "BUDGET USED"],
                    (list.arrayValue ?? []).map {
                        [
                            $0["pid"]?.plain ?? "", $0["path"]?.plain ?? "-", $0["strategy"]?.plain ?? "",
                            $0["children"]?.plain ?? "",
                            "\($0["restarts_in_window"]?.plain ?? "0")/\($0["max_restarts"]?.plain ?? "")",
                        ]
                    })
            }
        }
    }

    struct Info: Command {
        static let spec = CommandSpec(
            "info", "a supervisor's children, strategy and restart history",
            arguments: [
                ArgumentSpec("NAME", "a supervisor path (demo, demo/jobs), PID or name", completion: .supervisor)
            ],
            command: Self.self)

        let name: String
        init(_ input: CommandInput) { name = input.required("NAME") }

        func run(_ context: CommandContext) throws {
            let info = try context.call(.getSupervisor, ["name": .string(name)])
            context.output.data(info) {
                var lines = [
                    "pid:       \(info["pid"]?.plain ?? "")  path: \(info["path"]?.plain ?? "-")",
                    "strategy:  \(info["strategy"]?.plain ?? "")  budget: \(info["restarts_in_window"]?.plain ?? "0") of \(info["max_restarts"]?.plain ?? "") restarts used in \(info["max_seconds"]?.plain ?? "") s",
                    "restarts:  \(info["total_restarts"]?.plain ?? "0") in total",
                    "",
                ]
                let rows = (info["children"]?.arrayValue ?? []).map { child in
                    [
                        child["id"]?.plain ?? "", child["pid"]?.plain ?? "-", child["type"]?.plain ?? "",
                        child["restart"]?.plain ?? "",
                        child["shutdown"]?.plain ?? "", child["restarts"]?.plain ?? "",
                    ]
                }
                lines.append(context.output.table(["CHILD", "PID", "TYPE", "RESTART", "SHUTDOWN", "RESTARTS"], rows))
                return lines.joined(separator: "\n")
            }
        }
    }
}
