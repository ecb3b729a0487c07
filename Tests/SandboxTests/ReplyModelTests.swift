import Sandbox
import Supervision
import Telemetry
import Testing

/// The daemon encodes its replies from these models and the command line decodes them back: a round
/// trip through JSON text gives the same value, and a reply of the wrong shape names the field.
@Suite struct ReplyModelTests {
    @Test func aSandboxAndItsTreeSurviveTheTripThroughJSON() async throws {
        let runtime = Runtime()
        let sandboxes = SandboxManager(runtime: runtime)
        let created = try await sandboxes.create(id: "r", template: "NestedTree", config: ["k": "v"])
        let again = try SandboxInfo(term: Term(json: created.term.json))
        #expect(again == created)
        let tree = try await sandboxes.tree("r")
        #expect(try SandboxNode(term: Term(json: tree.term.json)) == tree)
        #expect(
            tree.children.contains { !$0.children.isEmpty }, "the template nests, so the round trip covered a subtree")
        try await sandboxes.destroy("r")
    }

    /// `sandbox list` reads rows as summaries: the same reply, the same fields, and still a named error.
    @Test func aSandboxSummaryReadsTheListFieldsFromTheSameReply() async throws {
        let sandboxes = SandboxManager(runtime: Runtime())
        let info = try await sandboxes.create(id: "s", template: "NestedTree")
        try await sandboxes.destroy("s")
        let rows = try [SandboxSummary](term: Term(json: Term.array([info.term]).json))
        #expect(rows == [SandboxSummary(info)])
        #expect(rows.first?.processCount == info.processCount && info.processCount > 0)
        guard case .object(var members) = info.term else { Issue.record("not an object"); return }
        members["restart_count"] = "twice"
        #expect(throws: TermDecodingError(path: "restart_count", expected: "an integer")) {
            try SandboxSummary(term: .object(members))
        }
    }

    @Test func aReplyOfTheWrongShapeNamesTheField() async throws {
        let sandboxes = SandboxManager(runtime: Runtime())
        let info = try await sandboxes.create(id: "w", template: "DemoSupervisor")
        try await sandboxes.destroy("w")
        guard case .object(var members) = info.term else { Issue.record("not an object"); return }
        members["process_count"] = "three"
        #expect(throws: TermDecodingError(path: "process_count", expected: "an integer")) {
            try SandboxInfo(term: .object(members))
        }
        members["process_count"] = 3
        members["status"] = "sleeping"
        #expect(throws: TermDecodingError(path: "status", expected: "one of its known values")) {
            try SandboxInfo(term: .object(members))
        }
        #expect(throws: TermDecodingError(path: "[1]", expected: "an object")) {
            try [SandboxInfo](term: [info.term, 7])
        }
    }

    @Test func eventsAndExperimentResultsSurviveTheTripThroughJSON() throws {
        let event = TelemetryEvent(
            sequence: 9, name: EventName.sandboxRestart, time: 1.5, measurements: ["n": 2],
            metadata: ["sandbox_id": "x"])
        #expect(try TelemetryEvent(term: Term(json: event.term.json)) == event)
        var result = ExperimentResult(
            verdict: .fail("too slow"), measurements: ["median_ms": 0.25], details: ["pid": "<0.3.0>"])
        result.experiment = "restart-latency"
        result.sandbox = "x"
        result.parameters = ["samples": 3]
        result.durationMilliseconds = 12.5
        #expect(try ExperimentResult(term: Term(json: result.term.json)) == result)
    }
}
