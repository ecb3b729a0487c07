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
