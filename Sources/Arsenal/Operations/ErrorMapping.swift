import Sandbox
import Schema
import Supervision

extension OperationError {
    /// The API form of a sandbox failure.
    static func from(_ error: SandboxError) -> OperationError {
        switch error {
        case .invalidID:
            OperationError(
                .validation, code: "validation_failed", error.description, field: "sandbox_id",
                details: [["field": "sandbox_id", "message": .string(error.description)]])
        case .notFound: OperationError(.notFound, code: "sandbox_not_found", error.description, field: "sandbox_id")
        case .alreadyExists: OperationError(.conflict, code: "already_exists", error.description, field: "sandbox_id")
        case .unknownTemplate: .validation([FieldError(field: "supervisor_module", message: error.description)])
        case .invalidSpec(let spec):
            .validation(
                spec.issues.map { FieldError(field: $0.path.isEmpty ? "spec" : "spec.\($0.path)", message: $0.message) }
            )
        case .busy: OperationError(.conflict, code: "busy", error.description, field: "sandbox_id")
        case .startFailed: OperationError(.failed, code: "start_failed", error.description)
        case .unknownExperiment: .validation([FieldError(field: "experiment", message: error.description)])
        case .invalidParameter(let name, let message):
            .validation([FieldError(field: "parameters.\(name)", message: message)])
        case .invalidParameters(let errors):
            .validation(errors.map { FieldError(field: "parameters.\($0.field)", message: $0.message) })
        case .invalidConfig(let message): .validation([FieldError(field: "config", message: message)])
        case .persistenceFailed: OperationError(.unavailable, code: "persistence_failed", error.description)
        }
    }

    /// The API form of a failed request to a process.
    static func from(_ error: CallError) -> OperationError {
        switch error {
        case .noproc(let target): .processNotFound(target)
        case .timeout: OperationError(.timeout, code: "call_timeout", error.description)
        case .exited: OperationError(.failed, code: "process_exited", error.description)
        case .cancelled: OperationError(.unavailable, code: "cancelled", error.description)
        case .badReply, .notSupported: OperationError(.failed, code: "not_supported", error.description)
        }
    }

    /// The API form of a failed supervisor request.
    static func from(_ error: SupervisorError) -> OperationError {
        switch error {
        case .call(let call): .from(call)
        case .notFound: OperationError(.notFound, code: "child_not_found", error.description, field: "child_id")
        case .running: OperationError(.conflict, code: "child_running", error.description, field: "child_id")
        case .alreadyPresent, .alreadyStarted:
            OperationError(.conflict, code: "already_exists", error.description, field: "child_id")
        case .maxChildren: OperationError(.conflict, code: "max_children", error.description)
        case .startFailed: OperationError(.failed, code: "start_failed", error.description, field: "child_id")
        case .invalidSpec(let message): .validation([FieldError(field: "spec", message: message)])
        }
    }
}

extension Term {
    /// `value` as an array of strings, for enum schemas.
    static func strings(_ values: [String]) -> [Term] { values.map(Term.string) }
}
