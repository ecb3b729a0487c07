import Logging
import SuperlearnerAPI
import SuperlearnerClient
import SuperlearnerDaemon
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// `superlearner server …`: start, stop and inspect the daemon.
enum ServerCommands {
    static let spec = CommandSpec(
        "server", "start, stop and inspect the daemon",
        subcommands: [
            .named("start", Start.spec), .named("stop", Stop.spec), .named("status", Status.spec),
            .named("run", Run.spec), .named("logs", Logs.spec),
        ])

    static let flags: [FlagSpec] = [
        FlagSpec("port", "also listen on TCP (for the dashboard)", value: .integer, placeholder: "PORT"),
        FlagSpec(
            "host", "the TCP host (default 127.0.0.1; others need SUPERLEARNER_TOKEN)", value: .string,
            placeholder: "HOST"),
        FlagSpec(
            "allow-host", "another name TCP requests may address in Host (repeatable)", value: .string,
            placeholder: "NAME",
            repeatable: true),
        FlagSpec(
            "allow-destructive-ui",
            "let the dashboard kill, stop, terminate, destroy and run experiments (each confirmed)"),
        FlagSpec(
            "read-only", "refuse every operation that changes something (403 read_only); the dashboard only shows"),
        FlagSpec(
            "etcd", "join the cluster whose etcd answers here (remembered in the home's cluster.json)",
            value: .string, placeholder: "URL"),
        FlagSpec("cluster", "the cluster's name (default: default)", value: .string, placeholder: "NAME"),
        FlagSpec(
            "node-name", "this node's name in the cluster (default: $SUPERLEARNER_NODE)", value: .string,
            placeholder: "NAME"),
        FlagSpec(
            "lease-ttl", "seconds a dead node keeps its sandboxes (default 6)", value: .integer, placeholder: "SECONDS"),
    ]

    /// The listener flags of `start` and `run`.
    struct Listeners {
        let port: Int?
        let host: String?
        let allowHosts: [String]
        let allowDestructiveUI: Bool
        let readOnly: Bool
        let etcd: String?
        let cluster: String?
        let nodeName: String?
        let leaseTTL: Int?

        init(_ input: CommandInput) {
            etcd = input.flag("etcd")
            cluster = input.flag("cluster")
            nodeName = input.flag("node-name")
            leaseTTL = input.integer("lease-ttl")
            port = input.integer("port")
            host = input.flag("host")
            allowHosts = input.flags("allow-host")
            allowDestructiveUI = input.has("allow-destructive-ui")
            readOnly = input.has("read-only")
        }

        /// The same flags for `server run`.
        var arguments: [String] {
            var arguments: [String] = []
            if let port { arguments += ["--port", String(port)] }
            if let host { arguments += ["--host", host] }
            for name in allowHosts { arguments += ["--allow-host", name] }
            if allowDestructiveUI { arguments.append("--allow-destructive-ui") }
            if readOnly { arguments.append("--read-only") }
            if let etcd { arguments += ["--etcd", etcd] }
            if let cluster { arguments += ["--cluster", cluster] }
            if let nodeName { arguments += ["--node-name", nodeName] }
            if let leaseTTL { arguments += ["--lease-ttl", String(leaseTTL)] }
            return arguments
        }
    }

    /// The daemon's status (`APIRoutes.daemonStatus`) without autostart: the reply as sent and as read.
    @MainActor
    static func daemonStatus(_ context: CommandContext) throws -> (data: Term, value: DaemonStatusReport) {
        let data: Term
        do {
            let response = try context.client.request(APIRoutes.daemonStatus)
            data = (try? Term(jsonBytes: response.body))?["data"] ?? .null
        } catch {
            throw CLIError(exit: .unreachable, code: "unreachable", message: error.description)
        }
        return (
            data, try CommandContext.decode(data, as: DaemonStatusReport.self, from: APIRoutes.daemonStatus.description)
        )
    }

    struct Start: Command {
        static let spec = CommandSpec("start", "start the daemon in the background", flags: flags, command: Self.self)

        let listeners: Listeners
        init(_ input: CommandInput) { listeners = Listeners(input) }

        func run(_ context: CommandContext) throws {
            let paths = context.paths
            if context.client.isReachable() {
                let (data, status) = try daemonStatus(context)
                context.output.data(data) {
                    "the daemon is already running (pid \(status.pid), socket \(paths.socket))"
                }
                return
            }
            let pid: Int32
            do {
                pid = try DaemonLauncher.start(
                    arguments: ["server", "run", "--socket", paths.socket] + listeners.arguments, paths: paths)
            } catch {
                throw CLIError(exit: .failure, code: "start_failed", message: "could not start the daemon: \(error)")
            }
            // The port the daemon bound (the system's choice for --port 0), from the daemon itself.
            let port = listeners.port == nil ? nil : (try? daemonStatus(context))?.value.port
            // The dashboard's login URL, as Jupyter prints one: the token once, exchanged for a cookie.
            let token =
                SuperlearnerPaths.environmentVariable("SUPERLEARNER_TOKEN").flatMap { $0.isEmpty ? nil : $0 }
                ?? TextFile.read(paths.tokenFile)?.trimmingWhitespace()
            let url = port.flatMap { port in
                token.map { "http://\(listeners.host ?? "127.0.0.1"):\(port)/?token=\($0)" }
            }
            let started: Term = [
                "pid": .int(Int(pid)), "socket": .string(paths.socket), "log": .string(paths.logFile),
                "port": port.map(Term.int) ?? .null, "dashboard_url": url.map(Term.string) ?? .null,
            ]
            context.output.data(started) {
                var line =
                    "started the daemon (pid \(pid), socket \(paths.socket)\(port.map { ", tcp \(listeners.host ?? "127.0.0.1"):\($0)" } ?? ""))"
                if let url { line += "\ndashboard: \(url)" }
                return line
            }
        }
    }

    struct Stop: Command {
        static let spec = CommandSpec(
            "stop", "stop the daemon gracefully (sandboxes shut down in order)", command: Self.self)

        init(_ input: CommandInput) {}

        func run(_ context: CommandContext) throws {
            guard context.client.isReachable() else {
                throw CLIError(
                    exit: .unreachable, code: "unreachable", message: "no daemon answers at \(context.paths.socket)")
            }
            let answer = try context.call(APIRoutes.daemonStop)
            let deadline = ContinuousClock.now + .seconds(30)
            while context.client.isReachable() {
                guard ContinuousClock.now < deadline else {
                    throw CLIError(
                        exit: .timedOut, code: "timeout", message: "the daemon is still answering after 30 s")
                }
                usleep(20_000)
            }
            // The socket closes before the daemon has finished (its state file, its last log line): "stopped"
            // means the process is gone, so a script can start another at once or read the whole log.
            if case .int(let pid)? = answer["pid"], pid > 0 {
                while kill(pid_t(pid), 0) == 0 {
                    guard ContinuousClock.now < deadline else {
                        throw CLIError(
                            exit: .timedOut, code: "timeout",
                            message: "the daemon (pid \(pid)) is still running after 30 s")
                    }
                    usleep(5_000)
                }
            }
            context.output.data(["stopped": true, "pid": answer["pid"] ?? .null]) {
                "stopped the daemon (pid \(answer["pid"]?.plain ?? "?"))"
            }
        }
    }

    struct Status: Command {
        static let spec = CommandSpec(
            "status", "the daemon's pid, uptime and sandboxes (exit 1 when a sandbox has failed, 5 when none runs)",
            command: Self.self)

        init(_ input: CommandInput) {}

        func run(_ context: CommandContext) throws {
            guard context.client.isReachable() else {
                throw CLIError(
                    exit: .unreachable, code: "unreachable", message: "no daemon answers at \(context.paths.socket)")
            }
            let (data, status) = try daemonStatus(context)
            context.output.data(data) {
                [
                    "running     pid \(status.pid), version \(status.version)",
                    "uptime      \(Int(status.uptimeSeconds)) s",
                    "socket      \(status.socket)",
                    "port        \(status.port.map(String.init) ?? "-")",
                    "sandboxes   \(status.sandboxes)",
                    "processes   \(status.processes)",
                ].joined(separator: "\n")
            }
            // Health as an exit code: a failed sandbox makes the daemon degraded (usable as a health check).
            let failed =
                (try? context.call(.listSandboxes, autostart: false))?.arrayValue?.filter {
                    $0["status"] == "failed"
                } ?? []
            if !failed.isEmpty {
                throw CLIError(
                    exit: .failure, code: "degraded",
                    message: "degraded: "
                        + failed.map {
                            "sandbox \($0["id"]?.plain ?? "?") failed (\($0["failure_reason"]?.plain ?? "?"))"
                        }
                        .joined(separator: "; "))
            }
        }
    }

    struct Run: Command {
        static let spec = CommandSpec(
            "run", "run the daemon in the foreground (for systemd and containers)", flags: flags, command: Self.self)

        let listeners: Listeners
        init(_ input: CommandInput) { listeners = Listeners(input) }

        func run(_ context: CommandContext) async throws {
            if let port = listeners.port, !(0...65535).contains(port) {
                throw CLIError(exit: .usage, code: "usage", message: "--port must be 0 to 65535, got \(port)")
            }
            let environment = SuperlearnerPaths.currentEnvironment()
            var configuration = DaemonConfiguration(
                paths: context.paths, host: listeners.host ?? "127.0.0.1", port: listeners.port,
                token: environment["SUPERLEARNER_TOKEN"], readOnly: listeners.readOnly,
                allowDestructiveUI: listeners.allowDestructiveUI,
                nodeName: environment["SUPERLEARNER_NODE"] ?? "superlearner@localhost",
                allowedHosts: listeners.allowHosts)
            try Self.applyLimits(environment, to: &configuration)
            if let membership = try ClusterMembership.resolve(listeners, home: context.paths.home) {
                configuration.cluster = .init(
                    etcd: membership.etcd, name: membership.cluster, leaseSeconds: membership.leaseSeconds)
                configuration.nodeName = listeners.nodeName ?? membership.node ?? configuration.nodeName
                // A node restarted without flags (autostart, by hand) still needs TCP for its peers.
                configuration.port = configuration.port ?? 0
            } else if let nodeName = listeners.nodeName {
                configuration.nodeName = nodeName
            }
            var logger = Logger(label: "superlearner.daemon")
            logger.logLevel = Logger.Level(rawValue: environment["SUPERLEARNER_LOG_LEVEL"] ?? "info") ?? .info
            do {
                try await Daemon(configuration: configuration, logger: logger).run()
            } catch let error as DaemonError {
                switch error {
                case .alreadyRunning:
                    throw CLIError(exit: .conflict, code: "already_running", message: error.description)
                case .tokenRequired, .insecureTokenFile:
                    throw CLIError(exit: .usage, code: "token_required", message: error.description)
                case .io: throw CLIError(exit: .failure, code: "io_error", message: error.description)
                case .addressInUse: throw CLIError(exit: .conflict, code: "address_in_use", message: error.description)
                case .cluster: throw CLIError(exit: .usage, code: "cluster", message: error.description)
                }
            }
        }

        /// The limits an operator may tune from the environment (docs/security.md): how long a connection may
        /// take to send a request head, how many connections and event-stream readers are served at once.
        static func applyLimits(_ environment: [String: String], to configuration: inout DaemonConfiguration) throws {
            if let text = environment["SUPERLEARNER_REQUEST_HEAD_TIMEOUT"], !text.isEmpty {
                guard let timeout = Duration.parse(text), timeout > .zero else {
                    throw CLIError(
                        exit: .usage, code: "usage",
                        message: "SUPERLEARNER_REQUEST_HEAD_TIMEOUT must be a duration such as 5s, got '\(text)'")
                }
                configuration.requestHeadTimeout = timeout
            }
            for (name, keyPath) in [
                ("SUPERLEARNER_MAX_CONNECTIONS", \DaemonConfiguration.maximumConnections),
                ("SUPERLEARNER_MAX_EVENT_SUBSCRIBERS", \DaemonConfiguration.maximumEventSubscribers),
            ] {
                guard let text = environment[name], !text.isEmpty else { continue }
                guard let value = Int(text), value >= 1 else {
                    throw CLIError(
                        exit: .usage, code: "usage",
                        message: "\(name) must be a whole number of at least 1, got '\(text)'")
                }
                configuration[keyPath: keyPath] = value
            }
        }
    }

    struct Logs: Command {
        static let spec = CommandSpec(
            "logs", "print the daemon's log",
            flags: [FlagSpec("lines", short: "n", "the last N lines (default 50)", value: .integer, placeholder: "N")],
            command: Self.self)

        let count: Int
        init(_ input: CommandInput) { count = input.integer("lines") ?? 50 }

        func run(_ context: CommandContext) throws {
            let path = context.paths.logFile
            guard let file = fopen(path, "r") else {
                throw CLIError(exit: .notFound, code: "not_found", message: "no log at \(path)")
            }
            defer { fclose(file) }
            var lines: [String] = []
            var buffer = [CChar](repeating: 0, count: 65536)
            while fgets(&buffer, Int32(buffer.count), file) != nil {
                lines.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                if lines.count > count { lines.removeFirst() }
            }
            context.output.data(.array(lines.map { .string(String($0.dropLast($0.hasSuffix("\n") ? 1 : 0))) })) {
                lines.joined()
            }
        }
    }
}
