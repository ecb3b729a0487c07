import CoreMetrics
import Supervision
import Synchronization

/// Events and metrics for one superlearner instance: the runtime, the sandboxes and Arsenal publish here.
///
/// ```swift
/// let telemetry = Telemetry()
/// telemetry.observe(runtime)            // runtime lifecycle events become telemetry events and metrics
/// telemetry.bus.attach(prefix: "runtime.supervisor") { event in print(event.name) }
/// print(telemetry.export(.prometheus))
/// ```
public final class Telemetry: Sendable {
    /// The event bus with its bounded history.
    public let bus: EventBus
    /// The metrics registry.
    public let metrics: Metrics
    /// The recent past of the charted numbers (see `sampleHistory(_:sandboxes:)`).
    public let history: MetricHistory
    /// Where decisions are kept beyond their supervisor (the daemon's file), if anywhere.
    ///
    /// An archive, not a closure: a closure kept as a `Mutex`'s value is re-wrapped in a reabstraction
    /// thunk by every `withLock` that touches it, so each decision made the closure one call deeper (the soak
    /// benchmark found the daemon slowing and growing with every restart).
    private let decisionArchive = Mutex<(any DecisionArchive)?>(nil)

    /// Keeps every supervisor decision in `archive` too, so `why` still answers after the supervisor (or the
    /// daemon) is gone.
    public func keepDecisions(in archive: any DecisionArchive) {
        decisionArchive.withLock { $0 = archive }
    }

    /// Kept decisions about children at or under `path`, oldest first; empty without an archive.
    public func keptDecisions(under path: String) async -> [Term] {
        guard let archive = decisionArchive.withLock({ $0 }) else { return [] }
        return await archive.decisions(under: path)
    }

    /// Supervisor restarts seen since creation, for the history's restart rate.
    private let restartTotal = Atomic<Int>(0)
    /// The runtime's delivered-message count at the last sample, so the counter advances by the difference.
    private let lastDelivered = Mutex<UInt64>(0)
    private let observed = Mutex<[(Runtime, ObserverToken)]>([])
    private let samplers = Mutex<[@Sendable (Metrics) -> Void]>([])
    // The per-process metrics, created once: they are updated on every spawn and exit.
    private let spawnedCounter: CoreMetrics.Counter
    private let aliveMeter: CoreMetrics.Meter
    /// By `reasonClassIndex`: an exit picks its counter by a switch, not by hashing its class's name.
    private let exitCounters: [CoreMetrics.Counter]
    // Labels are bounded (a reason class, a strategy, an action), never a path, id or PID: a daemon that
    // creates and destroys sandboxes all day must not grow a time series per sandbox it ever had.
    private let restartCounters: [CoreMetrics.Counter]
    private let escalationCounter: CoreMetrics.Counter
    private let decisionCounters: [SupervisorStrategy: [RestartDecision.Action: CoreMetrics.Counter]]

    /// The metrics Arsenal updates for every run of one operation, looked up once per run by name alone.
    public struct OperationMeters: Sendable {
        /// `superlearner_operations_total{operation, outcome="ok"}`.
        public let succeeded: CoreMetrics.Counter
        /// `superlearner_operations_total{operation, outcome="error"}`.
        public let failed: CoreMetrics.Counter
        /// `superlearner_operation_duration_seconds{operation}`.
        public let duration: CoreMetrics.Timer
    }

    private let operationMeters = Mutex<[String: OperationMeters]>([:])

    /// The meters of the operation `name`, created on first use. One dictionary lookup by the name: building
    /// a label key for each of three metrics on every run was most of Arsenal's own overhead.
    public func meters(forOperation name: String) -> OperationMeters {
        if let cached = operationMeters.withLock({ $0[name] }) { return cached }
        let meters = OperationMeters(
            succeeded: metrics.counter("superlearner_operations_total", [("operation", name), ("outcome", "ok")]),
            failed: metrics.counter("superlearner_operations_total", [("operation", name), ("outcome", "error")]),
            duration: metrics.timer("superlearner_operation_duration_seconds", [("operation", name)]))
        operationMeters.withLock { $0[name] = meters }
        return meters
    }

    /// Creates telemetry keeping the last `historyCapacity` events.
    public init(historyCapacity: Int = 10_000) {
        self.bus = EventBus(capacity: historyCapacity)
        self.history = MetricHistory()
        let metrics = Metrics()
        self.metrics = metrics
        self.spawnedCounter = metrics.counter("superlearner_processes_spawned_total")
        self.aliveMeter = metrics.meter("superlearner_processes_alive")
        self.exitCounters = Telemetry.reasonClasses.map {
            metrics.counter("superlearner_process_exits_total", [("reason", $0)])
        }
        self.restartCounters = Telemetry.reasonClasses.map {
            metrics.counter("superlearner_restarts_total", [("reason", $0)])
        }
        self.escalationCounter = metrics.counter("superlearner_escalations_total")
        self.decisionCounters = Dictionary(
            uniqueKeysWithValues: SupervisorStrategy.allCases.map { strategy in
                (
                    strategy,
                    Dictionary(
                        uniqueKeysWithValues: RestartDecision.Action.allCases.map { action in
                            (
                                action,
                                metrics.counter(
                                    "superlearner_supervisor_decisions_total",
                                    [("strategy", strategy.rawValue), ("action", action.rawValue)])
                            )
                        })
                )
            })
    }

    deinit {
        for (runtime, token) in observed.withLock({ $0 }) { runtime.removeObserver(token) }
    }

    /// Publishes `runtime`'s lifecycle events (`runtime.process.spawn`, `.exit`, `runtime.supervisor.restart`,
    /// `.escalation`, `.start_failed`) and keeps the process and restart metrics.
    public func observe(_ runtime: Runtime) {
        let token = runtime.addObserver { [weak self] event in self?.record(event) }
        observed.withLock { $0.append((runtime, token)) }
    }

    private func record(_ event: RuntimeEvent) {
        switch event {
        case .spawned:
            spawnedCounter.increment()
            aliveMeter.increment()
            bus.emit(EventName.processSpawn, runtimeEvent: event)
        case .exited(_, let reason, _):
            aliveMeter.decrement()
            exitCounters[Telemetry.reasonClassIndex(reason)].increment()
            bus.emit(EventName.processExit, runtimeEvent: event)
        case .restarted(_, _, _, _, let reason, _):
            restartTotal.add(1, ordering: .relaxed)
            restartCounters[Telemetry.reasonClassIndex(reason)].increment()
            bus.emit(EventName.supervisorRestart, runtimeEvent: event)
        case .escalated(_, let restarts, let seconds, _, _):
            escalationCounter.increment()
            bus.emit(
                EventName.supervisorEscalation, measurements: ["restarts": Double(restarts), "max_seconds": seconds],
                runtimeEvent: event)
        case .decided(_, let decision, _):
            // Built at once: the archive keeps it too.
            guard let metadata = event.telemetryMetadata else { return }
            decisionCounters[decision.strategy]?[decision.action]?.increment()
            bus.emit(EventName.supervisorDecision, metadata: metadata)
            decisionArchive.withLock { $0 }?.record(.object(metadata))
        case .backoff(_, let seconds, _, _):
            bus.emit(EventName.programBackoff, measurements: ["seconds": seconds], runtimeEvent: event)
        case .childStartFailed:
            bus.emit(EventName.supervisorStartFailed, runtimeEvent: event)
        }
    }

    /// The bounded labels of exit metrics, in `reasonClassIndex` order.
    static let reasonClasses = ["normal", "shutdown", "killed", "noproc", "error"]

    /// The position of `reason`'s class in `reasonClasses`.
    static func reasonClassIndex(_ reason: ExitReason) -> Int {
        switch reason {
        case .normal: 0
        case .shutdown, .shutdownWith: 1
        case .kill, .killed: 2
        case .noproc: 3
        case .error: 4
        }
    }

    /// Adds work to `sample(_:)`: metrics that a component keeps as totals of its own and brings up to
    /// date when they are read (each call gets the metrics to update).
    public func addSampler(_ sampler: @escaping @Sendable (Metrics) -> Void) {
        samplers.withLock { $0.append(sampler) }
    }

    /// Brings the sampled metrics up to date (and runs every sampler added with `addSampler`): processes alive (a gauge) and messages delivered (a counter,
    /// advanced by what the runtime delivered since the last sample).
    public func sample(_ runtime: Runtime) {
        for sampler in samplers.withLock({ $0 }) { sampler(metrics) }
        let delivered = UInt64(runtime.messagesDelivered)
        let delta = lastDelivered.withLock { last -> UInt64 in
            defer { last = Swift.max(last, delivered) }
            return delivered > last ? delivered - last : 0
        }
        if delta > 0 { metrics.counter("superlearner_messages_delivered_total").increment(by: Int64(delta)) }
        metrics.gauge("superlearner_runtime_processes").record(Double(runtime.processCount))
    }

    /// Closes one tick of `history` now: restarts and messages since the last tick, the operations it
    /// counted, `sandboxes` and the runtime's live processes.
    public func sampleHistory(_ runtime: Runtime, sandboxes: Int) {
        history.tick(
            time: SystemClock.wallSeconds(), restartsTotal: restartTotal.load(ordering: .relaxed),
            messagesTotal: Int(truncatingIfNeeded: runtime.messagesDelivered), sandboxes: sandboxes,
            processes: runtime.processCount)
    }

    /// Formats for `export(_:)`.
    public enum ExportFormat: String, Sendable, CaseIterable {
        /// `{"metrics": [{"name", "labels", "value"}…], "events": [...]}`.
        case json
        /// `name,labels,value` lines with a header.
        case csv
        /// The Prometheus text exposition.
        case prometheus
    }

    /// Every metric (and, for JSON, the kept events) in `format`.
    public func export(_ format: ExportFormat, includeEvents: Bool = true) -> String {
        switch format {
        case .prometheus:
            return metrics.prometheusText()
        case .csv:
            var out = "name,labels,value\n"
            for sample in metrics.samples() {
                let labels = sample.labels.keys.sorted().map { "\($0)=\(sample.labels[$0]!)" }.joined(separator: ";")
                out +=
                    "\(Telemetry.csvField(sample.name)),\(Telemetry.csvField(labels)),\(Telemetry.number(sample.value))\n"
            }
            return out
        case .json:
            var document: [String: Term] = [
                "metrics": .array(
                    metrics.samples().map { sample in
                        [
                            "name": .string(sample.name), "labels": .object(sample.labels.mapValues { .string($0) }),
                            "value": sample.value.isFinite
                                ? .double(sample.value) : .string(sample.value > 0 ? "+Inf" : "-Inf"),
                        ]
                    })
            ]
            if includeEvents { document["events"] = .array(bus.history().map(\.term)) }
            return Term.object(document).json
        }
    }

    static func csvField(_ text: String) -> String {
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }

    static func number(_ value: Double) -> String {
        if value == .infinity { return "+Inf" }
        if value.rounded() == value && abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// Where supervisor decisions are kept beyond their supervisor's life (the daemon: its SQLite file).
public protocol DecisionArchive: Sendable {
    /// Takes a decision (as `runtime.supervisor.decision`'s metadata); called on the deciding process's
    /// thread, so it must not block: buffer and write later.
    func record(_ decision: Term)
    /// The kept decisions about children at or under `path`, oldest first.
    func decisions(under path: String) async -> [Term]
}

extension RuntimeEvent {
    /// The metadata of this event's telemetry event; `nil` for a decision that is not an object (none is
    /// published).
    var telemetryMetadata: [String: Term]? {
        switch self {
        case .spawned(let pid, let parent, let name, let path):
            var metadata: [String: Term] = ["pid": .pid(pid)]
            if let parent { metadata["parent"] = .pid(parent) }
            if let name { metadata["name"] = .string(name) }
            if let path { metadata["path"] = .string(path) }
            return metadata
        case .exited(let pid, let reason, let path):
            var metadata: [String: Term] = ["pid": .pid(pid), "reason": .string(reason.description)]
            if let path { metadata["path"] = .string(path) }
            return metadata
        case .restarted(let supervisor, let childID, let oldPID, let newPID, let reason, let path):
            var metadata: [String: Term] = [
                "supervisor": .pid(supervisor), "child_id": .string(childID), "pid": .pid(newPID),
                "reason": .string(reason.description),
            ]
            if let oldPID { metadata["old_pid"] = .pid(oldPID) }
            if let path { metadata["path"] = .string(path) }
            return metadata
        case .escalated(let supervisor, _, _, let reason, let path):
            var metadata: [String: Term] = ["supervisor": .pid(supervisor), "reason": .string(reason.description)]
            if let path { metadata["path"] = .string(path) }
            return metadata
        case .decided(_, let decision, let path):
            guard case .object(var metadata) = decision.term else { return nil }
            metadata["supervisor"] = path.map(Term.string) ?? .null
            metadata["path"] = .string(path.map { "\($0)/\(decision.childID)" } ?? decision.childID)
            return metadata
        case .backoff(let pid, _, let attempt, let path):
            var metadata: [String: Term] = ["pid": .pid(pid), "attempt": .int(attempt)]
            if let path { metadata["path"] = .string(path) }
            return metadata
        case .childStartFailed(let supervisor, let childID, let reason, let path):
            var metadata: [String: Term] = [
                "supervisor": .pid(supervisor), "child_id": .string(childID), "reason": .string(reason.description),
            ]
            if let path { metadata["path"] = .string(path) }
            return metadata
        }
    }
}
