import Arsenal
import SuperlearnerAPI
import SuperlearnerDaemon
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// `superlearner top`: the busiest processes, redrawn in place on a terminal; frames as text or JSON
/// lines otherwise.
struct TopCommand: Command {
    static let spec = CommandSpec(
        "top", "a live view of the busiest processes, refreshed in place",
        discussion:
            "On a terminal it redraws every --interval until q or Ctrl-C; keys m, s, r, p and y sort by mailbox, messages, restarts, pid and memory; q, Ctrl-C, SIGTERM or a hang-up restore the terminal and leave. MSG/S is the rate of messages received since the previous frame. With standard output not a terminal it prints --count frames (default 1) as plain text, or one JSON object per line with --json, for CI logs.",
        flags: [
            FlagSpec(
                "sort", "sort by (default mailbox)", value: .choice(CommandTree.processSortKeys), placeholder: "KEY"),
            FlagSpec(
                "sandbox", "only this sandbox's processes", value: .string, placeholder: "ID", completion: .sandbox),
            FlagSpec(
                "interval", "time between frames (default 1s, at least 100ms)", value: .duration,
                placeholder: "DURATION"),
            FlagSpec("count", "stop after N frames", value: .integer, placeholder: "N"),
            FlagSpec(
                "limit", "at most N processes (default: what fits the terminal; 20 off a terminal)", value: .integer,
                placeholder: "N"),
        ],
        examples: [
            ("superlearner top --sort restarts", "who keeps crashing"),
            ("superlearner top --count 3 --interval 2s > top.log", "three frames for a CI log"),
        ],
        command: Self.self)

    let sort: String
    let sandbox: String?
    let intervalText: String?
    let interval: Duration
    let count: Int?
    let limit: Int?

    init(_ input: CommandInput) {
        sort = input.flag("sort") ?? "mailbox"
        sandbox = input.flag("sandbox")
        intervalText = input.flag("interval")
        interval = input.duration("interval") ?? .seconds(1)
        count = input.integer("count")
        limit = input.integer("limit")
    }

    func run(_ context: CommandContext) throws {
        let output = context.output
        guard interval >= .milliseconds(100) else {
            throw CLIError(
                exit: .usage, code: "usage", message: "--interval must be at least 100ms, got '\(intervalText ?? "")'")
        }
        for (name, value) in [("count", count), ("limit", limit)] {
            if let value, value < 1 {
                throw CLIError(exit: .usage, code: "usage", message: "--\(name) must be at least 1, got \(value)")
            }
        }
        let live = isatty(1) == 1 && !output.json
        var view = TopView(sort: sort, sandbox: sandbox, interval: intervalText ?? "1s")
        let screen = live ? TopScreen() : nil
        defer { screen?.close() }
        var frames = 0
        do {
            while true {
                let size = screen?.size ?? (rows: 24, columns: Int.max)
                let sample = try sampleProcesses(
                    view, context: context, limit: limit ?? (live ? max(1, size.rows - 4) : 20), autostart: frames == 0)
                if let screen {
                    screen.draw(view.render(sample, output: output, live: true), columns: size.columns)
                } else if output.json {
                    Output.write(view.json(sample).json + "\n", to: 1)
                } else {
                    Output.write(
                        (frames > 0 ? "\n" : "")
                            + view.render(sample, output: output, live: false).joined(separator: "\n") + "\n", to: 1)
                }
                view.remember(sample)
                frames += 1
                if frames >= (count ?? (live ? Int.max : 1)) { return }
                if let screen {
                    // Keys redraw at once; q and Ctrl-C end the view.
                    switch screen.waitForKey(upTo: interval) {
                    case .quit: return
                    case .sort(let key): view.sort = key
                    case .none: break
                    }
                } else {
                    var pause = timespec(
                        tv_sec: Int(interval.components.seconds),
                        tv_nsec: Int(interval.components.attoseconds / 1_000_000_000))
                    var left = timespec()
                    while nanosleep(&pause, &left) != 0 && errno == EINTR { pause = left }
                }
            }
        } catch let error as CLIError where error.exit == .interrupted && screen != nil {
            return  // Ctrl-C while fetching: the usual way out of a live view
        }
    }

    @MainActor
    private func sampleProcesses(_ view: TopView, context: CommandContext, limit: Int, autostart: Bool) throws
        -> TopView.Sample
    {
        var parameters: [String: Term] = ["sort": .string(view.sort), "limit": .int(limit)]
        if let sandbox = view.sandbox { parameters["sandbox"] = .string(sandbox) }
        let rows = try context.call(.listProcesses, parameters, autostart: autostart)
        let processes = try CommandContext.decode(
            rows, as: [ProcessReport].self, from: DaemonOperation.listProcesses.rawValue)
        let daemonData = try context.call(APIRoutes.daemonStatus, autostart: false)
        let daemon = try CommandContext.decode(
            daemonData, as: DaemonStatusReport.self, from: APIRoutes.daemonStatus.description)
        return TopView.Sample(rows: rows.arrayValue ?? [], processes: processes, daemon: daemon, at: .now)
    }
}
