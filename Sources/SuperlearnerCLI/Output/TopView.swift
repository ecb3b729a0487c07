import Supervision

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
        guard let pid = process["pid"]?.stringValue, let messages = process["messages_in"]?.intValue,
            let last = previous[pid]
        else { return nil }
        let seconds = Double((now - last.at).components.attoseconds) / 1e18 + Double((now - last.at).components.seconds)
        return seconds > 0 ? Double(max(0, messages - last.messages)) / seconds : nil
    }

    mutating func remember(_ sample: Sample) {
        previous = [:]
        for process in sample.processes {
            if let pid = process["pid"]?.stringValue, let messages = process["messages_in"]?.intValue {
                previous[pid] = (messages, sample.at)
            }
        }
    }

    /// The frame's lines: a summary, the keys (live only), and the table.
    func render(_ sample: Sample, output: Output, live: Bool) -> [String] {
        let daemon = sample.daemon
        var summary =
            "superlearner top · \(daemon["processes"]?.plain ?? "?") processes · \(daemon["sandboxes"]?.plain ?? "?") sandboxes"
        summary += " · up \(TopView.uptime(daemon["uptime_seconds"]?.doubleValue ?? 0)) · sort: \(sort)"
        if let sandbox { summary += " · sandbox: \(sandbox)" }
        if live { summary += " · every \(interval)" }
        var lines = [output.paint(summary, "1")]
        if live { lines.append("keys: m mailbox · s messages · r restarts · p pid · y memory · q quit") }
        let rows = sample.processes.map { process -> [String] in
            [
                process["pid"]?.plain ?? "", process["path"]?.stringValue ?? process["name"]?.stringValue ?? "-",
                output.status(process["status"]?.plain ?? ""), process["kind"]?.plain ?? "",
                process["mailbox"]?.plain ?? "",
                process["messages_in"]?.plain ?? "", rate(process, at: sample.at).map(TopView.format) ?? "-",
                process["restarts"]?.plain ?? "", TopView.bytes(process["memory"]?.intValue ?? 0),
            ]
        }
        lines.append("")
        lines += output.table(
            ["PID", "PATH", "STATUS", "KIND", "MAILBOX", "MSGS IN", "MSG/S", "RESTARTS", "MEMORY"], rows
        )
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
        if total >= 3600 { return "\(total / 3600)h\(twoDigits((total % 3600) / 60))m" }
        if total >= 60 { return "\(total / 60)m\(twoDigits(total % 60))s" }
        return "\(total)s"
    }

    /// Two digits, zero-padded: 7 → "07".
    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func format(_ rate: Double) -> String {
        rate >= 10 ? String(Int(rate.rounded())) : String(Double(Int((rate * 10).rounded())) / 10)
    }

    static func bytes(_ count: Int) -> String {
        if count >= 1 << 20 { return "\(format(Double(count) / Double(1 << 20)))M" }
        if count >= 1 << 10 { return "\(format(Double(count) / Double(1 << 10)))K" }
        return "\(count)"
    }
}
