import Foundation
import Supervision
import Testing

@testable import Sandbox

/// docs/spec-files.md and docs/os-processes.md against the spec parser: the table of built-in workers is
/// generated from `BuiltinWorker` (SUPERLEARNER_WRITE_DOCS=1, which `make docs` sets, rewrites it), and every
/// key the parser accepts is documented.
@Suite("The spec file reference matches the parser")
struct SpecFileReferenceTests {
    static func page(_ name: String) throws -> String {
        try String(contentsOf: Repository.root.appendingPathComponent("docs/" + name), encoding: .utf8)
    }

    static func workerTable() -> String {
        var lines = ["| Worker | What it does | `args` |", "|---|---|---|"]
        for worker in BuiltinWorker.allCases {
            let arguments = worker.arguments.map { "`\($0.name)` (\($0.expected))" }.joined(separator: ", ")
            lines.append("| `\(worker.rawValue)` | \(worker.summary) | \(arguments.isEmpty ? "none" : arguments) |")
        }
        return lines.joined(separator: "\n")
    }

    @Test func theWorkerTableIsGeneratedFromTheWorkers() throws {
        try Repository.expectGeneratedSection(
            of: "docs/spec-files.md", between: "<!-- workers: generated from BuiltinWorker -->",
            and: "<!-- end workers -->", is: Self.workerTable())
    }

    @Test func everyKeyTheParserAcceptsIsDocumented() throws {
        let specFiles = try Self.page("spec-files.md")
        for key in SandboxSpec.supervisorKeys.union(SandboxSpec.childKeys.subtracting(SandboxSpec.programKeys)).sorted()
        {
            #expect(specFiles.contains("\(key):"), "docs/spec-files.md does not show the key \(key)")
        }
        let programs = try Self.page("os-processes.md")
        for key in SandboxSpec.programKeys.sorted() {
            #expect(programs.contains("| `\(key)` |"), "docs/os-processes.md's field table has no row for \(key)")
        }
    }
}
