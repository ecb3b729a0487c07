import Supervision

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The exit codes of the command line (DESIGN §6): the one table.
public enum ExitCode: Int32, Sendable, CaseIterable {
    /// Success.
    case ok = 0
    /// The operation ran and failed (a failing experiment verdict too).
    case failure = 1
    /// A usage or validation error.
    case usage = 2
    /// Something named does not exist.
    case notFound = 3
    /// A conflict: a duplicate, or something busy.
    case conflict = 4
    /// No daemon answers.
    case unreachable = 5
    /// A wait or call timed out.
    case timedOut = 6
    /// Something the command needs is not installed (chromium for `docs generate` and `test e2e`).
    case unavailable = 7
    /// Ctrl-C stopped the command (in the shell; elsewhere Ctrl-C ends the process, which a shell also
    /// reports as 130).
    case interrupted = 130

    /// A few words for the one-line list in `superlearner --help`.
    var label: String {
        switch self {
        case .ok: "ok"
        case .failure: "operation failed"
        case .usage: "usage or validation error"
        case .notFound: "not found"
        case .conflict: "conflict"
        case .unreachable: "daemon unreachable"
        case .timedOut: "timed out"
        case .unavailable: "unavailable (not installed)"
        case .interrupted: "interrupted"
        }
    }

    /// What the code means, one sentence: the one text `--help`, the man pages and docs/commands.md show.
    var meaning: String {
        switch self {
        case .ok: "Success."
        case .failure: "The operation failed, or an experiment's verdict was fail."
        case .usage: "A usage or validation error."
        case .notFound: "Something named does not exist."
        case .conflict: "A conflict: a duplicate, or something busy."
        case .unreachable: "No daemon answers."
        case .timedOut: "A wait or call timed out."
        case .unavailable: "Something the command needs is not installed (chromium for docs generate and test e2e)."
        case .interrupted: "Interrupted: Ctrl-C stopped the command."
        }
    }

    /// The exit code for an API error: by status, except that a daemon on its way out (503
    /// `shutting_down`) is, for the caller, about to be no daemon at all.
    static func forStatus(_ status: Int, code: String) -> ExitCode {
        if code == "shutting_down" { return .unreachable }
        return switch status {
        case 400, 405, 413, 415, 422: .usage
        case 404: .notFound
        case 409: .conflict
        case 408: .timedOut
        default: .failure
        }
    }
}

/// A command that failed: the exit code, a stable code and one line.
struct CLIError: Error {
    var exit: ExitCode
    var code: String
    var message: String
    var field: String? = nil

    /// Ctrl-C in the shell stopped a command while it waited for the daemon.
    static let interrupted = CLIError(exit: .interrupted, code: "interrupted", message: "interrupted")
}

/// Where and how a command prints: data on stdout, diagnostics on stderr; JSON with `--json`; colour only
/// on a terminal and never with `NO_COLOR`, `TERM=dumb` or `--no-color`.
struct Output {
    let json: Bool
    let quiet: Bool
    let color: Bool

    init(json: Bool, quiet: Bool, noColor: Bool) {
        self.json = json
        self.quiet = quiet
        let environment = getenv("NO_COLOR") != nil || getenv("TERM").map { String(cString: $0) } == "dumb"
        self.color = !noColor && !environment && isatty(1) == 1
    }

    /// Prints data: JSON under `--json`, otherwise `human` (unless quiet).
    func data(_ term: Term, human: () -> String) {
        if json {
            Output.write(term.prettyJSON() + "\n", to: 1)
        } else if !quiet {
            let text = human()
            if !text.isEmpty { Output.write(text.hasSuffix("\n") ? text : text + "\n", to: 1) }
        }
    }

    /// A human sentence on stdout (never under `--json` or `-q`).
    func say(_ text: String) {
        if !json && !quiet { Output.write(text + "\n", to: 1) }
    }

    /// A note on stderr (never under `-q`).
    func note(_ text: String) {
        if !quiet { Output.write("superlearner: \(text)\n", to: 2) }
    }

    /// An error on stderr: one line, or `{"error": …}` under `--json`.
    func error(_ error: CLIError) {
        if json {
            var body: [String: Term] = [
                "code": .string(error.code), "message": .string(error.message), "exit": .int(Int(error.exit.rawValue)),
            ]
            if let field = error.field { body["field"] = .string(field) }
            Output.write(Term.object(["error": .object(body)]).json + "\n", to: 2)
        } else {
            Output.write("superlearner: \(error.message)\n", to: 2)
        }
    }

    func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func status(_ text: String) -> String {
        switch text {
        case "running", "pass", "ok", "healthy": paint(text, "32")
        case "failed", "fail", "dead", "degraded": paint(text, "31")
        case "stopping", "starting", "waiting": paint(text, "33")
        default: text
        }
    }

    /// An aligned table (plain text; colour applied per cell by the caller is ignored for width).
    func table(_ headers: [String], _ rows: [[String]]) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], visibleWidth(cell))
            }
        }
        // Built by appending rather than with `joined(separator:)`, whose first use in a process costs a
        // runtime lookup of its generic constraints that showed in `perf` of a short command.
        var text = ""
        func append(_ cells: [String]) {
            for (index, cell) in cells.enumerated() {
                if index > 0 { text += "  " }
                text += cell
                if index < cells.count - 1 {
                    text += String(repeating: " ", count: max(0, widths[index] - visibleWidth(cell)))
                }
            }
        }
        append(headers.map { paint($0, "1") })
        for row in rows {
            text += "\n"
            append(row)
        }
        return text
    }

    func visibleWidth(_ text: String) -> Int {
        var count = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if scalar == "\u{1B}" { inEscape = true; continue }
            if inEscape { if scalar == "m" { inEscape = false }; continue }
            count += 1
        }
        return count
    }

    static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes {
                Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset)
            }
            if written <= 0 { return }
            offset += written
        }
    }
}

extension Term {
    /// A short human rendering: strings bare, everything else as JSON.
    var plain: String {
        switch self {
        case .string(let text): text
        case .null: "-"
        case .double(let value): value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
        default: description
        }
    }
}
