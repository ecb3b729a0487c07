import Foundation
import SuperlearnerClient
import Testing

/// A command connects to the daemon before it parses its command line (`EarlyConnection`), so that the
/// daemon accepts while the command parses. The first request must travel on that connection; one the daemon
/// has closed since, or one older than its age limit, must not carry a request. Serialized: a process holds
/// one early connection at a time, as a command needs no more.
@Suite(.serialized) struct EarlyConnectionTests {
    @Test func theFirstRequestTravelsOnTheConnectionOpenedEarly() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        EarlyConnection.open(unixSocket: home.socket, maximumAge: .seconds(60))
        #expect(EarlyConnection.isOpen(unixSocket: home.socket))
        // With the socket's name moved away, only a connection made before can reach the daemon.
        let moved = home.socket + ".moved"
        #expect(rename(home.socket, moved) == 0)
        defer { _ = rename(moved, home.socket) }
        let first = try await home.client.send("GET", "/api/v1/sandboxes")
        #expect(first.status == 200)
        #expect(!EarlyConnection.isOpen(unixSocket: home.socket))
        await #expect(throws: ClientError.self) { try await home.client.send("GET", "/api/v1/sandboxes") }
    }

    @Test func aConnectionOlderThanItsAgeLimitIsClosedInsteadOfUsed() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        EarlyConnection.open(unixSocket: home.socket, maximumAge: .milliseconds(1))
        try await Task.sleep(for: .milliseconds(20))
        let moved = home.socket + ".moved"
        #expect(rename(home.socket, moved) == 0)
        defer { _ = rename(moved, home.socket) }
        // Too old to use, so the request connects anew, and finds no socket at that name.
        await #expect(throws: ClientError.self) { try await home.client.send("GET", "/api/v1/sandboxes") }
        #expect(!EarlyConnection.isOpen(unixSocket: home.socket))
    }

    @Test func aConnectionTheDaemonClosedMeanwhileCarriesNoRequest() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        EarlyConnection.open(unixSocket: home.socket, maximumAge: .seconds(60))
        // The daemon that accepted it stops (closing it), and another takes its place on the same socket.
        #expect(await home.run(["server", "stop"]).status == 0)
        await home.start()
        let response = try await home.client.send("GET", "/api/v1/sandboxes")
        #expect(response.status == 200, "\(response.text)")
        #expect(!EarlyConnection.isOpen(unixSocket: home.socket))
    }

    @Test func aRequestSentEarlyIsAnsweredToTheSameRequestMadeLater() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        #expect(await home.run(["sandbox", "create", "early", "DemoSupervisor"]).status == 0)
        EarlyConnection.open(unixSocket: home.socket, maximumAge: .seconds(60), sending: "/api/v1/sandboxes")
        let moved = home.socket + ".moved"
        #expect(rename(home.socket, moved) == 0)
        defer { _ = rename(moved, home.socket) }
        let answer = try await home.client.send("GET", "/api/v1/sandboxes")
        #expect(answer.status == 200 && answer.text.contains(#""id":"early""#), "\(answer.text.prefix(200))")
        #expect(!EarlyConnection.isOpen(unixSocket: home.socket))
    }

    @Test func anAnswerSentEarlyIsNeverGivenToAnotherRequest() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        EarlyConnection.open(unixSocket: home.socket, maximumAge: .seconds(60), sending: "/api/v1/sandboxes")
        let templates = try await home.client.send("GET", "/api/v1/templates")
        #expect(templates.status == 200 && templates.text.contains("DemoSupervisor"), "\(templates.text.prefix(200))")
        #expect(!templates.text.contains(#""data":[]"#), "the sandboxes' answer was read as the templates'")
        #expect(!EarlyConnection.isOpen(unixSocket: home.socket))
    }

    @Test func aListCommandAsksTheDaemonOnceWithItsRequestSentBeforeTheParse() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        #expect(await home.run(["sandbox", "create", "once", "DemoSupervisor"]).status == 0)
        /// The API's GETs the daemon has answered so far.
        func apiGets() async throws -> Double {
            try await home.client.send("GET", "/metrics").text.split(separator: "\n")
                .filter {
                    $0.hasPrefix("superlearner_http_requests_total{") && $0.contains(#"method="GET""#)
                        && $0.contains(#"route="api""#)
                }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        }
        for command in [["sandbox", "list"], ["process", "list"], ["sandbox", "list", "--json"]] {
            let before = try await apiGets()
            let result = await home.run(command)
            #expect(result.status == 0 && result.stdout.contains("once"), "\(command): \(result.stderr)")
            // Two would mean the early request's answer went unused and the command asked again.
            #expect(try await apiGets() - before == 1, "\(command.joined(separator: " "))")
        }
        // A list with a filter asks on its own (nothing is sent early), still once.
        let before = try await apiGets()
        #expect(await home.run(["sandbox", "list", "--limit", "1"]).status == 0)
        #expect(try await apiGets() - before == 1)
    }
}
