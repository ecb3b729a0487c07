import Synchronization

/// The supervisor process's state and its one restart state machine.
///
/// It lives inside the supervisor's process and is touched by nothing else, so it needs no locks. The whole
/// restart decision is `handleExit(of:reason:)` → `restart(_:after:)`, in the shape of OTP's
/// `supervisor:restart/2` and `add_restart/1`.
final class SupervisorCore {
    struct Child {
        var spec: ChildSpec
        var pid: PID?
        var restarts: Int
    }

    var spec: SupervisorSpec
    let context: ProcessContext
    var children: [Child]
    var intensity: RestartIntensity
    var history: [RestartRecord] = []
    /// The last decisions taken on a child's exit (`why`), oldest first.
    var decisions: [RestartDecision] = []
    var totalRestarts = 0

    var runtime: Runtime { context.runtime }
    var path: String? { context.cell.state.withLock { $0.path } }

    init(spec: SupervisorSpec, context: ProcessContext) {
        self.spec = spec
        self.context = context
        self.children = spec.children.map { Child(spec: $0, pid: nil, restarts: 0) }
        self.intensity = RestartIntensity(maxRestarts: spec.maxRestarts, maxSeconds: spec.maxSeconds)
    }

    // MARK: Life

    func run(ack: ReplyChannel) async throws {
        for index in children.indices {
            if case .failure(let error) = await start(index) {
                let reason = error.reason
                await shutdownAll()
                throw ProcessExit(.shutdownWith("failed_to_start_child \(children[index].spec.id): \(reason)"))
            }
        }
        ack.resolve(.value(Term.null))
        while true {
            let message = try await context.receive()
            switch message {
            case .exit(let from, let reason):
                if from == context.parent {
                    await shutdownAll()
                    throw ProcessExit(reason)
                }
                if let index = children.firstIndex(where: { $0.pid == from }) {
                    try await handleExit(of: index, reason: reason)
                }
            // An EXIT from a PID that is no longer a child (already replaced or stopped by us) is stale.
            case .system(.supervisor(let request), let reply):
                reply?.resolve(.value(await answer(request)))
            case .system(.retryRestart(let id), _):
                if let index = children.firstIndex(where: { $0.spec.id == id }), children[index].pid == nil {
                    try await restart(index, after: .error("start failed, retrying"), exitedPID: nil)
                }
            case .system(.getState, let reply):
                reply?.resolve(.value(stateSummary()))
            case .system(.stop(let reason), _):
                await shutdownAll()
                throw ProcessExit(reason)
            case .call(_, let reply):
                reply.resolve(.failure(.notSupported(context.pid.description)))
            default:
                break
            }
        }
    }

    // MARK: The restart state machine

    /// What the strategy does when `children[index]` fails: the siblings it stops (indices, stopped last
    /// first) and the range of children it starts again.
    func strategyPlan(_ index: Int) -> (stop: [Int], range: Range<Int>) {
        switch spec.strategy {
        case .oneForOne: ([], index..<(index + 1))
        case .oneForAll: (children.indices.filter { $0 != index }, children.startIndex..<children.endIndex)
        case .restForOne: (Array((index + 1)..<children.count), index..<children.count)
        }
    }

    /// Whether the exit of significant `child` shuts the supervisor down (`auto_shutdown`).
    func autoShutdownApplies(afterExitOf child: Child) -> Bool {
        guard child.spec.significant else { return false }
        switch spec.autoShutdown {
        case .never: return false
        case .anySignificant: return true
        case .allSignificant:
            return !children.contains { $0.spec.significant && $0.pid != nil && $0.spec.id != child.spec.id }
        }
    }

    /// The decision for the exit of `children[index]` with `reason` at `now` — computed from the same
    /// rules the supervisor acts by, without changing anything: what `handleExit` logs and `what-if` asks.
    func decide(exitOf index: Int, reason: ExitReason, now: UInt64) -> RestartDecision {
        let child = children[index]
        var decision = RestartDecision(
            childID: child.spec.id, reason: reason, restartType: child.spec.restart, strategy: spec.strategy,
            action: .restart, stopped: [], restarted: [], removed: [], restartsInWindow: 0,
            maxRestarts: spec.maxRestarts, windowSeconds: Double(spec.maxSeconds.nanoseconds) / 1e9,
            at: SystemClock.wallSeconds())
        var window = intensity
        decision.restartsInWindow = window.used(at: now)
        if child.spec.restart == .temporary || (child.spec.restart == .transient && reason.isClean) {
            decision.action = autoShutdownApplies(afterExitOf: child) ? .shutDown : .notRestarted
            if child.spec.restart == .temporary { decision.removed = [child.spec.id] }
            return decision
        }
        decision.restartsInWindow = intensity.countIfRecorded(at: now)
        guard decision.restartsInWindow <= spec.maxRestarts else {
            decision.action = .escalate
            decision.stopped = children.indices.reversed().filter { $0 != index && children[$0].pid != nil }.map {
                children[$0].spec.id
            }
            return decision
        }
        let plan = strategyPlan(index)
        decision.stopped = plan.stop.reversed().filter { children[$0].pid != nil }.map { children[$0].spec.id }
        for position in plan.range {
            let candidate = children[position]
            if candidate.spec.restart == .temporary && candidate.spec.id != child.spec.id {
                decision.removed.append(candidate.spec.id)
            } else {
                decision.restarted.append(candidate.spec.id)
            }
        }
        return decision
    }

    func log(_ decision: RestartDecision) {
        runtime.emit(.decided(supervisor: context.pid, decision: decision, path: path))
        decisions.append(decision)
        if decisions.count > 100 { decisions.removeFirst(decisions.count - 100) }
    }

    /// A child exited on its own: decide whether to restart, forget it, or shut the supervisor down.
    func handleExit(of index: Int, reason: ExitReason) async throws {
        let child = children[index]
        log(decide(exitOf: index, reason: reason, now: SystemClock.monotonicNanoseconds()))
        children[index].pid = nil
        switch child.spec.restart {
        case .temporary:
            children.remove(at: index)
            try await applyAutoShutdown(afterExitOf: child)
        case .transient where reason.isClean:
            try await applyAutoShutdown(afterExitOf: child)
        case .permanent, .transient:
            try await restart(index, after: reason, exitedPID: child.pid)
        }
    }

    /// Restarts according to the strategy, or gives up when the intensity is exceeded (escalation: the
    /// supervisor stops its children and exits with `shutdown`, which its own supervisor then handles).
    func restart(_ index: Int, after reason: ExitReason, exitedPID: PID?) async throws {
        let now = SystemClock.monotonicNanoseconds()
        guard intensity.record(at: now) else {
            runtime.emit(
                .escalated(
                    supervisor: context.pid, restarts: intensity.stamps.count,
                    withinSeconds: Double(intensity.windowNanoseconds) / 1e9, reason: reason, path: path))
            await shutdownAll()
            throw ProcessExit(.shutdown)
        }
        let failedID = children[index].spec.id
        // The PIDs being replaced, for the restart events: the one that exited and the siblings stopped below.
        var replaced = Dictionary(children.map { ($0.spec.id, $0.pid) }, uniquingKeysWith: { first, _ in first })
        replaced[failedID] = exitedPID
        // The same plan `decide` reports: what `why` and `what-if` say is what happens here.
        let plan = strategyPlan(index)
        await stopForRestart(plan.stop)
        let restartRange = plan.range
        // Temporary siblings stopped by the strategy are not restarted (OTP removes them).
        var position = restartRange.lowerBound
        var last = min(restartRange.upperBound, children.count)
        while position < last {
            if children[position].pid == nil {
                if children[position].spec.restart == .temporary && children[position].spec.id != failedID {
                    children.remove(at: position)
                    last -= 1
                    continue
                }
                let oldRecord = children[position]
                children[position].restarts += 1
                switch await start(position) {
                case .success(let pid):
                    if let pid {
                        record(restartOf: oldRecord.spec.id, reason: reason)
                        runtime.emit(
                            .restarted(
                                supervisor: context.pid, childID: oldRecord.spec.id,
                                oldPID: replaced[oldRecord.spec.id] ?? nil,
                                newPID: pid,
                                reason: reason, path: childPath(oldRecord.spec.id)))
                    }
                case .failure:
                    // OTP's try_again_restart: retry through the mailbox, so each attempt counts toward the
                    // intensity and requests queued meanwhile are still served.
                    context.send(
                        .system(.retryRestart(childID: children[position].spec.id), reply: nil), to: context.pid)
                    return
                }
            }
            position += 1
        }
    }

    /// Applies `auto_shutdown` after a significant child exited on its own and was not restarted.
    func applyAutoShutdown(afterExitOf child: Child) async throws {
        guard child.spec.significant else { return }
        let shutDown: Bool
        switch spec.autoShutdown {
        case .never: shutDown = false
        case .anySignificant: shutDown = true
        case .allSignificant: shutDown = !children.contains { $0.spec.significant && $0.pid != nil }
        }
        if shutDown {
            await shutdownAll()
            throw ProcessExit(.shutdown)
        }
    }

    // MARK: Starting and stopping children

    func childPath(_ id: String) -> String? {
        path.map { "\($0)/\(id)" }
    }

    /// Starts `children[index]` and records its PID.
    func start(_ index: Int) async -> Result<PID?, StartError> {
        let child = children[index]
        let startContext = StartContext(
            runtime: runtime, supervisor: context.pid, path: childPath(child.spec.id), restarts: child.restarts,
            scheduler: context.cell.scheduler)
        do {
            let pid = try await child.spec.start.run(startContext)
            children[index].pid = pid
            return .success(pid)
        } catch let error as StartError {
            runtime.emit(
                .childStartFailed(supervisor: context.pid, childID: child.spec.id, reason: error.reason, path: path))
            return .failure(error)
        } catch {
            let reason = ExitReason.error(String(describing: error))
            runtime.emit(.childStartFailed(supervisor: context.pid, childID: child.spec.id, reason: reason, path: path))
            return .failure(StartError(reason: reason))
        }
    }

    /// Stops the given children, last first, marking them not running.
    func stopForRestart(_ indices: [Int]) async {
        for index in indices.reversed() where children[index].pid != nil {
            await stop(index)
        }
    }

    func shutdownAll() async {
        await stopForRestart(Array(children.indices))
    }

    /// Stops one child by its shutdown policy and waits for it to be gone.
    ///
    /// The child is unlinked and monitored first, as OTP does, so its exit produces no `EXIT` message for
    /// the restart logic to misread. If the supervisor itself is killed meanwhile, the child is killed too.
    func stop(_ index: Int) async {
        guard let pid = children[index].pid else { return }
        children[index].pid = nil
        let channel = ReplyChannel()
        context.unlink(pid)
        let ref = runtime.addMonitor(on: pid, watcher: .callback { reason in channel.resolve(.value(reason)) })
        var timer: TimerEntry? = nil
        switch children[index].spec.shutdown {
        case .brutalKill:
            context.exit(pid, reason: .kill)
        case .timeout(let limit):
            context.exit(pid, reason: .shutdown)
            // A child that does not trap exits is already gone here; only a trapping one needs the timer.
            if !channel.isResolved {
                timer = TimerService.shared.schedule(after: limit) { [runtime] in runtime.kill(pid) }
            }
        case .infinity:
            context.exit(pid, reason: .shutdown)
        }
        // A child that does not trap exits died inside `exit` above and its monitor has fired: there is nothing
        // to wait for, and a cancellation handler around a wait costs two updates of the task's status records.
        if !channel.isResolved {
            _ = await withTaskCancellationHandler {
                await channel.wait()
            } onCancel: { [runtime] in
                runtime.kill(pid)
            }
        }
        if let timer { TimerService.shared.cancel(timer) }
        runtime.removeMonitor(ref, on: pid)
    }

    func record(restartOf id: String, reason: ExitReason) {
        totalRestarts += 1
        history.append(RestartRecord(childID: id, reason: reason, at: SystemClock.wallSeconds()))
        if history.count > 100 { history.removeFirst(history.count - 100) }
    }

    // MARK: Requests

    func answer(_ request: SupervisorRequest) async -> any Sendable {
        switch request {
        case .whichChildren:
            return childInfos()
        case .countChildren:
            return ChildCounts(
                specs: children.count, active: children.filter { $0.pid != nil }.count,
                supervisors: children.filter { $0.spec.type == .supervisor }.count,
                workers: children.filter { $0.spec.type == .worker }.count)
        case .startChild(let childSpec):
            return await startNew(childSpec)
        case .restartChild(let id):
            guard let index = children.firstIndex(where: { $0.spec.id == id }) else {
                return Result<PID?, SupervisorError>.failure(.notFound(id))
            }
            if children[index].pid != nil { return Result<PID?, SupervisorError>.failure(.running(id)) }
            switch await start(index) {
            case .success(let pid): return Result<PID?, SupervisorError>.success(pid)
            case .failure(let error): return Result<PID?, SupervisorError>.failure(.startFailed(id, error.reason))
            }
        case .terminateChild(let id):
            guard let index = children.firstIndex(where: { $0.spec.id == id }) else {
                return Result<Bool, SupervisorError>.failure(.notFound(id))
            }
            await stop(index)
            if children[index].spec.restart == .temporary { children.remove(at: index) }
            return Result<Bool, SupervisorError>.success(true)
        case .deleteChild(let id):
            guard let index = children.firstIndex(where: { $0.spec.id == id }) else {
                return Result<Bool, SupervisorError>.failure(.notFound(id))
            }
            if children[index].pid != nil { return Result<Bool, SupervisorError>.failure(.running(id)) }
            children.remove(at: index)
            return Result<Bool, SupervisorError>.success(true)
        case .decisions:
            return decisions
        case .apply(let newSpec, let changed):
            return await apply(newSpec, changed: changed)
        case .whatIf(let id, let reason):
            guard let index = children.firstIndex(where: { $0.spec.id == id }) else {
                return Result<RestartDecision, SupervisorError>.failure(.notFound(id))
            }
            return Result<RestartDecision, SupervisorError>.success(
                decide(exitOf: index, reason: reason, now: SystemClock.monotonicNanoseconds()))
        case .snapshot:
            let now = SystemClock.monotonicNanoseconds()
            return SupervisorSnapshot(
                strategy: spec.strategy, maxRestarts: spec.maxRestarts,
                maxSeconds: Double(spec.maxSeconds.nanoseconds) / 1e9, autoShutdown: spec.autoShutdown,
                maxChildren: spec.maxChildren, restartsInWindow: intensity.used(at: SystemClock.monotonicNanoseconds()),
                totalRestarts: totalRestarts, history: history, children: childInfos(),
                nextSlotSeconds: intensity.nanosecondsUntilSlotFrees(at: now).map { Double($0) / 1e9 })
        }
    }

    /// Moves to `new` while running, the OTP way: children no longer named, and those in `changed`, are
    /// stopped (last first); the others keep running with their PIDs; then every child without a process —
    /// changed or added — is started in the new order. The flags (strategy, budget) take effect at once; the
    /// restart history is kept unless the budget's limits changed.
    func apply(_ new: SupervisorSpec, changed: Set<String>) async -> Result<[String], SupervisorError> {
        let wanted = Set(new.children.map(\.id))
        await stopForRestart(
            children.indices.filter { !wanted.contains(children[$0].spec.id) || changed.contains(children[$0].spec.id) }
        )
        let old = Dictionary(children.map { ($0.spec.id, $0) }, uniquingKeysWith: { first, _ in first })
        children = new.children.map { childSpec in
            guard let existing = old[childSpec.id] else { return Child(spec: childSpec, pid: nil, restarts: 0) }
            return changed.contains(childSpec.id)
                ? Child(spec: childSpec, pid: nil, restarts: existing.restarts) : existing
        }
        if new.maxRestarts != spec.maxRestarts || new.maxSeconds != spec.maxSeconds {
            intensity = RestartIntensity(maxRestarts: new.maxRestarts, maxSeconds: new.maxSeconds)
        }
        spec = new
        var started: [String] = []
        for index in children.indices where children[index].pid == nil {
            switch await start(index) {
            case .success: started.append(children[index].spec.id)
            case .failure(let error): return .failure(.startFailed(children[index].spec.id, error.reason))
            }
        }
        return .success(started)
    }

    func startNew(_ childSpec: ChildSpec) async -> Result<PID?, SupervisorError> {
        do {
            try childSpec.validate(at: "child")
        } catch {
            return .failure(error)
        }
        if let existing = children.first(where: { $0.spec.id == childSpec.id }) {
            if let pid = existing.pid { return .failure(.alreadyStarted(childSpec.id, pid)) }
            return .failure(.alreadyPresent(childSpec.id))
        }
        if let limit = spec.maxChildren, children.filter({ $0.pid != nil }).count >= limit {
            return .failure(.maxChildren(limit))
        }
        children.append(Child(spec: childSpec, pid: nil, restarts: 0))
        let index = children.count - 1
        switch await start(index) {
        case .success(let pid):
            if pid == nil && childSpec.restart == .temporary { children.remove(at: index) }
            return .success(pid)
        case .failure(let error):
            children.remove(at: index)
            return .failure(.startFailed(childSpec.id, error.reason))
        }
    }

    func childInfos() -> [ChildInfo] {
        children.map {
            ChildInfo(
                id: $0.spec.id, pid: $0.pid, type: $0.spec.type, restart: $0.spec.restart,
                shutdown: $0.spec.shutdown, significant: $0.spec.significant, restarts: $0.restarts)
        }
    }

    func stateSummary() -> Term {
        .object([
            "strategy": .string(spec.strategy.rawValue),
            "max_restarts": .int(spec.maxRestarts),
            "max_seconds": .double(Double(spec.maxSeconds.nanoseconds) / 1e9),
            "restarts_in_window": .int(intensity.used(at: SystemClock.monotonicNanoseconds())),
            "children": .array(
                children.map { .object(["id": .string($0.spec.id), "pid": $0.pid.map(Term.pid) ?? .null]) }),
        ])
    }
}
