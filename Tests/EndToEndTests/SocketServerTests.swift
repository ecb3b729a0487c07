import Foundation
import Supervision
import Testing

/// The Unix socket's own HTTP/1 server (the daemon's `SocketServer`, NIO's handlers without Hummingbird's
/// async channel): what the command line and scripts rely on from it, on a real daemon.
@Suite("The socket's HTTP server")
struct SocketServerTests {
    @Test func pipelinedRequestsOnOneConnectionAreAnsweredInOrderWithDateAndServer() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        let connection = try #require(RawConnection(unixSocket: home.socket))
        connection.send(
            "GET /api/v1/daemon HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET /nope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        let (text, closed) = await offPool { connection.readToClose(timeout: .seconds(10)) }
        #expect(closed, "the second request asked to close the connection after its answer")
        let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
        #expect(statuses == ["200", "404"], "\(text.prefix(400))")
        #expect(
            text.hasPrefix("HTTP/1.1 200 OK\r\n") && text.contains("HTTP/1.1 404 Not Found\r\n"), "\(text.prefix(400))")
        #expect(text.components(separatedBy: "\r\nServer: superlearner\r\n").count == 3, "\(text.prefix(400))")
        #expect(text.components(separatedBy: "\r\nDate: ").count == 3, "\(text.prefix(400))")
        #expect(text.contains(#""code":"not_found""#) || text.contains("not_found"), "\(text.suffix(200))")
    }

    @Test func aBodyOverTheLimitIsRefusedWith413AndNothingIsCreated() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        let connection = try #require(RawConnection(unixSocket: home.socket))
        // The default limit is 1 MiB: a string parameter a little longer than that.
        let body =
            #"{"sandbox_id": "big", "supervisor_module": "DemoSupervisor", "x": ""#
            + String(repeating: "a", count: 1 << 20) + #""}"#
        let outcome: (text: String, closed: Bool) = await offPool {
            connection.send(
                "POST /api/v1/sandboxes HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
            return connection.readToClose(timeout: .seconds(10))
        }
        #expect(outcome.text.hasPrefix("HTTP/1.1 413"), "\(outcome.text.prefix(300))")
        #expect(outcome.text.contains("application/json"), "\(outcome.text.prefix(300))")
        let listed = await home.run(["sandbox", "list", "--json"])
        #expect(listed.status == 0 && listed.json?.arrayValue?.isEmpty == true, "\(listed.stdout)")
    }

    @Test func aHalfSentHeadIsClosedAfterTheTimeoutButAWaitingEventStreamIsNot() async throws {
        let home = TestHome()
        defer { home.close() }
        let started = await home.run(
            ["server", "start"], extraEnvironment: ["SUPERLEARNER_REQUEST_HEAD_TIMEOUT": "1s"])
        #expect(started.status == 0, "\(started.stderr)")
        let half = try #require(RawConnection(unixSocket: home.socket))
        let stream = try #require(RawConnection(unixSocket: home.socket))
        half.send("GET /api/v1/daemon HTTP/1.1\r\nHost: localhost\r\n")
        stream.send("GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(await offPool { stream.readFirst(timeout: .seconds(10)) }.contains("text/event-stream"))
        let halfClosed = await offPool { half.readToClose(timeout: .seconds(8)).closed }
        #expect(halfClosed, "a head that never ends is closed after the head timeout")
        // Three times the timeout with nothing to read: the stream's reader is waiting, not gone.
        let streamClosed = await offPool { stream.readToClose(timeout: .seconds(3)).closed }
        #expect(!streamClosed, "an event stream was closed as if idle")
    }

    @Test func aRequestWhoseBodyNeverEndsIsAnswered408AndClosed() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        let connection = try #require(RawConnection(unixSocket: home.socket))
        let outcome: (text: String, closed: Bool) = await offPool {
            // A whole head, then half the body it announces, sent a byte a second so the connection is never
            // idle long enough for the head timeout: the request's own deadline (10 s) ends it.
            connection.send(
                "POST /api/v1/sandboxes HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{")
            var result = connection.readToClose(timeout: .seconds(1))
            for _ in 0..<20 where !result.closed {
                connection.send(" ")
                result = connection.readToClose(timeout: .seconds(1))
            }
            return result
        }
        #expect(outcome.closed, "a body trickled for 20 s was still being read")
        #expect(outcome.text.hasPrefix("HTTP/1.1 408"), "\(outcome.text.prefix(300))")
        #expect(outcome.text.contains(#""code":"body_timeout""#), "\(outcome.text.suffix(200))")
        #expect(await home.run(["sandbox", "list"]).status == 0, "and the daemon still answers")
    }

    @Test func somethingThatIsNotHTTPIsAnswered400InTheEnvelopeAndClosed() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        let connection = try #require(RawConnection(unixSocket: home.socket))
        connection.send("HELLO\u{1}\r\n\r\n")
        let (text, closed) = await offPool { connection.readToClose(timeout: .seconds(10)) }
        #expect(closed, "a connection that does not speak HTTP stayed open")
        #expect(text.hasPrefix("HTTP/1.1 400"), "\(text.prefix(300))")
        #expect(text.contains(#""code":"bad_request""#), "\(text.suffix(200))")
        #expect(await home.run(["sandbox", "list"]).status == 0, "and the daemon still answers")
    }

    @Test func anHTTP10RequestIsAnsweredThenClosedUnlessItAsksToKeepAlive() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        let once = try #require(RawConnection(unixSocket: home.socket))
        once.send("GET /api/v1/sandboxes HTTP/1.0\r\n\r\n")
        let (text, closed) = await offPool { once.readToClose(timeout: .seconds(10)) }
        #expect(closed, "HTTP/1.0 without keep-alive closes after its answer")
        #expect(text.hasPrefix("HTTP/1.1 200") && text.contains("\r\nConnection: close\r\n"), "\(text.prefix(300))")
        let kept = try #require(RawConnection(unixSocket: home.socket))
        kept.send("GET /api/v1/sandboxes HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let answer = await offPool { kept.readToClose(timeout: .seconds(1)) }
        #expect(!answer.closed && answer.text.hasPrefix("HTTP/1.1 200"), "\(answer.text.prefix(300))")
        #expect(answer.text.contains("\r\nContent-Length: "), "\(answer.text.prefix(300))")
    }

    @Test func anEventStreamIsSentInChunksAReaderCanFollow() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        let stream = try #require(RawConnection(unixSocket: home.socket))
        stream.send("GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let head = await offPool { stream.readFirst(timeout: .seconds(10)) }
        #expect(head.contains("\r\nTransfer-Encoding: chunked\r\n"), "\(head.prefix(300))")
        #expect(await home.run(["sandbox", "create", "chunked", "DemoSupervisor"]).status == 0)
        // Each event arrives as a chunk: its size in hex on a line of its own, then `data:` with the event.
        let (text, _) = await offPool { stream.readToClose(timeout: .seconds(2)) }
        let all = head + text
        #expect(all.contains("sandbox_created") || all.contains("chunked"), "\(all.suffix(400))")
        let afterHead = all.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        let sizeLine = afterHead.components(separatedBy: "\r\n").first ?? ""
        #expect(!sizeLine.isEmpty && Int(sizeLine, radix: 16) != nil, "\(afterHead.prefix(200))")
    }
}
