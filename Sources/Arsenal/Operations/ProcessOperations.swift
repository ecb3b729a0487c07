import Programs
import Sandbox
import Schema
import SuperlearnerAPI
import Supervision

/// The process operations: list, inspect, kill, message, trace.
enum ProcessOperations {
    static let pidParameter = Parameter(
        "pid", .pid, "a PID (<0.12.0>), a supervision path (demo/counter_1) or a registered name", required: true)

    static func row(_ info: ProcessSnapshot) -> Term { ProcessReport(info).term }

    /// Everything get_process_info reports but a server's state: the row plus links, monitors, parent, start
    /// and trap_exit, with room for `extra` more members.
    static func detailMembers(_ info: ProcessSnapshot, extra: Int = 0) -> [String: Term] {
        var members = [String: Term](minimumCapacity: ProcessReport.memberCount + 6 + extra)
        ProcessReport(info).write(into: &members)
        members["links"] = .array(info.links.map(Term.pid))
        members["monitors"] = .array(info.monitors.map(Term.pid))
        members["monitored_by"] = .int(info.monitoredBy)
        members["parent"] = info.parent.map(Term.pid) ?? .null
        members["started_at"] = .double(info.startedAt)
        members["trap_exit"] = .bool(info.trapsExits)
        return members
    }

    static let all: [any Operation] = [
        DefinedOperation(
            "get_process_logs", .process, .read,
            "a program child's output, timestamped lines from stdout and stderr, oldest first",
            rest: RestBinding(OperationRoutes.getProcessLogs),
            parameters: [
                Parameter(
                    "pid", .pid, "a program child: its PID, its supervision path (web/api) or its registered name",
                    required: true),
                Parameter("stream", .string, "only this stream", allowed: Term.strings(["stdout", "stderr"])),
                Parameter("since", .duration, "only lines from this long ago on", minimum: 0, maximum: 31_536_000_000),
                Parameter(
                    "after", .string, "only lines after this cursor (a line's at, as the last answer gave it)",
                    pattern: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$"#),
                Parameter("limit", .integer, "at most this many lines", default: 200, minimum: 1, maximum: 10_000),
            ]
        ) { parameters, context throws(OperationError) in
            let target = try parameters.text("pid")
            let path: String
            if let pid = context.runtime.resolve(target), let known = context.runtime.info(pid)?.path {
                path = known
            } else if target.split(separator: "/", omittingEmptySubsequences: false).allSatisfy({
                SandboxID.isValid(String($0))
            }) {
                // A program between runs (or a temporary one that has exited) is no process now; its log stays.
                path = target
            } else {
                throw .processNotFound(target)
            }
            let programs = context.sandboxes.programs
            guard programs.hasLog(for: path) else {
                throw OperationError(
                    .notFound, code: "log_not_found",
                    "\(target) has no log: only program children (command or shell) have one", field: "pid")
            }
            let log = programs.log(for: path)
            var since: String? = nil
            if parameters["since"] != nil {
                let milliseconds = Int64(try parameters.integer("since"))
                since = ProgramLog.timestamp(micros: Int64(SystemClock.wallSeconds() * 1e6) - milliseconds * 1000)
            }
            let lines = log.read(
                after: parameters["after"]?.stringValue, since: since,
                stream: parameters["stream"]?.stringValue.flatMap(OutputStream.init(rawValue:)),
                limit: try parameters.integer("limit"))
            return .object([
                "path": .string(path), "file": .string(log.path),
                "cursor": lines.last.map { .string($0.at) } ?? parameters["after"] ?? .null,
                "lines": .array(
                    lines.map {
                        .object(["at": .string($0.at), "stream": .string($0.stream.rawValue), "text": .string($0.text)])
                    }),
            ])
        },
        DefinedOperation(
            "list_processes", .process, .read, "list live processes, sorted and limited",
            rest: RestBinding(OperationRoutes.listProcesses),
            parameters: [
                Parameter(
                    "sort", .string, "sort key", default: "pid",
                    allowed: Term.strings(["pid", "mailbox", "messages", "restarts", "memory"])),
                Parameter("limit", .integer, "at most this many", default: 1000, minimum: 1, maximum: 100_000),
                Parameter("sandbox", .string, "only this sandbox's processes", pattern: SandboxID.pattern),
                Parameter(
                    "after", .string,
                    "only PIDs after this one (the last PID of the previous page); with sort pid only"),
            ]
        ) { parameters, context throws(OperationError) in
            let sandbox = parameters["sandbox"]?.stringValue
            if let sandbox, !context.sandboxes.contains(sandbox) {
                throw OperationError(
                    .notFound, code: "sandbox_not_found", "no sandbox \"\(sandbox)\"", field: "sandbox")
            }
            let sort = parameters["sort"]?.stringValue ?? "pid"
            let limit = try parameters.integer("limit")
            var cursor: PID? = nil
            if let after = parameters["after"]?.stringValue {
                guard let pid = PID(parsing: after) else {
                    throw OperationError(
                        .validation, code: "validation_failed", "after must be a PID such as <0.12.0>",
                        field: "after")
                }
                guard sort == "pid" else {
                    throw OperationError(
                        .validation, code: "validation_failed",
                        "after pages in PID order; it cannot be used with sort \(sort)", field: "after")
                }
                cursor = pid
            }
            if sort == "pid" {
                // Keyset paging in PID order: only the page's processes are looked at, not every process.
                // A sandbox's processes come from the path index (those with a path, as the filter below).
                let source = sandbox.map { context.runtime.processes(underPath: $0) } ?? context.runtime.processes()
                var page: [ProcessSnapshot] = []
                for pid in source where cursor.map({ pid > $0 }) ?? true {
                    if page.count == limit { break }
                    guard let info = context.runtime.info(pid) else { continue }
                    page.append(info)
                }
                return .array(page.map(row))
            }
            var infos = context.runtime.allInfo()
            if let sandbox { infos = infos.filter { SandboxManager.sandboxID(ofPath: $0.path) == sandbox } }
            switch sort {
            case "mailbox": infos.sort { ($0.mailboxLength, $1.pid) > ($1.mailboxLength, $0.pid) }
            case "messages":
                infos.sort { ($0.messagesIn + $0.messagesOut, $1.pid) > ($1.messagesIn + $1.messagesOut, $0.pid) }
            case "restarts": infos.sort { ($0.restarts, $1.pid) > ($1.restarts, $0.pid) }
            case "memory": infos.sort { ($0.memoryEstimate, $1.pid) > ($1.memoryEstimate, $0.pid) }
            default: break
            }
            return .array(infos.prefix(limit).map(row))
        },
        DefinedOperation(
            "get_process_info", .process, .read,
            "everything the runtime knows about one process, with a state summary for servers",
            rest: RestBinding(OperationRoutes.getProcessInfo),
            parameters: [
                pidParameter,
                Parameter(
                    "timeout", .duration, "how long to wait for a server's state before leaving it out", default: 200,
                    minimum: 1, maximum: 600_000),
            ]
        ) { parameters, context throws(OperationError) in
            let pid = try context.process(parameters["pid"])
            let timeout = try parameters.duration("timeout")
            guard let info = context.runtime.info(pid) else { throw .processNotFound(pid.description) }
            var members = detailMembers(info, extra: 2)
            if info.kind != .process {
                // A busy server must not make info slow: its state is left out, saying why, after the timeout.
                do throws(CallError) {
                    members["state"] = try await context.runtime.state(of: pid, timeout: timeout)
                } catch {
                    members["state"] = .null
                    members["state_error"] = .string(error.description)
                }
            }
            return .object(members)
        },
        DefinedOperation(
            "get_process_state", .process, .read, "a server's or supervisor's state (sys:get_state)",
            rest: RestBinding(OperationRoutes.getProcessState),
            parameters: [
                pidParameter,
                Parameter(
                    "timeout", .duration, "how long to wait for the answer", default: 5000, minimum: 1, maximum: 600_000
                ),
            ]
        ) { parameters, context throws(OperationError) in
            let pid = try context.process(parameters["pid"])
            guard let info = context.runtime.info(pid) else { throw .processNotFound(pid.description) }
            guard info.kind != .process else {
                throw OperationError(
                    .failed, code: "not_a_server",
                    "\(pid) is a plain process; only servers and supervisors have inspectable state", field: "pid")
            }
            let timeout = try parameters.duration("timeout")
            do throws(CallError) {
                let state = try await context.runtime.state(of: pid, timeout: timeout)
                return ["pid": .pid(pid), "state": state]
            } catch {
                throw .from(error)
            }
        },
        DefinedOperation(
            "kill_process", .process, .destructive, "send an exit signal (default kill, which cannot be trapped)",
            rest: RestBinding(OperationRoutes.killProcess),
            parameters: [
                pidParameter,
                Parameter(
                    "reason", .string, "exit reason: kill, shutdown, normal or any text", default: "kill", minimum: 1,
                    maximum: 256),
            ]
        ) { parameters, context throws(OperationError) in
            let pid = try context.process(parameters["pid"])
            let reason = ExitReason(parsing: try parameters.text("reason"))
            let path = context.runtime.info(pid)?.path
            context.runtime.exit(pid, reason: reason)
            return [
                "pid": .pid(pid), "path": path.map(Term.string) ?? .null, "reason": .string(reason.description),
                "alive": .bool(context.runtime.isAlive(pid)),
            ]
        },
        DefinedOperation(
            "stop_process", .process, .destructive,
            "make a server exit with a reason after its terminate callback (gen_server:stop)",
            rest: RestBinding(OperationRoutes.stopProcess),
            parameters: [
                pidParameter, Parameter("reason", .string, "exit reason", default: "normal", minimum: 1, maximum: 256),
                Parameter(
                    "timeout", .duration, "how long to wait for the exit", default: 5000, minimum: 1, maximum: 600_000),
            ]
        ) { parameters, context throws(OperationError) in
            let pid = try context.process(parameters["pid"])
            let reason = ExitReason(parsing: try parameters.text("reason"))
            let timeout = try parameters.duration("timeout")
            if context.runtime.info(pid)?.kind == .process {
                context.runtime.exit(pid, reason: reason == .normal ? .shutdown : reason)
            } else {
                do throws(CallError) {
                    try await context.runtime.stop(pid, reason: reason, timeout: timeout)
                } catch {
                    throw .from(error)
                }
            }
            return [
                "pid": .pid(pid), "reason": .string(reason.description), "alive": .bool(context.runtime.isAlive(pid)),
            ]
        },
        DefinedOperation(
            "send_message", .process, .mutating,
            "deliver a message: send (plain), cast, call (waits for the reply) or info",
            rest: RestBinding(OperationRoutes.sendMessage),
            parameters: [
                pidParameter,
                Parameter("message", .any, "the message, or its name when content is given", required: true),
                Parameter("content", .any, "the message's content; the message becomes [message, content]"),
                Parameter(
                    "type", .string, "how to deliver it", default: "send",
                    allowed: Term.strings(["send", "cast", "call", "info"])),
                Parameter(
                    "timeout", .duration, "for call: how long to wait", default: 5000, minimum: 1, maximum: 600_000),
            ]
        ) { parameters, context throws(OperationError) in
            let pid = try context.process(parameters["pid"])
            let message = parameters["message"] ?? .null
            let term: Term = parameters["content"].map { [message, $0] } ?? message
            let type = try parameters.text("type")
            let timeout = try parameters.duration("timeout")
            switch type {
            case "cast":
                context.runtime.cast(pid, term)
            case "call":
                do throws(CallError) {
                    let reply = try await context.runtime.call(pid, term, timeout: timeout)
                    return ["pid": .pid(pid), "type": "call", "reply": reply]
                } catch {
                    throw .from(error)
                }
            default:
                context.runtime.send(term, to: pid)
            }
            return ["pid": .pid(pid), "type": .string(type), "delivered": true]
        },
        DefinedOperation(
            "trace_process", .process, .mutating,
            "record the messages a process receives, for a duration or a number of events",
            rest: RestBinding(OperationRoutes.traceProcess),
            parameters: [
                pidParameter,
                Parameter("duration", .duration, "how long to trace", default: 10_000, minimum: 1, maximum: 3_600_000),
                Parameter(
                    "max_events", .integer, "stop after this many events", default: 100, minimum: 1, maximum: 100_000),
            ]
        ) { parameters, context throws(OperationError) in
            let pid = try context.process(parameters["pid"])
            let id = context.traces.start(
                pid: pid, target: parameters["pid"]?.stringValue ?? pid.description,
                duration: Double(try parameters.integer("duration")) / 1000,
                maxEvents: try parameters.integer("max_events"))
            return context.traces.get(id) ?? ["id": .string(id)]
        },
        DefinedOperation(
            "get_trace", .process, .read, "a trace's events so far and whether it is still recording",
            rest: RestBinding(OperationRoutes.getTrace),
            parameters: [
                Parameter("id", .string, "the trace id from trace_process", required: true, minimum: 1, maximum: 64)
            ]
        ) { parameters, context throws(OperationError) in
            let id = parameters["id"]?.stringValue ?? ""
            guard let trace = context.traces.get(id) else {
                throw OperationError(.notFound, code: "trace_not_found", "no trace \"\(id)\"", field: "id")
            }
            return trace
        },
        DefinedOperation(
            "stop_trace", .process, .mutating, "stop a trace and return what it recorded",
            rest: RestBinding(OperationRoutes.stopTrace),
            parameters: [Parameter("id", .string, "the trace id", required: true, minimum: 1, maximum: 64)]
        ) { parameters, context throws(OperationError) in
            let id = parameters["id"]?.stringValue ?? ""
            guard let trace = context.traces.stop(id) else {
                throw OperationError(.notFound, code: "trace_not_found", "no trace \"\(id)\"", field: "id")
            }
            return trace
        },
    ]
}
