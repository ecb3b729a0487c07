import Arsenal
import Supervision

#if canImport(Glibc)
import Glibc
#endif

extension CommandContext {
    var target: String { segment(parsed.argument("TARGET") ?? "") }

    func process() throws {
        let verb = parsed.path.count > 1 ? parsed.path[1] : ""
        switch verb {
        case "list":
            var query: [String] = []
            if let sandbox = parsed.flag("sandbox") { query.append("sandbox=\(segment(sandbox))") }
            if let sort = parsed.flag("sort") { query.append("sort=\(sort)") }
            if let limit = parsed.flag("limit") { query.append("limit=\(limit)") }
            let list = try api("GET", "/api/v1/processes" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
            output.data(list) {
                let rows = (list.arrayValue ?? []).map { item in
                    [item["pid"]?.plain ?? "", item["path"]?.plain ?? "-", item["name"]?.plain ?? "-", output.status(item["status"]?.plain ?? ""),
                     item["kind"]?.plain ?? "", item["mailbox"]?.plain ?? "", item["messages_in"]?.plain ?? "", item["restarts"]?.plain ?? ""]
                }
                return output.table(["PID", "PATH", "NAME", "STATUS", "KIND", "MAILBOX", "MSGS IN", "RESTARTS"], rows)
            }
        case "info":
            let info = try api("GET", "/api/v1/processes/\(target)/info")
            output.data(info) {
                let keys = ["pid", "path", "name", "kind", "status", "sandbox", "mailbox", "messages_in", "messages_out", "restarts",
                            "links", "monitors", "parent", "trap_exit", "memory", "state", "state_error"]
                return keys.compactMap { key in info[key].map { "\(key.padded(13)) \($0.plain)" } }.joined(separator: "\n")
            }
        case "state":
            let state = try api("GET", "/api/v1/processes/\(target)/state")
            output.data(state) { state["state"]?.prettyJSON() ?? "-" }
        case "kill":
            let reason = parsed.flag("reason") ?? "kill"
            let result = try api("DELETE", "/api/v1/processes/\(target)?reason=\(segment(reason))")
            output.data(result) { "sent \(reason) to \(result["path"]?.stringValue ?? result["pid"]?.plain ?? "")" }
        case "stop":
            let reason = parsed.flag("reason") ?? "normal"
            let result = try api("POST", "/api/v1/processes/\(target)/stop", body: ["reason": .string(reason)])
            output.data(result) { "stopped \(parsed.argument("TARGET") ?? "") with \(reason)" }
        case "send":
            let modes = ["cast", "call", "info"].filter { parsed.has($0) }
            guard modes.count <= 1 else {
                throw CLIError(exit: .usage, code: "usage", message: "choose one of --cast, --call, --info")
            }
            var body: [String: Term] = [
                "message": CommandContext.value(parsed.argument("MESSAGE") ?? ""), "type": .string(modes.first ?? "send"),
            ]
            if let content = parsed.argument("CONTENT") { body["content"] = CommandContext.value(content) }
            if modes.first == "call" { body["timeout"] = .int(Int(min(timeout, .seconds(600)).wholeMilliseconds)) }
            let result = try api("POST", "/api/v1/processes/\(target)/message", body: .object(body))
            if modes.first == "call" {
                output.data(["reply": result["reply"] ?? .null]) { result["reply"]?.description ?? "null" }
            } else {
                output.data(result) { "delivered to \(parsed.argument("TARGET") ?? "")" }
            }
        case "trace":
            let duration = parsed.flag("duration").flatMap(Duration.parse) ?? .seconds(5)
            let maxEvents = parsed.flag("max-events").flatMap { Int($0) } ?? 100
            let started = try api(
                "POST", "/api/v1/processes/\(target)/trace",
                body: ["duration": .int(Int(duration.wholeMilliseconds)), "max_events": .int(maxEvents)])
            let id = started["id"]?.stringValue ?? ""
            output.note("tracing \(parsed.argument("TARGET") ?? "") for \(duration) or \(maxEvents) events (\(id))")
            var trace = started
            let deadline = ContinuousClock.now + duration
            while trace["active"] == true && ContinuousClock.now < deadline {
                usleep(50_000)
                trace = try api("GET", "/api/v1/traces/\(segment(id))")
            }
            trace = try api("DELETE", "/api/v1/traces/\(segment(id))")
            output.data(trace) {
                let events = trace["events"]?.arrayValue ?? []
                return events.isEmpty ? "no messages" : events.map { "\($0["kind"]?.plain ?? "")  \($0["detail"]?.plain ?? "")" }.joined(separator: "\n")
            }
        default:
            throw CLIError(exit: .usage, code: "usage", message: "unknown process command")
        }
    }

    func supervisor() throws {
        if parsed.path.count > 1 && parsed.path[1] == "info" {
            let info = try api("GET", "/api/v1/supervisors/\(segment(parsed.argument("NAME") ?? ""))")
            output.data(info) {
                var lines = [
                    "pid:       \(info["pid"]?.plain ?? "")  path: \(info["path"]?.plain ?? "-")",
                    "strategy:  \(info["strategy"]?.plain ?? "")  budget: \(info["restarts_in_window"]?.plain ?? "0") of \(info["max_restarts"]?.plain ?? "") restarts used in \(info["max_seconds"]?.plain ?? "") s",
                    "restarts:  \(info["total_restarts"]?.plain ?? "0") in total",
                    "",
                ]
                let rows = (info["children"]?.arrayValue ?? []).map { child in
                    [child["id"]?.plain ?? "", child["pid"]?.plain ?? "-", child["type"]?.plain ?? "", child["restart"]?.plain ?? "",
                     child["shutdown"]?.plain ?? "", child["restarts"]?.plain ?? ""]
                }
                lines.append(output.table(["CHILD", "PID", "TYPE", "RESTART", "SHUTDOWN", "RESTARTS"], rows))
                return lines.joined(separator: "\n")
            }
        } else {
            let query = parsed.flag("sandbox").map { "?sandbox=\(segment($0))" } ?? ""
            let list = try api("GET", "/api/v1/supervisors\(query)")
            output.data(list) {
                output.table(
                    ["PID", "PATH", "STRATEGY", "CHILDREN", "BUDGET USED"],
                    (list.arrayValue ?? []).map {
                        [$0["pid"]?.plain ?? "", $0["path"]?.plain ?? "-", $0["strategy"]?.plain ?? "", $0["children"]?.plain ?? "",
                         "\($0["restarts_in_window"]?.plain ?? "0")/\($0["max_restarts"]?.plain ?? "")"]
                    })
            }
        }
    }

    func operation() throws {
        let registry = OperationRegistry.builtin()
        switch parsed.path.count > 1 ? parsed.path[1] : "" {
        case "list":
            let all = registry.all
            output.data(.array(all.map(\.descriptor))) {
                output.table(["OPERATION", "CATEGORY", "RISK", "SUMMARY"], all.map { [$0.name, $0.category.rawValue, $0.risk.rawValue, $0.summary] })
            }
        case "docs":
            let format = parsed.flag("format") ?? "openapi"
            if let name = parsed.argument("NAME") {
                guard let operation = registry.operation(named: name) else {
                    throw CLIError(exit: .notFound, code: "operation_not_found", message: "no operation \"\(name)\"\(Parser.suggestion(name, registry.all.map(\.name)))")
                }
                let single = OperationRegistry()
                single.register(operation)
                emitDocs(single, format: format)
            } else {
                emitDocs(registry, format: format)
            }
        case "run":
            let name = parsed.argument("NAME") ?? ""
            guard registry.operation(named: name) != nil else {
                throw CLIError(exit: .notFound, code: "operation_not_found", message: "no operation \"\(name)\"\(Parser.suggestion(name, registry.all.map(\.name)))")
            }
            var parameters: [String: Term] = [:]
            if let params = parsed.flag("params") {
                let text = params.hasPrefix("@") ? try readInput(String(params.dropFirst())) : params
                guard let object = (try? Term(json: text))?.objectValue else {
                    throw CLIError(exit: .usage, code: "usage", message: "--params must be a JSON object (or @file holding one)")
                }
                parameters = object
            }
            for (key, value) in try keyValues(parsed.values("KEY=VALUE")) { parameters[key] = value }
            let result = try api("POST", "/api/v1/arsenal/operations/\(segment(name))/execute", body: .object(parameters))
            output.data(result) { result.prettyJSON() }
        default:
            throw CLIError(exit: .usage, code: "usage", message: "unknown operation command")
        }
    }

    func emitDocs(_ registry: OperationRegistry, format: String) {
        if format == "markdown" {
            Output.write(MarkdownReference.generate(from: registry), to: 1)
        } else {
            Output.write(OpenAPIDocument.generate(from: registry).prettyJSON() + "\n", to: 1)
        }
    }
}
