import Supervision
import Testing

@testable import Sandbox

@Suite("Spec files: YAML and JSON, rejected whole with field paths")
struct SandboxSpecTests {
    static let designExample = """
        strategy: rest_for_one          # one_for_one | one_for_all | rest_for_one
        max_restarts: 3
        max_seconds: 5
        children:
          - id: db
            worker: kv
          - id: api
            worker: counter
            restart: transient
            shutdown: 2000
            args: { initial: 10 }
          - id: jobs
            supervisor:
              strategy: one_for_one
              children:
                - { id: tick, worker: ticker, args: { every_ms: 500 } }
        """

    @Test func overridingTheRestartTypeReachesEveryWorkerButNotNestedSupervisors() throws {
        var spec = try SandboxSpec.parse(Self.designExample)
        spec.overrideWorkerRestart(.temporary)
        #expect(spec.children.map(\.restart) == [.temporary, .temporary, .permanent], "jobs is a supervisor")
        guard case .supervisor(let nested) = spec.children[2].kind else {
            Issue.record("jobs should be a supervisor")
            return
        }
        #expect(nested.children.map(\.restart) == [.temporary], "workers inside nested supervisors too")
        #expect(spec.children[1].shutdown == .timeout(.milliseconds(2000)), "nothing else changes")
    }

    @Test func theDesignExampleParses() throws {
        let spec = try SandboxSpec.parse(Self.designExample)
        #expect(spec.strategy == .restForOne && spec.maxRestarts == 3 && spec.maxSeconds == 5)
        #expect(spec.children.map(\.id) == ["db", "api", "jobs"])
        #expect(spec.children[1].restart == .transient)
        #expect(spec.children[1].shutdown == .timeout(.milliseconds(2000)))
        #expect(spec.children[1].kind == .worker(.counter, arguments: ["initial": 10]))
        guard case .supervisor(let nested) = spec.children[2].kind else {
            Issue.record("jobs should be a supervisor")
            return
        }
        #expect(nested.children.first?.kind == .worker(.ticker, arguments: ["every_ms": 500]))
        #expect(spec.flattened().map(\.path) == ["db", "api", "jobs", "jobs/tick"])
    }

    @Test func jsonAndYamlAgreeAndTheTermFormRoundTrips() throws {
        let yaml = try SandboxSpec.parse(Self.designExample)
        let json = try SandboxSpec.parse(yaml.term.json)
        #expect(json == yaml)
        #expect(try SandboxSpec(term: yaml.term) == yaml)
    }

    @Test func aBadRestartNamesTheFieldAndTheChoices() {
        let text = """
            strategy: one_for_one
            children:
              - { id: a, worker: counter }
              - { id: b, worker: counter, restart: sometimes }
            """
        #expect(throws: SpecError.self) { try SandboxSpec.parse(text) }
        do {
            _ = try SandboxSpec.parse(text)
        } catch {
            #expect(
                error.issues.first?.description
                    == "children[1].restart: expected permanent, transient or temporary, got \"sometimes\"")
        }
    }

    @Test(arguments: [
        ("{\"strategy\": \"one_for_one\", \"children\": [], \"colour\": 1}", "colour: unknown key"),
        ("{\"children\": [{\"id\": \"a\", \"worker\": \"toaster\"}]}", "children[0].worker: expected one of counter"),
        (
            "{\"children\": [{\"id\": \"a\", \"worker\": \"counter\", \"args\": {\"initial\": \"x\"}}]}",
            "children[0].args.initial: expected an integer"
        ),
        ("{\"children\": [{\"id\": \"a b\", \"worker\": \"kv\"}]}", "children[0].id: expected 1 to 64 letters"),
        (
            "{\"children\": [{\"id\": \"a\", \"worker\": \"kv\"}, {\"id\": \"a\", \"worker\": \"kv\"}]}",
            "children[1].id: duplicate id"
        ),
        (
            "{\"children\": [{\"id\": \"a\", \"worker\": \"kv\", \"shutdown\": -5}]}",
            "children[0].shutdown: expected milliseconds"
        ),
        ("{\"children\": [{\"id\": \"a\"}]}", "children[0]: needs one of worker, supervisor, command or shell"),
        ("{\"max_restarts\": -1, \"children\": []}", "max_restarts: expected an integer of at least 0"),
        ("{\"strategy\": \"simple\", \"children\": []}", "strategy: expected one_for_one, one_for_all or rest_for_one"),
        (
            "{\"children\": [{\"id\": \"a\", \"worker\": \"kv\", \"significant\": true}]}",
            "children[0].significant: a permanent child cannot be significant"
        ),
        ("{\"children\": {\"id\": \"a\"}}", "children: expected a list"),
        ("[1, 2]", "expected a mapping"),
        ("{\"children\": [", "invalid JSON at byte"),
        ("strategy: [unclosed", "invalid YAML"),
        (
            "strategy: one_for_one\nchildren: [unclosed\n",
            "invalid YAML: line 3, column 1: did not find expected ',' or ']' (while parsing a flow sequence started at line 2, column 11)"
        ),
        ("strategy: one_for_one\nchildren: []\n---\nchildren: []\n", "line 3, column 1: expected a single document"),
        ("strategy: one_for_one\nchildren: []\nchildren: []\n", "children: duplicate key"),
        ("max_restarts: yes\nchildren: []\n", "max_restarts: expected an integer of at least 0, got true"),
        ("max_restarts: '3'\nchildren: []\n", "max_restarts: expected an integer of at least 0, got \"3\""),
    ])
    func badSpecsAreRejectedWithThePath(text: String, expected: String) {
        do {
            _ = try SandboxSpec.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.issues.contains { $0.description.contains(expected) }, "got \(error.issues)")
        }
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        do {
            _ = try SandboxSpec.parse(
                "{\"strategy\": 1, \"children\": [{\"id\": \"\", \"worker\": \"kv\", \"restart\": 2}]}")
        } catch {
            #expect(error.issues.map(\.path) == ["strategy", "children[0].id", "children[0].restart"])
        }
    }

    @Test func depthAndSizeAreLimited() {
        var nested: Term = ["children": [["id": "leaf", "worker": "kv"]]]
        for level in 0..<SandboxSpec.maximumDepth {
            nested = ["children": [["id": .string("s\(level)"), "supervisor": nested]]]
        }
        #expect(throws: SpecError.self) { try SandboxSpec(term: nested) }
        let wide: Term = [
            "children": .array((0...SandboxSpec.maximumChildren).map { ["id": .string("w\($0)"), "worker": "echo"] })
        ]
        #expect(throws: SpecError.self) { try SandboxSpec(term: wide) }
    }
}
