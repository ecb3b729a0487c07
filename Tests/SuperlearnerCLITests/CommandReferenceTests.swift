import Foundation
import Testing

@testable import SuperlearnerCLI

/// docs/commands.md is generated from the command tree; this fails when it is stale.
@Suite struct CommandReferenceTests {
    static let root = Repository.root.path

    /// `SUPERLEARNER_WRITE_DOCS=1 swift test --filter CommandReferenceTests` rewrites the committed page.
    @Test func theCommittedReferenceMatchesTheCommandTree() throws {
        let path = Self.root + "/docs/commands.md"
        let expected = CommandReference.markdown()
        if Repository.writesDocs {
            try expected.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(
            (try? String(contentsOfFile: path, encoding: .utf8)) == expected, "docs/commands.md is stale: run make docs"
        )
    }

    @Test func theReferenceNamesEveryVisibleCommandFlagAndExitCode() {
        let text = CommandReference.markdown()
        for (spec, path) in CommandTreeTests.nodes() where !path.isEmpty && !spec.hidden && !path.contains("help") {
            #expect(text.contains("superlearner \(path.joined(separator: " "))\n"), "\(path) has a section")
            for flag in spec.flags { #expect(text.contains("`--\(flag.long)"), "--\(flag.long) of \(path)") }
        }
        for code in ExitCode.allCases { #expect(text.contains("| \(code.rawValue) | \(code.meaning)")) }
    }
}
