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
}
