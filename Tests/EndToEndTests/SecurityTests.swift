import Foundation
import SuperlearnerClient
import Supervision
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Each attack on the TCP listener fails with its documented status: no token (401), a foreign page
/// (403 Origin, 403 Host), a text/plain simple request (415), a cookie without the request header (403),
/// and slow or too many connections are cut off.
@Suite("Security: the TCP listener against attacks", .serialized)
struct SecurityTests {
    @Test func theTokenIsCreatedPrivateAndRequiredOnLoopbackToo() async throws {
        let home = TestHome()
        defer { home.close() }
        let (port, token) = try await home.startWithTCP()
        var info = stat()
        #expect(stat(home.path + "/token", &info) == 0 && info.st_mode & 0o777 == 0o600, "the token file is 0600")
        #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
        let anonymous = await rawRequest(port: port, "GET /api/v1/sandboxes HTTP/1.1\nHost: 127.0.0.1:\(port)")
        #expect(anonymous.status == 401 && anonymous.text.contains("\"unauthorized\""))
        let created = await rawRequest(
            port: port,
            "POST /api/v1/sandboxes HTTP/1.1\nHost: 127.0.0.1:\(port)\nContent-Type: application/json\nAuthorization: Bearer \(token)",
            body: #"{"sandbox_id": "t", "supervisor_module": "DemoSupervisor"}"#)
        #expect(created.status == 201, "\(created.text)")
        let client = SuperlearnerClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: token))
        #expect(try await client.send("GET", "/api/v1/sandboxes/t").status == 200, "the client sends Host and token")
        let started = await home.run(["server", "start", "--port", "0"])
        #expect(started.stdout.contains("already running"), "a second start does not print the token")
    }

    @Test func aForeignPageCannotDriveTheDaemon() async throws {
        let home = TestHome()
        defer { home.close() }
        let (port, token) = try await home.startWithTCP()
        let create = #"{"sandbox_id": "evil", "supervisor_module": "DemoSupervisor"}"#
        // The simple request a cross-site form or fetch can send without a preflight.
        let crossSite = await rawRequest(
            port: port,
            "POST /api/v1/sandboxes HTTP/1.1\nHost: 127.0.0.1:\(port)\nOrigin: http://evil.example\nContent-Type: text/plain",
            body: create)
        #expect(crossSite.status == 403 && crossSite.text.contains("forbidden_origin"), "\(crossSite.text)")
        #expect(!crossSite.text.lowercased().contains("access-control-allow"), "no CORS headers, ever")
        // DNS rebinding: the page's own origin, but a host name that is not the listener's.
        let rebound = await rawRequest(
            port: port, "GET /api/v1/sandboxes HTTP/1.1\nHost: evil.example:\(port)\nAuthorization: Bearer \(token)")
        #expect(rebound.status == 403 && rebound.text.contains("forbidden_host"))
        // Even with the token, a body that is not JSON is refused before it is read.
        let plain = await rawRequest(
            port: port,
            "POST /api/v1/sandboxes HTTP/1.1\nHost: localhost:\(port)\nContent-Type: text/plain\nAuthorization: Bearer \(token)",
            body: create)
        #expect(plain.status == 415 && plain.text.contains("unsupported_media_type"))
        let bare = await rawRequest(
            port: port, "POST /api/v1/sandboxes HTTP/1.1\nHost: localhost:\(port)\nAuthorization: Bearer \(token)",
            body: create)
        #expect(bare.status == 415, "a body without a Content-Type is not taken as JSON either")
        let (_, list) = try await home.api("GET", "/api/v1/sandboxes")
        #expect(list["data"]?.arrayValue?.isEmpty == true, "nothing was created")
    }

    @Test func theDashboardLogsInOnceWithACookieAndNeedsTheRequestHeaderToChangeState() async throws {
        let home = TestHome()
        defer { home.close() }
        let started = await home.run(["server", "start", "--port", "0"])
        let url = try #require(started.stdout.split(separator: "\n").first { $0.hasPrefix("dashboard: ") })
        let (port, token) = try await home.startWithTCP()
        #expect(url == "dashboard: http://127.0.0.1:\(port)/?token=\(token)", "server start prints the login URL")
        let wrong = await rawRequest(port: port, "GET /?token=nope HTTP/1.1\nHost: 127.0.0.1:\(port)")
        #expect(wrong.status == 401)
        let login = await rawRequest(port: port, "GET /?token=\(token) HTTP/1.1\nHost: 127.0.0.1:\(port)")
        #expect(login.status == 303 && login.text.lowercased().contains("location: /\r\n"), "\(login.text)")
        let cookieLine = try #require(
            login.text.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") }.map(String.init))
        #expect(
            cookieLine.contains("HttpOnly") && cookieLine.contains("SameSite=Strict") && !cookieLine.contains(token))
        let cookie = String(cookieLine.dropFirst("set-cookie: ".count).prefix { $0 != ";" })
        let page = await rawRequest(port: port, "GET / HTTP/1.1\nHost: 127.0.0.1:\(port)\nCookie: \(cookie)")
        #expect(page.status == 200 && page.text.contains("<html"))
        let read = await rawRequest(
            port: port, "GET /api/v1/sandboxes HTTP/1.1\nHost: 127.0.0.1:\(port)\nCookie: \(cookie)")
        #expect(read.status == 200)
        let body = #"{"sandbox_id": "d", "supervisor_module": "DemoSupervisor"}"#
        let withoutHeader = await rawRequest(
            port: port,
            "POST /api/v1/sandboxes HTTP/1.1\nHost: 127.0.0.1:\(port)\nCookie: \(cookie)\nContent-Type: application/json",
            body: body)
        #expect(withoutHeader.status == 403 && withoutHeader.text.contains("request_header_required"))
        let withHeader = await rawRequest(
            port: port,
            "POST /api/v1/sandboxes HTTP/1.1\nHost: 127.0.0.1:\(port)\nCookie: \(cookie)\nContent-Type: application/json\nX-Superlearner-Request: 1\nOrigin: http://127.0.0.1:\(port)",
            body: body)
        #expect(withHeader.status == 201, "\(withHeader.text)")
        let forged = await rawRequest(
            port: port, "GET /api/v1/sandboxes HTTP/1.1\nHost: 127.0.0.1:\(port)\nCookie: superlearner_session=\(token)"
        )
        #expect(forged.status == 401, "only a session the daemon issued counts")
    }

    @Test func connectionsThatNeverFinishTheirHeadAreClosed() async throws {
        let home = TestHome()
        defer { home.close() }
        let (port, token) = try await home.startWithTCP(environment: ["SUPERLEARNER_REQUEST_HEAD_TIMEOUT": "1s"])
        let outcomes: [Bool] = await offPool {
            let connections = (0..<50).compactMap { _ in RawConnection(port: port) }
            for connection in connections {
                connection.send("GET /api/v1/sandboxes HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-Slow: ")
            }
            return connections.map { $0.readToClose(timeout: .seconds(8)).closed }
        }
        #expect(outcomes.count == 50 && outcomes.allSatisfy { $0 }, "every half-sent request was closed by the daemon")
        let client = SuperlearnerClient(endpoint: .tcp(host: "127.0.0.1", port: port, token: token))
        #expect(try await client.send("GET", "/api/v1/daemon").status == 200, "and the daemon still answers")
    }

    @Test func theConnectionCapHoldsAndIsLogged() async throws {
        let home = TestHome()
        defer { home.close() }
        let (port, token) = try await home.startWithTCP(
            environment: ["SUPERLEARNER_MAX_CONNECTIONS": "4", "SUPERLEARNER_REQUEST_HEAD_TIMEOUT": "2s"])
        let logFile = home.path + "/daemon.log"
        let outcome: (capLogged: Bool, early: String, late: String) = await offPool {
            // Four half-sent requests hold the four slots until the head timeout closes them.
            let held = (0..<4).compactMap { _ in RawConnection(port: port) }
            held.forEach { $0.send("GET / HTTP/1.1\r\n") }
            // The daemon says when the fourth is accepted and the cap reached.
            let deadline = ContinuousClock.now + .seconds(5)
            var capLogged = false
            while !capLogged && ContinuousClock.now < deadline {
                capLogged = ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").contains(
                    "connection cap reached")
                if !capLogged { usleep(20_000) }
            }
            let fifth = RawConnection(port: port)
            fifth?.send(
                "GET /api/v1/daemon HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n"
            )
            let early = fifth?.readToClose(timeout: .milliseconds(800)).text ?? "no connection"
            let late = fifth?.readToClose(timeout: .seconds(8)).text ?? ""
            return (capLogged, early, late)
        }
        #expect(outcome.capLogged, "the log names the cap when it is reached")
        #expect(
            outcome.early.isEmpty,
            "the fifth connection is not served while four are open: \(outcome.early.prefix(100))")
        #expect(outcome.late.hasPrefix("HTTP/1.1 200"), "once the held ones time out, the fifth is served")
        let log = try String(contentsOfFile: logFile, encoding: .utf8)
        #expect(log.contains("listener=tcp"), "\(log.suffix(600))")
    }

    /// The daemon's resident memory, from /proc.
    static func residentKilobytes(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test func stalledEventReadersAreCutOffAndCostNoMemory() async throws {
        let home = TestHome()
        defer { home.close() }
        let (port, token) = try await home.startWithTCP(environment: ["SUPERLEARNER_MAX_EVENT_SUBSCRIBERS": "30"])
        let pid = try #require(home.daemonPID)
        #expect(await home.run(["sandbox", "create", "m", "DemoSupervisor", "--max-restarts", "100000"]).status == 0)
        // Each run kills and restarts 1000 times: about 3000 events.
        func flood(_ runs: Int) async {
            for _ in 0..<runs { _ = await home.run(["sandbox", "run", "m", "kill-random", "n=1000"]) }
        }
        await flood(3)
        let before = Self.residentKilobytes(pid)
        let readers: [RawConnection] = await offPool {
            (0..<30).compactMap { _ in
                let reader = RawConnection(port: port, receiveBuffer: 4096)
                reader?.send(
                    "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\n\r\n")
                // Its answer has begun, so it holds a reader's slot before the next one asks.
                guard reader?.readFirst(timeout: .seconds(10)).hasPrefix("HTTP/1.1 200") == true else { return nil }
                return reader
            }
        }
        #expect(readers.count == 30)
        let refused = await rawRequest(
            port: port, "GET /api/v1/events HTTP/1.1\nHost: 127.0.0.1:\(port)\nAuthorization: Bearer \(token)")
        #expect(refused.status == 503 && refused.text.contains("too_many_subscribers"), "\(refused.text.prefix(300))")
        await flood(10)
        let after = Self.residentKilobytes(pid)
        // Unbounded, 30 stalled readers cost 50 MB and more here; bounded, a few.
        #expect(after - before < 20_000, "the daemon grew by \(after - before) kB with 30 stalled readers")
        // Each stalled reader was cut off: once it drains what the kernel had buffered, its connection ends.
        let ended: [(closed: Bool, lagged: Bool)] = await offPool {
            readers.map {
                let (text, closed) = $0.readToClose(timeout: .seconds(15), keepLast: 4096)
                return (closed, text.contains(": lagged, resume with Last-Event-ID"))
            }
        }
        #expect(
            ended.allSatisfy { $0.closed }, "\(ended.filter { !$0.closed }.count) stalled readers are still connected")
        #expect(ended.contains { $0.lagged }, "a reader that could still read its last line was told where to resume")
        // Slots are given back: a new reader is served, from where it asks.
        let fresh: String = await offPool {
            let reader = RawConnection(port: port)
            reader?.send(
                "GET /api/v1/events?since=1 HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\n\r\n"
            )
            return reader?.readToClose(timeout: .seconds(1)).text ?? ""
        }
        #expect(fresh.hasPrefix("HTTP/1.1 200"), "\(fresh.prefix(200))")
    }
}
