import CSuperlearner
import Supervision

#if canImport(Glibc)
import Glibc
#endif

extension CommandContext {
    /// `superlearner top`: the busiest processes, redrawn in place on a terminal; frames as text or JSON
    /// lines otherwise.
    func top() throws {
        let interval = parsed.flag("interval").flatMap(Duration.parse) ?? .seconds(1)
        guard interval >= .milliseconds(100) else {
            throw CLIError(exit: .usage, code: "usage", message: "--interval must be at least 100ms, got '\(parsed.flag("interval") ?? "")'")
        }
        let count = parsed.flag("count").flatMap { Int($0) }
        let limit = parsed.flag("limit").flatMap { Int($0) }
        for (name, value) in [("count", count), ("limit", limit)] {
            if let value, value < 1 { throw CLIError(exit: .usage, code: "usage", message: "--\(name) must be at least 1, got \(value)") }
        }
        let live = isatty(1) == 1 && !output.json
        var view = TopView(sort: parsed.flag("sort") ?? "mailbox", sandbox: parsed.flag("sandbox"), interval: parsed.flag("interval") ?? "1s")
        let screen = live ? TopScreen() : nil
        defer { screen?.close() }
        var frames = 0
        do {
            while true {
                let size = screen?.size ?? (rows: 24, columns: Int.max)
                let sample = try sampleProcesses(view, limit: limit ?? (live ? max(1, size.rows - 4) : 20), autostart: frames == 0)
                if let screen {
                    screen.draw(view.render(sample, output: output, live: true), columns: size.columns)
                } else if output.json {
                    Output.write(view.json(sample).json + "\n", to: 1)
                } else {
                    Output.write((frames > 0 ? "\n" : "") + view.render(sample, output: output, live: false).joined(separator: "\n") + "\n", to: 1)
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
                    var pause = timespec(tv_sec: Int(interval.components.seconds), tv_nsec: Int(interval.components.attoseconds / 1_000_000_000))
                    var left = timespec()
                    while nanosleep(&pause, &left) != 0 && errno == EINTR { pause = left }
                }
            }
        } catch let error as CLIError where error.exit == .interrupted && screen != nil {
            return  // Ctrl-C while fetching: the usual way out of a live view
        } catch let error as CLIError where error.code == "shutting_down" && frames > 0 {
            throw CLIError(exit: .unreachable, code: "unreachable", message: "the daemon went away (it is shutting down)")
        }
    }

    private func sampleProcesses(_ view: TopView, limit: Int, autostart: Bool) throws -> TopView.Sample {
        var query = ["sort=\(view.sort)", "limit=\(limit)"]
        if let sandbox = view.sandbox { query.append("sandbox=\(segment(sandbox))") }
        let processes = try api("GET", "/api/v1/processes?" + query.joined(separator: "&"), autostart: autostart).arrayValue ?? []
        let daemon = try api("GET", "/api/v1/daemon", autostart: false)
        return TopView.Sample(processes: processes, daemon: daemon, at: .now)
    }
}

/// What `top` shows: the sort, the filter, and the previous frame's message counts for MSG/S.
struct TopView {
    var sort: String
    let sandbox: String?
    /// The interval as typed, for the summary line.
    let interval: String
    private var previous: [String: (messages: Int, at: ContinuousClock.Instant)] = [:]

    init(sort: String, sandbox: String?, interval: String) {
        self.sort = sort
        self.sandbox = sandbox
        self.interval = interval
    }

    struct Sample {
        let processes: [Term]
        let daemon: Term
        let at: ContinuousClock.Instant
    }

    /// Messages received per second since the previous frame, or `nil` on a process's first frame.
    func rate(_ process: Term, at now: ContinuousClock.Instant) -> Double? {
        guard let pid = process["pid"]?.stringValue, let messages = process["messages_in"]?.intValue, let last = previous[pid] else { return nil }
        let seconds = Double((now - last.at).components.attoseconds) / 1e18 + Double((now - last.at).components.seconds)
        return seconds > 0 ? Double(max(0, messages - last.messages)) / seconds : nil
    }

    mutating func remember(_ sample: Sample) {
        previous = [:]
        for process in sample.processes {
            if let pid = process["pid"]?.stringValue, let messages = process["messages_in"]?.intValue { previous[pid] = (messages, sample.at) }
        }
    }

    /// The frame's lines: a summary, the keys (live only), and the table.
    func render(_ sample: Sample, output: Output, live: Bool) -> [String] {
        let daemon = sample.daemon
        var summary = "superlearner top · \(daemon["processes"]?.plain ?? "?") processes · \(daemon["sandboxes"]?.plain ?? "?") sandboxes"
        summary += " · up \(TopView.uptime(daemon["uptime_seconds"]?.doubleValue ?? 0)) · sort: \(sort)"
        if let sandbox { summary += " · sandbox: \(sandbox)" }
        if live { summary += " · every \(interval)" }
        var lines = [output.paint(summary, "1")]
        if live { lines.append("keys: m mailbox · s messages · r restarts · p pid · y memory · q quit") }
        let rows = sample.processes.map { process -> [String] in
            [
                process["pid"]?.plain ?? "", process["path"]?.stringValue ?? process["name"]?.stringValue ?? "-",
                output.status(process["status"]?.plain ?? ""), process["kind"]?.plain ?? "", process["mailbox"]?.plain ?? "",
                process["messages_in"]?.plain ?? "", rate(process, at: sample.at).map(TopView.format) ?? "-",
                process["restarts"]?.plain ?? "", TopView.bytes(process["memory"]?.intValue ?? 0),
            ]
        }
        lines.append("")
        lines += output.table(["PID", "PATH", "STATUS", "KIND", "MAILBOX", "MSGS IN", "MSG/S", "RESTARTS", "MEMORY"], rows)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines
    }

    /// One frame as JSON: what a script reads with `--json`.
    func json(_ sample: Sample) -> Term {
        let processes = sample.processes.map { process -> Term in
            var row = process.objectValue ?? [:]
            row["messages_per_second"] = rate(process, at: sample.at).map(Term.double) ?? .null
            return .object(row)
        }
        return [
            "sort": .string(sort), "sandbox": sandbox.map(Term.string) ?? .null,
            "daemon": [
                "processes": sample.daemon["processes"] ?? .null, "sandboxes": sample.daemon["sandboxes"] ?? .null,
                "uptime_seconds": sample.daemon["uptime_seconds"] ?? .null,
            ],
            "processes": .array(processes),
        ]
    }

    static func uptime(_ seconds: Double) -> String {
        let total = Int(seconds)
        if total >= 3600 { return "\(total / 3600)h\(String(format2: (total % 3600) / 60))m" }
        if total >= 60 { return "\(total / 60)m\(String(format2: total % 60))s" }
        return "\(total)s"
    }

    static func format(_ rate: Double) -> String {
        rate >= 10 ? String(Int(rate.rounded())) : String(Double(Int((rate * 10).rounded())) / 10)
    }

    static func bytes(_ count: Int) -> String {
        if count >= 1 << 20 { return "\(format(Double(count) / Double(1 << 20)))M" }
        if count >= 1 << 10 { return "\(format(Double(count) / Double(1 << 10)))K" }
        return "\(count)"
    }
}

extension String {
    /// Two digits, zero-padded: 7 → "07".
    init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}

/// The terminal while `top` runs: the alternate screen with the cursor hidden, keys read one at a time
/// without echo, Ctrl-C, SIGTERM and SIGHUP as a readable descriptor; `close()` puts everything back.
final class TopScreen {
    private var original = termios()
    private let ownsKeyboard: Bool
    private let interrupt: Int32

    enum Key {
        case quit
        case sort(String)
    }

    init() {
        interrupt = sl_interrupt_install()
        ownsKeyboard = isatty(0) == 1 && tcgetattr(0, &original) == 0
        if ownsKeyboard {
            var raw = original
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
            tcsetattr(0, TCSANOW, &raw)
        }
        Output.write("\u{1B}[?1049h\u{1B}[?25l", to: 1)
    }

    func close() {
        Output.write("\u{1B}[?25h\u{1B}[?1049l", to: 1)
        if ownsKeyboard { tcsetattr(0, TCSANOW, &original) }
    }

    var size: (rows: Int, columns: Int) {
        var rows: Int32 = 24
        var columns: Int32 = 80
        _ = sl_terminal_size(1, &rows, &columns)
        return (Int(rows), Int(columns))
    }

    /// Draws `lines` from the top left, each cut to `columns` and cleared to its end, then clears below.
    func draw(_ lines: [String], columns: Int) {
        let text = lines.map { TopScreen.fit($0, columns) + "\u{1B}[K" }.joined(separator: "\n")
        Output.write("\u{1B}[H" + text + "\u{1B}[J", to: 1)
    }

    /// Waits up to `interval` for a key that means something, or Ctrl-C.
    func waitForKey(upTo interval: Duration) -> Key? {
        let deadline = ContinuousClock.now + interval
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            var descriptors = [
                pollfd(fd: ownsKeyboard ? 0 : -1, events: Int16(POLLIN), revents: 0), pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&descriptors, 2, milliseconds) > 0 else { continue }
            if descriptors[1].revents != 0 {
                _ = sl_interrupt_take()
                return .quit
            }
            var bytes = [UInt8](repeating: 0, count: 16)
            let count = read(0, &bytes, bytes.count)
            guard count > 0 else { return .quit }  // the terminal went away
            for byte in bytes.prefix(count) {
                switch byte {
                case UInt8(ascii: "q"), UInt8(ascii: "Q"): return .quit
                case UInt8(ascii: "m"): return .sort("mailbox")
                case UInt8(ascii: "s"): return .sort("messages")
                case UInt8(ascii: "r"): return .sort("restarts")
                case UInt8(ascii: "p"): return .sort("pid")
                case UInt8(ascii: "y"): return .sort("memory")
                default: continue
                }
            }
        }
    }

    /// `line` cut to `columns` visible characters; colour escapes pass through without counting.
    static func fit(_ line: String, _ columns: Int) -> String {
        var out = ""
        var visible = 0
        var inEscape = false
        for character in line {
            if inEscape {
                out.append(character)
                if character.isLetter { inEscape = false }
                continue
            }
            if character == "\u{1B}" {
                inEscape = true
                out.append(character)
                continue
            }
            guard visible < columns else { return out + "\u{1B}[0m" }
            out.append(character)
            visible += 1
        }
        return out
    }
}
