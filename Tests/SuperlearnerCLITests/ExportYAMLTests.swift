import Sandbox
import Supervision
import Testing

@testable import SuperlearnerCLI

@Suite struct ExportYAMLTests {
    /// Strings YAML would read as something else written plain, or that break inside quotes without escapes.
    static let awkward = [
        "yes", "No", "tRue", "~", "null", "", "1_000", "0b101", "0o17", "017", "0x1F", "1:30", ".inf", "-.5", "+1",
        "1e3", "08", "a\nb", "tab\there", "quote\"d", "back\\slash", "ünïcödé", "del\u{7F}", "bell\u{07}", "- x",
        "key: value", "# not a comment", "plain-id_1.2/3",
    ]

    @Test func anExportedSpecReadsBackAsTheSameTerm() throws {
        let spec: Term = [
            "strategy": "one_for_one",
            "children": .array(
                ExportYAMLTests.awkward.enumerated().map { index, text in
                    ["id": .string("c\(index)"), "worker": "echo", "args": ["note": .string(text)]]
                }),
        ]
        let yaml = SandboxCommands.Export.yaml(spec, comment: "round trip")
        #expect(try SandboxSpec.document(yaml, format: .yaml) == spec, "\(yaml)")
    }

    @Test func simpleTextStaysPlain() {
        #expect(SandboxCommands.Export.yamlScalar("counter_1") == "counter_1")
        #expect(SandboxCommands.Export.yamlScalar("1_000") == "\"1_000\"")
    }
}
