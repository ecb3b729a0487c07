import Supervision
import YAML

#if canImport(Glibc)
    import Glibc
#endif

/// `superlearner why PATH`: the restart-decision log.
struct WhyCommand: Command {
    static let spec = CommandSpec(
        "why", "why a child was (or was not) restarted: every decision its supervisor took",
        discussion:
            "For a child: each time it exited, the reason, the strategy applied, the siblings stopped and restarted, the restart intensity at that moment (\"3rd restart of 3 in 5 s\") and whether the supervisor gave up. For a supervisor: the same for every child under it. Decisions live in the supervisors (the last 100 each); a supervisor restarted as a whole starts a new log.",
        arguments: [
            ArgumentSpec("PATH", "a child's or a supervisor's path (demo/counter_1, demo)", completion: .process)
        ],
        flags: [
            FlagSpec("limit", "at most N decisions, the most recent (default 50)", value: .integer, placeholder: "N")
        ],
        examples: [("superlearner why demo/counter_1", "after 'superlearner process kill demo/counter_1'")],
        command: Self.self)

    let path: String
    let limit: Int?
    init(_ input: CommandInput) {
        path = input.required("PATH")
        limit = input.integer("limit")
    }

    func run(_ context: CommandContext) throws {
        var parameters: [String: Term] = ["path": .string(path)]
        if let limit { parameters["limit"] = .int(limit) }
        let data = try context.call(.explainRestarts, parameters)
        let decisions = data["decisions"]?.arrayValue ?? []
        context.output.data(data) {
            guard !decisions.isEmpty else { return "no exits of \(path) since its supervisor started" }
            return decisions.map { decision in
                let time = WhyCommand.clock(decision["at"]?.doubleValue ?? 0)
                let mark: String =
                    switch decision["action"]?.stringValue {
                    case "escalate": context.output.paint("gave up", "31")
                    case "restart": context.output.paint("restarted", "32")
                    case "shut_down": context.output.paint("shut down", "33")
                    default: context.output.paint("left down", "33")
                    }
                return
                    "\(time)  \(decision["path"]?.plain ?? "") exited (\(decision["reason"]?.plain ?? "")) → \(mark): \(decision["explanation"]?.plain ?? "")"
            }.joined(separator: "\n")
        }
    }

    /// `HH:MM:SS.mmm` in UTC.
    static func clock(_ seconds: Double) -> String {
        let day = seconds.truncatingRemainder(dividingBy: 86400)
        let milliseconds = Int((day * 1000).rounded()) % 86_400_000
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = milliseconds % 1000
        return
            "\(two(milliseconds / 3_600_000)):\(two(milliseconds / 60000 % 60)):\(two(milliseconds / 1000 % 60)).\(millis < 10 ? "00" : millis < 100 ? "0" : "")\(millis)"
    }
}

extension SandboxCommands {
    /// `sandbox what-if ID CHILD`.
    struct WhatIf: Command {
        static let spec = CommandSpec(
            "what-if", "what would happen if a child exited now — nothing is touched",
            discussion:
                "Asks the child's supervisor for the decision it would take (the same rule it acts by): which processes it stops and restarts, in what order, whether the restart intensity would be exceeded, and — when a supervisor would give up — what its own supervisor would do, up to the sandbox.",
            arguments: [
                CommandTree.sandboxArgument,
                ArgumentSpec("CHILD", "the child's path in the sandbox (counter_1, jobs/tick)", completion: .process),
            ],
            flags: [
                FlagSpec(
                    "reason", "how it exits: crash (default), normal, shutdown or kill",
                    value: .choice(["crash", "normal", "shutdown", "kill"]), placeholder: "REASON")
            ],
            examples: [
                ("superlearner sandbox what-if demo counter_1", "before 'superlearner process kill demo/counter_1'")
            ],
            command: Self.self)

        let id: String
        let child: String
        let reason: String?
        init(_ input: CommandInput) {
            id = input.required("ID")
            child = input.required("CHILD")
            reason = input.flag("reason")
        }

        func run(_ context: CommandContext) throws {
            var parameters: [String: Term] = ["sandbox_id": .string(id), "child": .string(child)]
            if let reason { parameters["reason"] = .string(reason) }
            let data = try context.call(.whatIf, parameters)
            context.output.data(data) {
                var lines = (data["steps"]?.arrayValue ?? []).map { step in
                    "\(step["supervisor"]?.plain ?? "") (\(step["strategy"]?.plain ?? "")): \(step["explanation"]?.plain ?? "")"
                }
                let outcome: String =
                    switch data["outcome"]?.stringValue {
                    case "sandbox_fails": "the sandbox's root supervisor gives up: sandbox \(id) fails"
                    case "not_restarted": "\(child) stays down"
                    default: "\(child) is restarted"
                    }
                lines.append("→ " + outcome)
                return lines.joined(separator: "\n")
            }
        }
    }

    /// `sandbox status ID`: health as an exit code.
    struct Status: Command {
        static let spec = CommandSpec(
            "status", "healthy (exit 0), degraded (exit 1, with the reasons) or not found (exit 3)",
            discussion:
                "Degraded: the sandbox failed, a program child is waiting out its backoff, or a supervisor has used most of its restart budget. Usable as a CI gate or a container health check.",
            arguments: [CommandTree.sandboxArgument],
            examples: [("superlearner sandbox status web || exit 1", "a health check")],
            command: Self.self)

        let id: String
        init(_ input: CommandInput) { id = input.required("ID") }

        func run(_ context: CommandContext) throws {
            let info = try context.call(.getSandboxInfo, ["sandbox_id": .string(id)])
            let reasons = Self.problems(info)
            let data: Term = [
                "sandbox_id": .string(id), "status": .string(reasons.isEmpty ? "healthy" : "degraded"),
                "reasons": .array(reasons.map(Term.string)),
            ]
            context.output.data(data) {
                reasons.isEmpty
                    ? "\(id): healthy" : "\(id): degraded\n" + reasons.map { "  - \($0)" }.joined(separator: "\n")
            }
            if !reasons.isEmpty {
                throw CLIError(
                    exit: .failure, code: "degraded", message: "\(id) is degraded: \(reasons.joined(separator: "; "))")
            }
        }

        /// What is wrong with a sandbox, from its info and live tree.
        static func problems(_ info: Term) -> [String] {
            var reasons: [String] = []
            if info["status"] != "running" {
                reasons.append(
                    "the sandbox is \(info["status"]?.plain ?? "?")"
                        + (info["failure_reason"]?.stringValue.map { ": \($0)" } ?? ""))
            }
            func visit(_ node: Term) {
                let detail = node["detail"]?.stringValue ?? ""
                let path = node["path"]?.plain ?? ""
                if detail.hasPrefix("restarting in") { reasons.append("\(path) is in backoff (\(detail))") }
                if detail.hasPrefix("budget "), let used = Int(detail.split(separator: " ")[1]),
                    let allowed = Int(detail.split(separator: " ")[3]), used > 0, used * 3 >= allowed * 2
                {
                    reasons.append("\(path) has used \(used) of its \(allowed) restarts (\(detail))")
                }
                for child in node["children"]?.arrayValue ?? [] { visit(child) }
            }
            visit(info["tree"] ?? .null)
            return reasons
        }
    }

    /// `sandbox export ID --format spec|dot|mermaid|json`.
    struct Export: Command {
        static let spec = CommandSpec(
            "export", "the live tree as a spec file that recreates it, as Graphviz, as Mermaid or as JSON",
            arguments: [CommandTree.sandboxArgument],
            flags: [
                FlagSpec(
                    "format", "spec (YAML, default), dot, mermaid or json",
                    value: .choice(["spec", "dot", "mermaid", "json"]), placeholder: "FORMAT")
            ],
            examples: [
                ("superlearner sandbox export demo --format dot | dot -Tsvg > demo.svg", "a picture of the tree"),
                ("superlearner sandbox export demo > demo.yaml", "a spec file for 'sandbox create x --spec demo.yaml'"),
            ],
            command: Self.self)

        let id: String
        let format: String
        init(_ input: CommandInput) {
            id = input.required("ID")
            format = input.flag("format") ?? "spec"
        }

        func run(_ context: CommandContext) throws {
            let info = try context.call(.getSandboxInfo, ["sandbox_id": .string(id)])
            let tree = info["tree"] ?? .null
            let text: String
            switch format {
            case "json": text = info.prettyJSON()
            case "dot": text = Self.dot(tree, id: id)
            case "mermaid": text = Self.mermaid(tree)
            default:
                text = Self.yaml(
                    info["spec"] ?? .null,
                    comment: "sandbox \(id), exported; recreate with: superlearner sandbox create ID --spec FILE")
            }
            Output.write(text.hasSuffix("\n") ? text : text + "\n", to: 1)
        }

        static func quoted(_ text: String) -> String {
            "\"" + text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
        }

        /// `text` as a YAML scalar that reads back as the same text: plain when it is simple and YAML would
        /// not take it for something else (`yes`, `1_000`, `0b101`, `.inf`), otherwise double-quoted with
        /// JSON's escapes (a JSON string is a YAML one; a raw line break inside quotes would fold to a space).
        static func yamlScalar(_ text: String) -> String {
            let simple = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "_-./".contains($0) }
            if simple && YAMLNode.plainScalar(text) == .string(text) { return text }
            // DEL is no JSON escape but YAML refuses it raw.
            return Term.string(text).json.replacingAll("\u{7F}", with: "\\x7F")
        }

        static func nodeID(_ path: String) -> String {
            "n_" + String(path.map { $0.isLetter || $0.isNumber ? $0 : "_" }) + "_\(abs(path.hashValue) % 1000)"
        }

        static func dot(_ tree: Term, id: String) -> String {
            var lines = ["digraph \(quoted(id)) {", "  rankdir=TB;", "  node [fontname=\"Helvetica\", fontsize=11];"]
            var ids: [String: String] = [:]
            var counter = 0
            func name(_ path: String) -> String {
                if let existing = ids[path] { return existing }
                counter += 1
                ids[path] = "n\(counter)"
                return "n\(counter)"
            }
            func visit(_ node: Term) {
                let path = node["path"]?.plain ?? ""
                let isSupervisor = node["type"] == "supervisor"
                var label = node["id"]?.plain ?? path
                if let strategy = node["strategy"]?.stringValue { label += "\\n\(strategy)" }
                label += "\\n\(node["pid"]?.stringValue ?? "stopped")"
                if let restarts = node["restarts"]?.intValue, restarts > 0 { label += "  ↻\(restarts)" }
                let shape = isSupervisor ? "box, style=\"rounded,filled\", fillcolor=\"#ddf4ff\"" : "ellipse"
                let color = node["pid"] == nil || node["pid"] == .null ? ", color=\"#a40e26\"" : ""
                lines.append("  \(name(path)) [label=\(quoted(label)), shape=\(shape)\(color)];")
                for child in node["children"]?.arrayValue ?? [] {
                    visit(child)
                    lines.append("  \(name(path)) -> \(name(child["path"]?.plain ?? ""));")
                }
            }
            visit(tree)
            return (lines + ["}"]).joined(separator: "\n")
        }

        static func mermaid(_ tree: Term) -> String {
            var lines = ["graph TD"]
            var counter = 0
            var ids: [String: String] = [:]
            func name(_ path: String) -> String {
                if let existing = ids[path] { return existing }
                counter += 1
                ids[path] = "n\(counter)"
                return "n\(counter)"
            }
            func label(_ node: Term) -> String {
                var text = node["id"]?.plain ?? ""
                if let strategy = node["strategy"]?.stringValue { text += "<br/>" + strategy }
                text +=
                    "<br/>"
                    + (node["pid"]?.stringValue.map {
                        $0.replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
                    } ?? "stopped")
                return "\"" + text.replacingAll("\"", with: "'") + "\""
            }
            func visit(_ node: Term) {
                let path = node["path"]?.plain ?? ""
                let isSupervisor = node["type"] == "supervisor"
                lines.append("  \(name(path))" + (isSupervisor ? "[\(label(node))]" : "([\(label(node))])"))
                for child in node["children"]?.arrayValue ?? [] {
                    visit(child)
                    lines.append("  \(name(path)) --> \(name(child["path"]?.plain ?? ""))")
                }
            }
            visit(tree)
            return lines.joined(separator: "\n")
        }

        /// A spec term as YAML (flow style for small maps), readable by `sandbox create --spec`.
        static func yaml(_ spec: Term, comment: String) -> String {
            func scalar(_ term: Term) -> String {
                switch term {
                case .string(let text): return yamlScalar(text)
                case .null: return "null"
                default: return term.json
                }
            }
            func emit(_ term: Term, indent: String, into lines: inout [String]) {
                switch term {
                case .object(let members):
                    for key in members.keys.sorted(by: YAMLOrder.compare) {
                        let value = members[key]!
                        switch value {
                        case .object(let inner) where !inner.isEmpty:
                            lines.append("\(indent)\(key):")
                            emit(value, indent: indent + "  ", into: &lines)
                        case .array(let items) where !items.isEmpty:
                            lines.append("\(indent)\(key):")
                            emit(value, indent: indent + "  ", into: &lines)
                        default:
                            lines.append(
                                "\(indent)\(key): \(value == .object([:]) ? "{}" : value == .array([]) ? "[]" : scalar(value))"
                            )
                        }
                    }
                case .array(let items):
                    for item in items {
                        var inner: [String] = []
                        emit(item, indent: indent + "  ", into: &inner)
                        if case .object = item, let first = inner.first {
                            lines.append(indent + "- " + first.dropFirst(indent.count + 2))
                            lines += inner.dropFirst()
                        } else {
                            lines.append(indent + "- " + scalar(item))
                        }
                    }
                default:
                    lines.append(indent + scalar(term))
                }
            }
            var lines = ["# " + comment]
            emit(spec, indent: "", into: &lines)
            return lines.joined(separator: "\n")
        }
    }
}

/// Keys in the order a person writes a spec: identity first, children last.
enum YAMLOrder {
    static let first = [
        "id", "worker", "command", "shell", "supervisor", "strategy", "max_restarts", "max_seconds", "restart",
        "shutdown",
    ]

    static func compare(_ lhs: String, _ rhs: String) -> Bool {
        let left = first.firstIndex(of: lhs) ?? (lhs == "children" ? 1000 : 100)
        let right = first.firstIndex(of: rhs) ?? (rhs == "children" ? 1000 : 100)
        return left == right ? lhs < rhs : left < right
    }
}
