import Cluster
import Sandbox
import Schema
import SuperlearnerAPI
import Supervision

/// The sandbox operations.
enum SandboxOperations {
    static let idParameter = Parameter(
        "sandbox_id", .string, "the sandbox id", required: true, pattern: SandboxID.pattern)

    static func manage<T>(_ body: () async throws(SandboxError) -> T) async throws(OperationError) -> T {
        do {
            return try await body()
        } catch {
            throw .from(error)
        }
    }

    /// `create_sandbox` with `distributed`: the desired state goes to etcd and a node (this one, the one
    /// named, or the one rendezvous hashing picks) claims and runs it.
    static func createDistributed(_ id: String, _ parameters: [String: Term], _ context: OperationContext)
        async throws(OperationError) -> Term
    {
        guard let cluster = context.cluster else {
            throw .validation([
                FieldError(
                    field: "distributed",
                    message: "this daemon is not in a cluster (start one with 'superlearner cluster start 3')")
            ])
        }
        let overrides = SandboxSpec.Overrides(
            strategy: parameters["strategy"]?.stringValue.flatMap(SupervisorStrategy.init(rawValue:)),
            maxRestarts: parameters["max_restarts"]?.intValue, maxSeconds: parameters["max_seconds"]?.doubleValue,
            restart: parameters["restart"]?.stringValue.flatMap(RestartType.init(rawValue:)))
        let template = parameters["supervisor_module"]?.stringValue
        guard template != nil || parameters["spec_text"] != nil || parameters["spec"] != nil else {
            throw .validation([
                FieldError(
                    field: "supervisor_module", message: "give supervisor_module (a template), spec or spec_text")
            ])
        }
        let spec: SandboxSpec
        do throws(SpecError) {
            if let template, let found = SandboxTemplate.named(template) {
                spec = found.spec
            } else if let text = parameters["spec_text"]?.stringValue {
                spec = try SandboxSpec.parse(text)
            } else {
                spec = try SandboxSpec(term: parameters["spec"] ?? .null)
            }
        } catch {
            throw .validation(
                error.issues.map {
                    FieldError(field: $0.path.isEmpty ? "spec" : "spec.\($0.path)", message: $0.message)
                })
        }
        guard SandboxID.isValid(id) else { throw .from(SandboxError.invalidID(id)) }
        let config = parameters["config"]?.objectValue ?? [:]
        let placement: ClusterMember.Placement = parameters["node"]?.stringValue.map { .node($0) } ?? .spread
        let desired = ClusterMember.DesiredSandbox(
            spec: spec.applying(overrides).term, template: template, config: config, placement: placement)
        let owner = try await ClusterOperations.run { () async throws(ClusterError) in
            try await cluster.create(id: id, desired)
        }
        if case .object(var members) = (try? context.sandboxes.info(id))?.term {
            members["node"] = .string(owner.node)
            return .object(members)
        }
        return [
            "id": .string(id), "distributed": true, "node": .string(owner.node), "fencing_token": .int(owner.token),
            "placement": .string(placement.description), "status": "running",
        ]
    }

    static let all: [any Operation] = [
        DefinedOperation(
            "list_sandboxes", .sandbox, .read,
            "sandboxes in id order with their status, template and process count; page with limit and after",
            rest: RestBinding(OperationRoutes.listSandboxes),
            parameters: [
                Parameter("limit", .integer, "at most this many (all when absent)", minimum: 1, maximum: 1_000_000),
                Parameter(
                    "after", .string, "only ids after this one: the last id of the previous page",
                    pattern: SandboxID.pattern),
            ]
        ) { parameters, context throws(OperationError) in
            let node = Term.string(context.runtime.nodeName)
            let limit = parameters["limit"]?.intValue
            let after = parameters["after"]?.stringValue
            var rows = context.sandboxes.list(after: after, limit: limit).map { info -> Term in
                guard case .object(var members) = info.term else { return info.term }
                members["node"] = node
                return .object(members)
            }
            // In a cluster, the distributed sandboxes other nodes run, as their owners report them.
            if let cluster = context.cluster {
                let remote = await ClusterOperations.remoteSandboxes(cluster).filter { row in
                    after.map { (row["id"]?.stringValue ?? "") > $0 } ?? true
                }
                rows += remote
                if limit != nil || !remote.isEmpty {
                    rows.sort { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }
                }
                if let limit, rows.count > limit { rows = Array(rows.prefix(limit)) }
            }
            return .array(rows)
        },
        DefinedOperation(
            "create_sandbox", .sandbox, .mutating, "create a sandbox from a template (supervisor_module) or a spec",
            rest: RestBinding(OperationRoutes.createSandbox, successStatus: 201),
            parameters: [
                idParameter,
                Parameter(
                    "supervisor_module", .string, "a template name",
                    allowed: Term.strings(SandboxTemplate.names)),
                Parameter("spec", .object, "a tree in spec-file form (strategy, max_restarts, max_seconds, children)"),
                Parameter(
                    "spec_text", .string,
                    "a spec file's text, YAML or JSON (what an uploaded file holds); relative paths are refused",
                    maximum: 1_048_576),
                Parameter(
                    "strategy", .string, "override the template's strategy",
                    allowed: Term.strings(SupervisorStrategy.allCases.map(\.rawValue))),
                Parameter("max_restarts", .integer, "override the restart budget", minimum: 0, maximum: 1_000_000),
                Parameter(
                    "max_seconds", .number, "override the intensity window in seconds", minimum: 0.001, maximum: 86_400),
                Parameter(
                    "restart", .string, "override every worker's restart type",
                    allowed: Term.strings(RestartType.allCases.map(\.rawValue))),
                Parameter("config", .object, "free-form configuration kept with the sandbox"),
                Parameter(
                    "distributed", .boolean,
                    "place it in the cluster: kept in etcd, run by one node, moved when that node dies", default: false),
                Parameter(
                    "node", .string, "with distributed: the node to run it on while that node lives", minimum: 1,
                    maximum: 255),
            ]
        ) { parameters, context throws(OperationError) in
            let id = parameters["sandbox_id"]?.stringValue ?? ""
            if parameters["distributed"] == .bool(true) {
                return try await createDistributed(id, parameters, context)
            }
            if parameters["node"] != nil {
                throw .validation([
                    FieldError(field: "node", message: "node places a distributed sandbox: add distributed")
                ])
            }
            let config = parameters["config"]?.objectValue ?? [:]
            let overrides = SandboxSpec.Overrides(
                strategy: parameters["strategy"]?.stringValue.flatMap(SupervisorStrategy.init(rawValue:)),
                maxRestarts: parameters["max_restarts"]?.intValue, maxSeconds: parameters["max_seconds"]?.doubleValue,
                restart: parameters["restart"]?.stringValue.flatMap(RestartType.init(rawValue:)))
            let template = parameters["supervisor_module"]?.stringValue
            let given = ["supervisor_module", "spec", "spec_text"].filter { parameters[$0] != nil }
            guard given.count == 1 else {
                throw .validation([
                    given.isEmpty
                        ? FieldError(field: "supervisor_module", message: "give supervisor_module (a template) or spec")
                        : FieldError(
                            field: given[1],
                            message:
                                "give one of supervisor_module, spec or spec_text, not \(given.joined(separator: " and "))"
                        )
                ])
            }
            if let template {
                return try await manage { () async throws(SandboxError) in
                    try await context.sandboxes.create(
                        id: id, template: template, overriding: overrides, config: config
                    ).term
                }
            }
            let spec: SandboxSpec
            do throws(SpecError) {
                if let text = parameters["spec_text"]?.stringValue {
                    spec = try SandboxSpec.parse(text)
                } else {
                    spec = try SandboxSpec(term: parameters["spec"] ?? .null)
                }
            } catch {
                let prefix = parameters["spec_text"] != nil ? "spec_text" : "spec"
                throw .validation(
                    error.issues.map {
                        FieldError(field: $0.path.isEmpty ? prefix : "\(prefix).\($0.path)", message: $0.message)
                    })
            }
            let final = spec.applying(overrides)
            return try await manage { () async throws(SandboxError) in
                try await context.sandboxes.create(id: id, spec: final, config: config).term
            }
        },
        DefinedOperation(
            "get_sandbox_info", .sandbox, .read, "a sandbox's status, config, spec and live tree",
            rest: RestBinding(OperationRoutes.getSandboxInfo), parameters: [idParameter]
        ) { parameters, context throws(OperationError) in
            let id = parameters["sandbox_id"]?.stringValue ?? ""
            if (try? context.sandboxes.info(id)) == nil, let cluster = context.cluster,
                let owner = await cluster.snapshot().owners[id]
            {
                // A distributed sandbox another node runs: say which, rather than "no such sandbox".
                throw OperationError(
                    .notFound, code: "sandbox_elsewhere",
                    "sandbox \"\(id)\" runs on node \(owner.node); ask it there (superlearner --node \(owner.node) …)",
                    field: "sandbox_id", details: ["node": .string(owner.node)])
            }
            return try await manage { () async throws(SandboxError) in
                guard case .object(var members) = try context.sandboxes.info(id).term else { return .null }
                members["tree"] = try await context.sandboxes.tree(id).term
                return .object(members)
            }
        },
        DefinedOperation(
            "restart_sandbox", .sandbox, .mutating,
            "rebuild a sandbox's tree with fresh processes, keeping its config (revives a failed one)",
            rest: RestBinding(OperationRoutes.restartSandbox), parameters: [idParameter]
        ) { parameters, context throws(OperationError) in
            let id = parameters["sandbox_id"]?.stringValue ?? ""
            return try await manage { () async throws(SandboxError) in try await context.sandboxes.restart(id).term }
        },
        DefinedOperation(
            "destroy_sandbox", .sandbox, .destructive, "shut a sandbox's tree down in order and forget it",
            rest: RestBinding(OperationRoutes.destroySandbox), parameters: [idParameter]
        ) { parameters, context throws(OperationError) in
            let id = parameters["sandbox_id"]?.stringValue ?? ""
            if let cluster = context.cluster, await cluster.isDistributed(id) {
                try await ClusterOperations.run { () async throws(ClusterError) in try await cluster.destroy(id: id) }
                return ["sandbox_id": .string(id), "destroyed": true, "distributed": true]
            }
            try await manage { () async throws(SandboxError) in try await context.sandboxes.destroy(id) }
            return ["sandbox_id": .string(id), "destroyed": true]
        },
        DefinedOperation(
            "run_experiment", .sandbox, .destructive,
            "run a failure experiment against a sandbox and return its verdict",
            rest: RestBinding(OperationRoutes.runExperiment),
            parameters: [
                idParameter,
                Parameter(
                    "experiment", .string, "the experiment", required: true,
                    allowed: Term.strings(ExperimentRegistry.names)),
                Parameter("parameters", .object, "the experiment's parameters", default: .object([:])),
                Parameter(
                    "seed", .integer,
                    "the seed of its random choices (the same seed, the same choices); default: a new one, reported",
                    minimum: 0, maximum: 9_007_199_254_740_991),
            ]
        ) { parameters, context throws(OperationError) in
            let id = parameters["sandbox_id"]?.stringValue ?? ""
            let name = parameters["experiment"]?.stringValue ?? ""
            let arguments = parameters["parameters"]?.objectValue ?? [:]
            return try await manage { () async throws(SandboxError) in
                try await context.sandboxes.runExperiment(id, name, arguments, seed: parameters["seed"]?.intValue).term
            }
        },
        DefinedOperation(
            "replay_experiment", .sandbox, .destructive,
            "run a recorded experiment run again — same experiment, sandbox, parameters and seed — and compare the two",
            rest: RestBinding(OperationRoutes.replayExperiment),
            parameters: [
                Parameter(
                    "run_id", .string, "the run's id (run-N, from run_experiment)", required: true, minimum: 1,
                    maximum: 32)
            ]
        ) { parameters, context throws(OperationError) in
            let runID = parameters["run_id"]?.stringValue ?? ""
            guard context.sandboxes.experimentRunsList.contains(where: { $0.runID == runID }) else {
                throw OperationError(
                    .notFound, code: "run_not_found",
                    "no experiment run \(runID) (the last 100 are kept while the daemon runs)", field: "run_id")
            }
            let (original, replay) = try await manage { () async throws(SandboxError) in
                try await context.sandboxes.replay(run: runID)
            }
            let sameChoices = original.details["victims"] == replay.details["victims"]
            return [
                "original": original.term, "replay": replay.term, "same_choices": .bool(sameChoices),
                "same_verdict": .bool(original.verdict.passed == replay.verdict.passed),
            ]
        },
        DefinedOperation(
            "list_experiment_runs", .sandbox, .read,
            "the last experiment runs with their seeds and verdicts, oldest first",
            rest: RestBinding(OperationRoutes.listExperimentRuns)
        ) { _, context throws(OperationError) in
            .array(context.sandboxes.experimentRunsList.map(\.term))
        },
        DefinedOperation(
            "get_sandbox_config", .sandbox, .read, "a sandbox's configuration",
            rest: RestBinding(OperationRoutes.getSandboxConfig), parameters: [idParameter]
        ) { parameters, context throws(OperationError) in
            let id = parameters["sandbox_id"]?.stringValue ?? ""
            return try await manage { () async throws(SandboxError) in .object(try context.sandboxes.config(id)) }
        },
        DefinedOperation(
            "update_sandbox_config", .sandbox, .mutating,
            "merge keys into a sandbox's configuration (null removes a key)",
            rest: RestBinding(OperationRoutes.updateSandboxConfig),
            parameters: [
                idParameter, Parameter("config", .object, "keys to set; null values remove keys", required: true),
            ]
        ) { parameters, context throws(OperationError) in
            let id = parameters["sandbox_id"]?.stringValue ?? ""
            let changes = parameters["config"]?.objectValue ?? [:]
            let config = try await manage { () async throws(SandboxError) in
                try await context.sandboxes.updateConfig(id, changes)
            }
            // A distributed sandbox's desired state is in etcd: the owner writes the new config there too
            // (fenced by its token), so a successor starts with it.
            if let cluster = context.cluster, await cluster.isDistributed(id) {
                try await ClusterOperations.run { () async throws(ClusterError) in
                    try await cluster.storeConfig(id: id, config)
                }
            }
            return .object(config)
        },
        DefinedOperation(
            "list_templates", .sandbox, .read, "the built-in sandbox templates with descriptions and specs",
            rest: RestBinding(OperationRoutes.listTemplates)
        ) { _, _ throws(OperationError) in
            .array(
                SandboxTemplate.all.map {
                    ["name": .string($0.name), "description": .string($0.description), "spec": $0.spec.term]
                })
        },
        DefinedOperation(
            "list_experiments", .sandbox, .read, "the built-in experiments with their parameters",
            rest: RestBinding(OperationRoutes.listExperiments)
        ) { _, _ throws(OperationError) in
            .array(
                ExperimentRegistry.all.map { experiment in
                    [
                        "name": .string(experiment.name), "summary": .string(experiment.summary),
                        "parameters": .array(
                            experiment.parameters.map { parameter in
                                [
                                    "name": .string(parameter.name), "type": .string(parameter.type.rawValue),
                                    "summary": .string(parameter.summary), "default": parameter.defaultValue ?? .null,
                                ]
                            }),
                    ]
                })
        },
    ]
}
