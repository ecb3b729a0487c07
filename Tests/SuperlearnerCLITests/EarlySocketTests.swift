import SuperlearnerClient
import Testing

@testable import SuperlearnerCLI

/// Which commands connect to the daemon before their command line is parsed (`EarlyConnection`): those that
/// ask it, at the socket the parse would find, and no others.
@Suite struct EarlySocketTests {
    static let home = SuperlearnerPaths.resolve().socket

    @Test(arguments: [
        ["sandbox", "list"], ["process", "list"], ["supervisor", "list"], ["events", "--limit", "5"],
        ["wait", "demo"], ["why", "demo/worker"], ["telemetry", "export"], ["top", "--once"],
        ["operation", "run", "x"],
    ])
    func aCommandThatAsksTheDaemonConnectsToTheDefaultSocket(arguments: [String]) throws {
        #expect(SuperlearnerCLI.earlySocket(arguments) == Self.home)
        // The first word is one of the tree's nouns: renaming a noun must not quietly turn this off.
        #expect(CommandTree.root.subcommands.contains { $0.name == arguments[0] })
    }

    @Test(arguments: [
        ["sandbox"], ["operation", "list"], ["server", "start"], ["completion", "bash"], ["shell"], ["demo"],
        ["sandbox", "list", "--help"], ["sandbox", "-h"], ["sandbox", "list", "--node", "a"],
        ["sandbox", "list", "--node=a"],
        ["sandbox", "list", "--socket"],
    ])
    func helpOtherCommandsAndClusterNodesConnectNothingEarly(arguments: [String]) {
        #expect(SuperlearnerCLI.earlySocket(arguments) == nil)
    }

    @Test func anExplicitSocketIsTheOneConnectedTo() {
        #expect(SuperlearnerCLI.earlySocket(["sandbox", "list", "--socket", "/tmp/x.sock"]) == "/tmp/x.sock")
        #expect(SuperlearnerCLI.earlySocket(["process", "list", "--socket=/tmp/y.sock"]) == "/tmp/y.sock")
    }

    @Test func onlyAListWithNothingButOutputFlagsSendsItsRequestEarly() {
        #expect(SuperlearnerCLI.earlyRequest(["sandbox", "list"]) == DaemonOperation.listSandboxes.request([:]).path)
        #expect(SuperlearnerCLI.earlyRequest(["process", "list"]) == DaemonOperation.listProcesses.request([:]).path)
        #expect(SuperlearnerCLI.earlyRequest(["sandbox", "list"]) == "/api/v1/sandboxes")
        #expect(SuperlearnerCLI.earlyRequest(["sandbox", "list", "--json", "-q", "--no-color"]) == "/api/v1/sandboxes")
        #expect(SuperlearnerCLI.earlyRequest(["--socket", "/tmp/x.sock", "sandbox", "list"]) == "/api/v1/sandboxes")
        #expect(SuperlearnerCLI.earlyRequest(["process", "list", "--socket=/tmp/x.sock"]) != nil)
        for arguments in [
            ["sandbox", "list", "--limit", "5"], ["sandbox", "info", "demo"], ["supervisor", "list"],
            ["sandbox", "list", "--node", "a"], ["sandbox", "list", "--help"], ["process", "list", "extra"],
            ["list", "sandbox"],
        ] {
            #expect(SuperlearnerCLI.earlyRequest(arguments) == nil, "\(arguments)")
        }
    }
}
