import Arsenal
import Schema
import SuperlearnerAPI
import Supervision

/// The Arsenal operations the command line asks the daemon for, by name. Each is sent to its own REST
/// route, read from `OperationRoutes`, the table the operations bind to: no path is typed here. A test
/// checks that every case is a registered operation bound to that route.
enum DaemonOperation: String, CaseIterable, Sendable {
    case listSandboxes = "list_sandboxes"
    case createSandbox = "create_sandbox"
    case getSandboxInfo = "get_sandbox_info"
    case restartSandbox = "restart_sandbox"
    case destroySandbox = "destroy_sandbox"
    case runExperiment = "run_experiment"
    case getSandboxConfig = "get_sandbox_config"
    case updateSandboxConfig = "update_sandbox_config"
    case listProcesses = "list_processes"
    case getProcessInfo = "get_process_info"
    case getProcessState = "get_process_state"
    case getProcessLogs = "get_process_logs"
    case killProcess = "kill_process"
    case stopProcess = "stop_process"
    case sendMessage = "send_message"
    case traceProcess = "trace_process"
    case getTrace = "get_trace"
    case stopTrace = "stop_trace"
    case listSupervisors = "list_supervisors"
    case getSupervisor = "get_supervisor"
    case getMetrics = "get_metrics"
    case listEvents = "list_events"
    case clusterHealth = "cluster_health"
    case clusterTopology = "cluster_topology"
    case clusterProcesses = "cluster_processes"
    case explainRestarts = "explain_restarts"
    case whatIf = "what_if"
    case applySandboxSpec = "apply_sandbox_spec"
    case getSandboxHistory = "get_sandbox_history"
    case rollbackSandbox = "rollback_sandbox"
    case replayExperiment = "replay_experiment"
    case getMetricHistory = "get_metric_history"

    /// Every built-in operation (no daemon needed to read their declarations).
    static let registry = OperationRegistry.builtin()

    /// The operation's declaration, found among the built-in ones without declaring them all.
    var declaration: (any Operation)? { BuiltinOperations.named(rawValue) }

    /// The operation's REST route, from the table the operations declare theirs with: a command finds it
    /// without building any operation's declaration (a test checks each against its operation's binding).
    var route: Route {
        switch self {
        case .listSandboxes: OperationRoutes.listSandboxes
        case .createSandbox: OperationRoutes.createSandbox
        case .getSandboxInfo: OperationRoutes.getSandboxInfo
        case .restartSandbox: OperationRoutes.restartSandbox
        case .destroySandbox: OperationRoutes.destroySandbox
        case .runExperiment: OperationRoutes.runExperiment
        case .getSandboxConfig: OperationRoutes.getSandboxConfig
        case .updateSandboxConfig: OperationRoutes.updateSandboxConfig
        case .listProcesses: OperationRoutes.listProcesses
        case .getProcessInfo: OperationRoutes.getProcessInfo
        case .getProcessState: OperationRoutes.getProcessState
        case .getProcessLogs: OperationRoutes.getProcessLogs
        case .killProcess: OperationRoutes.killProcess
        case .stopProcess: OperationRoutes.stopProcess
        case .sendMessage: OperationRoutes.sendMessage
        case .traceProcess: OperationRoutes.traceProcess
        case .getTrace: OperationRoutes.getTrace
        case .stopTrace: OperationRoutes.stopTrace
        case .listSupervisors: OperationRoutes.listSupervisors
        case .getSupervisor: OperationRoutes.getSupervisor
        case .getMetrics: OperationRoutes.getMetrics
        case .listEvents: OperationRoutes.listEvents
        case .clusterHealth: OperationRoutes.clusterHealth
        case .clusterTopology: OperationRoutes.clusterTopology
        case .clusterProcesses: OperationRoutes.clusterProcesses
        case .explainRestarts: OperationRoutes.explainRestarts
        case .whatIf: OperationRoutes.whatIf
        case .applySandboxSpec: OperationRoutes.applySandboxSpec
        case .getSandboxHistory: OperationRoutes.getSandboxHistory
        case .rollbackSandbox: OperationRoutes.rollbackSandbox
        case .replayExperiment: OperationRoutes.replayExperiment
        case .getMetricHistory: OperationRoutes.getMetricHistory
        }
    }

    /// The request for this operation with `parameters`: those named in the route's template fill it, the
    /// rest travel in the query (GET, DELETE) or the JSON body (POST, PUT, PATCH): the one rule by which
    /// the daemon merges path, query and body again.
    func request(_ parameters: [String: Term]) -> (route: Route, path: String, body: Term?) {
        let route = self.route
        var inPath: [String: String] = [:]
        var rest = parameters
        for name in route.pathParameters {
            inPath[name] = rest.removeValue(forKey: name).map(Self.text) ?? ""
        }
        if route.method.hasBody { return (route, route.path(inPath), .object(rest)) }
        return (route, route.path(inPath, query: rest.keys.sorted().map { ($0, Self.text(rest[$0]!)) }), nil)
    }

    /// A parameter as it travels in a path or query: text as it is, anything else as JSON.
    static func text(_ value: Term) -> String {
        if case .string(let text) = value { return text }
        return value.json
    }

    /// The schema's default for `parameter`, as text: what the daemon uses when the command leaves it out.
    func defaultText(_ parameter: String) -> String {
        guard
            let value = declaration?.parameters.first(where: { $0.name == parameter })?.defaultValue
        else { preconditionFailure("\(rawValue) has no default for \(parameter)") }
        return Self.text(value)
    }
}
