import Arsenal
import CSuperlearner
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// `superlearner process …`: list, inspect, message, stop and kill processes.
enum ProcessCommands {
    static let spec = CommandSpec(
        "process", "list, inspect, message, stop and kill processes",
        subcommands: [
            .named("list", List.spec), .named("info", Info.spec), .named("state", State.spec),
            .named("logs", Logs.spec), .named("kill", Kill.spec), .named("stop", Stop.spec), .named("send", Send.spec),
            .named("trace", Trace.spec),
        ])

    struct List: Command {
        static let spec = CommandSpec(
            "list", "list processes",
            flags: [
                FlagSpec(
                    "sandbox", "only this sandbox's processes", value: .string, placeholder: "ID", completion: .sandbox),
                FlagSpec("sort", "sort by", value: .choice(CommandTree.processSortKeys), placeholder: "KEY"),
                FlagSpec("limit", "at most N", value: .integer, placeholder: "N"),
                FlagSpec(
                    "after", "only PIDs after this one (the last of the previous page; PID order)", value: .string,
                    placeholder: "PID"),
            ],
            examples: [("superlearner process list --limit 50 --after '<0.2050.0>'", "the page after that PID")],
            command: Self.self)

        var parameters: [String: Term] = [:]

        init(_ input: CommandInput) {
            if let sandbox = input.flag("sandbox") { parameters["sandbox"] = .string(sandbox) }
            if let sort = input.flag("sort") { parameters["sort"] = .string(sort) }
            if let limit = input.integer("limit") { parameters["limit"] = .int(limit) }
            if let after = input.flag("after") { parameters["after"] = .string(after) }
        }

        func run(_ context: CommandContext) throws {
            let output = context.output
            let (data, list) = try context.call(.listProcesses, parameters, as: [ProcessReport].self)
            output.data(data) {
                let rows = list.map { process in
                    [
                        process.pid.description, process.path ?? "-", process.name ?? "-",
                        output.status(process.status.rawValue),
                        process.kind.rawValue, String(process.mailbox), String(process.messagesIn),
                        String(process.restarts),
                    ]
                }
                return output.table(["PID", "PATH", "NAME", "STATUS", "KIND", "MAILBOX", "MSGS IN", "RESTARTS"], rows)
            }
        }
    }

    struct Info: Command {
        static let spec = CommandSpec(
            "info", "everything about one process", arguments: [CommandTree.targetArgument], command: Self.self)

        let target: String
        init(_ input: CommandInput) { target = input.required("TARGET") }

        func run(_ context: CommandContext) throws {
            let info = try context.call(.getProcessInfo, ["pid": .string(target)])
            context.output.data(info) {
                let keys = [
                    "pid", "path", "name", "kind", "status", "sandbox", "mailbox", "messages_in", "messages_out",
                    "restarts",
                    "links", "monitors", "parent", "trap_exit", "memory", "state", "state_error",
                ]
                return keys.compactMap { key in info[key].map { "\(key.padded(13)) \($0.plain)" } }.joined(
                    separator: "\n")
            }
        }
    }

    struct State: Command {
        static let spec = CommandSpec(
            "state", "a server's or supervisor's state", arguments: [CommandTree.targetArgument], command: Self.self)

        let target: String
        init(_ input: CommandInput) { target = input.required("TARGET") }

        func run(_ context: CommandContext) throws {
            let state = try context.call(.getProcessState, ["pid": .string(target)])
            context.output.data(state) { state["state"]?.prettyJSON() ?? "-" }
        }
    }

    struct Kill: Command {
        static let spec = CommandSpec(
            "kill", "send an exit signal (default kill, which cannot be trapped)",
            arguments: [CommandTree.targetArgument],
            flags: [
                FlagSpec(
                    "reason", "the exit reason (kill, shutdown, normal or any text)", value: .string,
                    placeholder: "REASON")
            ],
            command: Self.self)

        let target: String
        let reason: String?

        init(_ input: CommandInput) {
            target = input.required("TARGET")
            reason = input.flag("reason")
        }

        func run(_ context: CommandContext) throws {
            var parameters: [String: Term] = ["pid": .string(target)]
            if let reason { parameters["reason"] = .string(reason) }
            let result = try context.call(.killProcess, parameters)
            context.output.data(result) {
                "sent \(reason ?? DaemonOperation.killProcess.defaultText("reason")) to \(result["path"]?.stringValue ?? result["pid"]?.plain ?? "")"
            }
        }
    }

    struct Stop: Command {
        static let spec = CommandSpec(
            "stop", "make a process exit with a reason after its terminate (gen_server:stop)",
            arguments: [CommandTree.targetArgument],
            flags: [FlagSpec("reason", "the exit reason (default normal)", value: .string, placeholder: "REASON")],
            command: Self.self)

        let target: String
        let reason: String?

        init(_ input: CommandInput) {
            target = input.required("TARGET")
            reason = input.flag("reason")
        }

        func run(_ context: CommandContext) throws {
            var parameters: [String: Term] = ["pid": .string(target)]
            if let reason { parameters["reason"] = .string(reason) }
            let result = try context.call(.stopProcess, parameters)
            context.output.data(result) {
                "stopped \(target) with \(reason ?? DaemonOperation.stopProcess.defaultText("reason"))"
            }
        }
    }

    struct Send: Command {
        static let spec = CommandSpec(
            "send", "deliver a message; --call prints the reply",
            arguments: [
                CommandTree.targetArgument, ArgumentSpec("MESSAGE", "the message (JSON or a word)"),
                ArgumentSpec("CONTENT", "content; the message becomes [MESSAGE, CONTENT]", optional: true),
            ],
            flags: [
                FlagSpec("cast", "deliver as a cast"), FlagSpec("call", "call and print the reply"),
                FlagSpec("info", "deliver as a plain message (the default)"),
            ],
            examples: [
                ("superlearner process send demo/counter_1 increment --cast", "add one"),
                ("superlearner process send demo/counter_1 get_value --call", "read it"),
            ],
            command: Self.self)

        let target: String
        let message: String
        let content: String?
        let modes: [String]

        init(_ input: CommandInput) {
            target = input.required("TARGET")
            message = input.required("MESSAGE")
            content = input.optional("CONTENT")
            modes = ["cast", "call", "info"].filter { input.has($0) }
        }

        func run(_ context: CommandContext) throws {
            guard modes.count <= 1 else {
                throw CLIError(exit: .usage, code: "usage", message: "choose one of --cast, --call, --info")
            }
            var parameters: [String: Term] = ["pid": .string(target), "message": CommandContext.value(message)]
            if let mode = modes.first { parameters["type"] = .string(mode) }
            if let content { parameters["content"] = CommandContext.value(content) }
            if modes.first == "call" {
                parameters["timeout"] = .int(Int(min(context.timeout, .seconds(600)).wholeMilliseconds))
            }
            let result = try context.call(.sendMessage, parameters)
            if modes.first == "call" {
                context.output.data(["reply": result["reply"] ?? .null]) { result["reply"]?.description ?? "null" }
            } else {
                context.output.data(result) { "delivered to \(target)" }
            }
        }
    }

    struct Logs: Command {
        static let spec = CommandSpec(
            "logs", "a program child's output (stdout and stderr, timestamped)",
            discussion:
                "Prints the last lines of the child's log (kept under the daemon's home, rotated by the spec's logs: settings); with --follow, keeps printing new lines, across restarts of the program, until Ctrl-C.",
            arguments: [CommandTree.targetArgument],
            flags: [
                FlagSpec("follow", short: "f", "keep printing new lines"),
                FlagSpec(
                    "since", "only lines from this long ago on (10m, 2h)", value: .duration, placeholder: "DURATION"),
                FlagSpec("stderr", "only standard error"),
                FlagSpec("stdout", "only standard output"),
                FlagSpec("limit", "at most N lines (default 200)", value: .integer, placeholder: "N"),
            ],
            examples: [
                ("superlearner process logs web/api", "the last 200 lines"),
                ("superlearner process logs web/api -f --stderr", "follow standard error"),
            ],
            command: Self.self)

        let target: String
        let follow: Bool
        var parameters: [String: Term]

        init(_ input: CommandInput) {
            target = input.required("TARGET")
            follow = input.has("follow")
            parameters = ["pid": .string(target), "limit": .int(input.integer("limit") ?? 200)]
            if let since = input.duration("since") { parameters["since"] = .int(Int(since.wholeMilliseconds)) }
            if input.has("stderr") { parameters["stream"] = "stderr" }
            if input.has("stdout") { parameters["stream"] = "stdout" }
        }

        func run(_ context: CommandContext) throws {
            var answer = try context.call(.getProcessLogs, parameters)
            if !follow {
                context.output.data(answer) {
                    let lines = answer["lines"]?.arrayValue ?? []
                    return lines.isEmpty ? "no output yet" : lines.map(Self.line).joined(separator: "\n")
                }
                return
            }
            // Follow: print what there is, then ask for the lines after the last one printed.
            var query = parameters
            query["limit"] = 10_000
            query["since"] = nil
            while true {
                for line in answer["lines"]?.arrayValue ?? [] {
                    if context.output.json {
                        Output.write(line.json + "\n", to: 1)
                    } else if !context.output.quiet {
                        Output.write(Self.line(line) + "\n", to: 1)
                    }
                }
                if let cursor = answer["cursor"], cursor != .null { query["after"] = cursor }
                usleep(200_000)
                if sl_interrupt_fd() >= 0 && sl_interrupt_take() != 0 { throw CLIError.interrupted }
                answer = try context.call(.getProcessLogs, query)
            }
        }

        /// `2026-12-01T17:00:00.123456Z err text`.
        static func line(_ line: Term) -> String {
            let stream = line["stream"]?.stringValue == "stderr" ? "err" : "out"
            return "\(line["at"]?.stringValue ?? "") \(stream) \(line["text"]?.stringValue ?? "")"
        }
    }

    struct Trace: Command {
        static let spec = CommandSpec(
            "trace", "record the messages a process receives, for a while",
            arguments: [CommandTree.targetArgument],
            flags: [
                FlagSpec("duration", "how long (default 5s)", value: .duration, placeholder: "DURATION"),
                FlagSpec("max-events", "stop after N events (default 100)", value: .integer, placeholder: "N"),
            ],
            command: Self.self)

        let target: String
        let duration: Duration
        let maxEvents: Int

        init(_ input: CommandInput) {
            target = input.required("TARGET")
            duration = input.duration("duration") ?? .seconds(5)
            maxEvents = input.integer("max-events") ?? 100
        }

        func run(_ context: CommandContext) throws {
            let started = try context.call(
                .traceProcess,
                [
                    "pid": .string(target), "duration": .int(Int(duration.wholeMilliseconds)),
                    "max_events": .int(maxEvents),
                ],
                as: TraceReport.self
            ).value
            context.output.note("tracing \(target) for \(duration) or \(maxEvents) events (\(started.id))")
            var trace = started
            let deadline = ContinuousClock.now + duration
            while trace.active && ContinuousClock.now < deadline {
                usleep(50_000)
                trace = try context.call(.getTrace, ["id": .string(started.id)], as: TraceReport.self).value
            }
            let (data, final) = try context.call(.stopTrace, ["id": .string(started.id)], as: TraceReport.self)
            context.output.data(data) {
                final.events.isEmpty
                    ? "no messages" : final.events.map { "\($0.kind.rawValue)  \($0.detail)" }.joined(separator: "\n")
            }
        }
    }
}
