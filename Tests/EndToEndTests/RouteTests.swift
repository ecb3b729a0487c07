import Arsenal
import Foundation
import Sandbox
import SuperlearnerClient
import Supervision
import Testing

@Suite("REST routes: every route's success and error codes over the socket", .serialized)
struct RouteTests {
    @Test func routesAnswerWithTheEnvelopeAndTheRightStatus() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        var (status, body) = try await home.api(
            "POST", "/api/v1/sandboxes", body: #"{"sandbox_id":"r","supervisor_module":"DemoSupervisor"}"#)
        #expect(status == 201 && body["data"]?["id"] == "r")
        (status, body) = try await home.api(
            "POST", "/api/v1/sandboxes", body: #"{"sandbox_id":"r","supervisor_module":"DemoSupervisor"}"#)
        #expect(status == 409 && body["error"]?["code"] == "already_exists")
        (status, body) = try await home.api(
            "POST", "/api/v1/sandboxes", body: #"{"sandbox_id":"x","supervisor_module":"Nope","colour":1}"#)
        #expect(status == 422 && body["error"]?["details"]?.arrayValue?.count == 2)
        (status, body) = try await home.api("POST", "/api/v1/sandboxes", body: #"{"sandbox_id": "#)
        #expect(status == 400 && body["error"]?["code"] == "bad_request")
        (status, body) = try await home.api("POST", "/api/v1/sandboxes", body: "[1]")
        #expect(status == 400)
        (status, body) = try await home.api("PATCH", "/api/v1/sandboxes")
        #expect(status == 405 && body["error"]?["code"] == "method_not_allowed")
        let wrongMethod = try await home.client.send("PUT", "/api/v1/processes")
        #expect(wrongMethod.status == 405 && wrongMethod.headers["allow"] == "GET")
        (status, body) = try await home.api("GET", "/api/v1/nothing/here")
        #expect(status == 404 && body["error"]?["code"] == "route_not_found")
        (status, _) = try await home.api("GET", "/api/v1/sandboxes")
        #expect(status == 200)
        (status, body) = try await home.api("GET", "/api/v1/sandboxes/ghost")
        #expect(status == 404 && body["error"]?["code"] == "sandbox_not_found")
        (status, body) = try await home.api("GET", "/api/v1/processes/r%2Fcounter_2/info")
        #expect(status == 200 && body["data"]?["state"]?["value"] == 100, "a URL-encoded path as {pid}")
        let pid = try #require(body["data"]?["pid"]?.stringValue)
        (status, body) = try await home.api(
            "GET", "/api/v1/processes/\(pid.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)/state")
        #expect(status == 200 && body["data"]?["state"]?["value"] == 100, "a PID as {pid}")
        (status, body) = try await home.api(
            "POST", "/api/v1/processes/r%2Fcounter_2/message", body: #"{"message":"get_value","type":"call"}"#)
        #expect(status == 200 && body["data"]?["reply"] == 100)
        (status, body) = try await home.api(
            "POST", "/api/v1/processes/r%2Fcounter_2/message",
            body: #"{"message":"sleep","type":"call","timeout":"nope"}"#)
        #expect(status == 422 && body["error"]?["field"] == "timeout")
        (status, _) = try await home.api(
            "POST", "/api/v1/sandboxes",
            body: #"{"sandbox_id":"slow","spec":{"children":[{"id":"s","worker":"sleeper"}]}}"#)
        #expect(status == 201)
        (status, body) = try await home.api(
            "POST", "/api/v1/processes/slow%2Fs/message",
            body: #"{"message":"sleep","content":300,"type":"call","timeout":"20ms"}"#)
        #expect(status == 408 && body["error"]?["code"] == "call_timeout")
        (status, body) = try await home.api("GET", "/api/v1/supervisors/r")
        #expect(status == 200 && body["data"]?["strategy"] == "one_for_one")
        (status, _) = try await home.api("DELETE", "/api/v1/supervisors/r/children/printer_1")
        #expect(status == 200)
        (status, _) = try await home.api("POST", "/api/v1/supervisors/r/children/printer_1/restart")
        #expect(status == 200)
        (status, body) = try await home.api("POST", "/api/v1/processes/r%2Fcounter_1/trace", body: #"{"max_events":1}"#)
        let trace = try #require(body["data"]?["id"]?.stringValue)
        #expect(status == 200)
        (status, _) = try await home.api("GET", "/api/v1/traces/\(trace)")
        #expect(status == 200)
        (status, _) = try await home.api("DELETE", "/api/v1/traces/\(trace)")
        #expect(status == 200)
        (status, body) = try await home.api("PUT", "/api/v1/sandboxes/r/restart")
        #expect(status == 200 && body["data"]?["restart_count"] == 1)
        (status, body) = try await home.api("PATCH", "/api/v1/sandboxes/r/config", body: #"{"config":{"a":1}}"#)
        #expect(status == 200 && body["data"] == ["a": 1])
        (status, body) = try await home.api("GET", "/api/v1/sandboxes/r/config")
        #expect(status == 200 && body["data"] == ["a": 1])
        (status, body) = try await home.api(
            "POST", "/api/v1/sandboxes/r/experiments",
            body: #"{"experiment":"kill-child","parameters":{"target":"counter_1"}}"#)
        #expect(status == 200 && body["data"]?["verdict"] == "pass")
        for path in [
            "/api/v1/cluster/health", "/api/v1/cluster/topology", "/api/v1/cluster/processes",
            "/api/v1/cluster/nodes/superlearner@localhost/info", "/api/v1/system/health", "/api/v1/system/info",
            "/api/v1/templates", "/api/v1/experiments", "/api/v1/supervisors", "/api/v1/telemetry/metrics",
        ] {
            (status, _) = try await home.api("GET", path)
            #expect(status == 200, "\(path)")
        }
        (status, _) = try await home.api("GET", "/api/v1/cluster/nodes/elsewhere/info")
        #expect(status == 404)
        (status, body) = try await home.api("POST", "/api/v1/arsenal/operations/list_sandboxes/execute", body: "{}")
        #expect(status == 200 && body["data"]?.arrayValue?.count == 2)
        (status, body) = try await home.api("POST", "/api/v1/arsenal/operations/nope/execute", body: "{}")
        #expect(status == 404 && body["error"]?["code"] == "operation_not_found")
        (status, body) = try await home.api("GET", "/api/v1/arsenal/docs")
        #expect(status == 200 && body["openapi"] == "3.1.0")
        (status, body) = try await home.api("GET", "/api/v1/arsenal/operations")
        #expect(status == 200 && (body["data"]?.arrayValue?.count ?? 0) >= 30)
        let metrics = try await home.client.send("GET", "/metrics")
        #expect(metrics.status == 200 && metrics.text.contains("superlearner_sandboxes_created_total 2"))
        let page = try await home.client.send("GET", "/")
        #expect(page.status == 200 && page.text.contains("<title>superlearner dashboard</title>"))
        #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        for (asset, type) in [("/dashboard.js", "text/javascript"), ("/dashboard.css", "text/css")] {
            let response = try await home.client.send("GET", asset)
            #expect(response.status == 200 && response.headers["content-type"]?.hasPrefix(type) == true, "\(asset)")
            #expect(response.body.count > 4000, "\(asset) is the real file")
        }
        let big = "{\"sandbox_id\":\"x\",\"config\":{\"k\":\"" + String(repeating: "a", count: 2 << 20) + "\"}}"
        let tooLarge = try await home.client.send("POST", "/api/v1/sandboxes", body: big)
        #expect(
            tooLarge.status == 413 && (try? Term(jsonBytes: tooLarge.body))?["error"]?["code"] == "payload_too_large")
        (status, _) = try await home.api("DELETE", "/api/v1/processes/r%2Fcounter_1?reason=kill")
        #expect(status == 200)
        (status, _) = try await home.api("DELETE", "/api/v1/sandboxes/r")
        #expect(status == 200)
        (status, _) = try await home.api("DELETE", "/api/v1/sandboxes/r")
        #expect(status == 404)
        #expect(home.client.isReachable(), "nothing above crashed the daemon")
    }

    @Test func httpRequestsAreCountedByMethodRouteAndStatus() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        func count(_ labels: String, in text: String) -> Double? {
            let prefix = "superlearner_http_requests_total{\(labels)} "
            return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap {
                Double($0.dropFirst(prefix.count))
            }
        }
        let before = try await home.client.send("GET", "/metrics").text
        #expect(
            try await home.api(
                "POST", "/api/v1/sandboxes", body: #"{"sandbox_id":"h","supervisor_module":"DemoSupervisor"}"#
            ).0 == 201)
        for _ in 0..<3 { #expect(try await home.api("GET", "/api/v1/sandboxes/nowhere").0 == 404) }
        #expect(try await home.api("DELETE", "/metrics").0 == 405)
        #expect(try await home.api("GET", "/api/v1/processes/h%2Fcounter_1/info").0 == 200)
        let after = try await home.client.send("GET", "/metrics").text
        #expect(count(#"method="POST",route="api",status="201""#, in: after) == 1)
        #expect(count(#"method="GET",route="api",status="404""#, in: after) == 3)
        #expect(count(#"method="DELETE",route="metrics",status="405""#, in: after) == 1)
        let okBefore = count(#"method="GET",route="api",status="200""#, in: before) ?? 0
        #expect(
            count(#"method="GET",route="api",status="200""#, in: after) == okBefore + 1,
            "a path with a PID is one route, not a series of its own")
        #expect(
            count(#"method="GET",route="metrics",status="200""#, in: after) ?? 0 >= 1,
            "the first scrape is counted by the second")
        #expect(after.contains(#"superlearner_http_request_duration_seconds_count{route="api"}"#))
        #expect(!after.contains("h/counter_1\",status"), "no path in a label")
    }

    @Test func theEventStreamResumesFromASequenceNumber() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        #expect(await home.run(["sandbox", "create", "e", "DemoSupervisor"]).status == 0)
        let (_, recent) = try await home.api("GET", "/api/v1/telemetry/events?prefix=sandbox.create")
        let createSeq = try #require(recent["data"]?.arrayValue?.last?["seq"]?.intValue)
        // Resume just before the create: the first event delivered is the create itself.
        let client = SuperlearnerClient(endpoint: .unix(home.socket), timeout: .seconds(10))
        let deadline = ContinuousClock.now + .seconds(5)
        let first: (UInt64?, String)? = await offPool {
            var seen: (UInt64?, String)? = nil
            _ = try? client.followEvents("/api/v1/events?since=\(createSeq - 1)", until: deadline) { id, data in
                seen = (id, data)
                return false
            }
            return seen
        }
        #expect(first?.0 == UInt64(createSeq))
        #expect((try? Term(json: first?.1 ?? ""))?["name"] == "sandbox.create")
        // The same with Last-Event-ID.
        let viaHeader: UInt64? = await offPool {
            var seen: UInt64? = nil
            _ = try? client.followEvents("/api/v1/events", lastEventID: UInt64(createSeq - 1), until: deadline) {
                id, _ in
                seen = id
                return false
            }
            return seen
        }
        #expect(viaHeader == UInt64(createSeq))
        // A browser reconnects to the URL it opened (its since included) and adds the last id it got: the
        // header is the later point and wins, so nothing is delivered twice.
        let reconnected: UInt64? = await offPool {
            var seen: UInt64? = nil
            _ = try? client.followEvents(
                "/api/v1/events?since=0", lastEventID: UInt64(createSeq - 1), until: deadline
            ) { id, _ in
                seen = id
                return false
            }
            return seen
        }
        #expect(reconnected == UInt64(createSeq))
        let bad = try await home.client.send("GET", "/api/v1/events?since=abc")
        #expect(bad.status == 400)
    }
}

@Suite("Arsenal over HTTP matches Arsenal in-process")
struct ArsenalOverHTTPTests {
    @Test func theSameOperationGivesTheSameAnswerBothWays() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        let context = OperationContext()
        let registry = OperationRegistry.builtin()
        for name in ["list_templates", "list_experiments"] {
            let local = try await registry.execute(name, [:], context: context)
            let (status, remote) = try await home.api("POST", "/api/v1/arsenal/operations/\(name)/execute", body: "{}")
            #expect(status == 200 && remote["data"] == local, "\(name)")
        }
        // A sandbox created both ways reports the same spec and tree shape.
        _ = try await registry.execute(
            "create_sandbox", ["sandbox_id": "same", "supervisor_module": "NestedTree"], context: context)
        _ = try await home.api(
            "POST", "/api/v1/sandboxes", body: #"{"sandbox_id":"same","supervisor_module":"NestedTree"}"#)
        let local = try await registry.execute("get_sandbox_info", ["sandbox_id": "same"], context: context)
        let (_, remote) = try await home.api("GET", "/api/v1/sandboxes/same")
        #expect(remote["data"]?["spec"] == local["spec"])
        func shape(_ node: Term?) -> Term {
            .array((node?["children"]?.arrayValue ?? []).map { ["id": $0["id"] ?? .null, "children": shape($0)] })
        }
        #expect(shape(remote["data"]?["tree"]) == shape(local["tree"]))
        await context.sandboxes.destroyAll()
    }
}
