import Foundation
import Supervision
import Testing

@testable import Sandbox

/// docs/spec-files.md and docs/os-processes.md against the spec parser: the table of built-in workers is
/// generated from `BuiltinWorker` (SUPERLEARNER_WRITE_DOCS=1, which `make docs` sets, rewrites it), and every
/// key the parser accepts is documented.
@Suite("The spec file reference matches the parser")
struct SpecFileReferenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let begin = "<!-- workers: generated from BuiltinWorker -->"
    static let end = "<!-- end workers -->"

    static func page(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("docs/" + name), encoding: .utf8)
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
        let url = Self.root.appendingPathComponent("docs/spec-files.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let start = try #require(text.range(of: Self.begin), "docs/spec-files.md has \(Self.begin)")
        let stop = try #require(text.range(of: Self.end), "docs/spec-files.md has \(Self.end)")
        let generated = "\n" + Self.workerTable() + "\n"
        if ProcessInfo.processInfo.environment["SUPERLEARNER_WRITE_DOCS"] == "1" {
            try (text[..<start.upperBound] + generated + text[stop.lowerBound...])
                .write(to: url, atomically: true, encoding: .utf8)
            return
        }
        #expect(
            String(text[start.upperBound..<stop.lowerBound]) == generated,
            "docs/spec-files.md's worker table is stale: run make docs")
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
