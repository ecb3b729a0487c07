/// Every metric superlearner exposes, with its help text: the one list the Prometheus exposition's
/// `# HELP` lines come from (and a test checks every exposed metric against).
public enum MetricCatalog {
    /// Name → help text.
    public static let help: [String: String] = [
        "superlearner_operations_total": "Arsenal operations run, by operation and outcome (ok or error).",
        "superlearner_operation_errors_total": "Arsenal operations that failed, by operation and error code.",
        "superlearner_operation_duration_seconds": "How long Arsenal operations took, by operation.",
        "superlearner_http_requests_total": "HTTP requests answered, by method, route family and status.",
        "superlearner_http_request_duration_seconds": "Time to each HTTP response's head, by route family.",
        "superlearner_sandboxes_active": "Sandboxes that exist now.",
        "superlearner_program_starts_total": "Program children started (exec succeeded) since the daemon started.",
        "superlearner_program_start_failures_total":
            "Program starts that failed (command not found, env_file, cwd, limits) since the daemon started.",
        "superlearner_program_log_lines_total": "Lines of program output written to the children's logs.",
        "superlearner_program_log_lines_split_total":
            "Program output lines longer than 16 KiB, written to the log in pieces.",
        "superlearner_sandboxes_created_total": "Sandboxes created since the daemon started.",
        "superlearner_sandboxes_destroyed_total": "Sandboxes destroyed since the daemon started.",
        "superlearner_sandbox_lifetime_seconds": "How long destroyed sandboxes lived.",
        "superlearner_processes_spawned_total": "Processes spawned in the runtime.",
        "superlearner_process_exits_total": "Processes that exited, by exit reason kind.",
        "superlearner_processes_alive": "Processes alive in the runtime, counted from spawns and exits.",
        "superlearner_runtime_processes": "Processes alive in the runtime, sampled at exposition.",
        "superlearner_heap_bytes":
            "Bytes of the daemon's heap in use (glibc's mallinfo2), sampled at exposition; 0 where unknown.",
        "superlearner_messages_delivered_total": "Messages delivered to process mailboxes.",
        "superlearner_state_commits_total":
            "Transactions the daemon synced to its state file; concurrent writes share one (group commit).",
        "superlearner_state_writes_total": "Sandbox saves and deletes made durable in the state file.",
        "superlearner_restarts_total": "Child restarts made by supervisors, by the exit reason's kind.",
        "superlearner_escalations_total": "Supervisors that exceeded their restart intensity and gave up.",
        "superlearner_supervisor_decisions_total":
            "What supervisors decided about exited children, by strategy and action.",
    ]

    /// `text` (Prometheus exposition) with a `# HELP` line before each metric's `# TYPE` line.
    static func addingHelp(to text: String) -> String {
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), let name = line.dropFirst("# TYPE ".count).split(separator: " ").first {
                let help = Self.help[String(name)] ?? "superlearner metric \(name)."
                lines.append(Substring("# HELP \(name) \(help)"))
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
