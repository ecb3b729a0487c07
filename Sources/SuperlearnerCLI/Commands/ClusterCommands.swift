import CSuperlearner
import Cluster
import SuperlearnerClient
import SuperlearnerDaemon
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// `superlearner cluster …`: several daemons as one, on etcd.
enum ClusterCommands {
    static let spec = CommandSpec(
        "cluster", "run several daemons as one cluster on etcd, with sandboxes that fail over",
        discussion:
            "Membership and ownership live in etcd (Debian's etcd-server): each node keeps a leased record, each distributed sandbox a durable spec and a leased owner key claimed by transaction. When a node dies its lease expires and another node rebuilds its sandboxes. Node 1 of a cluster started here is this home's own daemon, so plain commands talk to the cluster; --node NAME talks to another node.",
        subcommands: [
            .named("start", Start.spec), .named("status", Status.spec), .named("stop", Stop.spec),
            .named("join", Join.spec), .named("leave", Leave.spec), .named("health", Health.spec),
            .named("topology", Topology.spec), .named("processes", Processes.spec),
        ])

    static let nameFlag = FlagSpec("name", "the cluster's name (default local)", value: .string, placeholder: "NAME")

    /// Runs this binary with `home` as its home (the caller's other settings kept), `environment` added.
    @discardableResult
    static func runSelf(_ arguments: [String], home: String, environment extra: [String] = []) throws -> String {
        try ProcessPaths.runSelf(
            arguments, home: home,
            dropping: ["SUPERLEARNER_HOME=", "SUPERLEARNER_SOCKET=", "SUPERLEARNER_TOKEN=", "SUPERLEARNER_NODE="],
            adding: extra, errorCode: "cluster")
    }

    /// Writes `token` as `home`'s token file, readable by its owner alone.
    static func storeToken(_ token: String, in home: String) throws {
        ProcessPaths.makeFolders(home)
        chmod(home, 0o700)
        let path = home + "/token"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw CLIError(
                exit: .failure, code: "io", message: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let bytes = Array((token + "\n").utf8)
        let written = write(descriptor, bytes, bytes.count)
        fchmod(descriptor, 0o600)
        close(descriptor)
        guard written == bytes.count else {
            throw CLIError(exit: .failure, code: "io", message: "cannot write \(path)")
        }
    }

    /// The `etcd` binary: `SUPERLEARNER_ETCD`, else the first on `PATH`.
    static func etcdBinary() throws -> String {
        if let path = SuperlearnerPaths.environmentVariable("SUPERLEARNER_ETCD"), !path.isEmpty {
            guard access(path, X_OK) == 0 else {
                throw CLIError(
                    exit: .unavailable, code: "unavailable", message: "SUPERLEARNER_ETCD=\(path) is not an executable")
            }
            return path
        }
        for folder in (SuperlearnerPaths.environmentVariable("PATH") ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/etcd"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw CLIError(
            exit: .unavailable, code: "unavailable",
            message: "etcd is not installed: apt-get install etcd-server (or point SUPERLEARNER_ETCD at an etcd binary)"
        )
    }

    /// The registered nodes' names, from etcd.
    static func registered(_ etcd: EtcdClient, cluster: String) async -> [String]? {
        guard let (_, values) = try? await etcd.range(prefix: "sl/\(cluster)/nodes/") else { return nil }
        return values.map { String($0.key.dropFirst("sl/\(cluster)/nodes/".count)) }.sorted()
    }

    static func cluster(named name: String?, home: String) throws -> ClusterState {
        let all = ClusterState.all(home: home)
        if let name {
            guard let state = all.first(where: { $0.name == name }) else {
                throw CLIError(
                    exit: .notFound, code: "cluster_not_found",
                    message: "no cluster \"\(name)\" was started from \(home)")
            }
            return state
        }
        guard let state = all.first else {
            throw CLIError(
                exit: .notFound, code: "cluster_not_found",
                message: "no cluster was started from \(home); start one with 'superlearner cluster start 3'")
        }
        return state
    }

    /// `cluster start N`.
    struct Start: Command {
        static let spec = CommandSpec(
            "start", "start etcd and N daemons on loopback as one cluster",
            discussion:
                "Finds etcd (apt-get install etcd-server), runs it on free loopback ports with its data under this home (not the packaged service), starts N daemons with their own homes, node names (node1…nodeN) and TCP ports and one shared token, waits until all N are registered, and prints them. Node 1 is this home's daemon. The etcd data is kept by 'cluster stop', so distributed sandboxes come back with the next start.",
            arguments: [ArgumentSpec("N", "how many nodes (1 to 9)")],
            flags: [
                nameFlag,
                FlagSpec(
                    "lease-ttl", "seconds a dead node keeps its sandboxes before another takes them (default 6)",
                    value: .integer, placeholder: "SECONDS"),
            ],
            examples: [("superlearner cluster start 3", "etcd and three nodes on this machine")],
            command: Self.self)

        let count: String
        let name: String
        let leaseTTL: Int
        init(_ input: CommandInput) {
            count = input.required("N")
            name = input.flag("name") ?? "local"
            leaseTTL = input.integer("lease-ttl") ?? 6
        }

        func run(_ context: CommandContext) async throws {
            guard let nodes = Int(count), (1...9).contains(nodes) else {
                throw CLIError(exit: .usage, code: "usage", message: "N must be 1 to 9, got '\(count)'")
            }
            guard (2...3600).contains(leaseTTL) else {
                throw CLIError(
                    exit: .usage, code: "usage", message: "--lease-ttl must be 2 to 3600 seconds, got \(leaseTTL)")
            }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), !name.isEmpty else {
                throw CLIError(
                    exit: .usage, code: "usage", message: "--name: letters, digits, - and _ only, got '\(name)'")
            }
            let home = context.paths.home
            if let existing = ClusterState.read(home: home, name: name), existing.etcdIsRunning {
                throw CLIError(
                    exit: .conflict, code: "already_running",
                    message:
                        "cluster \(name) is already running (etcd pid \(existing.etcdPID)); see 'superlearner cluster status'"
                )
            }
            if context.client.isReachable() {
                throw CLIError(
                    exit: .conflict, code: "already_running",
                    message:
                        "a daemon already runs in \(home): stop it first ('superlearner server stop'); node1 of the cluster takes its place"
                )
            }
            let etcdPath = try ClusterCommands.etcdBinary()
            let folder = ClusterState.folder(home: home, name: name)
            let data = folder + "/etcd"
            ProcessPaths.makeFolders(data)
            let (clientPort, peerPort) = (Int(sl_free_loopback_port()), Int(sl_free_loopback_port()))
            let clientURL = "http://127.0.0.1:\(clientPort)"
            let peerURL = "http://127.0.0.1:\(peerPort)"
            let arguments = [
                etcdPath, "--name", "\(name)-etcd", "--data-dir", data, "--listen-client-urls", clientURL,
                "--advertise-client-urls", clientURL, "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls",
                peerURL, "--initial-cluster", "\(name)-etcd=\(peerURL)", "--logger", "zap", "--log-outputs", "stderr",
            ]
            var argv = arguments.map { strdup($0) } + [nil]
            var envp = ProcessPaths.environment().filter { !$0.hasPrefix("ETCD_") }.map { strdup($0) } + [nil]
            let etcdPID = sl_spawn_detached(etcdPath, &argv, &envp, folder + "/etcd.log")
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
            guard etcdPID > 0 else {
                throw CLIError(exit: .failure, code: "spawn", message: "cannot start \(etcdPath)")
            }
            var state = ClusterState(
                name: name, etcdURL: clientURL, etcdPID: etcdPID, etcdData: data, leaseSeconds: leaseTTL, nodes: [])
            for index in 1...nodes {
                let node = "node\(index)"
                state.nodes.append(.init(name: node, home: index == 1 ? home : folder + "/nodes/" + node))
            }
            try state.write(home: home)
            let etcd = EtcdClient(host: "127.0.0.1", port: clientPort)
            let healthy = ContinuousClock.now + .seconds(20)
            while !(await etcd.isHealthy()) {
                guard ContinuousClock.now < healthy, kill(etcdPID, 0) == 0 else {
                    kill(etcdPID, SIGKILL)
                    throw CLIError(
                        exit: .failure, code: "etcd_failed",
                        message: "etcd did not become healthy; its log: \(folder)/etcd.log")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            // One token for every node: peers call each other's TCP API with it.
            let token: String
            do {
                token = try AccessToken.loadOrCreate(at: home + "/token")
            } catch {
                throw CLIError(exit: .failure, code: "token", message: error.description)
            }
            var rows: [Term] = []
            for node in state.nodes {
                // Each node's home keeps the shared token, so a node restarted later (by hand, by autostart)
                // still answers its peers.
                if node.home != home { try ClusterCommands.storeToken(token, in: node.home) }
                let answer = try ClusterCommands.runSelf(
                    [
                        "server", "start", "--port", "0", "--etcd", clientURL, "--cluster", name, "--node-name",
                        node.name,
                        "--lease-ttl", String(leaseTTL), "--json",
                    ], home: node.home, environment: ["SUPERLEARNER_TOKEN=\(token)"])
                let started = (try? Term(json: answer)) ?? .null
                rows.append([
                    "name": .string(node.name), "pid": started["pid"] ?? .null, "port": started["port"] ?? .null,
                    "home": .string(node.home), "socket": .string(node.home + "/superlearner.sock"),
                ])
            }
            let registeredBy = ContinuousClock.now + .seconds(30)
            while (await ClusterCommands.registered(etcd, cluster: name) ?? []).count < nodes {
                guard ContinuousClock.now < registeredBy else {
                    throw CLIError(
                        exit: .timedOut, code: "timeout",
                        message:
                            "not every node registered within 30 s; see each node's daemon.log and 'superlearner cluster status'"
                    )
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let answer: Term = ["cluster": .string(name), "etcd": .string(clientURL), "nodes": .array(rows)]
            context.output.data(answer) {
                var text = "cluster \(name): etcd \(clientURL) (pid \(etcdPID)), \(nodes) nodes registered\n"
                text += context.output.table(
                    ["NODE", "PID", "PORT", "HOME"],
                    rows.map {
                        [
                            $0["name"]?.plain ?? "", $0["pid"]?.plain ?? "", $0["port"]?.plain ?? "",
                            $0["home"]?.plain ?? "",
                        ]
                    })
                text +=
                    "\nnode1 is this home's daemon; --node NAME talks to another. 'superlearner sandbox create web DemoSupervisor --distributed' places a sandbox in the cluster."
                return text
            }
        }
    }

    /// `cluster status`.
    struct Status: Command {
        static let spec = CommandSpec(
            "status", "the cluster's etcd and nodes: registered, answering, what each runs",
            discussion: "Exit 0 when etcd and every node are up, 1 when some node is not, 5 when etcd does not answer.",
            flags: [nameFlag], command: Self.self)

        let name: String?
        init(_ input: CommandInput) { name = input.flag("name") }

        func run(_ context: CommandContext) async throws {
            let state = try ClusterCommands.cluster(named: name, home: context.paths.home)
            guard let etcd = EtcdClient(url: state.etcdURL), await etcd.isHealthy() else {
                throw CLIError(
                    exit: .unreachable, code: "etcd_unreachable",
                    message:
                        "cluster \(state.name): etcd at \(state.etcdURL) does not answer (start it with 'superlearner cluster start')"
                )
            }
            let registered = Set(await ClusterCommands.registered(etcd, cluster: state.name) ?? [])
            let owners = (try? await etcd.range(prefix: "sl/\(state.name)/sandboxes/"))?.values ?? []
            var rows: [Term] = []
            for node in state.nodes {
                let client = SuperlearnerClient(endpoint: .unix(node.home + "/superlearner.sock"), timeout: .seconds(2))
                let status = (try? client.request("GET", "/api/v1/daemon")).flatMap { try? Term(json: $0.text) }?[
                    "data"]
                let owned = owners.filter {
                    $0.key.hasSuffix("/owner") && (try? Term(json: $0.value))?["node"]?.stringValue == node.name
                }.map { String($0.key.dropFirst("sl/\(state.name)/sandboxes/".count).dropLast("/owner".count)) }
                rows.append([
                    "name": .string(node.name), "registered": .bool(registered.contains(node.name)),
                    "answering": .bool(status != nil), "pid": status?["pid"] ?? .null, "port": status?["port"] ?? .null,
                    "sandboxes": .array(owned.sorted().map(Term.string)), "home": .string(node.home),
                ])
            }
            let healthy = rows.allSatisfy { $0["registered"] == .bool(true) && $0["answering"] == .bool(true) }
            let answer: Term = [
                "cluster": .string(state.name), "etcd": ["url": .string(state.etcdURL), "healthy": true],
                "healthy": .bool(healthy), "nodes": .array(rows),
            ]
            context.output.data(answer) {
                "cluster \(state.name): etcd \(state.etcdURL) healthy\n"
                    + context.output.table(
                        ["NODE", "REGISTERED", "ANSWERING", "PID", "PORT", "DISTRIBUTED SANDBOXES"],
                        rows.map { row in
                            [
                                row["name"]?.plain ?? "", row["registered"] == .bool(true) ? "yes" : "no",
                                row["answering"] == .bool(true) ? "yes" : "no", row["pid"]?.plain ?? "-",
                                row["port"]?.plain ?? "-",
                                (row["sandboxes"]?.arrayValue ?? []).map { $0.plain }.joined(separator: " "),
                            ]
                        })
            }
            if !healthy {
                throw CLIError(exit: .failure, code: "degraded", message: "cluster \(state.name): some node is down")
            }
        }
    }

    /// `cluster stop`.
    struct Stop: Command {
        static let spec = CommandSpec(
            "stop", "stop every node, then etcd; nothing is left running (etcd's data is kept)", flags: [nameFlag],
            command: Self.self)

        let name: String?
        init(_ input: CommandInput) { name = input.flag("name") }

        func run(_ context: CommandContext) async throws {
            let state = try ClusterCommands.cluster(named: name, home: context.paths.home)
            var stopped: [String] = []
            for node in state.nodes.reversed() {
                let client = SuperlearnerClient(endpoint: .unix(node.home + "/superlearner.sock"), timeout: .seconds(2))
                if client.isReachable() {
                    _ = try? ClusterCommands.runSelf(["server", "stop"], home: node.home)
                    stopped.append(node.name)
                }
                // The home is no node of a cluster any more: its next daemon starts on its own.
                ClusterMembership.remove(home: node.home)
            }
            if state.etcdIsRunning {
                kill(state.etcdPID, SIGTERM)
                let deadline = ContinuousClock.now + .seconds(10)
                while kill(state.etcdPID, 0) == 0 && ContinuousClock.now < deadline {
                    _ = waitpid(state.etcdPID, nil, WNOHANG)
                    try await Task.sleep(for: .milliseconds(50))
                }
                if kill(state.etcdPID, 0) == 0 { kill(state.etcdPID, SIGKILL) }
            }
            unlink(ClusterState.file(home: context.paths.home, name: state.name))
            let answer: Term = ["cluster": .string(state.name), "stopped": .array(stopped.map(Term.string))]
            context.output.data(answer) {
                "stopped cluster \(state.name): \(stopped.isEmpty ? "no node was running" : stopped.reversed().joined(separator: ", ")), then etcd (its data stays in \(state.etcdData))"
            }
        }
    }

    /// `cluster join --etcd URL`.
    struct Join: Command {
        static let spec = CommandSpec(
            "join", "start this home's daemon as a node of the cluster whose etcd answers at URL",
            discussion:
                "For a daemon on another machine: give it the cluster's token (SUPERLEARNER_TOKEN) and a --host its peers can reach; the membership is remembered in the home's cluster.json.",
            flags: [
                FlagSpec("etcd", "etcd's client URL", value: .string, placeholder: "URL"),
                FlagSpec("name", "the cluster's name (default local)", value: .string, placeholder: "NAME"),
                FlagSpec("node-name", "this node's name", value: .string, placeholder: "NAME"),
                FlagSpec("port", "the TCP port peers call (default: a free one)", value: .integer, placeholder: "PORT"),
                FlagSpec("host", "the TCP host peers call (default 127.0.0.1)", value: .string, placeholder: "HOST"),
            ],
            examples: [
                (
                    "superlearner cluster join --etcd http://10.0.0.5:2379 --node-name db2 --host 10.0.0.7",
                    "from another machine"
                )
            ],
            command: Self.self)

        let etcd: String?
        let name: String
        let nodeName: String?
        let port: Int?
        let host: String?
        init(_ input: CommandInput) {
            etcd = input.flag("etcd")
            name = input.flag("name") ?? "local"
            nodeName = input.flag("node-name")
            port = input.integer("port")
            host = input.flag("host")
        }

        func run(_ context: CommandContext) async throws {
            guard let etcd else {
                throw CLIError(exit: .usage, code: "usage", message: "cluster join needs --etcd URL")
            }
            guard let client = EtcdClient(url: etcd) else {
                throw CLIError(
                    exit: .usage, code: "usage", message: "--etcd must be an http://HOST:PORT URL, got '\(etcd)'")
            }
            guard await client.isHealthy() else {
                throw CLIError(exit: .unreachable, code: "etcd_unreachable", message: "etcd at \(etcd) does not answer")
            }
            if context.client.isReachable() {
                throw CLIError(
                    exit: .conflict, code: "already_running",
                    message:
                        "a daemon already runs in \(context.paths.home): stop it first ('superlearner server stop')")
            }
            let node = nodeName ?? "node-\(getpid())"
            var arguments = [
                "server", "start", "--port", String(port ?? 0), "--etcd", etcd, "--cluster", name, "--node-name", node,
                "--json",
            ]
            if let host { arguments += ["--host", host] }
            let extra =
                SuperlearnerPaths.environmentVariable("SUPERLEARNER_TOKEN").map { ["SUPERLEARNER_TOKEN=\($0)"] } ?? []
            let answer =
                (try? Term(json: try ClusterCommands.runSelf(arguments, home: context.paths.home, environment: extra)))
                ?? .null
            let registeredBy = ContinuousClock.now + .seconds(15)
            while !((await ClusterCommands.registered(client, cluster: name)) ?? []).contains(node) {
                guard ContinuousClock.now < registeredBy else {
                    throw CLIError(
                        exit: .timedOut, code: "timeout",
                        message: "\(node) did not register within 15 s; see \(context.paths.logFile)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let data: Term = [
                "node": .string(node), "cluster": .string(name), "pid": answer["pid"] ?? .null,
                "port": answer["port"] ?? .null,
            ]
            context.output.data(data) {
                "\(node) joined cluster \(name) (pid \(answer["pid"]?.plain ?? "?"), port \(answer["port"]?.plain ?? "?"))"
            }
        }
    }

    /// `cluster leave`.
    struct Leave: Command {
        static let spec = CommandSpec(
            "leave", "stop this home's node and forget its membership; its sandboxes move to other nodes",
            command: Self.self)

        init(_ input: CommandInput) {}

        func run(_ context: CommandContext) throws {
            guard ClusterMembership.read(home: context.paths.home) != nil else {
                throw CLIError(exit: .notFound, code: "not_a_node", message: "\(context.paths.home) is no cluster node")
            }
            if context.client.isReachable() {
                try ClusterCommands.runSelf(["server", "stop"], home: context.paths.home)
            }
            ClusterMembership.remove(home: context.paths.home)
            context.output.data(["left": true]) { "left the cluster; this home's next daemon runs on its own" }
        }
    }

    /// A cluster operation's answer, printed as JSON (`cluster health`, `topology`, `processes`).
    @MainActor
    static func show(_ operation: DaemonOperation, _ context: CommandContext, exitOnUnhealthy: Bool = false) throws {
        let data = try context.call(operation)
        context.output.data(data) { data.prettyJSON() }
        if exitOnUnhealthy, let status = data["status"]?.stringValue, status != "healthy" {
            throw CLIError(exit: .failure, code: status, message: "the cluster is \(status)")
        }
    }

    struct Health: Command {
        static let spec = CommandSpec(
            "health", "healthy, degraded or critical, with etcd's and every node's state (exit 1 unless healthy)",
            command: Self.self)
        init(_ input: CommandInput) {}
        func run(_ context: CommandContext) throws {
            try ClusterCommands.show(.clusterHealth, context, exitOnUnhealthy: true)
        }
    }

    struct Topology: Command {
        static let spec = CommandSpec(
            "topology", "the nodes, etcd's members and which node owns each distributed sandbox", command: Self.self)
        init(_ input: CommandInput) {}
        func run(_ context: CommandContext) throws { try ClusterCommands.show(.clusterTopology, context) }
    }

    struct Processes: Command {
        static let spec = CommandSpec(
            "processes", "every node's processes (nodes that do not answer are listed in errors)", command: Self.self)
        init(_ input: CommandInput) {}
        func run(_ context: CommandContext) throws { try ClusterCommands.show(.clusterProcesses, context) }
    }
}
