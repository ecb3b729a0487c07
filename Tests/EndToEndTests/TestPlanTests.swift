import Foundation
import Supervision
import Testing

/// `superlearner test run PLAN.yaml` through the real binary: cases in their own sandboxes, JUnit XML, and a
/// plan with mistakes named field by field.
@Suite("Failure tests as files")
struct TestPlanTests {
    @Test func aPlanRunsEachCaseInItsOwnSandboxAndWritesJUnit() async throws {
        let home = TestHome()
        defer { home.close() }
        try """
        max_restarts: 10
        children:
          - { id: x, worker: counter }
          - { id: y, worker: counter }
        """.write(toFile: home.path + "/tree.yaml", atomically: true, encoding: .utf8)
        let plan = """
            name: demo failures
            cases:
              - name: a killed counter comes back
                sandbox: { template: DemoSupervisor }
                steps:
                  - kill: counter_1
                  - wait: { target: counter_1, for: restarted, timeout: 5s }
                expect:
                  - status: running
                  - restarts: { path: counter_1, exactly: 1 }
                  - why: { path: counter_1, action: restart }
                  - health: healthy
              - name: seeded random kills are survived
                sandbox: { spec_file: tree.yaml }
                steps:
                  - experiment: { name: kill-random, parameters: { n: 3 }, seed: 42 }
                  - operation: { name: get_sandbox_info, parameters: { sandbox_id: nope }, expect_error: sandbox_not_found }
                expect:
                  - verdict: pass
              - name: a storm beyond the budget fails the sandbox
                sandbox: { spec: { max_restarts: 1, children: [ { id: a, worker: counter } ] } }
                steps:
                  - kill: a
                  - wait: { target: a, for: restarted }
                  - kill: a
                  - wait: { target: $sandbox, for: escalated }
                expect:
                  - status: failed
                  - health: degraded
              - name: this one is wrong on purpose
                sandbox: { template: DemoSupervisor }
                steps:
                  - kill: counter_2
                  - wait: { target: counter_2, for: restarted }
                expect:
                  - restarts: { path: counter_2, exactly: 5 }
            """
        let file = home.path + "/plan.yaml"
        try plan.write(toFile: file, atomically: true, encoding: .utf8)
        let junit = home.path + "/plan.xml"
        let result = await home.run(["test", "run", file, "--junit", junit])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        for name in [
            "a killed counter comes back", "seeded random kills are survived",
            "a storm beyond the budget fails the sandbox",
        ] {
            #expect(result.stdout.contains("✔ \(name) ("), "\(name): \(result.stdout)")
        }
        #expect(result.stdout.contains("✘ this one is wrong on purpose") && result.stdout.contains("expected 5, got 1"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<testsuite name=\"demo failures\" tests=\"4\" failures=\"1\""), "\(xml)")
        #expect(xml.contains("<failure message=\"restarts of counter_2: expected 5, got 1\"/>"))
        // Every case's sandbox was destroyed afterwards.
        #expect(await home.run(["sandbox", "list", "--json"]).json?.arrayValue?.isEmpty == true)
    }

    @Test func aPlanWithMistakesIsRefusedNamingEachField() async throws {
        let home = TestHome()
        defer { home.close() }
        let plan = """
            cases:
              - name: broken
                sandbox: { template: Nope }
                steps:
                  - wait: { target: a, for: someday }
                  - explode: now
                expect:
                  - verdict: maybe
                  - colour: red
            """
        let file = home.path + "/bad.yaml"
        try plan.write(toFile: file, atomically: true, encoding: .utf8)
        let result = await home.run(["test", "run", file])
        #expect(result.status == 2, "\(result.stderr)")
        for field in [
            "cases[0].sandbox.template", "cases[0].steps[0].wait.for", "cases[0].steps[1]",
            "cases[0].expect[0].verdict",
            "cases[0].expect[1]",
        ] {
            #expect(result.stderr.contains(field + ":"), "\(field) in \(result.stderr)")
        }
        #expect(await home.run(["test", "run", home.path + "/missing.yaml"]).status != 0)
    }
}
