import Sandbox
import Schema
import Supervision
import Synchronization
import Telemetry
import Testing

@testable import Arsenal

struct Harness {
    let registry = OperationRegistry.builtin()
    let context: OperationContext

    init(allowDestructive: Bool = true) {
        let runtime = Runtime()
        let telemetry = Telemetry()
        telemetry.observe(runtime)
        context = OperationContext(runtime: runtime, telemetry: telemetry, allowDestructive: allowDestructive)
    }

    func run(_ name: String, _ parameters: [String: Term] = [:]) async throws(OperationError) -> Term {
        try await registry.execute(name, parameters, context: context)
    }

    func failure(_ name: String, _ parameters: [String: Term] = [:]) async -> OperationError? {
        do {
            _ = try await run(name, parameters)
            return nil
        } catch {
            return error
        }
    }

    func demo(_ id: String = "demo") async throws {
        _ = try await run("create_sandbox", ["sandbox_id": .string(id), "supervisor_module": "DemoSupervisor"])
    }

    func finish() async {
        await context.sandboxes.destroyAll()
    }
}

@Suite("Arsenal: validation, registry, telemetry")
struct ValidationTests {
    @Test func everyFailingFieldIsReportedAndUnknownOnesRejected() async {
        let harness = Harness()
        let error = await harness.failure(
            "list_processes", ["sort": "size", "limit": 0, "colour": "red", "sandbox": "no spaces"])
        #expect(error?.kind == .validation && error?.kind == .validation && error?.code == "validation_failed")
        let fields = error?.details?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
        #expect(Set(fields) == ["sort", "limit", "colour", "sandbox"])
        #expect(
            error?.message.contains("sort: expected one of pid, mailbox, messages, restarts, memory, got \"size\"")
                == true)
    }

    @Test func requiredFieldsAndTypesAreChecked() async {
        let harness = Harness()
        let missing = await harness.failure("create_sandbox", [:])
        #expect(missing?.field == "sandbox_id" && missing?.message.contains("is required") == true)
        let wrongType = await harness.failure("trace_process", ["pid": "x", "max_events": "many"])
        #expect(wrongType?.field == "max_events")
        let duration = await harness.failure("send_message", ["pid": "x", "message": "hi", "timeout": "soon"])
        #expect(duration?.field == "timeout" && duration?.message.contains("duration") == true)
    }

    @Test func stringsSpellingNumbersAndDurationsAreNormalised() throws {
        let operation = try #require(OperationRegistry.builtin().operation(named: "send_message"))
        let validated = try operation.validate(["pid": "a", "message": "m", "timeout": "1.5s"])
        #expect(validated["timeout"] == 1500 && validated["type"] == "send")
        #expect(
            Parameter.milliseconds("500ms") == 500 && Parameter.milliseconds("2m") == 120_000
                && Parameter.milliseconds("x") == nil)
        let list = try #require(OperationRegistry.builtin().operation(named: "list_processes"))
        #expect(try list.validate(["limit": "7"])["limit"] == 7)
    }

    @Test func unknownOperationsAre404() async {
        let error = await Harness().failure("explode")
        #expect(error?.kind == .notFound && error?.code == "operation_not_found")
    }

    @Test func destructiveOperationsAreRefusedByPolicy() async throws {
        let harness = Harness(allowDestructive: false)
        try await harness.demo()
        let error = await harness.failure("kill_process", ["pid": "demo/counter_1"])
        #expect(error?.kind == .forbidden && error?.code == "destructive_refused")
        #expect(harness.context.runtime.resolve("demo/counter_1") != nil)
        await harness.finish()
    }

    @Test func aShuttingDownNodeAnswers503() async {
        let harness = Harness()
        harness.context.shuttingDown.store(true, ordering: .relaxed)
        #expect(await harness.failure("list_sandboxes")?.kind == .unavailable)
    }

    @Test func changesAreEventsAndReadsAreOnlyCounted() async throws {
        let harness = Harness()
        _ = try await harness.run("list_templates")
        _ = await harness.failure("get_sandbox_info", ["sandbox_id": "ghost"])
        _ = try await harness.run("create_sandbox", ["sandbox_id": "one", "supervisor_module": "DemoSupervisor"])
        _ = await harness.failure("restart_sandbox", ["sandbox_id": "ghost"])
        let events = harness.context.telemetry.bus.history().filter { $0.name.hasPrefix("arsenal.") }
        #expect(
            events.map(\.name) == [
                "arsenal.operation.start", "arsenal.operation.stop", "arsenal.operation.start",
                "arsenal.operation.exception",
            ])
        #expect(events[1].metadata["operation"] == "create_sandbox" && events[1].measurements["duration_ms"] != nil)
        #expect(
            events[3].metadata["code"] == "sandbox_not_found" && events[3].metadata["operation"] == "restart_sandbox")
        let text = harness.context.telemetry.export(.prometheus)
        #expect(
            text.contains(
                "superlearner_operation_errors_total{operation=\"get_sandbox_info\",code=\"sandbox_not_found\"} 1"))
        #expect(text.contains("superlearner_operations_total{operation=\"list_templates\",outcome=\"ok\"} 1"))
    }

    @Test func oneRegistryCountsEachRunInTheTelemetryOfItsOwnContext() async throws {
        let registry = OperationRegistry.builtin()
        let runtime = Runtime()
        let first = OperationContext(runtime: runtime, telemetry: Telemetry())
        let second = OperationContext(runtime: runtime, telemetry: Telemetry())
        // Alternating contexts: the meters found with the operation belong to one telemetry at a time.
        for context in [first, second, first, first, second, first] {
            _ = try await registry.execute("list_templates", [:], context: context)
        }
        #expect(
            first.telemetry.export(.prometheus).contains(
                "superlearner_operations_total{operation=\"list_templates\",outcome=\"ok\"} 4"))
        #expect(
            second.telemetry.export(.prometheus).contains(
                "superlearner_operations_total{operation=\"list_templates\",outcome=\"ok\"} 2"))
    }

    @Test func aCallerOfTheDashboardIsNamedInEventsAndMayBeDeniedDestruction() async throws {
        let harness = Harness()
        _ = try await harness.run("create_sandbox", ["sandbox_id": "one", "supervisor_module": "DemoSupervisor"])
        let page = OperationCaller(origin: "dashboard", allowsDestructive: false)
        let refused = await OperationCaller.$current.withValue(page) {
            await harness.failure("kill_process", ["pid": "one/counter_1"])
        }
        #expect(refused?.code == "destructive_refused" && refused?.message.contains("dashboard") == true)
        _ = try await OperationCaller.$current.withValue(page) {
            try await harness.run("update_sandbox_config", ["sandbox_id": "one", "config": ["a": 1]])
        }
        let tagged = harness.context.telemetry.bus.history().filter { $0.metadata["origin"] == "dashboard" }
        #expect(
            tagged.map { $0.metadata["operation"] } == [
                "kill_process", "kill_process", "update_sandbox_config", "update_sandbox_config",
            ])
        // Without a caller set, the daemon's own policy alone applies.
        _ = try await harness.run("kill_process", ["pid": "one/counter_1"])
    }

    @Test func aReadOnlyContextRefusesEveryChangeAndAllowsReads() async throws {
        let context = OperationContext(readOnly: true)
        let registry = OperationRegistry.builtin()
        do {
            _ = try await registry.execute(
                "create_sandbox", ["sandbox_id": "x", "supervisor_module": "DemoSupervisor"], context: context)
            Issue.record("a read-only context created a sandbox")
        } catch {
            #expect(error.kind == .forbidden && error.code == "read_only")
        }
        #expect(context.sandboxes.count == 0)
        #expect(try await registry.execute("list_sandboxes", [:], context: context).arrayValue?.isEmpty == true)
    }

    @Test func theRegistryHoldsEveryOperationOfTheDesign() {
        let names = Set(OperationRegistry.builtin().all.map(\.name))
        let design: Set<String> = [
            "list_processes", "get_process_info", "get_process_state", "kill_process", "send_message", "trace_process",
            "get_trace", "stop_trace", "list_supervisors", "get_supervisor", "restart_child", "terminate_child",
            "list_sandboxes", "create_sandbox", "get_sandbox_info", "restart_sandbox", "destroy_sandbox",
            "run_experiment",
            "get_sandbox_config", "update_sandbox_config", "list_templates", "list_experiments", "cluster_health",
            "cluster_topology", "node_info", "cluster_processes", "cluster_supervision_trees", "system_health",
            "system_info",
            "get_metrics",
        ]
        #expect(design.isSubset(of: names), "missing: \(design.subtracting(names))")
        for operation in OperationRegistry.builtin().all {
            #expect(operation.rest != nil, "\(operation.name) has no REST binding")
            for name in operation.rest?.pathParameters ?? [] {
                #expect(
                    operation.parameters.contains { $0.name == name && $0.required },
                    "\(operation.name): {\(name)} is not a required parameter")
            }
        }
    }
}
