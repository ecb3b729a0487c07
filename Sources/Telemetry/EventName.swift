/// The name of every event superlearner emits: what emitters, `superlearner wait`, the event stream's
/// readers and the docs share, written once.
public enum EventName {
    /// A process started (`pid`, `path`, `name`).
    public static let processSpawn = "runtime.process.spawn"
    /// A process ended (`pid`, `path`, `reason`).
    public static let processExit = "runtime.process.exit"
    /// A supervisor restarted a child (`path`, `pid`, `old_pid`, `reason`).
    public static let supervisorRestart = "runtime.supervisor.restart"
    /// A supervisor decided what to do about a child's exit (`path` of the child, `supervisor`, `action`,
    /// `explanation`, …: the decision `superlearner why` shows).
    public static let supervisorDecision = "runtime.supervisor.decision"
    /// A program child restarted under backoff waits before its program starts (`path`, `attempt`;
    /// measurement `seconds`).
    public static let programBackoff = "runtime.program.backoff"
    /// A supervisor exceeded its restart intensity and gave up (`path`).
    public static let supervisorEscalation = "runtime.supervisor.escalation"
    /// A child failed to start.
    public static let supervisorStartFailed = "runtime.supervisor.start_failed"
    /// A sandbox was created (`sandbox_id`).
    public static let sandboxCreate = "sandbox.create"
    /// A sandbox was rebuilt after a daemon restart (`sandbox_id`).
    public static let sandboxRestore = "sandbox.restore"
    /// A stored sandbox could not be rebuilt (`sandbox_id`, `reason`).
    public static let sandboxRestoreFailed = "sandbox.restore_failed"
    /// A sandbox's root supervisor gave up (`sandbox_id`, `reason`).
    public static let sandboxFailed = "sandbox.failed"
    /// A sandbox was restarted (`sandbox_id`).
    public static let sandboxRestart = "sandbox.restart"
    /// A new spec was applied to a running sandbox (`sandbox_id`, `version`, `added`, `removed`, `changed`).
    public static let sandboxApply = "sandbox.apply"
    /// A sandbox was destroyed (`sandbox_id`, `lifetime_seconds`).
    public static let sandboxDestroy = "sandbox.destroy"
    /// An experiment began (`sandbox_id`, `experiment`).
    public static let experimentStart = "sandbox.experiment.start"
    /// An experiment ended with its verdict.
    public static let experimentStop = "sandbox.experiment.stop"
    /// An Arsenal operation began (`operation`).
    public static let operationStart = "arsenal.operation.start"
    /// An Arsenal operation succeeded (`duration_ms`).
    public static let operationStop = "arsenal.operation.stop"
    /// An Arsenal operation failed (`code`, `kind`, `message`).
    public static let operationException = "arsenal.operation.exception"
    /// The daemon restored its sandboxes at start (`sandboxes`).
    public static let daemonRestore = "daemon.restore"
    /// A node joined the cluster (`node`, `url`).
    public static let clusterNodeUp = "cluster.node.up"
    /// A node left the cluster or its lease expired (`node`).
    public static let clusterNodeDown = "cluster.node.down"
    /// This node could not renew its lease in time and stopped its distributed sandboxes (`reason`).
    public static let clusterIsolated = "cluster.isolated"
    /// This node is registered again after being isolated (`lease`).
    public static let clusterRejoined = "cluster.rejoined"
    /// This node claimed a distributed sandbox nobody owned before (`sandbox_id`, `node`, `token`).
    public static let sandboxClaimed = "sandbox.claimed"
    /// A distributed sandbox moved to this node because its owner was gone (`sandbox_id`, `from`, `to`,
    /// `reason`, `token`).
    public static let sandboxFailover = "sandbox.failover"
    /// This node stopped its copy of a distributed sandbox it no longer owns (`sandbox_id`, `reason`).
    public static let sandboxFenced = "sandbox.fenced"
}
