import Schema
import SuperlearnerAPI
import Supervision

/// Generates an OpenAPI 3.1 document from a registry alone: one path item per REST binding, path
/// parameters as `in: path`, GET/DELETE parameters in the query, POST/PUT/PATCH parameters as a JSON
/// `requestBody`, and the generic `execute` route for every operation.
public enum OpenAPIDocument {
    /// The document as a term (render it with `.json` or `.prettyJSON()`).
    public static func generate(from registry: OperationRegistry, version: String = Superlearner.version) -> Term {
        var paths: [String: [String: Term]] = [:]
        for operation in registry.all {
            guard let rest = operation.rest else { continue }
            paths[rest.path, default: [:]][rest.method.rawValue.lowercased()] = pathOperation(operation, rest)
        }
        paths["/api/v1/arsenal/docs", default: [:]]["get"] = [
            "operationId": "arsenal_docs", "summary": "this OpenAPI document", "tags": ["arsenal"],
            "responses": [
                "200": [
                    "description": "the OpenAPI 3.1 document",
                    "content": ["application/json": ["schema": ["type": "object"]]],
                ]
            ],
        ]
        paths["/api/v1/arsenal/operations", default: [:]]["get"] = [
            "operationId": "arsenal_operations", "summary": "every operation with its parameter schema",
            "tags": ["arsenal"],
            "responses": ["200": dataResponse("the operations")],
        ]
        paths["/api/v1/arsenal/operations/{name}/execute", default: [:]]["post"] = [
            "operationId": "arsenal_execute",
            "summary": "run any operation by name with its parameters as the JSON body",
            "tags": ["arsenal"],
            "parameters": [
                [
                    "name": "name", "in": "path", "required": true, "description": "the operation's name",
                    "schema": ["type": "string", "enum": .array(registry.all.map { .string($0.name) })],
                ]
            ],
            "requestBody": [
                "required": false,
                "content": ["application/json": ["schema": ["type": "object", "additionalProperties": true]]],
            ],
            "responses": responses(success: 200),
        ]
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "superlearner API", "version": .string(version),
                "description":
                    "Operations on supervision trees, processes and sandboxes, generated from the Arsenal registry.",
            ],
            "tags": .array(OperationCategory.allCases.map { ["name": .string($0.rawValue)] } + [["name": "arsenal"]]),
            "paths": .object(paths.mapValues { .object($0) }),
            "components": [
                "schemas": [
                    "Error": [
                        "type": "object", "required": ["error"],
                        "properties": [
                            "error": [
                                "type": "object", "required": ["code", "message"],
                                "properties": [
                                    "code": ["type": "string"], "message": ["type": "string"],
                                    "field": ["type": "string"],
                                    "details": [:],
                                ],
                            ]
                        ],
                    ],
                    "Data": ["type": "object", "required": ["data"], "properties": ["data": [:]]],
                ],
                "responses": [
                    "Error": [
                        "description": "an error in the standard envelope",
                        "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
                    ]
                ],
            ],
        ]
    }

    static func dataResponse(_ description: String) -> Term {
        [
            "description": .string(description),
            "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Data"]]],
        ]
    }

    static func responses(success: Int) -> Term {
        var members: [String: Term] = [String(success): dataResponse("success: the result in data")]
        for status in ["400", "401", "403", "404", "408", "409", "413", "415", "422", "503"] {
            members[status] = ["$ref": "#/components/responses/Error"]
        }
        return .object(members)
    }

    static func pathOperation(_ operation: any Operation, _ rest: RestBinding) -> Term {
        let pathNames = Set(rest.pathParameters)
        var parameters: [Term] = []
        var bodyProperties: [String: Term] = [:]
        var bodyRequired: [Term] = []
        for parameter in operation.parameters {
            let location: ParameterLocation =
                pathNames.contains(parameter.name)
                ? .path : (parameter.location ?? (rest.method.hasBody ? .body : .query))
            switch location {
            case .path, .query:
                parameters.append([
                    "name": .string(parameter.name), "in": .string(location.rawValue),
                    "required": .bool(location == .path || parameter.required),
                    "description": .string(parameter.summary),
                    "schema": schema(parameter),
                ])
            case .body:
                // The validator takes null for an optional parameter as absent: the schema says so.
                bodyProperties[parameter.name] =
                    parameter.required ? schema(parameter) : ["anyOf": [schema(parameter), ["type": "null"]]]
                if parameter.required { bodyRequired.append(.string(parameter.name)) }
            }
        }
        var members: [String: Term] = [
            "operationId": .string(operation.name), "summary": .string(operation.summary),
            "tags": [.string(operation.category.rawValue)], "x-risk": .string(operation.risk.rawValue),
            "responses": responses(success: rest.successStatus),
        ]
        if !parameters.isEmpty { members["parameters"] = .array(parameters) }
        if rest.method.hasBody && !bodyProperties.isEmpty {
            var bodySchema: [String: Term] = [
                "type": "object", "properties": .object(bodyProperties), "additionalProperties": false,
            ]
            if !bodyRequired.isEmpty { bodySchema["required"] = .array(bodyRequired) }
            members["requestBody"] = [
                "required": .bool(!bodyRequired.isEmpty),
                "content": ["application/json": ["schema": .object(bodySchema)]],
            ]
        }
        return .object(members)
    }

    /// The JSON Schema (2020-12, as OpenAPI 3.1 uses) of one parameter.
    static func schema(_ parameter: Parameter) -> Term {
        var schema: [String: Term]
        switch parameter.type {
        case .string: schema = ["type": "string"]
        case .integer: schema = ["type": "integer"]
        case .number: schema = ["type": "number"]
        case .boolean: schema = ["type": "boolean"]
        case .array: schema = ["type": "array"]
        case .object: schema = ["type": "object"]
        case .pid:
            schema = ["type": "string", "description": "a PID (<0.12.0>), a URL-encoded path or a registered name"]
        case .path: schema = ["type": "string", "minLength": 1, "description": "a child path relative to the sandbox"]
        case .duration:
            schema = [
                "oneOf": [["type": "integer", "minimum": 0], ["type": "string", "pattern": "^[0-9.]+(ms|s|m|h)?$"]]
            ]
        case .any: schema = [:]
        }
        if schema["description"] == nil { schema["description"] = .string(parameter.summary) }
        if let defaultValue = parameter.defaultValue { schema["default"] = defaultValue }
        if let allowed = parameter.allowed { schema["enum"] = .array(allowed) }
        switch parameter.type {
        case .integer, .number:
            if let minimum = parameter.minimum { schema["minimum"] = number(minimum) }
            if let maximum = parameter.maximum { schema["maximum"] = number(maximum) }
        case .string:
            if let minimum = parameter.minimum { schema["minLength"] = .int(Int(minimum)) }
            if let maximum = parameter.maximum { schema["maxLength"] = .int(Int(maximum)) }
            if let pattern = parameter.pattern { schema["pattern"] = .string("^(?:\(pattern))$") }
        case .array:
            if let minimum = parameter.minimum { schema["minItems"] = .int(Int(minimum)) }
            if let maximum = parameter.maximum { schema["maxItems"] = .int(Int(maximum)) }
        default:
            break
        }
        return .object(schema)
    }

    static func number(_ value: Double) -> Term {
        value.rounded() == value && abs(value) < 9e15 ? .int(Int(value)) : .double(value)
    }
}

/// Generates the Markdown reference of every operation (`docs/operations.md`).
public enum MarkdownReference {
    /// The reference, grouped by category.
    public static func generate(from registry: OperationRegistry) -> String {
        var out = "# Operations reference\n\n"
        out +=
            "Generated from the Arsenal registry by `superlearner operation docs --format markdown`; do not edit by hand.\n"
        out += "Every operation also runs as `superlearner operation run NAME key=value…` and as\n"
        out += "`POST /api/v1/arsenal/operations/NAME/execute` with the parameters as a JSON body.\n"
        out += "Cluster operations gather from every node of the daemon's cluster (this node alone outside one).\n"
        for category in OperationCategory.allCases {
            let operations = registry.all.filter { $0.category == category }
            guard !operations.isEmpty else { continue }
            out += "\n## \(category.rawValue.prefix(1).uppercased() + category.rawValue.dropFirst())\n"
            for operation in operations {
                out +=
                    "\n### `\(operation.name)`\n\n\(operation.summary.prefix(1).uppercased() + operation.summary.dropFirst()).\n\n"
                out += "- Risk: \(operation.risk.rawValue)\n"
                if let rest = operation.rest { out += "- REST: `\(rest.method.rawValue) \(rest.path)`\n" }
                if operation.parameters.isEmpty {
                    out += "- Parameters: none\n"
                    continue
                }
                out += "\n| Parameter | Type | Required | Default | Rules | Meaning |\n|---|---|---|---|---|---|\n"
                for parameter in operation.parameters {
                    var rules: [String] = []
                    if let allowed = parameter.allowed {
                        rules.append(
                            "one of " + allowed.map { $0.stringValue ?? $0.description }.joined(separator: ", "))
                    }
                    if let minimum = parameter.minimum { rules.append("min \(Parameter.format(minimum))") }
                    if let maximum = parameter.maximum { rules.append("max \(Parameter.format(maximum))") }
                    if let pattern = parameter.pattern { rules.append("matches `\(pattern)`") }
                    let defaultText = parameter.defaultValue.map { "`\($0.stringValue ?? $0.description)`" } ?? ""
                    out +=
                        "| `\(parameter.name)` | \(parameter.type.rawValue) | \(parameter.required ? "yes" : "no") | \(defaultText) | \(rules.joined(separator: "; ").replacingPipes()) | \(parameter.summary.replacingPipes()) |\n"
                }
            }
        }
        return out
    }
}

/// One operation's reference page for a terminal (`superlearner operation docs NAME`): what it does, its
/// risk, its route, each parameter with its rules, and an example for the command line and for curl.
public enum OperationPage {
    /// The page for `operation`.
    public static func text(_ operation: any Operation) -> String {
        var lines = [
            "\(operation.name) — \(operation.summary)",
            "",
            "risk:      \(operation.risk.rawValue)\(operation.risk == .read ? "" : operation.risk == .destructive ? " (refused by --read-only daemons and, unless --allow-destructive-ui, to the dashboard)" : " (refused by --read-only daemons)")",
            "category:  \(operation.category.rawValue)",
        ]
        if let rest = operation.rest { lines.append("REST:      \(rest.method.rawValue) \(rest.path)") }
        lines.append("any:       POST /api/v1/arsenal/operations/\(operation.name)/execute (parameters as a JSON body)")
        lines.append("")
        if operation.parameters.isEmpty {
            lines.append("PARAMETERS: none")
        } else {
            lines.append("PARAMETERS")
            let width = (operation.parameters.map(\.name.count).max() ?? 0) + 2
            for parameter in operation.parameters {
                var rules = [parameter.type.rawValue + (parameter.required ? ", required" : "")]
                if let allowed = parameter.allowed {
                    rules.append("one of " + allowed.map { $0.stringValue ?? $0.description }.joined(separator: ", "))
                }
                if let minimum = parameter.minimum {
                    rules.append((parameter.type == .string ? "length ≥ " : "≥ ") + Parameter.format(minimum))
                }
                if let maximum = parameter.maximum {
                    rules.append((parameter.type == .string ? "length ≤ " : "≤ ") + Parameter.format(maximum))
                }
                if let pattern = parameter.pattern { rules.append("matches \(pattern)") }
                if let value = parameter.defaultValue { rules.append("default \(value.stringValue ?? value.json)") }
                let name = parameter.name + String(repeating: " ", count: max(1, width - parameter.name.count))
                lines.append("  \(name)\(parameter.summary)")
                lines.append("  \(String(repeating: " ", count: width))\(rules.joined(separator: "; "))")
            }
        }
        let example = operation.parameters.filter(\.required).map { "\($0.name)=\(sample($0))" }
        lines += [
            "", "EXAMPLE",
            "  superlearner operation run \(operation.name)" + example.map { " " + $0 }.joined(),
        ]
        let body = Term.object(
            Dictionary(
                uniqueKeysWithValues: operation.parameters.filter(\.required).map { ($0.name, Term.string(sample($0))) }
            ))
        lines.append(
            "  curl -s --unix-socket \"$SUPERLEARNER_HOME/superlearner.sock\" -X POST -H 'Content-Type: application/json' \\"
        )
        lines.append("       http://superlearner/api/v1/arsenal/operations/\(operation.name)/execute -d '\(body.json)'")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A plausible value for an example.
    static func sample(_ parameter: Parameter) -> String {
        if let first = parameter.allowed?.first { return first.stringValue ?? first.description }
        if let value = parameter.defaultValue, value != .null, value.stringValue != nil {
            return value.stringValue ?? ""
        }
        switch parameter.name {
        case "sandbox_id", "sandbox": return "demo"
        case "pid", "path", "target": return "demo/counter_1"
        case "name": return parameter.type == .pid ? "demo" : "demo"
        case "child": return "counter_1"
        case "child_id": return "counter_1"
        case "experiment": return "kill-child"
        case "node": return "node2"
        case "message": return "get_value"
        default: break
        }
        switch parameter.type {
        case .integer, .number: return parameter.minimum.map(Parameter.format) ?? "1"
        case .boolean: return "true"
        case .duration: return "5s"
        case .pid, .path: return "demo/counter_1"
        default: return "…"
        }
    }
}

extension String {
    fileprivate func replacingPipes() -> String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
