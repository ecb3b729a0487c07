import Arsenal
import ArsenalHTTP
import AsyncAlgorithms
import CSuperlearner
import Cluster
import CoreMetrics
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import Programs
import Sandbox
import ServiceLifecycle
import SuperlearnerAPI
import SuperlearnerClient
import Supervision
import Synchronization
import Telemetry
import UnixSignals

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `superlearner server run`: the runtime, the sandboxes and the API, served on a Unix socket (and TCP),
/// with state in SQLite that survives a crash.
///
/// ```swift
/// let daemon = Daemon(configuration: DaemonConfiguration(paths: .resolve()))
/// try await daemon.run()   // until SIGTERM, SIGINT or POST /api/v1/daemon/stop
/// ```
public final class Daemon: Sendable {
    /// How it runs.
    public let configuration: DaemonConfiguration
    let logger: Logger
    let group = Mutex<ServiceGroup?>(nil)
    let startedAt = SystemClock.wallSeconds()
    /// Which listeners are up: the daemon is ready (`GET /api/v1/daemon/ready`) once all of them are.
    let listeners = Mutex(Listeners())

    struct Listeners {
        var socket = false
        /// The TCP port actually bound (the one chosen by the system for `--port 0`).
        var tcpPort: Int? = nil
    }

    /// Whether every configured listener accepts connections.
    var isReady: Bool {
        listeners.withLock { $0.socket && (configuration.port == nil || $0.tcpPort != nil) }
    }

    /// Creates a daemon.
    public init(configuration: DaemonConfiguration, logger: Logger = Logger(label: "superlearner.daemon")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until a graceful shutdown: SIGTERM, SIGINT or `POST /api/v1/daemon/stop`.
    /// - Throws: `DaemonError` when another daemon owns the home, the token rules are not met, or files
    ///   cannot be prepared; `StateStoreError` when the database cannot be opened.
    public func run() async throws {
        let paths = configuration.paths
        do {
            try paths.createHome()
        } catch {
            throw DaemonError.io(error.description)
        }
        // Every file the daemon creates from here on — the socket (bound before anyone can connect), the
        // database, the pid file — is 0600 from birth, so no client ever sees a wider mode.
        umask(0o177)
        let token = try resolveToken()
        try claimSocket()
        let pidText = "\(getpid())\n"
        guard TextFile.write(pidText, to: paths.pidFile) else { throw DaemonError.io("cannot write \(paths.pidFile)") }

        let runtime = Runtime(nodeName: configuration.nodeName)
        let telemetry = Telemetry()
        telemetry.observe(runtime)
        let store = try await StateStore(path: paths.database)
        let storeTotals = Mutex((commits: 0, writes: 0))
        telemetry.addSampler { metrics in
            storeTotals.withLock { last in
                let now = (commits: store.commitCount, writes: store.writeCount)
                metrics.counter("superlearner_state_commits_total").increment(by: Int64(now.commits - last.commits))
                metrics.counter("superlearner_state_writes_total").increment(by: Int64(now.writes - last.writes))
                last = now
            }
            metrics.gauge("superlearner_heap_bytes").record(Int64(clamping: sl_heap_in_use()))
        }
        let decisions = DecisionStore(store: store)
        telemetry.keepDecisions(in: decisions)
        // Programs a crashed daemon on this home started are unsupervised now: stop them before the
        // sandboxes are restored, so that none runs twice.
        let programs = ProgramHost(logsDirectory: paths.programLogs, marker: paths.home)
        let orphans = await programs.stopOrphans()
        if !orphans.isEmpty {
            logger.warning(
                "stopped programs left by a previous daemon", metadata: ["pids": .string("\(orphans)")])
        }
        let sandboxes = SandboxManager(
            runtime: runtime, telemetry: telemetry, persistence: store, programs: programs)
        let member = try clusterMember(sandboxes: sandboxes, telemetry: telemetry, token: token)
        let context = OperationContext(
            runtime: runtime, sandboxes: sandboxes, telemetry: telemetry,
            allowDestructive: configuration.allowDestructive, readOnly: configuration.readOnly, cluster: member)
        let registry = OperationRegistry.builtin()
        await restore(from: store, into: sandboxes, telemetry: telemetry)

        let arsenal = ArsenalResponder(
            registry: registry, context: context, maximumBodyBytes: configuration.maximumBodyBytes,
            bodyTimeout: configuration.bodyTimeout)
        let status = DaemonStatus(daemon: self, sandboxes: sandboxes, runtime: runtime)
        let events = EventStream(bus: telemetry.bus, maximumSubscribers: configuration.maximumEventSubscribers)
        let dashboard = Dashboard(
            readOnly: configuration.readOnly,
            allowsDestructive: configuration.allowDestructiveUI && !configuration.readOnly,
            node: configuration.nodeName)
        // A connection that has not sent a whole request head within the timeout (or idles that long
        // between requests) is closed; each listener serves a bounded number of connections at once.
        let server = HTTPServerBuilder.http1(
            configuration: .init(idleTimeout: TimeAmount(configuration.requestHeadTimeout)))
        func limits(_ address: BindAddress, _ name: String) -> ApplicationConfiguration {
            ApplicationConfiguration(
                address: address, serverName: "superlearner",
                availableConnectionsDelegate: ConnectionCap(
                    configuration.maximumConnections, listener: name, logger: logger))
        }
        // The socket is what the command line talks to, one short request per command: its connections are
        // accepted, read, answered and written on one event loop (see EventLoopTaskExecutor), by NIO's HTTP/1
        // parser and our SocketConnectionHandler (see SocketServer); TCP, for browsers and peers, stays on
        // Hummingbird.
        let socketLoop = MultiThreadedEventLoopGroup.singleton.next()
        var services: [any Service] = [
            ServiceOnExecutor(
                service: SocketServer(
                    path: paths.socket, loop: socketLoop,
                    responder: DaemonResponder(
                        arsenal: arsenal, status: status, events: events, guards: [JSONBodiesOnly()],
                        dashboard: dashboard),
                    maximumConnections: configuration.maximumConnections,
                    maximumBodyBytes: configuration.maximumBodyBytes, idleTimeout: configuration.requestHeadTimeout,
                    bodyTimeout: configuration.bodyTimeout, logger: logger,
                    onRunning: { [self, logger, paths] in
                        chmod(paths.socket, 0o600)
                        listeners.withLock { $0.socket = true }
                        logger.info("listening", metadata: ["socket": .string(paths.socket)])
                    }),
                executor: EventLoopTaskExecutor(loop: socketLoop))
        ]
        if let port = configuration.port {
            let names = ListenerNames(
                host: configuration.host, isLoopback: configuration.isLoopback, extra: configuration.allowedHosts)
            let guards: [any RouteMiddleware] = [
                BrowserGuard(names: names),
                TokenAuthentication(
                    token: token, sessions: SessionStore(), allowsDestructive: configuration.allowDestructiveUI),
                JSONBodiesOnly(),
            ]
            services.append(
                Application(
                    responder: DaemonResponder(
                        arsenal: arsenal, status: status, events: events, guards: guards,
                        dashboard: dashboard),
                    server: server,
                    configuration: limits(.hostname(configuration.host, port: port), "tcp"),
                    onServerRunning: { [self, logger, configuration] channel in
                        let bound = channel.localAddress?.port ?? port
                        names.bound(port: bound)
                        listeners.withLock { $0.tcpPort = bound }
                        logger.info("listening", metadata: ["tcp": .string("\(configuration.host):\(bound)")])
                    },
                    logger: logger))
        }
        services.append(
            MetricHistoryService(
                telemetry: telemetry, runtime: runtime, sandboxes: sandboxes, archive: store, decisions: decisions,
                interval: .seconds(1)))
        if let member {
            // Before the shutdown service in the list, so told after it: the sandboxes stop first, then the
            // lease is revoked and the other nodes take them over.
            services.append(ClusterService(member: member))
        }
        // Last in the list, so the first told to shut down: refuse new work, then stop every tree in order.
        services.append(
            ShutdownService(
                context: context, sandboxes: sandboxes, logger: logger, timeout: configuration.shutdownTimeout))
        // A listener that fails (a TCP port in use) shuts the others down gracefully: cancelling a server
        // with an accepted connection still buffered traps in NIO ("Deinited NIOAsyncWriter without calling
        // finish()", apple/swift-nio#3481), and a readiness probe may be exactly that connection.
        let configurations = services.map {
            ServiceGroupConfiguration.ServiceConfiguration(
                service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: configurations, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        group.withLock { $0 = serviceGroup }
        logger.info(
            "daemon started",
            metadata: [
                "pid": .string("\(getpid())"), "home": .string(paths.home),
            ])
        defer {
            unlink(paths.socket)
            unlink(paths.pidFile)
        }
        do {
            try await serviceGroup.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            await store.close()
            throw DaemonError.addressInUse(host: configuration.host, port: configuration.port ?? 0)
        }
        await store.close()
        logger.info("daemon stopped")
    }

    /// The cluster membership the configuration asks for: a node needs TCP (its peers call it there) and an
    /// etcd URL it can parse.
    func clusterMember(sandboxes: SandboxManager, telemetry: Telemetry, token: String) throws -> ClusterMember? {
        guard let settings = configuration.cluster else { return nil }
        guard configuration.port != nil else {
            throw DaemonError.cluster("a cluster node needs TCP for its peers: add --port (0 picks a free one)")
        }
        guard let etcd = EtcdClient(url: settings.etcd) else {
            throw DaemonError.cluster("--etcd must be an http://HOST:PORT URL, got \(settings.etcd)")
        }
        let host = configuration.host
        return ClusterMember(
            configuration: ClusterConfiguration(
                etcd: etcd, name: settings.name, node: configuration.nodeName, token: token,
                leaseSeconds: settings.leaseSeconds),
            sandboxes: sandboxes, telemetry: telemetry, logger: logger,
            address: { [self] in
                listeners.withLock(\.tcpPort).map { "http://\(host):\($0)" }
            })
    }

    /// Asks the daemon to stop gracefully (what `POST /api/v1/daemon/stop` does).
    func stop() async {
        if let group = group.withLock({ $0 }) { await group.triggerGracefulShutdown() }
    }

    /// Rebuilds every stored sandbox with fresh processes and the same spec and config.
    func restore(from store: StateStore, into sandboxes: SandboxManager, telemetry: Telemetry) async {
        let rows: [StateStore.Row]
        do {
            rows = try await store.all()
        } catch {
            logger.error("could not read stored sandboxes", metadata: ["error": .string("\(error)")])
            return
        }
        for row in rows {
            switch row {
            case .record(let record):
                do {
                    _ = try await sandboxes.create(
                        id: record.id, spec: record.spec, template: record.template, config: record.config,
                        createdAt: record.createdAt, restartCount: record.restartCount, persist: false,
                        versions: record.versions)
                    logger.info("restored sandbox", metadata: ["id": .string(record.id)])
                } catch {
                    telemetry.bus.emit(
                        EventName.sandboxRestoreFailed,
                        metadata: ["sandbox_id": .string(record.id), "reason": .string(error.description)])
                    logger.error(
                        "could not restore sandbox",
                        metadata: ["id": .string(record.id), "error": .string(error.description)])
                }
            case .unreadable(let id, let reason):
                telemetry.bus.emit(
                    EventName.sandboxRestoreFailed, metadata: ["sandbox_id": .string(id), "reason": .string(reason)])
                logger.error("stored sandbox is unreadable", metadata: ["id": .string(id), "error": .string(reason)])
            }
        }
        telemetry.bus.emit(EventName.daemonRestore, measurements: ["sandboxes": Double(sandboxes.count)])
    }

    /// Refuses to steal a live daemon's socket; removes a stale one (no one accepts on it).
    ///
    /// Hummingbird unlinks an existing socket file when it binds, so this check must come first. Liveness
    /// is judged by connecting, not by the pid file: an exited daemon can linger as a zombie.
    func claimSocket() throws {
        let paths = configuration.paths
        let client = SuperlearnerClient(endpoint: .unix(paths.socket), timeout: .seconds(1))
        if client.isReachable() {
            let pid = TextFile.read(paths.pidFile)?.trimmingWhitespace() ?? "unknown"
            throw DaemonError.alreadyRunning(socket: paths.socket, pid: pid.isEmpty ? "unknown" : pid)
        }
        unlink(paths.socket)
        if paths.socket.utf8.count >= 108 {
            throw DaemonError.io(
                "the socket path is too long for a Unix socket (\(paths.socket.utf8.count) bytes, at most 107): \(paths.socket)"
            )
        }
    }

    /// The TCP token: `SUPERLEARNER_TOKEN` (the configured one), else the 0600 token file's, created with a
    /// new random token at first start. Off loopback only a token chosen for it will do.
    func resolveToken() throws -> String {
        if let token = configuration.token, !token.isEmpty { return token }
        if configuration.port != nil && !configuration.isLoopback {
            throw DaemonError.tokenRequired(host: configuration.host)
        }
        return try AccessToken.loadOrCreate(at: configuration.paths.tokenFile)
    }
}

/// The service that, on graceful shutdown, refuses new operations (503) and stops every sandbox tree in
/// order, keeping them in storage so the next start restores them.
struct ShutdownService: Service {
    let context: OperationContext
    let sandboxes: SandboxManager
    let logger: Logger
    let timeout: Duration

    func run() async throws {
        try? await gracefulShutdown()
        context.shuttingDown.store(true, ordering: .relaxed)
        logger.info("stopping sandboxes", metadata: ["count": .string("\(sandboxes.count)")])
        await sandboxes.stopAll()
    }
}

/// Keeps the daemon in its cluster until a graceful stop; then the member gives up what it owns.
struct ClusterService: Service {
    let member: ClusterMember

    func run() async throws {
        await withGracefulShutdownHandler {
            await member.run()
        } onGracefulShutdown: {
            member.stop()
        }
    }
}

/// Closes a tick of the telemetry's chart history every `interval` until the daemon stops; the same ticks
/// write kept decisions and give freed memory back to the kernel.
struct MetricHistoryService: Service {
    let telemetry: Telemetry
    let runtime: Runtime
    let sandboxes: SandboxManager
    let archive: StateStore
    let decisions: DecisionStore
    let interval: Duration

    func run() async throws {
        // A restarted daemon's charts start from what the last one kept.
        await telemetry.history.attach(archive)
        telemetry.sampleHistory(runtime, sandboxes: sandboxes.count)
        var ticks = 0
        for await _ in AsyncTimerSequence(interval: interval, clock: .continuous).cancelOnGracefulShutdown() {
            telemetry.sampleHistory(runtime, sandboxes: sandboxes.count)
            ticks += 1
            // Written every other second in one transaction: a kill -9 loses at most two samples.
            if ticks % 2 == 0 {
                await telemetry.history.flush()
                await decisions.flush()
            }
            // The runtime tunes glibc to keep freed memory for the next burst of spawns, so a daemon's RSS
            // would only ever ratchet up to its busiest moment: `make soak` grew 2.5 MB in steps that
            // malloc_trim gave back at once. Every ten seconds the free pages go back instead.
            if ticks % 10 == 0 { AllocatorTuning.releaseFreeMemory() }
        }
        await telemetry.history.flush()
        await decisions.flush()
    }
}

/// What `GET /api/v1/daemon` reports.
struct DaemonStatus: Sendable {
    let daemon: Daemon
    let sandboxes: SandboxManager
    let runtime: Runtime

    var report: DaemonStatusReport {
        let configuration = daemon.configuration
        return DaemonStatusReport(
            pid: Int(getpid()), version: Superlearner.version, node: runtime.nodeName,
            socket: configuration.paths.socket,
            home: configuration.paths.home, host: configuration.port == nil ? nil : configuration.host,
            port: daemon.listeners.withLock(\.tcpPort) ?? configuration.port, ready: daemon.isReady,
            startedAt: daemon.startedAt, uptimeSeconds: SystemClock.wallSeconds() - daemon.startedAt,
            sandboxes: sandboxes.count, processes: runtime.processCount)
    }

    var term: Term { report.term }
}
