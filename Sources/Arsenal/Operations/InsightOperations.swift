import Sandbox
import Schema
import SuperlearnerAPI
import Supervision
import Telemetry

/// Seeing into a running tree: why children were (or were not) restarted, and what would happen if one
/// exited now — both from the supervisors' own decision rule.
enum InsightOperations {
    /// The live supervisors whose path is `path` or lies under it, by path.
    static func supervisors(under path: String, _ context: OperationContext) -> [(String, Supervisor)] {
        context.runtime.allInfo().compactMap { info -> (String, Supervisor)? in
            guard info.kind == .supervisor, let own = info.path, own == path || own.hasPrefix(path + "/") else {
                return nil
            }
            return (own, Supervisor(info.pid, in: context.runtime))
        }.sorted { $0.0 < $1.0 }
    }

    /// The live supervisor at exactly `path`.
    static func supervisor(at path: String, _ context: OperationContext) -> Supervisor? {
        context.runtime.allInfo().first { $0.kind == .supervisor && $0.path == path }.map {
            Supervisor($0.pid, in: context.runtime)
        }
    }

    static func exitReason(_ name: String) -> ExitReason {
        switch name {
        case "normal": .normal
        case "shutdown": .shutdown
        case "kill": .killed
        default: .error("crash")
        }
    }

    static let all: [any Operation] = [
        DefinedOperation(
            "explain_restarts", .supervisor, .read,
            "why: each exit of a child (or of any child under a supervisor path) with the decision taken — strategy, siblings stopped and restarted, the intensity window, escalation",
            rest: RestBinding(OperationRoutes.explainRestarts),
            parameters: [
                Parameter(
                    "path", .string, "a child's or a supervisor's path (demo/counter_1, demo)", required: true,
                    minimum: 1, maximum: 512),
                Parameter(
                    "limit", .integer, "at most this many, the most recent", default: 50, minimum: 1, maximum: 1000),
            ]
        ) { parameters, context throws(OperationError) in
            let path = (parameters["path"]?.stringValue ?? "").split(separator: "/").joined(separator: "/")
            var rows: [(Double, Term)] = []
            let below = supervisors(under: path, context)
            let parentPath = path.split(separator: "/").dropLast().joined(separator: "/")
            let childID = path.split(separator: "/").last.map(String.init) ?? path
            var sources: [(String, Supervisor, String?)] = below.map { ($0.0, $0.1, nil) }
            if !parentPath.isEmpty, let parent = supervisor(at: parentPath, context) {
                // The target's own supervisor decided about the target itself.
                sources.append((parentPath, parent, childID))
            }
            guard
                !sources.isEmpty || (try? context.sandboxes.info(String(path.split(separator: "/").first ?? ""))) != nil
            else {
                throw OperationError(
                    .notFound, code: "path_not_found", "no supervisor at or above \(path)", field: "path")
            }
            for (supervisorPath, supervisor, only) in sources {
                guard let decisions = try? await supervisor.decisions(timeout: .seconds(2)) else { continue }
                for decision in decisions where only == nil || decision.childID == only {
                    guard case .object(var members) = decision.term else { continue }
                    members["supervisor"] = .string(supervisorPath)
                    members["path"] = .string("\(supervisorPath)/\(decision.childID)")
                    rows.append((decision.at, .object(members)))
                }
            }
            // Decisions kept beyond their supervisor (restarted, or a daemon ago), of this sandbox's life only.
            let sandbox = String(path.split(separator: "/").first ?? "")
            let createdAt = (try? context.sandboxes.info(sandbox))?.createdAt ?? 0
            var seen = Set(rows.map { "\($0.1["path"]?.stringValue ?? "")@\($0.0)" })
            for kept in await context.telemetry.keptDecisions(under: path) {
                let at = kept["at"]?.doubleValue ?? 0
                let key = "\(kept["path"]?.stringValue ?? "")@\(at)"
                guard at >= createdAt, !seen.contains(key) else { continue }
                seen.insert(key)
                rows.append((at, kept))
            }
            // A program child restarted under backoff: the delay its runner waited, from the event log.
            let backoffs = context.telemetry.bus.history().filter { $0.name == EventName.programBackoff }
            rows = rows.map { at, row in
                guard row["action"] == "restart", case .object(var members) = row,
                    let event = backoffs.first(where: {
                        $0.metadata["path"] == row["path"] && $0.time >= at - 0.5 && $0.time <= at + 2
                    }), let seconds = event.measurements["seconds"]
                else { return (at, row) }
                members["backoff_seconds"] = .double(seconds)
                members["explanation"] = .string(
                    (row["explanation"]?.stringValue ?? "")
                        + "; its program starts after a backoff of \((seconds * 100).rounded() / 100) s (attempt \(event.metadata["attempt"]?.intValue ?? 0))"
                )
                return (at, .object(members))
            }
            let limit = try parameters.integer("limit")
            return [
                "path": .string(path),
                "decisions": .array(rows.sorted { $0.0 < $1.0 }.suffix(limit).map(\.1)),
            ]
        },
        DefinedOperation(
            "what_if", .sandbox, .read,
            "what would happen if a child exited now: which processes are stopped and restarted, in what order, and whether the failure escalates and how far — decided by the supervisors' own rule, nothing is touched",
            rest: RestBinding(OperationRoutes.whatIf),
            parameters: [
                SandboxOperations.idParameter,
                Parameter(
                    "child", .string, "the child's path in the sandbox (counter_1, jobs/tick)", required: true,
                    minimum: 1, maximum: 512),
                Parameter(
                    "reason", .string, "how it exits", default: "crash",
                    allowed: ["crash", "normal", "shutdown", "kill"]),
            ]
        ) { parameters, context throws(OperationError) in
            let sandbox = parameters["sandbox_id"]?.stringValue ?? ""
            guard (try? context.sandboxes.info(sandbox)) != nil else {
                throw .from(SandboxError.notFound(sandbox))
            }
            var child = (parameters["child"]?.stringValue ?? "").split(separator: "/").joined(separator: "/")
            if child.hasPrefix(sandbox + "/") { child = String(child.dropFirst(sandbox.count + 1)) }
            var path = sandbox + "/" + child
            var reason = exitReason(try parameters.text("reason"))
            var steps: [Term] = []
            var outcome = "restarted"
            // Up the tree for as long as a supervisor gives up: each gives up with `shutdown`, for its own
            // supervisor to decide about.
            while true {
                let parentPath = path.split(separator: "/").dropLast().joined(separator: "/")
                let id = path.split(separator: "/").last.map(String.init) ?? path
                guard let parent = supervisor(at: parentPath, context) else {
                    throw OperationError(
                        .notFound, code: "child_not_found", "no supervisor above \(path) is running", field: "child")
                }
                let decision: RestartDecision
                do throws(SupervisorError) {
                    decision = try await parent.whatIf(id, reason: reason)
                } catch {
                    throw OperationError(.notFound, code: "child_not_found", "\(path): \(error)", field: "child")
                }
                guard case .object(var members) = decision.term else { break }
                members["supervisor"] = .string(parentPath)
                members["path"] = .string(path)
                steps.append(.object(members))
                switch decision.action {
                case .restart:
                    outcome = "restarted"
                case .notRestarted:
                    outcome = "not_restarted"
                case .escalate, .shutDown:
                    if parentPath == sandbox {
                        outcome = "sandbox_fails"
                    } else {
                        path = parentPath
                        reason = .shutdown
                        continue
                    }
                }
                break
            }
            return [
                "sandbox_id": .string(sandbox), "child": .string(child), "outcome": .string(outcome),
                "steps": .array(steps),
            ]
        },
    ]
}
