import Sandbox
import Supervision
import Testing

@testable import Arsenal

/// The process and supervisor operations answer with report models that the command line decodes: the
/// replies, sent as JSON text, read back into the same reports.
@Suite struct ReportTests {
    @Test func processAndSupervisorRepliesReadBackAsTheirReports() async throws {
        let harness = Harness()
        _ = try await harness.run("create_sandbox", ["sandbox_id": "r", "supervisor_module": "NestedTree"])
        let rows = try await harness.run("list_processes", ["sandbox": "r"])
        let processes = try [ProcessReport](term: Term(json: rows.json))
        #expect(processes.count == rows.arrayValue?.count && processes.allSatisfy { $0.sandbox == "r" })
        #expect(processes.contains { $0.kind == .supervisor && $0.path == "r" })
        #expect(processes.map(\.term) == rows.arrayValue)
        // The table a report is written into is sized by memberCount: it must count every member.
        #expect(processes.allSatisfy { $0.term.objectValue?.count == ProcessReport.memberCount })

        let supervisor = try await harness.run("get_supervisor", ["name": "r"])
        let report = try SupervisorReport(term: Term(json: supervisor.json))
        #expect(report.term == supervisor && report.path == "r" && !report.children.isEmpty)
        #expect(report.restartBudgetLeft == report.maxRestarts - report.restartsInWindow)

        let summaries = try await harness.run("list_supervisors", ["sandbox": "r"])
        let decoded = try [SupervisorSummary](term: Term(json: summaries.json))
        #expect(decoded.map(\.term) == summaries.arrayValue && decoded.count >= 2, "NestedTree nests a supervisor")
        _ = try await harness.run("destroy_sandbox", ["sandbox_id": "r"])
    }

    @Test func aRowOfTheWrongShapeNamesItsField() throws {
        let row: Term = [
            "pid": "<0.1.0>", "path": .null, "name": .null, "status": "running", "kind": "process", "sandbox": .null,
            "mailbox": 0, "messages_in": 0, "messages_out": "lots", "restarts": 0, "memory": 1,
        ]
        #expect(throws: TermDecodingError(path: "[0].messages_out", expected: "an integer")) {
            try [ProcessReport](term: [row])
        }
    }
}
