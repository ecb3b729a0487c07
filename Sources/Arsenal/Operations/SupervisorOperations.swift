import Sandbox
import Schema
import SuperlearnerAPI
import Supervision

/// The supervisor operations.
enum SupervisorOperations {
    static let supervisorParameter = Parameter(
        "name", .pid, "the supervisor: a PID, a path (demo, demo/jobs) or a registered name", required: true)

    static func supervisor(_ parameters: [String: Term], _ context: OperationContext) throws(OperationError)
        -> Supervisor
    {
        let pid: PID
        do {
            pid = try context.process(parameters["name"])
        } catch {
            throw OperationError(
                .notFound, code: "supervisor_not_found", "no supervisor \(parameters["name"]?.stringValue ?? "")",
                field: "name")
        }
        guard context.runtime.info(pid)?.kind == .supervisor else {
            throw OperationError(
                .failed, code: "not_a_supervisor",
                "\(parameters["name"]?.stringValue ?? pid.description) is not a supervisor", field: "name")
        }
        return Supervisor(pid, in: context.runtime)
    }

    static let all: [any Operation] = [
        DefinedOperation(
            "list_supervisors", .supervisor, .read,
            "every supervisor with its strategy, child count and restart budget used",
            rest: RestBinding(OperationRoutes.listSupervisors),
            parameters: [Parameter("sandbox", .string, "only this sandbox's supervisors", pattern: SandboxID.pattern)]
        ) { parameters, context throws(OperationError) in
            var rows: [Term] = []
            for info in context.runtime.allInfo() where info.kind == .supervisor {
                if let sandbox = parameters["sandbox"]?.stringValue,
                    SandboxManager.sandboxID(ofPath: info.path) != sandbox
                {
                    continue
                }
                let supervisor = Supervisor(info.pid, in: context.runtime)
                guard let snapshot = try? await supervisor.snapshot(timeout: .seconds(2)) else { continue }
                rows.append(SupervisorSummary(info, snapshot: snapshot).term)
            }
            return .array(rows)
        },
        DefinedOperation(
            "get_supervisor", .supervisor, .read,
            "a supervisor's children, strategy, restart budget used and restart history",
            rest: RestBinding(OperationRoutes.getSupervisor), parameters: [supervisorParameter]
        ) { parameters, context throws(OperationError) in
            let supervisor = try supervisor(parameters, context)
            do throws(SupervisorError) {
                let snapshot = try await supervisor.snapshot()
                return SupervisorReport(
                    pid: supervisor.pid, path: context.runtime.info(supervisor.pid)?.path, snapshot: snapshot
                ).term
            } catch {
                throw .from(error)
            }
        },
        DefinedOperation(
            "restart_child", .supervisor, .mutating, "start a stopped child again (supervisor:restart_child)",
            rest: RestBinding(OperationRoutes.restartChild),
            parameters: [
                supervisorParameter,
                Parameter("child_id", .string, "the child's id", required: true, minimum: 1, maximum: 64),
            ]
        ) { parameters, context throws(OperationError) in
            let supervisor = try supervisor(parameters, context)
            let id = parameters["child_id"]?.stringValue ?? ""
            do throws(SupervisorError) {
                let pid = try await supervisor.restartChild(id, timeout: .seconds(30))
                return ["child_id": .string(id), "pid": pid.map(Term.pid) ?? .null]
            } catch {
                throw .from(error)
            }
        },
        DefinedOperation(
            "terminate_child", .supervisor, .destructive,
            "stop a child by its shutdown policy; it stays stopped (supervisor:terminate_child)",
            rest: RestBinding(OperationRoutes.terminateChild),
            parameters: [
                supervisorParameter,
                Parameter("child_id", .string, "the child's id", required: true, minimum: 1, maximum: 64),
            ]
        ) { parameters, context throws(OperationError) in
            let supervisor = try supervisor(parameters, context)
            let id = parameters["child_id"]?.stringValue ?? ""
            do throws(SupervisorError) {
                try await supervisor.terminateChild(id, timeout: .seconds(60))
                return ["child_id": .string(id), "terminated": true]
            } catch {
                throw .from(error)
            }
        },
    ]
}
