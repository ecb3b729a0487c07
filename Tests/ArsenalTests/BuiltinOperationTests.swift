import Sandbox
import Supervision
import Telemetry
import Testing

@testable import Arsenal

@Suite("Arsenal: every built-in operation against the real runtime")
struct BuiltinOperationTests {
    @Test func sandboxLifecycleThroughOperations() async throws {
        let harness = Harness()
        let created = try await harness.run(
            "create_sandbox",
            ["sandbox_id": "s1", "supervisor_module": "DemoSupervisor", "max_restarts": 5, "config": ["team": "a"]])
        #expect(created["status"] == "running" && created["spec"]?["max_restarts"] == 5)
        let duplicate = await harness.failure(
            "create_sandbox", ["sandbox_id": "s1", "supervisor_module": "DemoSupervisor"])
        #expect(duplicate?.kind == .conflict && duplicate?.code == "already_exists")
        #expect(try await harness.run("list_sandboxes").arrayValue?.count == 1)
        let info = try await harness.run("get_sandbox_info", ["sandbox_id": "s1"])
        #expect(info["tree"]?["children"]?.arrayValue?.count == 3)
        #expect(try await harness.run("get_sandbox_config", ["sandbox_id": "s1"]) == ["team": "a"])
        #expect(
            try await harness.run("update_sandbox_config", ["sandbox_id": "s1", "config": ["team": .null, "x": 1]]) == [
                "x": 1
            ])
        #expect(try await harness.run("restart_sandbox", ["sandbox_id": "s1"])["restart_count"] == 1)
        #expect(try await harness.run("destroy_sandbox", ["sandbox_id": "s1"])["destroyed"] == true)
        #expect(await harness.failure("get_sandbox_info", ["sandbox_id": "s1"])?.kind == .notFound)
        #expect(harness.context.runtime.processCount == 0)
    }

    @Test func createSandboxFromASpecReportsSpecFieldsOnError() async throws {
        let harness = Harness()
        let spec: Term = [
            "strategy": "one_for_all",
            "children": [["id": "a", "worker": "kv"], ["id": "b", "worker": "counter", "restart": "sometimes"]],
        ]
        let error = await harness.failure("create_sandbox", ["sandbox_id": "bad", "spec": spec])
        #expect(error?.kind == .validation && error?.field == "spec.children[1].restart")
        let both = await harness.failure(
            "create_sandbox", ["sandbox_id": "x", "spec": ["children": []], "supervisor_module": "DemoSupervisor"])
        #expect(both?.field == "spec")
        let neither = await harness.failure("create_sandbox", ["sandbox_id": "x"])
        #expect(neither?.field == "supervisor_module")
        let badID = await harness.failure(
            "create_sandbox", ["sandbox_id": "no/slash", "supervisor_module": "DemoSupervisor"])
        #expect(badID?.field == "sandbox_id" && badID?.kind == .validation)
        let ok = try await harness.run(
            "create_sandbox", ["sandbox_id": "good", "spec": ["children": [["id": "a", "worker": "kv"]]]])
        #expect(ok["spec"]?["children"]?.arrayValue?.count == 1)
        let failing = await harness.failure(
            "create_sandbox",
            [
                "sandbox_id": "boom",
                "spec": ["children": [["id": "c", "worker": "crasher", "args": ["crash_on_start": true]]]],
            ])
        #expect(failing?.code == "start_failed" && failing?.kind == .failed)
        await harness.finish()
    }

    @Test func infoOnABusyServerLeavesTheStateOutAndSaysWhy() async throws {
        let harness = Harness()
        _ = try await harness.run(
            "create_sandbox", ["sandbox_id": "busy", "spec": ["children": [["id": "s", "worker": "sleeper"]]]])
        // Keep the server in a 3-second call while info asks for its state with a 50 ms budget.
        async let blocked = harness.run(
            "send_message", ["pid": "busy/s", "message": ["sleep", 3000], "type": "call", "timeout": 10_000])
        var info: Term = .null
        for _ in 0..<100 where info["state_error"] == nil {
            info = try await harness.run("get_process_info", ["pid": "busy/s", "timeout": 50])
        }
        #expect(info["state"] == .null && info["state_error"]?.stringValue?.isEmpty == false, "\(info)")
        #expect(info["path"] == "busy/s", "everything else is there")
        #expect(try await blocked["reply"] == "ok")
        await harness.finish()
    }

    @Test func processOperationsListInspectMessageAndKill() async throws {
        let harness = Harness()
        try await harness.demo()
        let list = try await harness.run("list_processes", ["sandbox": "demo"])
        let rows = try #require(list.arrayValue)
        #expect(rows.count == 4)
        #expect(rows.allSatisfy { $0["pid"] != nil && $0["path"] != nil && $0["name"] != nil && $0["status"] != nil })
        #expect(rows.first?["path"] == "demo", "the root supervisor has the sandbox id as its path")
        let limited = try await harness.run("list_processes", ["sort": "mailbox", "limit": 2])
        #expect(limited.arrayValue?.count == 2)
        #expect(await harness.failure("list_processes", ["sandbox": "nope"])?.kind == .notFound)

        let info = try await harness.run("get_process_info", ["pid": "demo/counter_2", "timeout": 5000])
        #expect(
            info["state"] == ["value": 100] && info["path"] == "demo/counter_2" && info["links"]?.arrayValue?.count == 1
        )
        let pid = try #require(info["pid"]?.pidValue)
        #expect(
            try await harness.run("get_process_info", ["pid": .string(pid.description)])["path"] == "demo/counter_2")
        #expect(await harness.failure("get_process_info", ["pid": "<0.999999.0>"])?.code == "process_not_found")

        _ = try await harness.run(
            "send_message", ["pid": "demo/counter_2", "message": "increment", "content": 5, "type": "cast"])
        let reply = try await harness.run(
            "send_message", ["pid": "demo/counter_2", "message": "get_value", "type": "call"])
        #expect(reply["reply"] == 105)
        #expect(try await harness.run("get_process_state", ["pid": "demo/counter_2"])["state"] == ["value": 105])
        #expect(try await harness.run("get_process_state", ["pid": "demo"])["state"]?["strategy"] == "one_for_one")

        let killed = try await harness.run("kill_process", ["pid": "demo/counter_1"])
        #expect(killed["alive"] == false && killed["reason"] == "kill")
        let stopped = try await harness.run("stop_process", ["pid": "demo/printer_1", "reason": "shutdown"])
        #expect(stopped["alive"] == false)
        await harness.finish()
    }

    @Test func callTimeoutsAre408() async throws {
        let harness = Harness()
        _ = try await harness.run(
            "create_sandbox", ["sandbox_id": "t", "spec": ["children": [["id": "s", "worker": "sleeper"]]]])
        let error = await harness.failure(
            "send_message", ["pid": "t/s", "message": "sleep", "content": 300, "type": "call", "timeout": "20ms"])
        #expect(error?.kind == .timeout && error?.code == "call_timeout")
        await harness.finish()
    }

    @Test func tracesRecordMessagesUntilStopped() async throws {
        let harness = Harness()
        try await harness.demo()
        let trace = try await harness.run("trace_process", ["pid": "demo/counter_1", "max_events": 2])
        let id = try #require(trace["id"]?.stringValue)
        _ = try await harness.run("send_message", ["pid": "demo/counter_1", "message": "increment", "type": "cast"])
        _ = try await harness.run("send_message", ["pid": "demo/counter_1", "message": "get_value", "type": "call"])
        _ = try await harness.run("send_message", ["pid": "demo/counter_1", "message": "get_value", "type": "call"])
        let got = try await harness.run("get_trace", ["id": .string(id)])
        #expect(got["events"]?.arrayValue?.map { $0["detail"] } == ["cast \"increment\"", "call \"get_value\""])
        #expect(got["active"] == false, "max_events reached")
        #expect(try await harness.run("stop_trace", ["id": .string(id)])["active"] == false)
        #expect(await harness.failure("get_trace", ["id": "trace-0"])?.kind == .notFound)
        await harness.finish()
    }

    @Test func supervisorOperations() async throws {
        let harness = Harness()
        try await harness.demo()
        let supervisors = try await harness.run("list_supervisors")
        #expect(supervisors.arrayValue?.first?["path"] == "demo" && supervisors.arrayValue?.first?["children"] == 3)
        let detail = try await harness.run("get_supervisor", ["name": "demo"])
        #expect(detail["strategy"] == "one_for_one" && detail["restart_budget_left"] == 3)
        #expect(await harness.failure("get_supervisor", ["name": "demo/counter_1"])?.code == "not_a_supervisor")
        #expect(await harness.failure("get_supervisor", ["name": "nowhere"])?.kind == .notFound)
        _ = try await harness.run("terminate_child", ["name": "demo", "child_id": "printer_1"])
        #expect(harness.context.runtime.resolve("demo/printer_1") == nil)
        #expect(
            await harness.failure("terminate_child", ["name": "demo", "child_id": "ghost"])?.code == "child_not_found")
        let restarted = try await harness.run("restart_child", ["name": "demo", "child_id": "printer_1"])
        #expect(restarted["pid"]?.pidValue != nil)
        #expect(await harness.failure("restart_child", ["name": "demo", "child_id": "printer_1"])?.kind == .conflict)
        await harness.finish()
    }

    @Test func experimentsTemplatesAndListings() async throws {
        let harness = Harness()
        try await harness.demo()
        let result = try await harness.run(
            "run_experiment", ["sandbox_id": "demo", "experiment": "kill-child", "parameters": ["target": "counter_1"]])
        #expect(result["verdict"] == "pass")
        let bad = await harness.failure(
            "run_experiment", ["sandbox_id": "demo", "experiment": "kill-child", "parameters": ["n": 3]])
        #expect(bad?.field == "parameters.n")
        #expect(try await harness.run("list_templates").arrayValue?.count == SandboxTemplate.all.count)
        #expect(
            try await harness.run("list_experiments").arrayValue?.map { $0["name"] }
                == ExperimentRegistry.names.map(Term.string))
        await harness.finish()
    }

    @Test func clusterAndSystemOperationsDescribeTheLocalNode() async throws {
        let harness = Harness()
        try await harness.demo()
        let node = harness.context.runtime.nodeName
        #expect(try await harness.run("cluster_health")["node_count"] == 1)
        #expect(try await harness.run("cluster_topology")["nodes"]?.arrayValue?.first?["name"] == .string(node))
        #expect(try await harness.run("node_info", ["node": .string(node)])["processes"] == 4)
        #expect(await harness.failure("node_info", ["node": "other@host"])?.code == "node_not_found")
        #expect(
            try await harness.run("cluster_processes")["processes"]?.arrayValue?.allSatisfy {
                $0["node"] == .string(node)
            } == true)
        #expect(try await harness.run("cluster_supervision_trees")["trees"]?.arrayValue?.first?["sandbox"] == "demo")
        #expect(try await harness.run("system_health")["status"] == "ok")
        let info = try await harness.run("system_info")
        #expect(info["sandboxes"] == 1 && (info["memory_bytes"]?.intValue ?? 0) > 0)
        let metrics = try await harness.run("get_metrics")
        #expect(metrics.arrayValue?.contains { $0["name"] == "superlearner_sandboxes_created_total" } == true)
        let prometheus = try await harness.run("get_metrics", ["format": "prometheus"])
        #expect(prometheus["text"]?.stringValue?.contains("superlearner_processes_spawned_total") == true)
        let events = try await harness.run("list_events", ["prefix": "sandbox.", "limit": 5])
        #expect(events.arrayValue?.first?["name"] == "sandbox.create")
        await harness.finish()
    }
}

@Test func everyBuiltinOperationIsFoundByNameAndNothingElseIs() {
    for operation in BuiltinOperations.all {
        #expect(BuiltinOperations.named(operation.name)?.name == operation.name, "\(operation.name)")
    }
    #expect(BuiltinOperations.named("no_such_operation") == nil)
    // Each group is searched: one name from every category resolves.
    let categories = Set(BuiltinOperations.all.compactMap { BuiltinOperations.named($0.name)?.category })
    #expect(categories == Set(OperationCategory.allCases))
}
