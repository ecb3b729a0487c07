import Cluster
import Sandbox
import Schema
import SuperlearnerAPI
import SuperlearnerClient
import Supervision

/// The cluster operations: membership and ownership from etcd (through this node's `ClusterMember`),
/// processes and trees gathered from every node over its authenticated TCP API. A node that does not answer
/// is listed in `errors`, never a failure. Outside a cluster they answer for this node alone, in the same
/// shape.
enum ClusterOperations {
    /// Runs a cluster request, its failure as an API error.
    static func run<T>(_ body: () async throws(ClusterError) -> T) async throws(OperationError) -> T {
        do {
            return try await body()
        } catch {
            switch error.kind {
            case .invalid: throw .validation([FieldError(field: "node", message: error.description)])
            case .conflict:
                throw OperationError(.conflict, code: "sandbox_exists", error.description, field: "sandbox_id")
            case .notFound: throw OperationError(.notFound, code: "sandbox_not_found", error.description)
            case .unavailable: throw OperationError(.unavailable, code: "cluster_unavailable", error.description)
            case .timeout: throw OperationError(.timeout, code: "cluster_timeout", error.description)
            }
        }
    }

    /// `scope=local` asks a node for its own part only: what a node sends its peers, so that a gathering
    /// never fans out twice.
    static let scopeParameter = Parameter(
        "scope", .string, "cluster (every node) or local (this node only)", default: "cluster",
        allowed: ["cluster", "local"])

    static func localNode(_ context: OperationContext) -> Term {
        [
            "name": .string(context.runtime.nodeName), "status": "up", "local": true, "reachable": true,
            "processes": .int(context.runtime.processCount), "sandboxes": .int(context.sandboxes.count),
            "uptime_seconds": .double(SystemClock.wallSeconds() - context.startedAt),
        ]
    }

    /// Asks every other live node for `path` (with `scope=local`), in parallel; the answers' `data` by node,
    /// and the nodes that did not answer.
    static func gather(_ cluster: ClusterMember, _ path: String) async -> (answers: [(String, Term)], errors: [Term]) {
        let snapshot = await cluster.snapshot()
        var clients: [(String, SuperlearnerClient)] = []
        var errors: [Term] = []
        for name in snapshot.nodes.keys.sorted() where name != snapshot.node {
            if let client = await cluster.peer(name) {
                clients.append((name, client))
            } else {
                errors.append(["node": .string(name), "error": "no usable address"])
            }
        }
        let separator = path.contains("?") ? "&" : "?"
        let results = await withTaskGroup(of: (String, Result<Term, ClientError>).self) { group in
            for (name, client) in clients {
                group.addTask { () async -> (String, Result<Term, ClientError>) in
                    do throws(ClientError) {
                        let response = try await client.send("GET", path + separator + "scope=local")
                        let term = (try? Term(json: response.text)) ?? .null
                        guard response.status == 200, let data = term["data"] else {
                            return (name, .failure(.protocolError("answered \(response.status)")))
                        }
                        return (name, .success(data))
                    } catch {
                        return (name, .failure(error))
                    }
                }
            }
            var all: [(String, Result<Term, ClientError>)] = []
            for await result in group { all.append(result) }
            return all.sorted { $0.0 < $1.0 }
        }
        var answers: [(String, Term)] = []
        for (name, result) in results {
            switch result {
            case .success(let data): answers.append((name, data))
            case .failure(let error): errors.append(["node": .string(name), "error": .string(error.description)])
            }
        }
        return (answers, errors)
    }

    /// The distributed sandboxes other nodes own, each as its owner reports it (with `node`), or from the
    /// desired state with the reason when the owner does not answer.
    static func remoteSandboxes(_ cluster: ClusterMember) async -> [Term] {
        let snapshot = await cluster.snapshot()
        var rows: [Term] = []
        for (id, desired) in snapshot.sandboxes.sorted(by: { $0.key < $1.key }) where snapshot.running[id] == nil {
            let owner = snapshot.owners[id]
            if let owner, let client = await cluster.peer(owner.node, timeout: .seconds(2)),
                let response = try? await client.send("GET", "/api/v1/sandboxes/\(id)"), response.status == 200,
                case .object(var members)? = (try? Term(json: response.text))?["data"]
            {
                members["tree"] = nil
                members["node"] = .string(owner.node)
                rows.append(.object(members))
                continue
            }
            rows.append([
                "id": .string(id), "template": desired.template.map(Term.string) ?? .null,
                "status": owner == nil ? "starting" : "failed",
                "failure_reason": .string(
                    owner.map { "its owner \($0.node) does not answer" } ?? "no node owns it yet"),
                "supervisor": .null, "created_at": 0, "restart_count": 0, "config": .object(desired.config),
                "spec": desired.spec, "process_count": 0, "distributed": true,
                "fencing_token": owner.map { .int($0.token) } ?? .null, "node": owner.map { .string($0.node) } ?? .null,
            ])
        }
        return rows
    }

    static let all: [any Operation] = [
        DefinedOperation(
            "cluster_health", .cluster, .read,
            "healthy, degraded or critical: etcd's health and status, each node's lease and reachability",
            rest: RestBinding(OperationRoutes.clusterHealth)
        ) { _, context throws(OperationError) in
            guard let cluster = context.cluster else {
                return ["status": "healthy", "node_count": 1, "unreachable": [], "nodes": [localNode(context)]]
            }
            let snapshot = await cluster.snapshot()
            let etcd = EtcdClient(url: snapshot.etcd) ?? EtcdClient(host: "127.0.0.1", port: 2379)
            let etcdHealthy = await etcd.isHealthy()
            let status = try? await etcd.status()
            let (answers, errors) = await gather(cluster, "/api/v1/system/health")
            var nodes: [Term] = [
                [
                    "name": .string(snapshot.node), "local": true, "reachable": true,
                    "registered": .bool(snapshot.isRegistered),
                    "isolation": snapshot.isolation.map(Term.string) ?? .null,
                    "seconds_since_renewal": .double(snapshot.secondsSinceRenewal),
                ]
            ]
            for (name, data) in answers {
                nodes.append([
                    "name": .string(name), "local": false, "reachable": true, "status": data["status"] ?? .null,
                ])
            }
            for error in errors {
                nodes.append([
                    "name": error["node"] ?? .null, "local": false, "reachable": false,
                    "error": error["error"] ?? .null,
                ])
            }
            // Each node's lease as etcd counts it: how long before a silent node is declared dead.
            for index in nodes.indices {
                guard case .object(var members) = nodes[index], let name = members["name"]?.stringValue,
                    let lease = snapshot.nodes[name]?.lease
                else { continue }
                members["lease_ttl_left"] = (try? await etcd.timeToLive(lease)).flatMap { $0 }.map(Term.int) ?? .null
                nodes[index] = .object(members)
            }
            let verdict: String =
                !etcdHealthy || !snapshot.isRegistered ? "critical" : errors.isEmpty ? "healthy" : "degraded"
            return [
                "status": .string(verdict), "cluster": .string(snapshot.cluster),
                "node_count": .int(snapshot.nodes.count),
                "unreachable": .array(errors.compactMap { $0["node"] }),
                "etcd": [
                    "url": .string(snapshot.etcd), "healthy": .bool(etcdHealthy),
                    "version": status?["version"] ?? .null, "leader": status?["leader"] ?? .null,
                    "raft_term": status?["raftTerm"] ?? .null, "db_size": status?["dbSize"] ?? .null,
                ],
                "nodes": .array(nodes),
            ]
        },
        DefinedOperation(
            "cluster_topology", .cluster, .read,
            "the cluster's nodes (from etcd), etcd's members and which node owns each distributed sandbox",
            rest: RestBinding(OperationRoutes.clusterTopology)
        ) { _, context throws(OperationError) in
            guard let cluster = context.cluster else {
                return [
                    "nodes": [localNode(context)], "connections": [], "local": .string(context.runtime.nodeName),
                    "sandboxes": [:],
                ]
            }
            let snapshot = await cluster.snapshot()
            let members = (try? await EtcdClient(url: snapshot.etcd)?.members()) ?? []
            let nodes: [Term] = snapshot.nodes.values.sorted { $0.name < $1.name }.map { node in
                [
                    "name": .string(node.name), "url": .string(node.url), "pid": .int(node.pid),
                    "version": .string(node.version), "started_at": .double(node.startedAt),
                    "local": .bool(node.name == snapshot.node),
                    "sandboxes": .array(
                        snapshot.owners.filter { $0.value.node == node.name }.keys.sorted().map(Term.string)),
                ]
            }
            let owners: [String: Term] = snapshot.sandboxes.keys.reduce(into: [:]) { result, id in
                let owner = snapshot.owners[id]
                result[id] = [
                    "node": owner.map { .string($0.node) } ?? .null,
                    "fencing_token": owner.map { .int($0.token) } ?? .null,
                    "placement": .string(snapshot.sandboxes[id]?.placement.description ?? "spread"),
                ]
            }
            return [
                "cluster": .string(snapshot.cluster), "local": .string(snapshot.node), "nodes": .array(nodes),
                "connections": .array(
                    snapshot.nodes.keys.sorted().filter { $0 != snapshot.node }.map {
                        ["from": .string(snapshot.node), "to": .string($0), "via": "http"]
                    }),
                "sandboxes": .object(owners),
                "etcd": [
                    "url": .string(snapshot.etcd),
                    "members": .array(
                        members.map { ["name": $0["name"] ?? .null, "client_urls": $0["clientURLs"] ?? .null] }),
                ],
            ]
        },
        DefinedOperation(
            "node_info", .cluster, .read, "one node's record and its system information (reachable or not)",
            rest: RestBinding(OperationRoutes.nodeInfo),
            parameters: [Parameter("node", .string, "the node name", required: true, minimum: 1, maximum: 255)]
        ) { parameters, context throws(OperationError) in
            let name = parameters["node"]?.stringValue ?? ""
            if name == context.runtime.nodeName || name == "local" { return localNode(context) }
            guard let cluster = context.cluster, let node = await cluster.snapshot().nodes[name] else {
                throw OperationError(
                    .notFound, code: "node_not_found",
                    "no live node \"\(name)\" (this node is \(context.runtime.nodeName))",
                    field: "node")
            }
            var record: [String: Term] = [
                "name": .string(node.name), "url": .string(node.url), "pid": .int(node.pid),
                "version": .string(node.version), "started_at": .double(node.startedAt), "local": false,
            ]
            if let client = await cluster.peer(name),
                let response = try? await client.send("GET", "/api/v1/system/info"), response.status == 200
            {
                record["reachable"] = true
                record["system"] = (try? Term(json: response.text))?["data"] ?? .null
            } else {
                record["reachable"] = false
            }
            return .object(record)
        },
        DefinedOperation(
            "cluster_processes", .cluster, .read,
            "processes across the cluster, each with its node; nodes that do not answer are listed in errors",
            rest: RestBinding(OperationRoutes.clusterProcesses),
            parameters: [
                Parameter("limit", .integer, "at most this many per node", default: 1000, minimum: 1, maximum: 100_000),
                scopeParameter,
            ]
        ) { parameters, context throws(OperationError) in
            let limit = try parameters.integer("limit")
            let node = Term.string(context.runtime.nodeName)
            var processes: [Term] = context.runtime.allInfo().prefix(limit).map { info in
                guard case .object(var members) = ProcessOperations.row(info) else { return .null }
                members["node"] = node
                return .object(members)
            }
            var errors: [Term] = []
            if parameters["scope"] != "local", let cluster = context.cluster {
                let gathered = await gather(cluster, "/api/v1/cluster/processes?limit=\(limit)")
                for (_, data) in gathered.answers { processes += data["processes"]?.arrayValue ?? [] }
                errors = gathered.errors
            }
            return ["processes": .array(processes), "errors": .array(errors)]
        },
        DefinedOperation(
            "cluster_supervision_trees", .cluster, .read,
            "every sandbox's live tree on every node; nodes that do not answer are listed in errors",
            rest: RestBinding(OperationRoutes.clusterSupervisionTrees), parameters: [scopeParameter]
        ) { parameters, context throws(OperationError) in
            var trees: [Term] = []
            for info in context.sandboxes.list() {
                if let tree = try? await context.sandboxes.tree(info.id) {
                    trees.append([
                        "node": .string(context.runtime.nodeName), "sandbox": .string(info.id), "tree": tree.term,
                        "distributed": .bool(info.fencingToken != nil),
                    ])
                }
            }
            var errors: [Term] = []
            if parameters["scope"] != "local", let cluster = context.cluster {
                let gathered = await gather(cluster, "/api/v1/cluster/supervision-trees")
                for (_, data) in gathered.answers { trees += data["trees"]?.arrayValue ?? [] }
                errors = gathered.errors
            }
            return ["trees": .array(trees), "errors": .array(errors)]
        },
    ]
}
