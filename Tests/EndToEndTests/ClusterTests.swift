import Foundation
import Playwriter
import SuperlearnerClient
import Supervision
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Three real daemons and a real etcd (Debian's etcd-server) on loopback, started by the binary's own
/// `cluster start`: membership, a distributed sandbox that runs once, failover after `kill -9` of its owner
/// with one failover event and a larger fencing token, self-fencing while etcd is frozen and rejoining
/// after, gathered queries with an unreachable node listed, and `cluster stop` leaving nothing behind.
@Suite("A cluster of daemons on etcd", .serialized, .timeLimit(.minutes(5)))
struct ClusterTests {
    /// The nodes of the test's cluster, their pids, and etcd's.
    struct Cluster {
        let home: TestHome
        var etcdPID: Int32
        var nodes: [String: String]  // name -> home

        func pid(of node: String) -> Int32? {
            (try? String(contentsOfFile: (nodes[node] ?? "") + "/daemon.pid", encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }

        /// The nodes on which `id` runs now (asked of each live node's own socket).
        func runners(of id: String) async -> [String] {
            var found: [String] = []
            for (name, home) in nodes.sorted(by: { $0.key < $1.key }) {
                guard let pid = pid(of: name), kill(pid, 0) == 0 else { continue }
                let client = SuperlearnerClientBox(socket: home + "/superlearner.sock")
                if let info = await client.get("/api/v1/sandboxes/\(id)"), info["distributed"] == .bool(true),
                    info["status"] == "running"
                {
                    found.append(name)
                }
            }
            return found
        }

        func events(_ node: String, prefix: String) async -> [Term] {
            let client = SuperlearnerClientBox(socket: (nodes[node] ?? "") + "/superlearner.sock")
            return await client.get("/api/v1/telemetry/events?limit=10000&prefix=\(prefix)")?.arrayValue ?? []
        }

        /// Kills whatever is left (a failed test must not leave daemons or etcd running).
        func cleanUp() {
            for name in nodes.keys { if let pid = pid(of: name) { kill(pid, SIGKILL) } }
            if etcdPID > 0 { kill(etcdPID, SIGKILL) }
        }
    }

    static func etcdInstalled() -> Bool {
        ["/usr/bin/etcd", "/usr/local/bin/etcd"].contains { (path: String) in access(path, X_OK) == 0 }
    }

    @Test func aDistributedSandboxRunsOnceFailsOverAndNodesFenceThemselvesWithoutEtcd() async throws {
        try #require(Self.etcdInstalled(), "etcd is missing: make test installs etcd-server")
        let home = TestHome()
        defer { home.close() }
        let started = await home.run(["cluster", "start", "3", "--json"])
        try #require(started.status == 0, "\(started.stderr)")
        let state = try Term(json: try String(contentsOfFile: home.path + "/cluster/local/state.json", encoding: .utf8))
        var cluster = Cluster(
            home: home, etcdPID: Int32(state["etcd"]?["pid"]?.intValue ?? 0),
            nodes: Dictionary(
                uniqueKeysWithValues: (state["nodes"]?.arrayValue ?? []).compactMap { node in
                    node["name"]?.stringValue.map { ($0, node["home"]?.stringValue ?? "") }
                }))
        defer { cluster.cleanUp() }
        #expect(cluster.nodes.count == 3 && cluster.nodes["node1"] == home.path, "node1 is the home's own daemon")

        // Membership converges: every node registered and answering.
        let status = await home.run(["cluster", "status", "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(
            status.json?["nodes"]?.arrayValue?.allSatisfy { $0["registered"] == true && $0["answering"] == true }
                == true)

        // A distributed sandbox pinned to node1, made through node1: it runs there and nowhere else.
        let created = await home.run([
            "sandbox", "create", "web", "DemoSupervisor", "--distributed", "--node", "node1", "--json",
        ])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.json?["node"] == "node1")
        let firstToken = try #require(created.json?["fencing_token"]?.intValue)
        #expect(await cluster.runners(of: "web") == ["node1"])
        // Its owner changes its config: written to etcd too, fenced by the owner's token.
        #expect(await home.run(["sandbox", "config", "web", "team=blue"]).status == 0)
        // Any node lists it with its owner.
        let listed = await home.run(["--node", "node3", "sandbox", "list", "--json"])
        #expect(listed.json?.arrayValue?.first { $0["id"] == "web" }?["node"] == "node1", "\(listed.stdout)")
        // Gathered queries: processes of every node, each tagged (each node runs a sandbox now).
        for node in ["node2", "node3"] {
            let pinned = await home.run([
                "--node", node, "sandbox", "create", "on-\(node)", "Pipeline", "--distributed", "--json",
            ])
            #expect(pinned.json?["node"] == .string(node), "\(pinned.stdout)\(pinned.stderr)")
        }
        let gathered = await home.run(["cluster", "processes", "--json"])
        let nodesSeen = Set(gathered.json?["processes"]?.arrayValue?.compactMap { $0["node"]?.stringValue } ?? [])
        #expect(
            nodesSeen == ["node1", "node2", "node3"],
            "\(nodesSeen) \(gathered.json?["errors"] ?? .null) \(gathered.stderr)")

        // kill -9 the owner: another node rebuilds it, once, with a larger fencing token.
        let owner = try #require(cluster.pid(of: "node1"))
        let clock = ContinuousClock()
        // node2's dashboard is open when node1 dies: its Nodes page shows node1 unreachable, and works.
        let port = try #require(status.json?["nodes"]?.arrayValue?.first { $0["name"] == "node2" }?["port"]?.intValue)
        let token = try String(contentsOfFile: home.path + "/token", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let killed = try await Playwriter.withBrowser { browser in
            let page = try await browser.newPage()
            try await page.goto("http://127.0.0.1:\(port)/?token=\(token)")
            _ = try await page.waitForFunction("return document.body.dataset.ready === 'true'", timeout: .seconds(20))
            try await page.click("#tab-nodes")
            _ = try await page.waitForFunction(
                "return document.querySelectorAll('.nodes-table tbody tr').length === 3", timeout: .seconds(10))
            kill(owner, SIGKILL)
            let killed = clock.now
            // For up to a lease TTL the dead node still looks registered: a gathering lists it in errors and
            // does not fail. (On a loaded machine the lease may run out first; then it is simply gone.)
            let partial = await home.run(["--node", "node2", "cluster", "processes", "--json"])
            let stillRegistered = partial.json?["errors"]?.arrayValue?.first?["node"] == "node1"
            let processNodes = Set(partial.json?["processes"]?.arrayValue?.compactMap { $0["node"]?.stringValue } ?? [])
            #expect(partial.status == 0 && !processNodes.contains("node1"), "\(partial.stdout)")
            #expect(
                stillRegistered || clock.now - killed > .seconds(5),
                "node1 was neither listed as unreachable nor gone: \(partial.stdout)")
            // The Nodes page, read again: node1 marked unreachable while registered, never an error page.
            try await page.evaluate("loadNodes()")
            let row = try await page.waitForFunction(
                """
                const rows = [...document.querySelectorAll('.nodes-table tbody tr')];
                const row = rows.find(r => r.children[0].textContent === 'node1');
                if (row) return row.children[1].textContent === 'no' && row.className;
                return rows.length === 2 && 'gone';
                """, timeout: .seconds(10))
            #expect(row == "s-failed" || row == "gone", "\(row)")
            print(
                "cluster: right after the kill node1 was \(stillRegistered ? "listed as unreachable" : "already gone"); the Nodes page showed it \(row == "gone" ? "gone" : "unreachable")"
            )
            return killed
        }
        var moved: [String] = []
        var mostAtOnce = 0
        while clock.now - killed < .seconds(20) {
            let runners = await cluster.runners(of: "web")
            mostAtOnce = max(mostAtOnce, runners.count)
            if !runners.isEmpty {
                moved = runners
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let failover = clock.now - killed
        print("cluster: kill -9 of the owner → running on \(moved) after \(failover) (lease TTL 6 s)")
        #expect(moved.count == 1 && moved != ["node1"], "\(moved)")
        #expect(mostAtOnce <= 1, "never two owners")
        #expect(failover < .seconds(10))
        let successor = moved.first ?? ""
        let config = await home.run(["--node", successor, "sandbox", "config", "web", "--json"])
        #expect(config.json?["team"] == "blue", "the successor started from the stored config: \(config.stdout)")
        let failovers = await cluster.events(successor, prefix: "sandbox.failover")
        #expect(failovers.count == 1, "\(failovers)")
        let secondToken = failovers.first?["metadata"]?["token"]?.intValue ?? 0
        #expect(failovers.first?["metadata"]?["from"] == "node1" && secondToken > firstToken)
        // Only the successor saw itself take it over.
        for other in ["node2", "node3"] where other != successor {
            #expect(await cluster.events(other, prefix: "sandbox.failover").isEmpty)
        }

        // etcd frozen: every node fences itself within its lease, so nothing runs unowned.
        kill(cluster.etcdPID, SIGSTOP)
        let frozen = clock.now
        var fenced = false
        while clock.now - frozen < .seconds(15) {
            if await cluster.runners(of: "web").isEmpty {
                fenced = true
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(fenced, "the owner stopped its copy while it could not renew its lease")
        let clusterEvents = await cluster.events(successor, prefix: "cluster")
        #expect(clusterEvents.filter { $0["name"] == "cluster.isolated" }.count == 1, "\(clusterEvents)")
        // etcd back: the nodes rejoin and the sandbox runs again, once.
        kill(cluster.etcdPID, SIGCONT)
        let thawed = clock.now
        var again: [String] = []
        while clock.now - thawed < .seconds(20) {
            again = await cluster.runners(of: "web")
            if !again.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        print("cluster: etcd back → running again on \(again) after \(clock.now - thawed)")
        #expect(again.count == 1)
        #expect(await cluster.events(successor, prefix: "cluster.rejoined").count == 1)

        // Destroyed through any node: gone everywhere.
        let destroyed = await home.run(["--node", again.first ?? "node2", "sandbox", "destroy", "web"])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(await cluster.runners(of: "web").isEmpty)

        // cluster stop: every daemon, then etcd; nothing is left running.
        let stopped = await home.run(["cluster", "stop"])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        for name in cluster.nodes.keys {
            if let pid = cluster.pid(of: name) { #expect(kill(pid, 0) != 0, "\(name) (pid \(pid)) is still running") }
        }
        #expect(kill(cluster.etcdPID, 0) != 0, "etcd is still running")
        cluster.etcdPID = 0
        #expect(home.markedPrograms().isEmpty)
    }

    @Test func withoutEtcdOrACluster() async throws {
        let home = TestHome()
        defer { home.close() }
        let missing = await home.run(
            ["cluster", "start", "3"], extraEnvironment: ["SUPERLEARNER_ETCD": "/nonexistent/etcd"])
        #expect(missing.status == 7 && missing.stderr.contains("etcd"), "\(missing.stderr)")
        let bad = await home.run(["cluster", "start", "12"])
        #expect(bad.status == 2 && bad.stderr.contains("N must be 1 to 9"), "\(bad.stderr)")
        let none = await home.run(["cluster", "status"])
        #expect(none.status == 3 && none.stderr.contains("cluster start"), "\(none.stderr)")
        let nodeless = await home.run(["--node", "node2", "sandbox", "list"])
        #expect(nodeless.status == 3, "\(nodeless.stderr)")
        let plain = await home.run(["sandbox", "create", "x", "DemoSupervisor", "--distributed"])
        #expect(plain.status == 2 && plain.stderr.contains("not in a cluster"), "\(plain.stderr)")
        let notURL = await home.run(["server", "run", "--etcd", "etcd.example:2379"])
        #expect(notURL.status == 2 && notURL.stderr.contains("http://HOST:PORT"), "\(notURL.stderr)")
    }
}

/// A small synchronous client for a node's socket, from the test.
struct SuperlearnerClientBox {
    let socket: String

    func get(_ path: String) async -> Term? {
        let socket = self.socket
        return await offPool {
            let client = SuperlearnerClient(endpoint: .unix(socket), timeout: .seconds(3))
            guard let response = try? client.request("GET", path), response.status == 200 else { return nil }
            return (try? Term(json: response.text))?["data"]
        }
    }
}
