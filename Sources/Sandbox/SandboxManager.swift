import CoreMetrics
import Programs
import Supervision
import Synchronization
import Telemetry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Isolated supervision trees with ids: create, inspect, break, restart, destroy, experiment.
///
/// Each sandbox is one tree whose root supervisor has the sandbox id as its path, so its children are
/// `ID/child`, `ID/nested/child`: two sandboxes from the same template coexist, and a path always names the
/// current incarnation of a child. Lookup by id is a dictionary access.
///
/// ```swift
/// let sandboxes = SandboxManager(runtime: Runtime(), telemetry: Telemetry())
/// try await sandboxes.create(id: "demo", template: "DemoSupervisor")
/// let tree = try await sandboxes.tree("demo")
/// try await sandboxes.destroy("demo")
/// ```
public final class SandboxManager: Sendable {
    /// The runtime the trees run in.
    public let runtime: Runtime
    /// Where sandbox events and metrics go, if anywhere.
    public let telemetry: Telemetry?
    /// Where sandboxes are stored so they survive the process, if anywhere.
    public let persistence: (any SandboxPersistence)?
    /// Where program children log, and the mark their environment carries.
    public let programs: ProgramHost

    struct Entry: Sendable {
        var id: String
        var template: String?
        var spec: SandboxSpec
        var config: [String: Term]
        var createdAt: Double
        var restartCount: Int
        var status: SandboxStatus
        var failureReason: String?
        var supervisor: PID?
        var watch: ExitWatch?
        /// Set for a distributed sandbox: the cluster (etcd) holds it, never this node's storage.
        var fencingToken: Int? = nil
        /// The spec's versions, oldest first.
        var versions: [SpecVersion] = []
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// The sandbox metrics, looked up once: by label, each create and destroy paid a key and a lock per metric.
    private let meters: Meters?

    private struct Meters: Sendable {
        let created: CoreMetrics.Counter
        let destroyed: CoreMetrics.Counter
        let active: CoreMetrics.Meter
        let lifetime: CoreMetrics.Timer

        init(_ metrics: Metrics) {
            created = metrics.counter("superlearner_sandboxes_created_total")
            destroyed = metrics.counter("superlearner_sandboxes_destroyed_total")
            active = metrics.meter("superlearner_sandboxes_active")
            lifetime = metrics.timer("superlearner_sandbox_lifetime_seconds")
        }
    }
    /// The last experiment runs, for `replay`.
    let experimentRuns = Mutex<[ExperimentResult]>([])

    /// The most bytes of JSON a sandbox config may hold.
    public static let maximumConfigBytes = 65_536

    /// Creates a manager for `runtime`, publishing to `telemetry` and storing to `persistence` when given;
    /// program children log through `programs` (by default under the temporary directory).
    public init(
        runtime: Runtime, telemetry: Telemetry? = nil, persistence: (any SandboxPersistence)? = nil,
        programs: ProgramHost = .temporary
    ) {
        self.runtime = runtime
        self.telemetry = telemetry
        self.persistence = persistence
        self.programs = programs
        self.meters = telemetry.map { Meters($0.metrics) }
        if let telemetry {
            // The programs' totals become counters when metrics are read: each sample adds what is new.
            let last = Mutex(ProgramStatistics())
            telemetry.addSampler { metrics in
                // Read and advanced under one lock, so two scrapes at once never count anything twice.
                last.withLock { previous in
                    let now = programs.statistics
                    for (name, delta) in [
                        ("superlearner_program_starts_total", now.starts - previous.starts),
                        ("superlearner_program_start_failures_total", now.startFailures - previous.startFailures),
                        ("superlearner_program_log_lines_total", now.logLines - previous.logLines),
                        ("superlearner_program_log_lines_split_total", now.splitLines - previous.splitLines),
                    ] where delta > 0 {
                        metrics.counter(name).increment(by: Int64(delta))
                    }
                    previous = now
                }
            }
        }
    }

    private func record(_ id: String) -> SandboxRecord? {
        entries.withLock { entries in
            entries[id].map {
                {
                    var record = SandboxRecord(
                        id: $0.id, template: $0.template, spec: $0.spec, config: $0.config, createdAt: $0.createdAt,
                        restartCount: $0.restartCount)
                    record.versions = $0.versions
                    return record
                }($0)
            }
        }
    }

    nonisolated(nonsending) private func store(_ id: String) async throws(SandboxError) {
        guard let persistence, entries.withLock({ $0[id]?.fencingToken == nil }), let record = record(id) else {
            return
        }
        do {
            try await persistence.save(record)
        } catch {
            throw .persistenceFailed(String(describing: error))
        }
    }

    // MARK: Create

    /// Creates a sandbox from a template, optionally with its strategy, restart budget and every worker's
    /// restart type overridden.
    /// - Throws: `SandboxError` for a bad id, an unknown template, a duplicate id or a failed start.
    @discardableResult
    nonisolated(nonsending) public func create(
        id: String, template name: String, overriding overrides: SandboxSpec.Overrides = .init(),
        config: [String: Term] = [:]
    ) async throws(SandboxError) -> SandboxInfo {
        guard let template = SandboxTemplate.named(name) else { throw .unknownTemplate(name) }
        return try await create(id: id, spec: template.spec.applying(overrides), template: name, config: config)
    }

    /// Creates a sandbox running `spec`.
    ///
    /// `persist: false` rebuilds a stored sandbox (a `sandbox.restore` event, nothing written). A
    /// `fencingToken` makes it a distributed sandbox this node owns: the cluster keeps it, so it is never
    /// written to this node's storage (a node restarted after a crash must not bring back a copy another
    /// node may run by now).
    /// - Throws: `SandboxError` for a bad id or config, a duplicate id, or a tree that does not start.
    @discardableResult
    nonisolated(nonsending) public func create(
        id: String, spec: SandboxSpec, template: String? = nil, config: [String: Term] = [:],
        createdAt: Double? = nil, restartCount: Int = 0, persist: Bool = true, fencingToken: Int? = nil,
        versions: [SpecVersion] = []
    ) async throws(SandboxError) -> SandboxInfo {
        guard SandboxID.isValid(id) else { throw .invalidID(id) }
        try SandboxManager.validate(config: config)
        let supervisorSpec: SupervisorSpec
        do {
            supervisorSpec = try spec.supervisorSpec(programs: programs)
        } catch {
            throw .invalidSpec(error)
        }
        try entries.withLock { (entries: inout [String: Entry]) throws(SandboxError) in
            if entries[id] != nil { throw .alreadyExists(id) }
            entries[id] = Entry(
                id: id, template: template, spec: spec, config: config,
                createdAt: createdAt ?? SystemClock.wallSeconds(),
                restartCount: restartCount, status: .starting, fencingToken: fencingToken,
                versions: versions.isEmpty
                    ? [
                        SpecVersion(
                            number: 1, spec: spec, appliedAt: createdAt ?? SystemClock.wallSeconds(), origin: "create")
                    ]
                    : versions)
        }
        do {
            try await start(id: id, supervisorSpec)
            if persist && fencingToken == nil { try await store(id) }
        } catch {
            let root = entries.withLock { $0.removeValue(forKey: id) }
            if let watch = root?.watch { runtime.unwatch(watch) }
            await stopTree(id: id, root: root?.supervisor)
            throw error
        }
        meters?.created.increment()
        meters?.active.increment()
        telemetry?.bus.emit(
            persist || fencingToken != nil ? EventName.sandboxCreate : EventName.sandboxRestore,
            metadata: [
                "sandbox_id": .string(id), "template": template.map(Term.string) ?? .null,
                "fencing_token": fencingToken.map(Term.int) ?? .null,
            ])
        return try info(id)
    }

    /// Starts the tree of an entry that is `starting` or `stopping`, and marks it running.
    nonisolated(nonsending) private func start(id: String, _ supervisorSpec: SupervisorSpec) async throws(SandboxError)
    {
        let supervisor: Supervisor
        do {
            supervisor = try await Supervisor.start(supervisorSpec, in: runtime, options: SpawnOptions(path: id))
        } catch {
            throw .startFailed(id, error.reason.description)
        }
        let pid = supervisor.pid
        let watch = runtime.watch(pid) { [weak self] reason in self?.rootExited(id: id, pid: pid, reason: reason) }
        entries.withLock { entries in
            guard let index = entries.index(forKey: id) else { return }
            entries.values[index].supervisor = pid
            entries.values[index].watch = watch
            entries.values[index].status = .running
            entries.values[index].failureReason = nil
        }
    }

    /// The root supervisor exited on its own: the sandbox failed (unless we were stopping it).
    private func rootExited(id: String, pid: PID, reason: ExitReason) {
        let failed: Bool = entries.withLock { entries in
            guard var entry = entries[id], entry.supervisor == pid, entry.status == .running else { return false }
            entry.status = .failed
            entry.failureReason = reason.description
            entry.supervisor = nil
            entry.watch = nil
            entries[id] = entry
            return true
        }
        if failed {
            telemetry?.bus.emit(
                EventName.sandboxFailed, metadata: ["sandbox_id": .string(id), "reason": .string(reason.description)])
        }
    }

    // MARK: Read

    /// Every sandbox, ordered by id.
    public func list() -> [SandboxInfo] { list(after: nil, limit: nil) }

    /// One page of sandboxes in id order: those after `after` (exclusive), at most `limit`. Paging by the
    /// last id seen (not an offset) stays correct while sandboxes come and go between pages.
    public func list(after: String?, limit: Int?) -> [SandboxInfo] {
        var page = entries.withLock { entries in
            after.map { after in entries.values.filter { $0.id > after } } ?? Array(entries.values)
        }
        page.sort { $0.id < $1.id }
        if let limit, limit < page.count { page = Array(page.prefix(limit)) }
        let counts = runtime.processCountsByRoot(only: limit == nil ? nil : Set(page.map(\.id)))
        return page.map { makeInfo($0, processes: counts[$0.id] ?? 0) }
    }

    /// The sandbox `id`.
    /// - Throws: `SandboxError.notFound`.
    public func info(_ id: String) throws(SandboxError) -> SandboxInfo {
        // Read in place: copying the whole entry out (its spec, config and versions) only to copy some of it
        // again was a fifth of this call.
        guard
            var info = entries.withLock({ entries in
                entries.index(forKey: id).map { index in
                    // An in-place access: reading `entries.values[index]` copied the whole entry.
                    { (entry: inout Entry) in makeInfo(entry, processes: 0) }(&entries.values[index])
                }
            })
        else { throw .notFound(id) }
        info.processCount = runtime.processCount(underPath: id)
        return info
    }

    /// `true` if a sandbox with this id exists.
    public func contains(_ id: String) -> Bool { entries.withLock { $0[id] != nil } }

    /// The number of sandboxes.
    public var count: Int { entries.withLock { $0.count } }

    private func makeInfo(_ entry: Entry, processes: Int) -> SandboxInfo {
        SandboxInfo(
            id: entry.id, template: entry.template, status: entry.status, failureReason: entry.failureReason,
            supervisor: entry.supervisor, createdAt: entry.createdAt, restartCount: entry.restartCount,
            config: entry.config, spec: entry.spec, processCount: processes, fencingToken: entry.fencingToken)
    }

    /// Live processes of the sandbox: its root supervisor and everything under its path.
    public func processes(in id: String) -> [ProcessSnapshot] {
        runtime.processes(underPath: id).compactMap { runtime.info($0) }
    }

    /// The sandbox a path belongs to: its first component.
    public static func sandboxID(ofPath path: String?) -> String? {
        guard let path, let first = path.utf8.first else { return nil }
        // By bytes: every process report names its sandbox, and splitting walked characters.
        guard first != UInt8(ascii: "/") else { return path.split(separator: "/", maxSplits: 1).first.map(String.init) }
        guard let slash = path.utf8.firstIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[..<slash])
    }

    /// The live tree: every supervisor's children with their PIDs and restart counts.
    /// - Throws: `SandboxError.notFound`, or `.busy` while the tree is not running.
    public func tree(_ id: String) async throws(SandboxError) -> SandboxNode {
        let entry = try entry(id)
        guard let root = entry.supervisor, entry.status == .running else {
            return SandboxNode(
                id: id, path: id, pid: nil, type: .supervisor, restarts: 0, mailboxLength: 0,
                strategy: entry.spec.strategy, children: [])
        }
        return await node(id: id, path: id, pid: root, type: .supervisor, restarts: entry.restartCount)
    }

    private func node(id: String, path: String, pid: PID?, type: ChildType, restarts: Int) async -> SandboxNode {
        var result = SandboxNode(
            id: id, path: path, pid: pid, type: type, restarts: restarts,
            mailboxLength: pid.flatMap { runtime.info($0)?.mailboxLength } ?? 0, strategy: nil, children: [])
        if type == .worker, let pid, runtime.info(pid)?.kind == .program {
            result.detail = (try? await runtime.state(of: pid, timeout: .seconds(1))).map(SandboxManager.programDetail)
        }
        guard type == .supervisor, let pid else { return result }
        let supervisor = Supervisor(pid, in: runtime)
        let snapshot = try? await supervisor.snapshot(timeout: .seconds(2))
        result.strategy = snapshot?.strategy
        if let snapshot {
            // The restart budget, visible: "budget 2 of 3 in 5 s, next slot in 3.1 s".
            let window =
                snapshot.maxSeconds == snapshot.maxSeconds.rounded()
                ? "\(Int(snapshot.maxSeconds))" : "\(snapshot.maxSeconds)"
            var budget = "budget \(snapshot.restartsInWindow) of \(snapshot.maxRestarts) in \(window) s"
            if let next = snapshot.nextSlotSeconds, snapshot.restartsInWindow > 0 {
                budget += ", next slot in \((next * 10).rounded() / 10) s"
            }
            result.detail = budget
        }
        let children = (try? await supervisor.whichChildren(timeout: .seconds(2))) ?? []
        for child in children {
            result.children.append(
                await node(
                    id: child.id, path: path + "/" + child.id, pid: child.pid, type: child.type,
                    restarts: child.restarts))
        }
        return result
    }

    /// One line on what a program child is doing, from its state.
    static func programDetail(_ state: Term) -> String {
        let status = state["status"]?.stringValue ?? "unknown"
        switch status {
        case "running":
            return state["os_pid"]?.intValue.map { "os_pid \($0)" } ?? "running"
        case "backoff":
            let seconds = state["restarting_in_s"]?.doubleValue ?? 0
            return "restarting in \(seconds) s, attempt \(state["attempt"]?.intValue ?? 0)"
        case "starting":
            return "starting, waiting for \(state["ready"]?.stringValue ?? "exec")"
        default:
            return status
        }
    }

    private func entry(_ id: String) throws(SandboxError) -> Entry {
        guard let entry = entries.withLock({ $0[id] }) else { throw .notFound(id) }
        return entry
    }

    // MARK: Restart and destroy

    /// Rebuilds the tree with fresh processes, keeping the spec and config; revives a failed sandbox.
    /// - Throws: `SandboxError.notFound`, `.busy`, or `.startFailed`.
    @discardableResult
    public func restart(_ id: String) async throws(SandboxError) -> SandboxInfo {
        let (spec, supervisor) = try claim(id, for: "restarting")
        await stopTree(id: id, root: supervisor)
        let supervisorSpec: SupervisorSpec
        do {
            supervisorSpec = try spec.supervisorSpec(programs: programs)
        } catch {
            throw .invalidSpec(error)
        }
        do {
            try await start(id: id, supervisorSpec)
        } catch {
            entries.withLock { entries in
                entries[id]?.status = .failed
                entries[id]?.failureReason = error.description
            }
            throw error
        }
        entries.withLock { $0[id]?.restartCount += 1 }
        try await store(id)
        telemetry?.bus.emit(EventName.sandboxRestart, metadata: ["sandbox_id": .string(id)])
        return try info(id)
    }

    // MARK: Apply and roll back

    /// The spec's versions, oldest first.
    /// - Throws: `SandboxError.notFound`.
    public func history(_ id: String) throws(SandboxError) -> [SpecVersion] {
        try entry(id).versions
    }

    /// Moves a running sandbox to `spec` the OTP way (see `SpecPlan`): changed children restarted, added ones
    /// started, removed ones stopped, the rest left running with their PIDs; stored as a new version before
    /// it answers. With `dryRun`, only the plan.
    /// - Throws: `SandboxError` for an unknown or busy sandbox, a spec that does not build, or a start that
    ///   fails (the sandbox then keeps what did start; `rollback` returns to the previous version).
    public func apply(_ id: String, spec: SandboxSpec, dryRun: Bool = false, origin: String = "apply")
        async throws(SandboxError) -> (plan: SpecPlan, version: Int?)
    {
        let current = try entry(id)
        let plan = SpecPlan(from: current.spec, to: spec)
        if dryRun || plan.isEmpty { return (plan, nil) }
        let supervisorSpec: SupervisorSpec
        do {
            supervisorSpec = try spec.supervisorSpec(programs: programs)
        } catch {
            throw .invalidSpec(error)
        }
        guard current.status == .running, let root = current.supervisor else {
            throw .busy(id, "\(current.status.rawValue); restart it before applying a new spec")
        }
        do throws(SupervisorError) {
            _ = try await Supervisor(root, in: runtime).apply(supervisorSpec, changed: Set(plan.changed))
        } catch {
            throw .startFailed(id, error.description)
        }
        let version: Int = entries.withLock { entries in
            let number = (entries[id]?.versions.last?.number ?? 0) + 1
            entries[id]?.spec = spec
            entries[id]?.versions.append(
                SpecVersion(number: number, spec: spec, appliedAt: SystemClock.wallSeconds(), origin: origin))
            if let count = entries[id]?.versions.count, count > 50 { entries[id]?.versions.removeFirst(count - 50) }
            return number
        }
        try await store(id)
        telemetry?.bus.emit(
            EventName.sandboxApply,
            metadata: [
                "sandbox_id": .string(id), "version": .int(version), "origin": .string(origin),
                "added": .array(plan.added.map(Term.string)), "removed": .array(plan.removed.map(Term.string)),
                "changed": .array(plan.changed.map(Term.string)),
            ])
        return (plan, version)
    }

    /// Applies version `number` again (default: the one before the current), as a new version.
    /// - Throws: `SandboxError.notFound` for an unknown sandbox or version, or what `apply` throws.
    public func rollback(_ id: String, to number: Int? = nil) async throws(SandboxError)
        -> (plan: SpecPlan, version: Int?, restored: Int)
    {
        let versions = try entry(id).versions
        let target = number ?? (versions.count >= 2 ? versions[versions.count - 2].number : 0)
        guard let version = versions.first(where: { $0.number == target }) else {
            throw .invalidParameter(
                "to",
                number == nil
                    ? "\(id) has no earlier version"
                    : "\(id) has no version \(target) (versions: \(versions.map(\.number)))")
        }
        let (plan, applied) = try await apply(id, spec: version.spec, origin: "rollback to \(target)")
        return (plan, applied, target)
    }

    /// Shuts the tree down in order (graceful, then kill) and forgets the sandbox; no process is left.
    /// - Throws: `SandboxError.notFound` or `.busy`.
    nonisolated(nonsending) public func destroy(_ id: String) async throws(SandboxError) {
        let (_, supervisor) = try claim(id, for: "being destroyed")
        await stopTree(id: id, root: supervisor)
        if let persistence {
            do {
                try await persistence.delete(id)
            } catch {
                entries.withLock { entries in
                    entries[id]?.status = .failed
                    entries[id]?.failureReason = "destroyed, but could not be removed from storage: \(error)"
                }
                throw .persistenceFailed(String(describing: error))
            }
        }
        let removed = entries.withLock { $0.removeValue(forKey: id) }
        if let removed {
            let lifetime = SystemClock.wallSeconds() - removed.createdAt
            meters?.destroyed.increment()
            meters?.active.decrement()
            meters?.lifetime.recordNanoseconds(Int64(lifetime * 1e9))
            telemetry?.bus.emit(
                EventName.sandboxDestroy, measurements: ["lifetime_seconds": lifetime],
                metadata: ["sandbox_id": .string(id)])
        }
    }

    /// Destroys every sandbox, and forgets them in storage too.
    public func destroyAll() async {
        for id in entries.withLock({ Array($0.keys) }).sorted() {
            try? await destroy(id)
        }
    }

    /// Shuts every tree down in order and forgets them here, but not in storage: what a daemon does on
    /// its way out, so the next start restores them.
    public func stopAll() async {
        for id in entries.withLock({ Array($0.keys) }).sorted() {
            guard let (_, root) = try? claim(id, for: "stopping") else { continue }
            await stopTree(id: id, root: root)
            if entries.withLock({ $0.removeValue(forKey: id) }) != nil {
                meters?.active.decrement()
            }
        }
    }

    /// Marks the sandbox `stopping` for one request; others get `.busy` meanwhile.
    private func claim(_ id: String, for what: String) throws(SandboxError) -> (SandboxSpec, PID?) {
        try entries.withLock { (entries: inout [String: Entry]) throws(SandboxError) -> (SandboxSpec, PID?) in
            // Changed in place at its index: copying the entry out and storing it back hashed the id twice
            // and retained and released every field.
            // Through one in-place access: each read of `entries.values[index].field` copied the whole entry.
            guard let index = entries.index(forKey: id) else { throw .notFound(id) }
            func claim(_ entry: inout Entry) throws(SandboxError) -> (SandboxSpec, PID?) {
                switch entry.status {
                case .starting: throw .busy(id, "starting")
                case .stopping: throw .busy(id, "stopping")
                case .running, .failed: break
                }
                entry.status = .stopping
                let root = entry.supervisor
                if let watch = entry.watch { runtime.unwatch(watch) }
                entry.watch = nil
                entry.supervisor = nil
                return (entry.spec, root)
            }
            return try claim(&entries.values[index])
        }
    }

    /// Stops the root supervisor (children in reverse order), kills it if it takes over 10 s, and kills any
    /// process still under the sandbox's path.
    nonisolated(nonsending) private func stopTree(id: String, root: PID?) async {
        if let root, runtime.isAlive(root) {
            do {
                try await runtime.stop(root, reason: .shutdown, timeout: .seconds(10))
            } catch {
                runtime.kill(root)
            }
        }
        for straggler in runtime.processes(underPath: id) { runtime.kill(straggler) }
    }

    // MARK: Config

    /// The sandbox's configuration.
    public func config(_ id: String) throws(SandboxError) -> [String: Term] {
        try entry(id).config
    }

    /// Merges `changes` into the config (a `null` value removes the key) and returns the result.
    /// - Throws: `SandboxError.notFound` or `.invalidConfig`.
    @discardableResult
    public func updateConfig(_ id: String, _ changes: [String: Term]) async throws(SandboxError) -> [String: Term] {
        let previous = try entry(id).config
        let updated = try entries.withLock { (entries: inout [String: Entry]) throws(SandboxError) -> [String: Term] in
            guard var entry = entries[id] else { throw .notFound(id) }
            var config = entry.config
            for (key, value) in changes {
                if value == .null { config.removeValue(forKey: key) } else { config[key] = value }
            }
            try SandboxManager.validate(config: config)
            entry.config = config
            entries[id] = entry
            return config
        }
        do {
            try await store(id)
        } catch {
            // Storage refused it: keep what is stored and what callers saw the same.
            entries.withLock { $0[id]?.config = previous }
            throw error
        }
        return updated
    }

    static func validate(config: [String: Term]) throws(SandboxError) {
        for key in config.keys.sorted() {
            let valid =
                !key.isEmpty && key.utf8.count <= 64
                && key.utf8.allSatisfy {
                    ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 || $0 == 45
                        || $0 == 46
                }
            if !valid { throw .invalidConfig("key \"\(key)\" must be 1 to 64 letters, digits, _, - or .") }
        }
        let size = Term.object(config).json.utf8.count
        if size > maximumConfigBytes { throw .invalidConfig("config is \(size) bytes; at most \(maximumConfigBytes)") }
    }
}
