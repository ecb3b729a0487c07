/// The REST route of every built-in Arsenal operation, named after the operation (`list_sandboxes` is
/// `listSandboxes`). The operations declare their bindings with these values and the command line sends its
/// requests to them: a command finds its route without building the operations' declarations, which took
/// a tenth of a short command's instructions. A test checks that each operation is bound to its own.
public enum OperationRoutes {
    /// `apply_sandbox_spec`.
    public static let applySandboxSpec = Route(.put, "/api/v1/sandboxes/{sandbox_id}/spec")
    /// `get_sandbox_history`.
    public static let getSandboxHistory = Route(.get, "/api/v1/sandboxes/{sandbox_id}/history")
    /// `rollback_sandbox`.
    public static let rollbackSandbox = Route(.post, "/api/v1/sandboxes/{sandbox_id}/rollback")
    /// `cluster_health`.
    public static let clusterHealth = Route(.get, "/api/v1/cluster/health")
    /// `cluster_topology`.
    public static let clusterTopology = Route(.get, "/api/v1/cluster/topology")
    /// `node_info`.
    public static let nodeInfo = Route(.get, "/api/v1/cluster/nodes/{node}/info")
    /// `cluster_processes`.
    public static let clusterProcesses = Route(.get, "/api/v1/cluster/processes")
    /// `cluster_supervision_trees`.
    public static let clusterSupervisionTrees = Route(.get, "/api/v1/cluster/supervision-trees")
    /// `explain_restarts`.
    public static let explainRestarts = Route(.get, "/api/v1/why/{path}")
    /// `what_if`.
    public static let whatIf = Route(.get, "/api/v1/sandboxes/{sandbox_id}/what-if")
    /// `get_process_logs`.
    public static let getProcessLogs = Route(.get, "/api/v1/processes/{pid}/logs")
    /// `list_processes`.
    public static let listProcesses = Route(.get, "/api/v1/processes")
    /// `get_process_info`.
    public static let getProcessInfo = Route(.get, "/api/v1/processes/{pid}/info")
    /// `get_process_state`.
    public static let getProcessState = Route(.get, "/api/v1/processes/{pid}/state")
    /// `kill_process`.
    public static let killProcess = Route(.delete, "/api/v1/processes/{pid}")
    /// `stop_process`.
    public static let stopProcess = Route(.post, "/api/v1/processes/{pid}/stop")
    /// `send_message`.
    public static let sendMessage = Route(.post, "/api/v1/processes/{pid}/message")
    /// `trace_process`.
    public static let traceProcess = Route(.post, "/api/v1/processes/{pid}/trace")
    /// `get_trace`.
    public static let getTrace = Route(.get, "/api/v1/traces/{id}")
    /// `stop_trace`.
    public static let stopTrace = Route(.delete, "/api/v1/traces/{id}")
    /// `list_sandboxes`.
    public static let listSandboxes = Route(.get, "/api/v1/sandboxes")
    /// `create_sandbox`.
    public static let createSandbox = Route(.post, "/api/v1/sandboxes")
    /// `get_sandbox_info`.
    public static let getSandboxInfo = Route(.get, "/api/v1/sandboxes/{sandbox_id}")
    /// `restart_sandbox`.
    public static let restartSandbox = Route(.put, "/api/v1/sandboxes/{sandbox_id}/restart")
    /// `destroy_sandbox`.
    public static let destroySandbox = Route(.delete, "/api/v1/sandboxes/{sandbox_id}")
    /// `run_experiment`.
    public static let runExperiment = Route(.post, "/api/v1/sandboxes/{sandbox_id}/experiments")
    /// `replay_experiment`.
    public static let replayExperiment = Route(.post, "/api/v1/experiment-runs/{run_id}/replay")
    /// `list_experiment_runs`.
    public static let listExperimentRuns = Route(.get, "/api/v1/experiment-runs")
    /// `get_sandbox_config`.
    public static let getSandboxConfig = Route(.get, "/api/v1/sandboxes/{sandbox_id}/config")
    /// `update_sandbox_config`.
    public static let updateSandboxConfig = Route(.patch, "/api/v1/sandboxes/{sandbox_id}/config")
    /// `list_templates`.
    public static let listTemplates = Route(.get, "/api/v1/templates")
    /// `list_experiments`.
    public static let listExperiments = Route(.get, "/api/v1/experiments")
    /// `list_supervisors`.
    public static let listSupervisors = Route(.get, "/api/v1/supervisors")
    /// `get_supervisor`.
    public static let getSupervisor = Route(.get, "/api/v1/supervisors/{name}")
    /// `restart_child`.
    public static let restartChild = Route(.post, "/api/v1/supervisors/{name}/children/{child_id}/restart")
    /// `terminate_child`.
    public static let terminateChild = Route(.delete, "/api/v1/supervisors/{name}/children/{child_id}")
    /// `system_health`.
    public static let systemHealth = Route(.get, "/api/v1/system/health")
    /// `system_info`.
    public static let systemInfo = Route(.get, "/api/v1/system/info")
    /// `get_metrics`.
    public static let getMetrics = Route(.get, "/api/v1/telemetry/metrics")
    /// `get_metric_history`.
    public static let getMetricHistory = Route(.get, "/api/v1/telemetry/history")
    /// `list_events`.
    public static let listEvents = Route(.get, "/api/v1/telemetry/events")
}
