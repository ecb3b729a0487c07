import Cluster
import Sandbox
import Schema
import SuperlearnerAPI
import Supervision

/// Changing a running tree and undoing it: apply a new spec, list its versions, roll back.
enum ChangeOperations {
    static func refuseDistributed(_ id: String, _ context: OperationContext) async throws(OperationError) {
        if let cluster = context.cluster, await cluster.isDistributed(id) {
            throw OperationError(
                .conflict, code: "distributed",
                "\(id) is a distributed sandbox: its spec lives in etcd, and applying a new one is not supported yet",
                field: "sandbox_id")
        }
    }

    static func answer(_ id: String, _ result: (plan: SpecPlan, version: Int?), dryRun: Bool) -> Term {
        guard case .object(var members) = result.plan.term else { return .null }
        members["sandbox_id"] = .string(id)
        members["dry_run"] = .bool(dryRun)
        members["version"] = result.version.map(Term.int) ?? .null
        return .object(members)
    }

    static let all: [any Operation] = [
        DefinedOperation(
            "apply_sandbox_spec", .sandbox, .mutating,
            "move a running sandbox to a new spec the OTP way: changed children restarted, added started, removed stopped, the others keep running with their PIDs; stored as a new version (dry_run: only the plan)",
            rest: RestBinding(OperationRoutes.applySandboxSpec),
            parameters: [
                SandboxOperations.idParameter,
                Parameter("spec", .object, "the new tree in spec-file form"),
                Parameter(
                    "spec_text", .string, "the new tree as a spec file's text (YAML or JSON)", maximum: 1_048_576),
                Parameter("dry_run", .boolean, "only compute the plan", default: false),
            ]
        ) { parameters, context throws(OperationError) in
            let id = parameters["sandbox_id"]?.stringValue ?? ""
            try await refuseDistributed(id, context)
            let spec: SandboxSpec
            do throws(SpecError) {
                if let text = parameters["spec_text"]?.stringValue {
                    spec = try SandboxSpec.parse(text)
                } else if let term = parameters["spec"] {
                    spec = try SandboxSpec(term: term)
                } else {
                    throw SpecError.missing
                }
            } catch {
                let prefix = parameters["spec_text"] != nil ? "spec_text" : "spec"
                throw .validation(
                    error.issues.map {
                        FieldError(field: $0.path.isEmpty ? prefix : "\(prefix).\($0.path)", message: $0.message)
                    })
            }
            let dryRun = parameters["dry_run"] == .bool(true)
            let result = try await SandboxOperations.manage { () async throws(SandboxError) in
                try await context.sandboxes.apply(id, spec: spec, dryRun: dryRun)
            }
            return answer(id, result, dryRun: dryRun)
        },
        DefinedOperation(
            "get_sandbox_history", .sandbox, .read, "a sandbox's spec versions, oldest first",
            rest: RestBinding(OperationRoutes.getSandboxHistory),
            parameters: [SandboxOperations.idParameter]
        ) { parameters, context throws(OperationError) in
            let id = parameters["sandbox_id"]?.stringValue ?? ""
            let versions = try await SandboxOperations.manage { () async throws(SandboxError) in
                try context.sandboxes.history(id)
            }
            return .array(versions.map(\.term))
        },
        DefinedOperation(
            "rollback_sandbox", .sandbox, .mutating,
            "apply an earlier version of a sandbox's spec again (default: the one before the current), as a new version",
            rest: RestBinding(OperationRoutes.rollbackSandbox),
            parameters: [
                SandboxOperations.idParameter,
                Parameter("to", .integer, "the version to return to", minimum: 1),
            ]
        ) { parameters, context throws(OperationError) in
            let id = parameters["sandbox_id"]?.stringValue ?? ""
            try await refuseDistributed(id, context)
            let versions = try await SandboxOperations.manage { () async throws(SandboxError) in
                try context.sandboxes.history(id)
            }
            if let to = parameters["to"]?.intValue, !versions.contains(where: { $0.number == to }) {
                throw OperationError(
                    .notFound, code: "version_not_found",
                    "\(id) has no version \(to) (versions: \(versions.map { String($0.number) }.joined(separator: ", ")))",
                    field: "to")
            }
            guard parameters["to"] != nil || versions.count >= 2 else {
                throw OperationError(
                    .notFound, code: "version_not_found", "\(id) has no earlier version to roll back to", field: "to")
            }
            let result = try await SandboxOperations.manage { () async throws(SandboxError) in
                try await context.sandboxes.rollback(id, to: parameters["to"]?.intValue)
            }
            guard case .object(var members) = answer(id, (result.plan, result.version), dryRun: false) else {
                return .null
            }
            members["restored"] = .int(result.restored)
            return .object(members)
        },
    ]
}
