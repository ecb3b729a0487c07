import Sandbox
import Supervision

#if canImport(Glibc)
import Glibc
#endif

extension CommandContext {
    func sandbox() throws {
        let verb = parsed.path.count > 1 ? parsed.path[1] : ""
        switch verb {
        case "create":
            let id = parsed.argument("ID") ?? ""
            var body: [String: Term] = ["sandbox_id": .string(id)]
            switch (parsed.argument("TEMPLATE"), parsed.flag("spec")) {
            case (let template?, nil):
                body["supervisor_module"] = .string(template)
            case (nil, let file?):
                let text = try readInput(file)
                let format = SandboxSpec.Format(fileName: file)
                do {
                    body["spec"] = try SandboxSpec.parse(text, format: format).term
                } catch {
                    let source = file == "-" ? "stdin" : file
                    throw CLIError(exit: .usage, code: "invalid_spec", message: "\(source): \(error.issues.map(\.description).joined(separator: "; "))")
                }
            case (.some, .some):
                throw CLIError(exit: .usage, code: "usage", message: "give a TEMPLATE or --spec FILE, not both")
            case (nil, nil):
                throw CLIError(exit: .usage, code: "usage", message: "give a TEMPLATE (see 'superlearner sandbox templates') or --spec FILE")
            }
            if let strategy = parsed.flag("strategy") { body["strategy"] = .string(strategy) }
            if let value = parsed.flag("max-restarts").flatMap({ Int($0) }) { body["max_restarts"] = .int(value) }
            if let value = parsed.flag("max-seconds").flatMap({ Int($0) }) { body["max_seconds"] = .int(value) }
            if let restart = parsed.flag("restart") { body["restart"] = .string(restart) }
            if let pairs = parsed.flags["config"] { body["config"] = .object(try keyValues(pairs)) }
            let info = try api("POST", "/api/v1/sandboxes", body: .object(body))
            output.data(info) {
                "created sandbox \(id) (\(info["template"]?.stringValue ?? "spec"), \(info["process_count"]?.plain ?? "?") processes); try 'superlearner sandbox tree \(id)'"
            }
        case "list":
            let list = try api("GET", "/api/v1/sandboxes")
            output.data(list) {
                let rows = (list.arrayValue ?? []).map { item in
                    [item["id"]?.plain ?? "", output.status(item["status"]?.plain ?? ""), item["template"]?.plain ?? "spec",
                     item["process_count"]?.plain ?? "", item["restart_count"]?.plain ?? ""]
                }
                return rows.isEmpty ? "no sandboxes; create one with 'superlearner sandbox create demo DemoSupervisor'"
                    : output.table(["ID", "STATUS", "TEMPLATE", "PROCESSES", "RESTARTS"], rows)
            }
        case "info":
            let info = try api("GET", "/api/v1/sandboxes/\(segment(parsed.argument("ID") ?? ""))")
            output.data(info) {
                var lines = [
                    "id:          \(info["id"]?.plain ?? "")",
                    "status:      \(output.status(info["status"]?.plain ?? ""))\(info["failure_reason"].flatMap { $0 == .null ? nil : " (\($0.plain))" } ?? "")",
                    "template:    \(info["template"]?.plain ?? "-")",
                    "supervisor:  \(info["supervisor"]?.plain ?? "-")",
                    "processes:   \(info["process_count"]?.plain ?? "")",
                    "restarts:    \(info["restart_count"]?.plain ?? "")",
                    "strategy:    \(info["spec"]?["strategy"]?.plain ?? "") (\(info["spec"]?["max_restarts"]?.plain ?? "") restarts in \(info["spec"]?["max_seconds"]?.plain ?? "") s)",
                ]
                let config = info["config"]?.objectValue ?? [:]
                lines.append("config:      \(config.isEmpty ? "{}" : Term.object(config).json)")
                return lines.joined(separator: "\n")
            }
        case "tree":
            let info = try api("GET", "/api/v1/sandboxes/\(segment(parsed.argument("ID") ?? ""))")
            let tree = info["tree"] ?? .null
            output.data(tree) {
                var lines: [String] = []
                drawTree(tree, prefix: "", isLast: true, isRoot: true, into: &lines)
                return lines.joined(separator: "\n")
            }
        case "restart":
            let id = parsed.argument("ID") ?? ""
            let info = try api("PUT", "/api/v1/sandboxes/\(segment(id))/restart")
            output.data(info) { "restarted sandbox \(id) (restart \(info["restart_count"]?.plain ?? "?"))" }
        case "destroy":
            let id = parsed.argument("ID") ?? ""
            let result = try api("DELETE", "/api/v1/sandboxes/\(segment(id))")
            output.data(result) { "destroyed sandbox \(id)" }
        case "run":
            let id = parsed.argument("ID") ?? ""
            let parameters = try keyValues(parsed.values("KEY=VALUE"))
            let result = try api(
                "POST", "/api/v1/sandboxes/\(segment(id))/experiments",
                body: ["experiment": .string(parsed.argument("EXPERIMENT") ?? ""), "parameters": .object(parameters)])
            output.data(result) {
                var lines = ["\(result["experiment"]?.plain ?? ""): \(output.status(result["verdict"]?.plain ?? "")) — \(result["reason"]?.plain ?? "")"]
                for (key, value) in (result["measurements"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                    lines.append("  \(key.padded(18)) \(value.plain)")
                }
                return lines.joined(separator: "\n")
            }
            if result["verdict"] == "fail" {
                throw CLIError(exit: .failure, code: "experiment_failed", message: "experiment failed: \(result["reason"]?.plain ?? "")")
            }
        case "config":
            let id = parsed.argument("ID") ?? ""
            let pairs = parsed.values("KEY=VALUE")
            let config: Term
            if pairs.isEmpty {
                config = try api("GET", "/api/v1/sandboxes/\(segment(id))/config")
            } else {
                config = try api("PATCH", "/api/v1/sandboxes/\(segment(id))/config", body: ["config": .object(try keyValues(pairs))])
            }
            output.data(config) {
                let members = config.objectValue ?? [:]
                return members.isEmpty ? "(no config)" : members.keys.sorted().map { "\($0)=\(members[$0]!.description)" }.joined(separator: "\n")
            }
        case "templates":
            let templates = Term.array(SandboxTemplate.all.map { ["name": .string($0.name), "description": .string($0.description), "spec": $0.spec.term] })
            output.data(templates) {
                output.table(["TEMPLATE", "STRATEGY", "DESCRIPTION"], SandboxTemplate.all.map { [$0.name, $0.spec.strategy.rawValue, $0.description] })
            }
        default:
            throw CLIError(exit: .usage, code: "usage", message: "unknown sandbox command")
        }
    }

    func drawTree(_ node: Term, prefix: String, isLast: Bool, isRoot: Bool, into lines: inout [String]) {
        let connector = isRoot ? "" : (isLast ? "└─ " : "├─ ")
        var label = node["id"]?.plain ?? "?"
        if let strategy = node["strategy"]?.stringValue { label += " (\(strategy))" }
        let pid = node["pid"]?.plain ?? "-"
        let status = node["pid"] == .null ? output.status("stopped") : output.status("running")
        lines.append("\(prefix)\(connector)\(label)  \(pid)  \(status)  restarts=\(node["restarts"]?.plain ?? "0")")
        let children = node["children"]?.arrayValue ?? []
        let childPrefix = isRoot ? "" : prefix + (isLast ? "   " : "│  ")
        for (index, child) in children.enumerated() {
            drawTree(child, prefix: childPrefix, isLast: index == children.count - 1, isRoot: false, into: &lines)
        }
    }
}
