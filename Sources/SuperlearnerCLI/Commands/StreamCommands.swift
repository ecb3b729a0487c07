import SuperlearnerAPI
import SuperlearnerClient
import Supervision
import Telemetry

#if canImport(Glibc)
    import Glibc
#endif

/// `superlearner events`: print telemetry events; `--follow` streams them.
struct EventsCommand: Command {
    static let spec = CommandSpec(
        "events", "print telemetry events; --follow streams them",
        flags: [
            FlagSpec("follow", short: "f", "keep streaming new events"),
            FlagSpec("since", "only events after this sequence number", value: .integer, placeholder: "SEQ"),
            FlagSpec("limit", "at most N past events (default 50)", value: .integer, placeholder: "N"),
        ],
        command: Self.self)

    let follow: Bool
    let since: Int?
    let limit: Int

    init(_ input: CommandInput) {
        follow = input.has("follow")
        since = input.integer("since")
        limit = input.integer("limit") ?? 50
    }

    func run(_ context: CommandContext) throws {
        var parameters: [String: Term] = ["limit": .int(limit)]
        if let since { parameters["since"] = .int(since) }
        let (past, events) = try context.call(.listEvents, parameters, as: [TelemetryEvent].self)
        if !follow {
            context.output.data(past) {
                events.isEmpty ? "no events" : events.map { Self.line($0, context.output) }.joined(separator: "\n")
            }
            return
        }
        // Follow: print the backlog, then stream, one event per line (JSON lines under --json, as sent).
        for (raw, event) in zip(past.arrayValue ?? [], events) { Self.print(raw, event, context.output) }
        let last = events.last.map { Int($0.sequence) } ?? since ?? 0
        let streamClient = SuperlearnerClient(endpoint: .unix(context.paths.socket), timeout: .seconds(3600 * 24 * 365))
        do {
            try streamClient.followEvents(APIRoutes.events.path(query: [("since", String(last))])) { _, data in
                if let raw = try? Term(json: data), let event = try? TelemetryEvent(term: raw) {
                    Self.print(raw, event, context.output)
                }
                return true
            }
        } catch .interrupted {
            throw CLIError.interrupted
        } catch {
            throw CLIError(exit: .unreachable, code: "unreachable", message: "the event stream ended: \(error)")
        }
    }

    static func print(_ raw: Term, _ event: TelemetryEvent, _ output: Output) {
        if output.json {
            Output.write(raw.json + "\n", to: 1)
        } else if !output.quiet {
            Output.write(line(event, output) + "\n", to: 1)
        }
    }

    /// `SEQ.  NAME  key=value …`.
    static func line(_ event: TelemetryEvent, _ output: Output) -> String {
        let metadata = event.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.plain)" }.joined(
            separator: " ")
        return "\(event.sequence).  \(output.paint(event.name, "36"))  \(metadata)"
    }
}

/// `superlearner wait TARGET --for STATE`: checks the present (for `restarted` and `escalated`, the events
/// of the last TIMEOUT), then follows the event stream until the state is reached (exit 0) or the timeout
/// passes (exit 6). The CI primitive.
struct WaitCommand: Command {
    static let states = ["running", "restarted", "terminated", "escalated"]

    static let spec = CommandSpec(
        "wait", "block until a sandbox or process reaches a state: the CI primitive",
        discussion:
            "running and terminated are checked against the present first; restarted and escalated count what happened within the timeout before the wait began too, so 'process kill X; wait X --for restarted' sees a restart that came first.",
        arguments: [ArgumentSpec("TARGET", "a sandbox id, a path or a PID", completion: .process)],
        flags: [
            FlagSpec("for", "the state to wait for", value: .choice(states), placeholder: "STATE"),
            FlagSpec(
                "timeout", "give up after this long (exit 6; default 5s)", value: .duration, placeholder: "DURATION"),
        ],
        examples: [("superlearner wait demo/counter_1 --for restarted --timeout 10s", "after breaking something")],
        command: Self.self)

    let target: String
    let state: String?
    let limit: Duration

    init(_ input: CommandInput) {
        target = input.required("TARGET")
        state = input.flag("for")
        limit = input.duration("timeout") ?? .seconds(5)
    }

    func run(_ context: CommandContext) throws {
        guard let state else {
            throw CLIError(
                exit: .usage, code: "usage", message: "--for is required: running, restarted, terminated or escalated")
        }
        let deadline = ContinuousClock.now + limit
        // The recent past too: a script that breaks something and then waits must not miss a restart that
        // came before the wait began (they take milliseconds).
        let recent = try context.call(.listEvents, ["limit": 1000], as: [TelemetryEvent].self).value
        let baseline = recent.last?.sequence ?? 0
        let sandbox = try? context.call(.getSandboxInfo, ["sandbox_id": .string(target)])
        let process = sandbox == nil ? try? context.call(.getProcessInfo, ["pid": .string(target)]) : nil
        let pid = process?["pid"]?.stringValue
        switch state {
        case "running":
            if sandbox?["status"] == "running" || (sandbox == nil && process != nil) { return reached(state, context) }
        case "terminated":
            if sandbox == nil && process == nil { return reached(state, context) }
        default:
            break
        }
        let target = self.target
        func matches(_ event: TelemetryEvent) -> Bool {
            let name = event.name
            let metadata = event.metadata
            let isSandbox = metadata["sandbox_id"]?.stringValue == target
            let isPath = metadata["path"]?.stringValue == target
            let isPID = metadata["pid"]?.stringValue == target || metadata["pid"]?.stringValue == pid && pid != nil
            switch state {
            case "running":
                return
                    (isSandbox
                    && [EventName.sandboxCreate, EventName.sandboxRestart, EventName.sandboxRestore].contains(name))
                    || (isPath && (name == EventName.processSpawn || name == EventName.supervisorRestart))
            case "restarted":
                return (isSandbox && name == EventName.sandboxRestart)
                    || (name == EventName.supervisorRestart && (isPath || metadata["old_pid"]?.stringValue == target))
            case "terminated":
                return (isSandbox && name == EventName.sandboxDestroy)
                    || (name == EventName.processExit && (isPath || isPID))
            case "escalated":
                return (isSandbox && name == EventName.sandboxFailed)
                    || (name == EventName.supervisorEscalation && isPath)
            default:
                return false
            }
        }
        if state == "restarted" || state == "escalated" {
            let horizon =
                SystemClock.wallSeconds() - Double(limit.components.seconds)
                - Double(limit.components.attoseconds) / 1e18
            if recent.contains(where: { $0.time >= horizon && matches($0) }) { return reached(state, context) }
        }
        let streamClient = SuperlearnerClient(endpoint: .unix(context.paths.socket), timeout: limit)
        var found = false
        do {
            found = try streamClient.followEvents(
                APIRoutes.events.path(query: [("since", String(baseline))]), until: deadline
            ) {
                _, data in
                guard let event = (try? Term(json: data)).flatMap({ try? TelemetryEvent(term: $0) }) else {
                    return true
                }
                return !matches(event)
            }
        } catch .timeout {
            found = false
        } catch .interrupted {
            throw CLIError.interrupted
        } catch {
            throw CLIError(exit: .unreachable, code: "unreachable", message: "the event stream failed: \(error)")
        }
        guard found else {
            throw CLIError(
                exit: .timedOut, code: "timeout",
                message: "timed out after \(limit) waiting for \(target) to be \(state)")
        }
        reached(state, context)
    }

    func reached(_ state: String, _ context: CommandContext) {
        context.output.data(["target": .string(target), "state": .string(state), "reached": true]) {
            "\(target) is \(state)"
        }
    }
}

/// `superlearner telemetry`: a summary of metrics; `telemetry export` dumps them.
struct TelemetryCommand: Command {
    static let spec = CommandSpec(
        "telemetry", "a summary of metrics, or with --since a table over time; 'telemetry export' dumps them",
        discussion:
            "With --since, the daemon's kept history (one sample a second, a day in its SQLite file, so it survives a restart) in rows of --every: restarts, messages and operations in each interval, the worst operation p99, and sandboxes and processes at its end.",
        flags: [
            FlagSpec("since", "a table of the last DURATION (10m, 1h)", value: .duration, placeholder: "DURATION"),
            FlagSpec(
                "every", "one row per DURATION (default: a tenth of --since, at least 1s)", value: .duration,
                placeholder: "DURATION"),
        ],
        subcommands: [.named("export", Export.spec)],
        examples: [("superlearner telemetry --since 10m --every 1m", "ten rows, one a minute")],
        command: Self.self)

    let since: Duration?
    let every: Duration?
    init(_ input: CommandInput) {
        since = input.duration("since")
        every = input.duration("every")
    }

    func run(_ context: CommandContext) throws {
        if let since { return try table(since: since, context) }
        if every != nil { throw CLIError(exit: .usage, code: "usage", message: "--every goes with --since") }
        let samples = try context.call(.getMetrics).arrayValue ?? []
        func total(_ name: String) -> Double {
            samples.filter { $0["name"]?.stringValue == name }.reduce(0) { $0 + ($1["value"]?.doubleValue ?? 0) }
        }
        let summary: [(String, Double)] = [
            ("sandboxes_active", total("superlearner_sandboxes_active")),
            ("sandboxes_created", total("superlearner_sandboxes_created_total")),
            ("sandboxes_destroyed", total("superlearner_sandboxes_destroyed_total")),
            ("processes_alive", total("superlearner_runtime_processes")),
            ("processes_spawned", total("superlearner_processes_spawned_total")),
            ("messages_delivered", total("superlearner_messages_delivered_total")),
            ("restarts", total("superlearner_restarts_total")),
            ("escalations", total("superlearner_escalations_total")),
            ("operations", total("superlearner_operations_total")),
            ("operation_errors", total("superlearner_operation_errors_total")),
        ]
        context.output.data(.object(Dictionary(uniqueKeysWithValues: summary.map { ($0.0, Term.int(Int($0.1))) }))) {
            summary.map { "\($0.0.padded(20)) \(Int($0.1))" }.joined(separator: "\n")
        }
    }

    /// The history in rows of `every`.
    @MainActor
    func table(since: Duration, _ context: CommandContext) throws {
        let seconds = Double(since.wholeMilliseconds) / 1000
        guard seconds >= 1 else { throw CLIError(exit: .usage, code: "usage", message: "--since must be at least 1s") }
        let step = every.map { Double($0.wholeMilliseconds) / 1000 } ?? max(1, (seconds / 10).rounded())
        guard step >= 1 else { throw CLIError(exit: .usage, code: "usage", message: "--every must be at least 1s") }
        let now = SystemClock.wallSeconds()
        let data = try context.call(.getMetricHistory, ["since": .double(now - seconds)])
        let samples = data["samples"]?.arrayValue ?? []
        var rows: [Term] = []
        var start = now - seconds
        while start < now {
            let end = min(start + step, now)
            let inside = samples.filter {
                ($0["time"]?.doubleValue ?? 0) > start && ($0["time"]?.doubleValue ?? 0) <= end
            }
            func total(_ key: String) -> Double {
                inside.reduce(0) { $0 + ($1[key]?.doubleValue ?? 0) * ($1["seconds"]?.doubleValue ?? 1) }
            }
            let p99 = inside.compactMap { $0["latency_ms"]?["p99"]?.doubleValue }.max()
            rows.append([
                "from": .double(start), "to": .double(end), "samples": .int(inside.count),
                "restarts": .int(Int(total("restarts_per_second").rounded())),
                "messages": .int(Int(total("messages_per_second").rounded())),
                "operations": .int(Int(total("operations_per_second").rounded())),
                "operation_p99_ms": p99.map(Term.double) ?? .null,
                "sandboxes": inside.last?["sandboxes"] ?? .null, "processes": inside.last?["processes"] ?? .null,
            ])
            start = end
        }
        context.output.data(.array(rows)) {
            context.output.table(
                ["FROM", "RESTARTS", "MESSAGES", "OPERATIONS", "OP P99 MS", "SANDBOXES", "PROCESSES"],
                rows.map { row in
                    let p99 = row["operation_p99_ms"]?.doubleValue.map { String(Double(Int($0 * 100)) / 100) } ?? "-"
                    return [
                        WhyCommand.clock(row["from"]?.doubleValue ?? 0).prefix(8).description,
                        row["samples"] == 0 ? "-" : row["restarts"]?.plain ?? "",
                        row["samples"] == 0 ? "-" : row["messages"]?.plain ?? "",
                        row["samples"] == 0 ? "-" : row["operations"]?.plain ?? "", p99, row["sandboxes"]?.plain ?? "-",
                        row["processes"]?.plain ?? "-",
                    ]
                })
        }
    }

    struct Export: Command {
        static let spec = CommandSpec(
            "export", "every metric as JSON, CSV or Prometheus text",
            flags: [
                FlagSpec(
                    "format", "output format", value: .choice(["json", "csv", "prometheus"]), placeholder: "FORMAT")
            ],
            command: Self.self)

        let format: String
        init(_ input: CommandInput) { format = input.flag("format") ?? "json" }

        func run(_ context: CommandContext) throws {
            let result = try context.call(.getMetrics, ["format": .string(format)])
            if format == "json" {
                Output.write(result.prettyJSON() + "\n", to: 1)
            } else {
                Output.write(result["text"]?.stringValue ?? "", to: 1)
            }
        }
    }
}
