import Logging
import Sandbox
import SuperlearnerClient
import Supervision
import Synchronization
import Telemetry

#if canImport(Glibc)
    import Glibc
#endif

/// How a daemon takes part in a cluster.
public struct ClusterConfiguration: Sendable {
    /// The etcd gateway every node shares.
    public var etcd: EtcdClient
    /// The cluster's name: its keys live under `sl/<name>/`.
    public var name: String
    /// This node's name, unique in the cluster.
    public var node: String
    /// The bearer token every node's TCP API accepts (peers call each other with it).
    public var token: String
    /// The lease TTL asked for, in seconds: how long a dead node keeps its sandboxes.
    public var leaseSeconds: Int
    /// How long a node that is not the chosen successor waits before claiming an unowned sandbox itself.
    public var claimGrace: Duration

    /// Creates a configuration.
    public init(
        etcd: EtcdClient, name: String, node: String, token: String, leaseSeconds: Int = 6,
        claimGrace: Duration = .seconds(2)
    ) {
        self.etcd = etcd
        self.name = name
        self.node = node
        self.token = token
        self.leaseSeconds = leaseSeconds
        self.claimGrace = claimGrace
    }

    /// `sl/<name>/`.
    public var prefix: String { "sl/\(name)/" }
}

/// Why a cluster request failed.
public struct ClusterError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: Sendable {
        /// Bad input (a spec, a placement).
        case invalid
        /// The sandbox id is taken.
        case conflict
        /// No such distributed sandbox.
        case notFound
        /// etcd cannot be reached or this node is isolated.
        case unavailable
        /// It did not happen in time.
        case timeout
    }

    /// What kind.
    public var kind: Kind
    /// One line saying what.
    public var description: String
}

/// This daemon as a member of a cluster, on etcd, the way Patroni runs PostgreSQL: a node record under its
/// own lease (kept alive every third of the TTL), distributed sandboxes as durable specs, and each one owned
/// through a leased key claimed by transaction, whose create revision is the fencing token. When an owner's
/// lease expires, its keys vanish; every node sees it through its watch and the live node chosen by
/// rendezvous hashing claims the sandbox and rebuilds it from its spec. A node that cannot renew its lease in
/// time stops its distributed sandboxes before the lease can expire (so a successor never runs beside it),
/// and claims again only by transaction once etcd answers.
public actor ClusterMember {
    /// A live node, as registered.
    public struct Node: Sendable, Hashable {
        /// Its name.
        public var name: String
        /// Its TCP API (`http://host:port`).
        public var url: String
        /// Its OS process id.
        public var pid: Int
        /// Its version.
        public var version: String
        /// When it registered, seconds since 1970.
        public var startedAt: Double
        /// The lease its record lives under.
        public var lease: String?

        var term: Term {
            [
                "name": .string(name), "url": .string(url), "pid": .int(pid), "version": .string(version),
                "started_at": .double(startedAt),
            ]
        }
    }

    /// Where a distributed sandbox should run.
    public enum Placement: Sendable, Hashable, CustomStringConvertible {
        /// Wherever rendezvous hashing puts it among the live nodes.
        case spread
        /// On this node while it is alive, elsewhere when it is not.
        case node(String)

        /// `spread` or `node:NAME`.
        public var description: String {
            switch self {
            case .spread: "spread"
            case .node(let name): "node:\(name)"
            }
        }

        init(_ text: String?) {
            if let text, text.hasPrefix("node:") { self = .node(String(text.dropFirst(5))) } else { self = .spread }
        }
    }

    /// A distributed sandbox's desired state, as stored in etcd.
    public struct DesiredSandbox: Sendable {
        /// The spec as a term (what `SandboxSpec(term:)` reads).
        public var spec: Term
        /// The template it came from, if any.
        public var template: String?
        /// Its configuration.
        public var config: [String: Term]
        /// Where it should run.
        public var placement: Placement

        var term: Term {
            [
                "spec": spec, "template": template.map(Term.string) ?? .null, "config": .object(config),
                "placement": .string(placement.description),
            ]
        }

        /// Creates a desired state.
        public init(spec: Term, template: String?, config: [String: Term], placement: Placement) {
            self.spec = spec
            self.template = template
            self.config = config
            self.placement = placement
        }

        init?(json: String) {
            guard let term = try? Term(json: json), let spec = term["spec"] else { return nil }
            self.spec = spec
            template = term["template"]?.stringValue
            config = term["config"]?.objectValue ?? [:]
            placement = Placement(term["placement"]?.stringValue)
        }
    }

    /// Who owns a distributed sandbox.
    public struct Owner: Sendable, Hashable {
        /// The owning node.
        public var node: String
        /// The owner's lease.
        public var lease: String?
        /// The owner key's create revision: the fencing token.
        public var token: Int
    }

    /// The cluster as this node sees it.
    public struct Snapshot: Sendable {
        /// The cluster's name.
        public var cluster: String
        /// This node.
        public var node: String
        /// The etcd gateway.
        public var etcd: String
        /// Whether this node is registered (not isolated).
        public var isRegistered: Bool
        /// Why it is isolated, when it is.
        public var isolation: String?
        /// This node's lease and the seconds since it was last renewed.
        public var lease: String?
        /// Seconds since the lease was last renewed.
        public var secondsSinceRenewal: Double
        /// Live nodes by name.
        public var nodes: [String: Node]
        /// Distributed sandboxes' desired state by id.
        public var sandboxes: [String: DesiredSandbox]
        /// Owners by sandbox id.
        public var owners: [String: Owner]
        /// The sandboxes this node runs, with their tokens.
        public var running: [String: Int]
    }

    let configuration: ClusterConfiguration
    let sandboxes: SandboxManager
    let telemetry: Telemetry
    let logger: Logger
    /// This node's API address, known once its TCP listener is bound.
    let address: @Sendable () async -> String?
    let control = WatchControl()

    var lease: String?
    var previousLease: String?
    var leaseTTL: Int
    var lastRenewal = ContinuousClock.now
    var isolation: String? = "not registered yet"
    var nodes: [String: Node] = [:]
    var desired: [String: DesiredSandbox] = [:]
    var owners: [String: Owner] = [:]
    var running: [String: Int] = [:]
    var unownedSince: [String: ContinuousClock.Instant] = [:]
    var previousOwner: [String: String] = [:]
    var claimJitter: [String: Duration] = [:]
    var starting: Set<String> = []
    var fenced = false

    enum Signal: Sendable {
        case events([EtcdWatchEvent], revision: Int, generation: Int)
        case resync(generation: Int)
        case tick
    }

    /// A member for `configuration`, running its distributed sandboxes in `sandboxes`.
    public init(
        configuration: ClusterConfiguration, sandboxes: SandboxManager, telemetry: Telemetry, logger: Logger,
        address: @escaping @Sendable () async -> String?
    ) {
        self.configuration = configuration
        self.sandboxes = sandboxes
        self.telemetry = telemetry
        self.logger = logger
        self.address = address
        self.leaseTTL = configuration.leaseSeconds
    }

    var prefix: String { configuration.prefix }
    var me: String { configuration.node }
    func nodeKey(_ name: String) -> String { prefix + "nodes/" + name }
    func specKey(_ id: String) -> String { prefix + "sandboxes/" + id + "/spec" }
    func ownerKey(_ id: String) -> String { prefix + "sandboxes/" + id + "/owner" }

    // MARK: Running

    /// Joins, keeps the lease alive, follows the cluster and keeps its sandboxes where they belong, until
    /// `stop()`; then gives up what it owns (its sandboxes stopped, its lease revoked) so others take over
    /// at once.
    public func run() async {
        let (signals, sink) = AsyncStream.makeStream(of: Signal.self, bufferingPolicy: .unbounded)
        control.sink.withLock { $0 = sink }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.keepAliveLoop() }
            group.addTask {
                while !self.control.stopped.load(ordering: .relaxed) {
                    try? await Task.sleep(for: .milliseconds(250))
                    sink.yield(.tick)
                }
                sink.finish()
            }
            for await signal in signals { await handle(signal) }
        }
        await leave()
    }

    /// Ends `run()` (what a graceful daemon stop calls).
    public nonisolated func stop() {
        control.stopped.store(true, ordering: .relaxed)
        control.generation.add(1, ordering: .relaxed)
    }

    func keepAliveLoop() async {
        while !control.stopped.load(ordering: .relaxed) {
            if let lease {
                let renewed: Int?
                do {
                    renewed = try await configuration.etcd.keepAlive(lease)
                } catch {
                    renewed = -1
                }
                switch renewed {
                case .some(let ttl) where ttl > 0:
                    lastRenewal = .now
                    leaseTTL = ttl
                case .none:
                    await fence("its lease expired")
                default:
                    // Not answered: fence while the lease may still be alive, before a successor may claim.
                    let margin = Duration.milliseconds(1500)
                    if ContinuousClock.now - lastRenewal > .seconds(leaseTTL) - margin {
                        await fence(
                            "could not renew its lease for \(leaseTTL - 1) s (etcd at \(configuration.etcd.url))")
                    }
                }
            } else {
                await join()
            }
            let pause: Duration = lease == nil ? .milliseconds(500) : .milliseconds(leaseTTL * 1000 / 3)
            try? await Task.sleep(for: pause)
        }
    }

    /// Registers under a new lease, reads the cluster and starts watching it.
    func join() async {
        guard let url = await address() else { return }
        let etcd = configuration.etcd
        do {
            let granted = try await etcd.grantLease(seconds: configuration.leaseSeconds)
            let record = Node(
                name: me, url: url, pid: Int(getpid()), version: Superlearner.version,
                startedAt: SystemClock.wallSeconds(), lease: granted.id)
            try await etcd.put(nodeKey(me), record.term.json, lease: granted.id)
            // Keys this node held before it was cut off go at once, so their sandboxes move now rather than
            // when the old lease times out.
            if let old = previousLease {
                try? await etcd.revoke(old)
                previousLease = nil
            }
            lease = granted.id
            leaseTTL = granted.ttl
            lastRenewal = .now
            isolation = nil
            try await resync()
            if fenced {
                fenced = false
                telemetry.bus.emit(
                    EventName.clusterRejoined, metadata: ["node": .string(me), "lease": .string(granted.id)])
            }
            logger.info(
                "joined the cluster", metadata: ["cluster": .string(configuration.name), "lease": .string(granted.id)])
        } catch {
            isolation = error.description
        }
    }

    /// Reads every key and watches from the revision read.
    func resync() async throws(EtcdError) {
        let (revision, values) = try await configuration.etcd.range(prefix: prefix)
        var newNodes: [String: Node] = [:]
        var newDesired: [String: DesiredSandbox] = [:]
        var newOwners: [String: Owner] = [:]
        for value in values {
            switch parse(value.key) {
            case .node(let name): if let node = decodeNode(value) { newNodes[name] = node }
            case .spec(let id): if let spec = DesiredSandbox(json: value.value) { newDesired[id] = spec }
            case .owner(let id): if let owner = decodeOwner(value) { newOwners[id] = owner }
            case .other: break
            }
        }
        nodes = newNodes
        desired = newDesired
        owners = newOwners
        let generation = control.generation.add(1, ordering: .relaxed).newValue
        startWatch(from: revision + 1, generation: generation)
        await reconcile()
    }

    /// Watches on a thread of its own (etcd's watch is a long HTTP response), in sessions of a few seconds
    /// so a stop is noticed; each session resumes at the revision after the last one seen.
    nonisolated func startWatch(from revision: Int, generation: Int) {
        let etcd = configuration.etcd
        let prefix = configuration.prefix
        let control = control
        guard let sink = sinkForThread() else { return }
        SuperlearnerClient.onThread {
            var next = revision
            while control.generation.load(ordering: .relaxed) == generation && !control.stopped.load(ordering: .relaxed)
            {
                let end = etcd.watch(prefix: prefix, from: next, until: .now + .seconds(2)) { events, reached in
                    sink.yield(.events(events, revision: reached, generation: generation))
                    next = max(next, reached + 1)
                    return control.generation.load(ordering: .relaxed) == generation
                }
                switch end {
                case .compacted:
                    sink.yield(.resync(generation: generation))
                    return
                case .failed:
                    usleep(300_000)
                case .deadline, .stopped:
                    break
                }
            }
        }
    }

    nonisolated func sinkForThread() -> AsyncStream<Signal>.Continuation? {
        control.sink.withLock { $0 }
    }

    func handle(_ signal: Signal) async {
        switch signal {
        case .tick:
            await reconcile()
        case .resync(let generation):
            guard generation == control.generation.load(ordering: .relaxed) else { return }
            try? await resync()
        case .events(let events, _, let generation):
            guard generation == control.generation.load(ordering: .relaxed) else { return }
            for event in events { apply(event) }
            await reconcile()
        }
    }

    enum KeyKind {
        case node(String)
        case spec(String)
        case owner(String)
        case other
    }

    func parse(_ key: String) -> KeyKind {
        guard key.hasPrefix(prefix) else { return .other }
        let rest = key.dropFirst(prefix.count)
        if rest.hasPrefix("nodes/") { return .node(String(rest.dropFirst("nodes/".count))) }
        if rest.hasPrefix("sandboxes/") {
            let parts = rest.dropFirst("sandboxes/".count).split(separator: "/")
            guard parts.count == 2 else { return .other }
            if parts[1] == "spec" { return .spec(String(parts[0])) }
            if parts[1] == "owner" { return .owner(String(parts[0])) }
        }
        return .other
    }

    func decodeNode(_ value: EtcdKeyValue) -> Node? {
        guard let term = try? Term(json: value.value), let name = term["name"]?.stringValue,
            let url = term["url"]?.stringValue
        else { return nil }
        return Node(
            name: name, url: url, pid: term["pid"]?.intValue ?? 0, version: term["version"]?.stringValue ?? "",
            startedAt: term["started_at"]?.doubleValue ?? 0, lease: value.lease)
    }

    func decodeOwner(_ value: EtcdKeyValue) -> Owner? {
        guard let term = try? Term(json: value.value), let node = term["node"]?.stringValue else { return nil }
        return Owner(node: node, lease: value.lease, token: value.createRevision)
    }

    func apply(_ event: EtcdWatchEvent) {
        switch event {
        case .put(let value):
            switch parse(value.key) {
            case .node(let name):
                guard let node = decodeNode(value) else { return }
                if nodes[name] == nil {
                    telemetry.bus.emit(
                        EventName.clusterNodeUp, metadata: ["node": .string(name), "url": .string(node.url)])
                }
                nodes[name] = node
            case .spec(let id): desired[id] = DesiredSandbox(json: value.value)
            case .owner(let id): owners[id] = decodeOwner(value)
            case .other: break
            }
        case .delete(let key, _):
            switch parse(key) {
            case .node(let name):
                if nodes.removeValue(forKey: name) != nil {
                    telemetry.bus.emit(EventName.clusterNodeDown, metadata: ["node": .string(name)])
                }
            case .spec(let id): desired[id] = nil
            case .owner(let id):
                if let owner = owners.removeValue(forKey: id) { previousOwner[id] = owner.node }
            case .other: break
            }
        }
    }

    // MARK: Ownership

    /// The live node rendezvous hashing picks for `id`: the highest score of hash(id, node) wins, so every
    /// node computes the same answer and a node's death moves only its own sandboxes.
    static func successor(of id: String, among names: [String]) -> String? {
        names.max { score(id, $0) < score(id, $1) }
    }

    static func score(_ id: String, _ node: String) -> UInt64 {
        // FNV-1a: stable across processes, unlike Swift's seeded Hasher.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(id.utf8) + [0] + Array(node.utf8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    func target(for id: String, _ sandbox: DesiredSandbox) -> String? {
        let live = nodes.keys.sorted()
        if case .node(let name) = sandbox.placement, live.contains(name) { return name }
        return Self.successor(of: id, among: live)
    }

    /// Makes this node run exactly the distributed sandboxes it owns.
    func reconcile() async {
        guard isolation == nil, let lease else { return }
        for (id, sandbox) in desired {
            if let owner = owners[id] {
                unownedSince[id] = nil
                if owner.node == me && owner.lease == lease {
                    if running[id] == nil { await startLocally(id, sandbox, token: owner.token) }
                } else if running[id] != nil {
                    await stopLocally(id, reason: "owned by \(owner.node) now (token \(owner.token))")
                }
                continue
            }
            if running[id] != nil { await stopLocally(id, reason: "its ownership ended") }
            let since = unownedSince[id] ?? .now
            unownedSince[id] = since
            let jitter = claimJitter[id] ?? .milliseconds(Int.random(in: 0...1000))
            claimJitter[id] = jitter
            guard target(for: id, sandbox) == me || ContinuousClock.now - since > configuration.claimGrace + jitter
            else { continue }
            await claim(id, sandbox, lease: lease)
        }
        for id in running.keys where desired[id] == nil {
            let token = running[id] ?? 0
            await stopLocally(id, reason: "destroyed")
            _ = try? await configuration.etcd.delete(ownerKey(id), ifCreatedAt: token)
        }
    }

    func claim(_ id: String, _ sandbox: DesiredSandbox, lease: String) async {
        let value: Term = ["node": .string(me), "since": .double(SystemClock.wallSeconds())]
        guard let token = try? await configuration.etcd.createIfAbsent(ownerKey(id), value: value.json, lease: lease)
        else { return }
        owners[id] = Owner(node: me, lease: lease, token: token)
        unownedSince[id] = nil
        claimJitter[id] = nil
        if let from = previousOwner.removeValue(forKey: id), from != me || running[id] == nil {
            telemetry.bus.emit(
                EventName.sandboxFailover,
                metadata: [
                    "sandbox_id": .string(id), "from": .string(from), "to": .string(me),
                    "reason": "owner_lease_expired", "token": .int(token),
                ])
        } else {
            telemetry.bus.emit(
                EventName.sandboxClaimed,
                metadata: ["sandbox_id": .string(id), "node": .string(me), "token": .int(token)])
        }
        await startLocally(id, sandbox, token: token)
    }

    func startLocally(_ id: String, _ sandbox: DesiredSandbox, token: Int) async {
        guard !starting.contains(id) else { return }
        starting.insert(id)
        defer { starting.remove(id) }
        do throws(SandboxError) {
            let spec: SandboxSpec
            do throws(SpecError) {
                spec = try SandboxSpec(term: sandbox.spec)
            } catch {
                throw .invalidSpec(error)
            }
            try await sandboxes.create(
                id: id, spec: spec, template: sandbox.template, config: sandbox.config, fencingToken: token)
            running[id] = token
        } catch {
            logger.error(
                "could not start a distributed sandbox",
                metadata: ["id": .string(id), "error": .string(error.description)])
            // Marked as running all the same, so it is not retried in a loop; its owner key says who holds it.
            running[id] = token
        }
    }

    func stopLocally(_ id: String, reason: String) async {
        running[id] = nil
        guard (try? sandboxes.info(id))?.fencingToken != nil else { return }
        try? await sandboxes.destroy(id)
        telemetry.bus.emit(EventName.sandboxFenced, metadata: ["sandbox_id": .string(id), "reason": .string(reason)])
    }

    /// Stops every distributed sandbox here and forgets the lease, until etcd answers again.
    func fence(_ reason: String) async {
        guard isolation == nil else { return }
        isolation = reason
        fenced = true
        previousLease = lease
        lease = nil
        control.generation.add(1, ordering: .relaxed)
        telemetry.bus.emit(EventName.clusterIsolated, metadata: ["node": .string(me), "reason": .string(reason)])
        logger.warning("isolated from the cluster", metadata: ["reason": .string(reason)])
        for id in Array(running.keys) { await stopLocally(id, reason: "this node is isolated: \(reason)") }
    }

    func leave() async {
        for id in Array(running.keys) { await stopLocally(id, reason: "the node is stopping") }
        if let lease { try? await configuration.etcd.revoke(lease) }
        lease = nil
        isolation = "stopped"
    }

    // MARK: Requests

    /// The cluster as this node sees it now.
    public func snapshot() -> Snapshot {
        Snapshot(
            cluster: configuration.name, node: me, etcd: configuration.etcd.url, isRegistered: isolation == nil,
            isolation: isolation, lease: lease,
            secondsSinceRenewal: Double((ContinuousClock.now - lastRenewal).components.seconds),
            nodes: nodes, sandboxes: desired, owners: owners, running: running)
    }

    /// Whether `id` is a distributed sandbox.
    public func isDistributed(_ id: String) -> Bool { desired[id] != nil }

    /// Stores a distributed sandbox's desired state (durably, before answering) and waits until a node owns
    /// and runs it; the owner and the fencing token.
    public func create(id: String, _ sandbox: DesiredSandbox, timeout: Duration = .seconds(15))
        async throws(ClusterError)
        -> Owner
    {
        guard isolation == nil else {
            throw ClusterError(
                kind: .unavailable, description: "this node is isolated from the cluster: \(isolation ?? "")")
        }
        if case .node(let name) = sandbox.placement, nodes[name] == nil {
            throw ClusterError(kind: .invalid, description: "no live node \"\(name)\" in cluster \(configuration.name)")
        }
        if (try? sandboxes.info(id)) != nil || desired[id] != nil {
            throw ClusterError(kind: .conflict, description: "sandbox \"\(id)\" already exists")
        }
        let stored: Int?
        do {
            stored = try await configuration.etcd.createIfAbsent(specKey(id), value: sandbox.term.json, lease: nil)
        } catch {
            throw ClusterError(kind: .unavailable, description: error.description)
        }
        guard stored != nil else {
            throw ClusterError(kind: .conflict, description: "sandbox \"\(id)\" already exists in the cluster")
        }
        desired[id] = sandbox
        await reconcile()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let owner = owners[id], owner.node != me || running[id] != nil { return owner }
            try? await Task.sleep(for: .milliseconds(50))
        }
        throw ClusterError(kind: .timeout, description: "no node took sandbox \"\(id)\" within \(timeout)")
    }

    /// Deletes a distributed sandbox's desired state; its owner stops it. Waits until no node owns it.
    public func destroy(id: String, timeout: Duration = .seconds(15)) async throws(ClusterError) {
        guard desired[id] != nil else {
            throw ClusterError(kind: .notFound, description: "no distributed sandbox \"\(id)\"")
        }
        do {
            try await configuration.etcd.delete(specKey(id))
        } catch {
            throw ClusterError(kind: .unavailable, description: error.description)
        }
        desired[id] = nil
        await reconcile()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if owners[id] == nil { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        throw ClusterError(kind: .timeout, description: "sandbox \"\(id)\" was still owned after \(timeout)")
    }

    /// Writes `config` into a distributed sandbox's desired state, only while this node owns it under the
    /// token it runs it with (one transaction comparing the owner key's create revision).
    public func storeConfig(id: String, _ config: [String: Term]) async throws(ClusterError) {
        guard var sandbox = desired[id], let token = running[id] else {
            throw ClusterError(kind: .notFound, description: "this node does not own distributed sandbox \"\(id)\"")
        }
        sandbox.config = config
        let stored: Bool
        do {
            stored = try await configuration.etcd.put(
                specKey(id), sandbox.term.json, ifKey: ownerKey(id), wasCreatedAt: token)
        } catch {
            throw ClusterError(kind: .unavailable, description: error.description)
        }
        guard stored else {
            throw ClusterError(
                kind: .conflict, description: "sandbox \"\(id)\" changed owner (this node's token \(token) is stale)")
        }
        desired[id] = sandbox
    }

    /// A client for a peer's API, with the cluster's token.
    public func peer(_ name: String, timeout: Duration = .seconds(3)) -> SuperlearnerClient? {
        guard let node = nodes[name], node.url.hasPrefix("http://") else { return nil }
        let authority = node.url.dropFirst("http://".count).split(separator: "/").first ?? ""
        let parts = authority.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { return nil }
        return SuperlearnerClient(
            endpoint: .tcp(host: String(parts[0]), port: port, token: configuration.token), timeout: timeout)
    }
}

/// What the watch thread and the actor share.
final class WatchControl: Sendable {
    let generation = Atomic<Int>(0)
    let stopped = Atomic<Bool>(false)
    let sink = Mutex<AsyncStream<ClusterMember.Signal>.Continuation?>(nil)
}
