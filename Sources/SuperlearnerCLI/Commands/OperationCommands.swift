import Arsenal
import SuperlearnerAPI
import Supervision

/// `superlearner operation …`: list, document and run Arsenal operations.
enum OperationCommands {
    static let spec = CommandSpec(
        "operation", "list, document and run Arsenal operations",
        subcommands: [.named("list", List.spec), .named("run", Run.spec), .named("docs", Docs.spec)])

    static var registry: OperationRegistry { DaemonOperation.registry }

    static func named(_ name: String) throws -> any Operation {
        guard let operation = registry.operation(named: name) else {
            throw CLIError(
                exit: .notFound, code: "operation_not_found",
                message: "no operation \"\(name)\"\(Parser.suggestion(name, registry.all.map(\.name)))")
        }
        return operation
    }

    struct List: Command {
        static let spec = CommandSpec("list", "list every operation (no daemon needed)", command: Self.self)

        init(_ input: CommandInput) {}

        func run(_ context: CommandContext) throws {
            let all = registry.all
            context.output.data(.array(all.map(\.descriptor))) {
                context.output.table(
                    ["OPERATION", "CATEGORY", "RISK", "SUMMARY"],
                    all.map { [$0.name, $0.category.rawValue, $0.risk.rawValue, $0.summary] })
            }
        }
    }

    struct Run: Command {
        static let spec = CommandSpec(
            "run", "run an operation by name",
            arguments: [
                ArgumentSpec("NAME", "the operation", completion: .operation),
                ArgumentSpec(
                    "KEY=VALUE", "parameters (VALUE may be JSON)", optional: true, variadic: true,
                    completion: .operationParameter),
            ],
            flags: [FlagSpec("params", "parameters as a JSON object, or @file", value: .json, placeholder: "JSON")],
            examples: [("superlearner operation run get_process_info pid=demo/counter_1", "any operation, by name")],
            command: Self.self)

        let name: String
        let params: String?
        let pairs: [String]

        init(_ input: CommandInput) {
            name = input.required("NAME")
            params = input.flag("params")
            pairs = input.values("KEY=VALUE")
        }

        func run(_ context: CommandContext) throws {
            _ = try named(name)
            var parameters: [String: Term] = [:]
            if let params {
                let text = params.hasPrefix("@") ? try CommandContext.readInput(String(params.dropFirst())) : params
                guard let object = (try? Term(json: text))?.objectValue else {
                    throw CLIError(
                        exit: .usage, code: "usage", message: "--params must be a JSON object (or @file holding one)")
                }
                parameters = object
            }
            for (key, value) in try CommandContext.keyValues(pairs) { parameters[key] = value }
            let route = APIRoutes.executeOperation
            let result = try context.call(route, path: route.path(["name": name]), body: .object(parameters))
            context.output.data(result) { result.prettyJSON() }
        }
    }

    struct Docs: Command {
        static let spec = CommandSpec(
            "docs", "an operation's reference page, or the OpenAPI document or Markdown reference (no daemon needed)",
            discussion:
                "With NAME: that operation's page — what it does, its risk, its routes, every parameter with its rules, and an example for the command line and curl (--format openapi or markdown for the machine forms). Without NAME: the whole OpenAPI document (default) or Markdown reference.",
            arguments: [ArgumentSpec("NAME", "one operation only", optional: true, completion: .operation)],
            flags: [
                FlagSpec(
                    "format", "page (default with NAME), openapi (default without) or markdown",
                    value: .choice(["page", "openapi", "markdown"]), placeholder: "FORMAT")
            ],
            examples: [
                ("superlearner operation docs list_processes", "one operation's reference page"),
                ("superlearner operation docs --format markdown > docs/operations.md", "the whole reference"),
            ],
            command: Self.self)

        let name: String?
        let format: String

        init(_ input: CommandInput) {
            name = input.optional("NAME")
            format = input.flag("format") ?? (name == nil ? "openapi" : "page")
        }

        func run(_ context: CommandContext) throws {
            if format == "page" {
                guard let name else {
                    throw CLIError(exit: .usage, code: "usage", message: "--format page needs an operation NAME")
                }
                Output.write(OperationPage.text(try named(name)), to: 1)
                return
            }
            var documented = registry
            if let name {
                documented = OperationRegistry()
                documented.register(try named(name))
            }
            if format == "markdown" {
                Output.write(MarkdownReference.generate(from: documented), to: 1)
            } else {
                Output.write(OpenAPIDocument.generate(from: documented).prettyJSON() + "\n", to: 1)
            }
        }
    }
}
