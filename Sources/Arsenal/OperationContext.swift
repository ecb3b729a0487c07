import Cluster
import Sandbox
import Supervision
import Synchronization
import Telemetry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything operations act on: the runtime, the sandboxes, telemetry, traces, and the policy.
public final class OperationContext: Sendable {
    /// The runtime.
    public let runtime: Runtime
    /// The sandboxes.
    public let sandboxes: SandboxManager
    /// Telemetry (operations publish their start, stop and exceptions here).
    public let telemetry: Telemetry
    /// Active and finished message traces.
    public let traces: TraceStore
    /// Whether destructive operations may run; when `false` they fail with 403 `destructive_refused`.
    public let allowDestructive: Bool
    /// Whether only reads may run; when `true` every `mutating` or `destructive` operation fails with 403
    /// `read_only`.
    public let readOnly: Bool
    /// This node's membership of a cluster, when it is in one.
    public let cluster: ClusterMember?
    /// Wall-clock start of this node, seconds since 1970.
    public let startedAt: Double
    /// Set while the node shuts down; every operation then fails with 503.
    public let shuttingDown = Atomic<Bool>(false)

    /// Creates a context; everything defaults to a fresh instance.
    public init(
        runtime: Runtime = Runtime(), sandboxes: SandboxManager? = nil, telemetry: Telemetry? = nil,
        allowDestructive: Bool = true, readOnly: Bool = false, cluster: ClusterMember? = nil
    ) {
        let telemetry = telemetry ?? Telemetry()
        self.runtime = runtime
        self.telemetry = telemetry
        self.sandboxes = sandboxes ?? SandboxManager(runtime: runtime, telemetry: telemetry)
        self.traces = TraceStore(runtime: runtime)
        self.allowDestructive = allowDestructive
        self.readOnly = readOnly
        self.cluster = cluster
        self.startedAt = SystemClock.wallSeconds()
    }

    /// Resolves a `pid` parameter (a PID, a path or a registered name) to a live process.
    /// - Throws: 404 `process_not_found`.
    public func process(_ target: Term?) throws(OperationError) -> PID {
        guard let text = target?.stringValue, let pid = runtime.resolve(text) else {
            throw .processNotFound(target?.stringValue ?? "(none)")
        }
        return pid
    }
}

/// Message traces started by `trace_process`: bounded by a duration and an event count.
public final class TraceStore: Sendable {
    struct Trace {
        var id: String
        var pid: PID
        var target: String
        var events: [TraceRecord] = []
        var maxEvents: Int
        var deadline: Double
        var active = true
        var startedAt: Double
    }

    private let runtime: Runtime
    private let traces = Mutex<(next: Int, all: [String: Trace])>((1, [:]))
    /// Finished traces are kept this long for `get_trace`, then forgotten; at most this many are kept.
    static let keptTraces = 100

    init(runtime: Runtime) { self.runtime = runtime }

    /// Starts a trace; returns its id.
    func start(pid: PID, target: String, duration: Double, maxEvents: Int) -> String {
        let now = SystemClock.wallSeconds()
        let id: String = traces.withLock { state in
            let id = "trace-\(state.next)"
            state.next += 1
            state.all[id] = Trace(
                id: id, pid: pid, target: target, maxEvents: maxEvents, deadline: now + duration, startedAt: now)
            if state.all.count > TraceStore.keptTraces,
                let oldest = state.all.values.filter({ !$0.active }).min(by: { $0.startedAt < $1.startedAt })
            {
                state.all.removeValue(forKey: oldest.id)
            }
            return id
        }
        runtime.trace(pid) { [weak self] record in self?.record(record, in: id) }
        return id
    }

    private func record(_ record: TraceRecord, in id: String) {
        let finished: PID? = traces.withLock { state in
            guard var trace = state.all[id], trace.active else { return nil }
            if record.at > trace.deadline {
                trace.active = false
                state.all[id] = trace
                return trace.pid
            }
            trace.events.append(record)
            if trace.events.count >= trace.maxEvents || record.kind == .exited { trace.active = false }
            state.all[id] = trace
            return trace.active ? nil : trace.pid
        }
        if let finished { runtime.untrace(finished) }
    }

    /// The trace's state and events, or `nil` if unknown.
    func get(_ id: String) -> Term? {
        let now = SystemClock.wallSeconds()
        let (trace, expired): (Trace?, Bool) = traces.withLock { state in
            guard var trace = state.all[id] else { return (nil, false) }
            var expired = false
            if trace.active && now > trace.deadline {
                trace.active = false
                expired = true
                state.all[id] = trace
            }
            return (trace, expired)
        }
        guard let trace else { return nil }
        if expired { runtime.untrace(trace.pid) }
        return TraceStore.term(trace)
    }

    /// Stops the trace and returns its final state, or `nil` if unknown.
    func stop(_ id: String) -> Term? {
        let trace: Trace? = traces.withLock { state in
            guard var trace = state.all[id] else { return nil }
            trace.active = false
            state.all[id] = trace
            return trace
        }
        guard let trace else { return nil }
        runtime.untrace(trace.pid)
        return TraceStore.term(trace)
    }

    static func term(_ trace: Trace) -> Term {
        TraceReport(
            id: trace.id, pid: trace.pid, target: trace.target, active: trace.active, maxEvents: trace.maxEvents,
            startedAt: trace.startedAt, events: trace.events
        ).term
    }
}
