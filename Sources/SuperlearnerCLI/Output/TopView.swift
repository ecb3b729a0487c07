import Arsenal
import SuperlearnerDaemon
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
        /// The rows as the daemon sent them (what `--json` prints) and as read.
        let rows: [Term]
        let processes: [ProcessReport]
        let daemon: DaemonStatusReport
        let at: ContinuousClock.Instant
    }

    /// Messages received per second since the previous frame, or `nil` on a process's first frame.
    func rate(_ process: ProcessReport, at now: ContinuousClock.Instant) -> Double? {
        guard let last = previous[process.pid.description] else { return nil }
        let seconds = Double((now - last.at).components.attoseconds) / 1e18 + Double((now - last.at).components.seconds)
        return seconds > 0 ? Double(max(0, process.messagesIn - last.messages)) / seconds : nil
    }

    mutating func remember(_ sample: Sample) {
        previous = [:]
        for process in sample.processes { previous[process.pid.description] = (process.messagesIn, sample.at) }
    }

    /// The frame's lines: a summary, the keys (live only), and the table.
    func render(_ sample: Sample, output: Output, live: Bool) -> [String] {
        let daemon = sample.daemon
        var summary = "superlearner top · \(daemon.processes) processes · \(daemon.sandboxes) sandboxes"
        summary += " · up \(TopView.uptime(daemon.uptimeSeconds)) · sort: \(sort)"
        if let sandbox { summary += " · sandbox: \(sandbox)" }
        if live { summary += " · every \(interval)" }
        var lines = [output.paint(summary, "1")]
        if live { lines.append("keys: m mailbox · s messages · r restarts · p pid · y memory · q quit") }
        let rows = sample.processes.map { process -> [String] in
            [
                process.pid.description, process.path ?? process.name ?? "-", output.status(process.status.rawValue),
                process.kind.rawValue, String(process.mailbox), String(process.messagesIn),
                rate(process, at: sample.at).map(TopView.format) ?? "-", String(process.restarts),
                TopView.bytes(process.memory),
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
        let processes = zip(sample.rows, sample.processes).map { raw, process -> Term in
            var row = raw.objectValue ?? [:]
            row["messages_per_second"] = rate(process, at: sample.at).map(Term.double) ?? .null
            return .object(row)
        }
        return [
            "sort": .string(sort), "sandbox": sandbox.map(Term.string) ?? .null,
            "daemon": [
                "processes": .int(sample.daemon.processes), "sandboxes": .int(sample.daemon.sandboxes),
                "uptime_seconds": .double(sample.daemon.uptimeSeconds),
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
