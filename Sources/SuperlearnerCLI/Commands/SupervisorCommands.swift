import Arsenal
import Supervision

/// `superlearner supervisor …`: inspect supervisors.
enum SupervisorCommands {
    static let spec = CommandSpec(
        "supervisor", "inspect supervisors", subcommands: [.named("list", List.spec), .named("info", Info.spec)])

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
            let (data, list) = try context.call(
                .listSupervisors, sandbox.map { ["sandbox": .string($0)] } ?? [:], as: [SupervisorSummary].self)
            context.output.data(data) {
                context.output.table(
                    ["PID", "PATH", "STRATEGY", "CHILDREN", "BUDGET USED"],
                    list.map {
                        [
                            $0.pid.description, $0.path ?? "-", $0.strategy.rawValue, String($0.children),
                            "\($0.restartsInWindow)/\($0.maxRestarts)",
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
            let (data, info) = try context.call(.getSupervisor, ["name": .string(name)], as: SupervisorReport.self)
            context.output.data(data) {
                var lines = [
                    "pid:       \(info.pid)  path: \(info.path ?? "-")",
                    "strategy:  \(info.strategy.rawValue)  budget: \(info.budgetText)",
                    "restarts:  \(info.totalRestarts) in total",
                    "",
                ]
                let rows = info.children.map { child in
                    [
                        child.id, child.pid?.description ?? "-", child.type.rawValue, child.restart.rawValue,
                        child.shutdown,
                        String(child.restarts),
                    ]
                }
                lines.append(context.output.table(["CHILD", "PID", "TYPE", "RESTART", "SHUTDOWN", "RESTARTS"], rows))
                return lines.joined(separator: "\n")
            }
        }
    }
}
