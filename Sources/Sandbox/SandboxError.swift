import Schema
import Supervision

/// Why a sandbox request failed. Each case has a stable `code` for the API and the command line.
public enum SandboxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The id does not match `^[A-Za-z0-9_-]{1,64}$`.
    case invalidID(String)
    /// No sandbox with this id.
    case notFound(String)
    /// A sandbox with this id already exists.
    case alreadyExists(String)
    /// No template with this name.
    case unknownTemplate(String)
    /// The spec was rejected.
    case invalidSpec(SpecError)
    /// The sandbox is being started or stopped by another request.
    case busy(String, String)
    /// The tree did not start.
    case startFailed(String, String)
    /// No experiment with this name.
    case unknownExperiment(String)
    /// An experiment parameter is wrong (or names something that is not there).
    case invalidParameter(String, String)
    /// Experiment parameters failed their schema: every failing field.
    case invalidParameters([FieldError])
    /// A config key or value is wrong.
    case invalidConfig(String)
    /// The change could not be written to storage; nothing changed.
    case persistenceFailed(String)

    /// A stable snake_case code: `invalid_id`, `not_found`, `already_exists`, …
    public var code: String {
        switch self {
        case .invalidID: "invalid_id"
        case .notFound: "not_found"
        case .alreadyExists: "already_exists"
        case .unknownTemplate: "unknown_template"
        case .invalidSpec: "invalid_spec"
        case .busy: "busy"
        case .startFailed: "start_failed"
        case .unknownExperiment: "unknown_experiment"
        case .invalidParameter, .invalidParameters: "invalid_parameter"
        case .invalidConfig: "invalid_config"
        case .persistenceFailed: "persistence_failed"
        }
    }

    /// One line saying what and where.
    public var description: String {
        switch self {
        case .invalidID(let id): "invalid sandbox id \"\(id)\": use \(SandboxID.rule)"
        case .notFound(let id): "no sandbox \"\(id)\""
        case .alreadyExists(let id): "sandbox \"\(id)\" already exists"
        case .unknownTemplate(let name):
            "unknown template \"\(name)\" (templates: \(SandboxTemplate.names.joined(separator: ", ")))"
        case .invalidSpec(let error): "invalid spec: \(error)"
        case .busy(let id, let what): "sandbox \"\(id)\" is \(what); try again"
        case .startFailed(let id, let reason): "sandbox \"\(id)\" failed to start: \(reason)"
        case .unknownExperiment(let name):
            "unknown experiment \"\(name)\" (experiments: \(ExperimentRegistry.names.joined(separator: ", ")))"
        case .invalidParameter(let name, let message): "\(name): \(message)"
        case .invalidParameters(let errors): errors.map(\.description).joined(separator: "; ")
        case .invalidConfig(let message): "invalid config: \(message)"
        case .persistenceFailed(let message): "could not store the change: \(message)"
        }
    }
}
