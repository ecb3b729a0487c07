import Foundation
import SuperlearnerClient
import Supervision
import Testing

@Suite("Daemon: lifecycle, sockets, persistence", .serialized)
struct DaemonTests {
    @Test func startStatusStopAndTheFilesItLeaves() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["server", "status"]).status == 5, "no daemon yet: exit 5")
        let started = await home.run(["server", "start", "--json"])
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.json?["pid"]?.intValue != nil && started.json?["socket"] == .string(home.socket))
        let attributes = try FileManager.default.attributesOfItem(atPath: home.socket)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "socket mode")
        let homeAttributes = try FileManager.default.attributesOfItem(atPath: home.path)
        #expect((homeAttributes[.posixPermissions] as? Int) == 0o700, "home mode")
        let status = await home.run(["server", "status", "--json"])
        #expect(status.status == 0 && status.json?["sandboxes"] == 0 && status.json?["socket"] == .string(home.socket))
        #expect(await home.run(["server", "start"]).stdout.contains("already running"))
        let pid = try #require(started.json?["pid"]?.intValue)
        let stopped = await home.run(["server", "stop"])
        #expect(stopped.status == 0 && stopped.stdout.contains("stopped the daemon"))
        #expect(kill(pid_t(pid), 0) == -1, "stop returns once the daemon's process is gone")
        #expect(!FileManager.default.fileExists(atPath: home.socket))
        #expect(await home.run(["server", "status"]).status == 5)
        #expect(await home.run(["server", "logs"]).stdout.contains("daemon stopped"))
    }

    @Test func aStopEndsOpenEventStreamsInsteadOfWaitingForThem() async throws {
        let home = TestHome()
        defer { home.close() }
        let (port, token) = try await home.startWithTCP()
        // A dashboard left open: an event stream nobody will close.
        let reader = try #require(RawConnection(port: port))
        reader.send(
            "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\n\r\n")
        #expect(await offPool { reader.readFirst(timeout: .seconds(10)) }.contains("text/event-stream"))
        let stopped = await home.run(["server", "stop"])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        // Ended by the stop itself, well before the 15 s keep-alive would have noticed anything.
        let (_, closed) = await offPool { reader.readToClose(timeout: .seconds(10), keepLast: 1024) }
        #expect(closed, "the event stream outlived the daemon's stop")
    }

    /// The socket's connections run on its event loop, but an event stream waits on the global pool (its
    /// `merge` can deadlock on a serial executor): a stop must still end it at once.
    @Test func aStopEndsAnEventStreamFollowedOverTheSocket() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        let reader = try #require(RawConnection(unixSocket: home.socket))
        reader.send("GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(await offPool { reader.readFirst(timeout: .seconds(10)) }.contains("text/event-stream"))
        // The socket still answers other requests while the stream is open.
        let listed = await home.run(["sandbox", "list", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let stopped = await home.run(["server", "stop"])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        let (_, closed) = await offPool { reader.readToClose(timeout: .seconds(10), keepLast: 1024) }
        #expect(closed, "the event stream outlived the daemon's stop")
    }

    @Test func aSecondDaemonOnTheSameHomeRefusesToStart() async {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        let second = await home.run(["server", "run"])
        #expect(second.status == 4)
        #expect(second.stderr.contains("already running"))
        #expect(home.client.isReachable(), "the first daemon was not disturbed")
    }

    @Test func aStaleSocketIsReplaced() async throws {
        let home = TestHome()
        defer { home.close() }
        // Bind a socket and close it without unlinking: a file nobody accepts on.
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(home.socket.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        close(descriptor)
        #expect(FileManager.default.fileExists(atPath: home.socket))
        await home.start()
        #expect(await home.run(["server", "status"]).status == 0)
    }

    @Test func killNineLosesNothingAcknowledgedAndTheRestoreIsRecorded() async throws {
        let home = TestHome()
        defer { home.close() }
        #expect(await home.run(["sandbox", "create", "keep", "DemoSupervisor", "--config", "owner=ci"]).status == 0)
        let spec =
            "strategy: one_for_all\nchildren:\n  - { id: store, worker: kv }\n  - { id: tick, worker: ticker, args: { every_ms: 50 } }\n"
        #expect(await home.run(["sandbox", "create", "custom", "--spec", "-"], input: spec).status == 0)
        #expect(await home.run(["sandbox", "config", "keep", "level=3"]).status == 0)
        let pid = try #require(home.daemonPID)
        kill(pid, SIGKILL)
        var exited = false
        for _ in 0..<200 where !exited {
            exited = !home.client.isReachable()
            if !exited { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(exited)
        let list = await home.run(["sandbox", "list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stderr.contains("started the daemon"))
        let ids = list.json?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        #expect(ids == ["custom", "keep"])
        #expect(list.json?.arrayValue?.allSatisfy { $0["status"] == "running" } == true)
        let config = await home.run(["sandbox", "config", "keep", "--json"])
        #expect(config.json == ["owner": "ci", "level": 3])
        let custom = await home.run(["sandbox", "info", "custom", "--json"])
        #expect(custom.json?["spec"]?["strategy"] == "one_for_all")
        let events = await home.run(["events", "--json", "--limit", "1000"])
        #expect(
            events.json?.arrayValue?.contains {
                $0["name"] == "sandbox.restore" && $0["metadata"]?["sandbox_id"] == "keep"
            } == true)
        #expect(await home.run(["sandbox", "destroy", "keep"]).status == 0)
        await home.run(["server", "stop"])
        // A graceful stop keeps what is stored; a destroy removes it.
        let again = await home.run(["sandbox", "list", "--json"])
        #expect(again.json?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["custom"])
    }

    @Test func concurrentCreatesShareSyncsAndEveryAcknowledgedOneSurvivesKillNine() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        let count = 48
        let statuses = await withTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                group.addTask {
                    let body = #"{"sandbox_id": "g\#(index)", "supervisor_module": "DemoSupervisor"}"#
                    return (try? await home.client.send("POST", "/api/v1/sandboxes", body: body).status) ?? -1
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == count, "\(statuses.filter { $0 != 201 })")
        let metrics = try await home.client.send("GET", "/metrics").text
        func total(_ name: String) -> Int? {
            metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap {
                Double($0.split(separator: " ").last!).map(Int.init)
            }
        }
        let writes = try #require(total("superlearner_state_writes_total"))
        let commits = try #require(total("superlearner_state_commits_total"))
        #expect(writes >= count, "every create is a durable write")
        #expect(commits < writes, "concurrent creates share syncs: \(writes) writes in \(commits) commits")
        let heap = try #require(total("superlearner_heap_bytes"), "the daemon's heap in use is a metric")
        #expect(heap > 1_000_000, "48 sandboxes' processes and the daemon itself take more than 1 MB of heap")
        let pid = try #require(home.daemonPID)
        kill(pid, SIGKILL)
        for _ in 0..<200 where home.client.isReachable() { try await Task.sleep(for: .milliseconds(10)) }
        let list = await home.run(["sandbox", "list", "--json"])
        let ids = Set(list.json?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
        #expect(ids == Set((0..<count).map { "g\($0)" }), "acknowledged creates lost: \(count - ids.count)")
    }

    @Test func sandboxAndProcessListsPageByTheLastKeySeen() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        for id in ["a", "b", "c", "d", "e"] {
            #expect(await home.run(["sandbox", "create", id, "DemoSupervisor"]).status == 0)
        }
        func ids(_ arguments: [String]) async -> [String] {
            await home.run(["sandbox", "list", "--json"] + arguments).json?.arrayValue?.compactMap {
                $0["id"]?.stringValue
            } ?? []
        }
        #expect(await ids(["--limit", "2"]) == ["a", "b"])
        #expect(await ids(["--limit", "2", "--after", "b"]) == ["c", "d"])
        #expect(await ids(["--after", "d"]) == ["e"])
        #expect(await ids(["--after", "e"]) == [])
        #expect(await home.run(["sandbox", "destroy", "c"]).status == 0)
        #expect(
            await ids(["--limit", "2", "--after", "b"]) == ["d", "e"], "a page after a destroyed id is still right")
        let table = await home.run(["sandbox", "list", "--limit", "1"])
        #expect(table.stdout.contains("a ") && !table.stdout.contains("b "))
        let bad = await home.run(["sandbox", "list", "--limit", "0"])
        #expect(bad.status != 0 && bad.stderr.contains("limit"), "\(bad.stderr)")

        func pids(_ arguments: [String]) async -> [String] {
            await home.run(["process", "list", "--json"] + arguments).json?.arrayValue?.compactMap {
                $0["pid"]?.stringValue
            } ?? []
        }
        let all = await pids([])
        #expect(all.count >= 8)
        let first = await pids(["--limit", "3"])
        #expect(first == Array(all.prefix(3)))
        let second = await pids(["--limit", "3", "--after", first.last ?? ""])
        #expect(second == Array(all.dropFirst(3).prefix(3)))
        let sorted = await home.run(["process", "list", "--sort", "mailbox", "--after", all[0]])
        #expect(sorted.status != 0 && sorted.stderr.contains("after"), "\(sorted.stderr)")
        let garbage = await home.run(["process", "list", "--after", "not-a-pid"])
        #expect(garbage.status != 0 && garbage.stderr.contains("after must be a PID"), "\(garbage.stderr)")
    }

    @Test func twoHundredConcurrentRequestsAllSucceed() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        #expect(await home.run(["sandbox", "create", "load", "DemoSupervisor"]).status == 0)
        let statuses = await withTaskGroup(of: Int.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let path = index % 2 == 0 ? "/api/v1/sandboxes/load" : "/api/v1/processes/load%2Fcounter_1/info"
                    return (try? await home.client.send("GET", path).status) ?? -1
                }
            }
            var collected: [Int] = []
            for await status in group { collected.append(status) }
            return collected
        }
        #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 200 }, "\(statuses.filter { $0 != 200 })")
    }

    @Test func startFailsClearlyWhenThePortIsTaken() async throws {
        let home = TestHome()
        defer { home.close() }
        let first = await home.run(["server", "start", "--port", "0", "--json"])
        let port = try #require(first.json?["port"]?.intValue)
        let other = TestHome()
        defer { other.close() }
        let second = await other.run(["server", "start", "--port", String(port)])
        #expect(second.status == 1 && second.stderr.contains("127.0.0.1:\(port) is already in use"), "\(second.stderr)")
        let direct = await other.run(["server", "run", "--port", String(port)])
        let verdict = direct.stderr.split(separator: "\n").last ?? ""  // after the daemon's own log lines
        #expect(
            direct.status == 4 && verdict.hasPrefix("superlearner: 127.0.0.1:\(port) is already in use"),
            "\(direct.stderr)")
        #expect(!other.client.isReachable(), "no half-started daemon is left behind")
        #expect(home.client.isReachable(), "the first daemon is untouched")
    }

    @Test func tcpNeedsATokenOffLoopbackAndChecksIt() async throws {
        let home = TestHome()
        defer { home.close() }
        let refused = await home.run(["server", "run", "--port", "0", "--host", "0.0.0.0"])
        #expect(refused.status == 2 && refused.stderr.contains("requires a token"))
        // --port 0: the system picks a free port, and `server start` reports it once TCP accepts connections.
        let started = await home.run(
            ["server", "start", "--port", "0", "--json"], extraEnvironment: ["SUPERLEARNER_TOKEN": "s3cret"])
        #expect(started.status == 0, "\(started.stderr)")
        let port = try #require(started.json?["port"]?.intValue)
        let (readyStatus, ready) = try await home.api("GET", "/api/v1/daemon/ready")
        #expect(readyStatus == 200 && ready["data"]?["port"]?.intValue == port)
        let good = SuperlearnerClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: "s3cret"))
        #expect(try await good.send("GET", "/api/v1/daemon").status == 200)
        let bad = SuperlearnerClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: "wrong"))
        #expect(try await bad.send("GET", "/api/v1/daemon").status == 401)
    }
}
