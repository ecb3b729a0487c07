import SuperlearnerClient
import Supervision

#if canImport(Glibc)
import Glibc
#endif

extension CommandContext {
    func events() throws {
        let limit = parsed.flag("limit").flatMap { Int($0) } ?? 50
        var query = ["limit=\(limit)"]
        if let since = parsed.flag("since") { query.append("since=\(since)") }
        let past = try api("GET", "/api/v1/telemetry/events?" + query.joined(separator: "&"))
        let events = past.arrayValue ?? []
        if !parsed.has("follow") {
            output.data(past) { events.isEmpty ? "no events" : events.map(eventLine).joined(separator: "\n") }
            return
        }
        // Follow: print the backlog, then stream, one event per line (JSON lines under --json).
        for event in events { printEvent(event) }
        let last = events.last?["seq"]?.intValue.map(UInt64.init) ?? parsed.flag("since").flatMap { UInt64($0) } ?? 0
        let streamClient = SuperlearnerClient(endpoint: .unix(paths.socket), timeout: .seconds(3600 * 24 * 365))
        do {
            try streamClient.followEvents("/api/v1/events?since=\(last)") { _, data in
                if let event = try? Term(json: data) { printEvent(event) }
                return true
            }
        } catch .interrupted {
            throw CLIError.interrupted
        } catch {
            throw CLIError(exit: .unreachable, code: "unreachable", message: "the event stream ended: \(error)")
        }
    }

    func printEvent(_ event: Term) {
        if output.json {
            Output.write(event.json + "\n", to: 1)
        } else if !output.quiet {
            Output.write(eventLine(event) + "\n", to: 1)
        }
    }

    func eventLine(_ event: Term) -> String {
        let metadata = (event["metadata"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.plain)" }.joined(separator: " ")
        return "\(event["seq"]?.plain ?? "").  \(output.paint(event["name"]?.plain ?? "", "36"))  \(metadata)"
    }

    /// `wait TARGET --for STATE`: checks the present, then follows the event stream until the state is
    /// reached (exit 0) or the timeout passes (exit 6).
    func wait() throws {
        let target = parsed.argument("TARGET") ?? ""
        guard let state = parsed.flag("for") else {
            throw CLIError(exit: .usage, code: "usage", message: "--for is required: running, restarted, terminated or escalated")
        }
        let limit = parsed.flag("timeout").flatMap(Duration.parse) ?? .seconds(5)
        let deadline = ContinuousClock.now + limit
        let baseline = (try api("GET", "/api/v1/telemetry/events?limit=1")).arrayValue?.last?["seq"]?.intValue ?? 0
        let sandbox = try? api("GET", "/api/v1/sandboxes/\(segment(target))")
        let process = sandbox == nil ? try? api("GET", "/api/v1/processes/\(segment(target))/info") : nil
        let pid = process?["pid"]?.stringValue
        switch state {
        case "running":
            if sandbox?["status"] == "running" || (sandbox == nil && process != nil) { return reached(target, state) }
        case "terminated":
            if sandbox == nil && process == nil { return reached(target, state) }
        default:
            break
        }
        func matches(_ event: Term) -> Bool {
            let name = event["name"]?.stringValue ?? ""
            let metadata = event["metadata"]?.objectValue ?? [:]
            let isSandbox = metadata["sandbox_id"]?.stringValue == target
            let isPath = metadata["path"]?.stringValue == target
            let isPID = metadata["pid"]?.stringValue == target || metadata["pid"]?.stringValue == pid && pid != nil
            switch state {
            case "running":
                return (isSandbox && ["sandbox.create", "sandbox.restart", "sandbox.restore"].contains(name))
                    || (isPath && (name == "runtime.process.spawn" || name == "runtime.supervisor.restart"))
            case "restarted":
                return (isSandbox && name == "sandbox.restart")
                    || (name == "runtime.supervisor.restart" && (isPath || metadata["old_pid"]?.stringValue == target))
            case "terminated":
                return (isSandbox && name == "sandbox.destroy") || (name == "runtime.process.exit" && (isPath || isPID))
            case "escalated":
                return (isSandbox && name == "sandbox.failed") || (name == "runtime.supervisor.escalation" && isPath)
            default:
                return false
            }
        }
        let remaining = deadline - ContinuousClock.now
        let nanos = UInt64(max(0, remaining.wholeMilliseconds)) * 1_000_000
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let streamDeadline = UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec) + nanos
        let streamClient = SuperlearnerClient(endpoint: .unix(paths.socket), timeout: limit)
        var found = false
        do {
            found = try streamClient.followEvents("/api/v1/events?since=\(baseline)", deadline: streamDeadline) { _, data in
                guard let event = try? Term(json: data) else { return true }
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
            throw CLIError(exit: .timedOut, code: "timeout", message: "timed out after \(limit) waiting for \(target) to be \(state)")
        }
        reached(target, state)
    }

    func reached(_ target: String, _ state: String) {
        output.data(["target": .string(target), "state": .string(state), "reached": true]) { "\(target) is \(state)" }
    }

    func telemetry() throws {
        if parsed.path.count > 1 {
            let format = parsed.flag("format") ?? "json"
            let result = try api("GET", "/api/v1/telemetry/metrics?format=\(format)")
            if format == "json" {
                Output.write(result.prettyJSON() + "\n", to: 1)
            } else {
                Output.write(result["text"]?.stringValue ?? "", to: 1)
            }
            return
        }
        let samples = try api("GET", "/api/v1/telemetry/metrics").arrayValue ?? []
        func total(_ name: String) -> Double {
            samples.filter { $0["name"]?.stringValue == name }.reduce(0) { $0 + ($1["value"]?.doubleValue ?? 0) }
        }
        let summary: [(String, Double)] = [
            ("sandboxes_active", total("superlearner_sandboxes_active")),
            ("sandboxes_created", total("superlearner_sandboxes_created_total")),
            ("sandboxes_destroyed", total("superlearner_sandboxes_destroyed_total")),
            ("processes_alive", total("superlearner_runtime_processes")),
            ("processes_spawned", total("superlearner_processes_spawned_total")),
            ("messages_delivered", total("superlearner_messages_delivered")),
            ("restarts", total("superlearner_restarts_total")),
            ("escalations", total("superlearner_escalations_total")),
            ("operations", total("superlearner_operations_total")),
            ("operation_errors", total("superlearner_operation_errors_total")),
        ]
        output.data(.object(Dictionary(uniqueKeysWithValues: summary.map { ($0.0, Term.int(Int($0.1))) }))) {
            summary.map { "\($0.0.padded(20)) \(Int($0.1))" }.joined(separator: "\n")
        }
    }
}
