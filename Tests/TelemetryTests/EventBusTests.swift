import CoreMetrics
import Foundation
import Synchronization
import Testing

@testable import Supervision
@testable import Telemetry

@Suite("Telemetry: event bus, runtime events, metrics, exports")
struct EventBusTests {
    @Test func sequencesIncreaseAndHistoryIsBounded() {
        let bus = EventBus(capacity: 3)
        for index in 1...5 { bus.emit("test.event", measurements: ["n": Double(index)]) }
        let kept = bus.history()
        #expect(kept.map(\.sequence) == [3, 4, 5])
        #expect(bus.history(since: 4).map(\.sequence) == [5])
        #expect(bus.lastSequence == 5)
    }

    @Test func attachedHandlersSeeMatchingEventsUntilDetached() {
        let bus = EventBus()
        let seen = Mutex<[String]>([])
        let id = bus.attach(prefix: "a.") { event in seen.withLock { $0.append(event.name) } }
        bus.emit("a.one")
        bus.emit("b.two")
        #expect(bus.detach(id))
        bus.emit("a.three")
        #expect(seen.withLock { $0 } == ["a.one"])
        #expect(!bus.detach(id))
    }

    @Test func aStreamReplaysThenFollows() async {
        let bus = EventBus()
        bus.emit("x.1")
        bus.emit("x.2")
        let stream = bus.stream(since: 1)
        bus.emit("x.3")
        var names: [String] = []
        for await event in stream {
            names.append(event.name)
            if names.count == 2 { break }
        }
        #expect(names == ["x.2", "x.3"])
    }

    @Test func runtimeEventsBecomeTelemetryWithMetadataAndMetrics() async throws {
        let runtime = Runtime()
        let telemetry = Telemetry()
        telemetry.observe(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(children: [ChildSpec(id: "c", server: CounterWorker())]), in: runtime,
            options: SpawnOptions(path: "t"))
        let child = try #require(runtime.resolve("t/c"))
        let restarted = Mutex(false)
        let waiter = telemetry.bus.stream(prefix: "runtime.supervisor.restart")
        runtime.kill(child)
        for await event in waiter {
            #expect(event.metadata["child_id"] == "c")
            #expect(event.metadata["path"] == "t/c")
            #expect(event.metadata["reason"] == "killed")
            #expect(event.metadata["old_pid"] == .pid(child), "the restart names the PID it replaced")
            restarted.withLock { $0 = true }
            break
        }
        #expect(restarted.withLock { $0 })
        let exits = telemetry.bus.history().filter { $0.name == "runtime.process.exit" }
        #expect(exits.contains { $0.metadata["pid"] == .pid(child) && $0.metadata["reason"] == "killed" })
        let text = telemetry.export(.prometheus)
        #expect(text.contains("superlearner_restarts_total{reason=\"killed\"} 1"))
        #expect(text.contains("superlearner_supervisor_decisions_total{strategy=\"one_for_one\",action=\"restart\"} 1"))
        #expect(!text.contains("supervisor=\"t\""), "no time series is labelled with a supervisor's path")
        #expect(text.contains("superlearner_process_exits_total{reason=\"killed\"} 1"))
        try await supervisor.stop()
    }

    @Test func aSpawnAndAnExitKeepTheirRecordAndReadAsTheSameMetadataAndJSON() async throws {
        let runtime = Runtime()
        let telemetry = Telemetry()
        telemetry.observe(runtime)
        let parent = runtime.spawn(SpawnOptions(name: "lazy_parent", path: "lazy")) { context in
            context.spawn(SpawnOptions(path: "lazy/child")) { _ in }
            _ = try await context.receive()
        }
        #expect(await waitFor { telemetry.exits(under: "lazy/child") }, "the child ran to its end")
        let events = telemetry.bus.history()
        let spawn = try #require(events.first { $0.name == "runtime.process.spawn" && $0.metadata["path"] == "lazy" })
        #expect(spawn.metadata == ["pid": .pid(parent), "name": "lazy_parent", "path": "lazy"])
        let childSpawn = try #require(
            events.first { $0.name == "runtime.process.spawn" && $0.metadata["path"] == "lazy/child" })
        #expect(childSpawn.metadata["parent"] == .pid(parent))
        let exit = try #require(
            events.first { $0.name == "runtime.process.exit" && $0.metadata["path"] == "lazy/child" })
        #expect(exit.metadata["reason"] == "normal")
        // The same event built eagerly from its metadata is equal, hashes alike and writes the same JSON.
        let eager = TelemetryEvent(
            sequence: exit.sequence, name: exit.name, time: exit.time, measurements: exit.measurements,
            metadata: exit.metadata)
        #expect(eager == exit)
        #expect(Set([eager, exit]).count == 1)
        #expect(eager.term.json == exit.term.json)
        // Metadata set on a kept event replaces what it was built from.
        var edited = exit
        edited.metadata["note"] = "edited"
        #expect(edited.metadata["note"] == "edited" && edited.metadata["reason"] == "normal")
        #expect(edited != exit)
        runtime.kill(parent)
    }

    @Test func exportsAgreeAcrossFormats() throws {
        let telemetry = Telemetry()
        telemetry.metrics.counter("demo_total", [("kind", "a,b")]).increment(by: 3)
        telemetry.metrics.timer("demo_duration_seconds").recordMilliseconds(2)
        let csv = telemetry.export(.csv)
        #expect(csv.hasPrefix("name,labels,value\n"))
        #expect(csv.contains("demo_total,\"kind=a,b\",3"))
        let json = try Term(json: telemetry.export(.json))
        let metrics = try #require(json["metrics"]?.arrayValue)
        #expect(metrics.contains { $0["name"] == "demo_total" && $0["value"]?.doubleValue == 3 })
        #expect(metrics.contains { $0["name"] == "demo_duration_seconds_count" && $0["value"]?.doubleValue == 1 })
        #expect(telemetry.export(.prometheus).contains("# TYPE demo_total counter"))
    }

    @Test func samplesParseLabelsWithEscapes() {
        let samples = MetricSample.parse("# HELP x\nx{a=\"1\",b=\"q\\\"r\"} 2.5\ny 7\n")
        #expect(
            samples == [
                MetricSample(name: "x", labels: ["a": "1", "b": "q\"r"], value: 2.5),
                MetricSample(name: "y", labels: [:], value: 7),
            ])
    }
}

/// Notes how many frames deep the call stack is each time it takes a decision, and forgets the decision.
private final class DepthArchive: DecisionArchive {
    let depths = Mutex<[Int]>([])

    func record(_ decision: Term) {
        let depth = Thread.callStackReturnAddresses.count
        depths.withLock { $0.append(depth) }
    }

    func decisions(under path: String) async -> [Term] { [] }
}

@Suite("Telemetry: the cost of a decision does not grow")
struct DecisionCostTests {
    /// The depth of the stack, not a time: when the archive was a closure kept in a `Mutex`, every decision
    /// wrapped it in one more reabstraction thunk, so each one called through every thunk before it (the
    /// soak benchmark slowed from 180 to 113 cycles/s). A time ratio caught that too, but a loaded CI machine
    /// once made it 11 with nothing wrong; the depth is the same on any machine.
    @Test func theThousandthDecisionCallsTheArchiveAsDirectlyAsTheFirst() throws {
        let runtime = Runtime()
        let telemetry = Telemetry(historyCapacity: 100)
        telemetry.observe(runtime)
        let archive = DepthArchive()
        telemetry.keepDecisions(in: archive)
        let decision = RestartDecision(
            childID: "c", reason: .killed, restartType: .permanent, strategy: .oneForOne, action: .restart,
            stopped: [], restarted: ["c"], removed: [], restartsInWindow: 1, maxRestarts: 3, windowSeconds: 5,
            at: 0)
        for _ in 0..<1_000 { runtime.emit(.decided(supervisor: runtime.systemPID, decision: decision, path: "t")) }
        let depths = archive.depths.withLock { $0 }
        try #require(depths.count == 1_000, "the archive took \(depths.count) of 1,000 decisions")
        #expect(depths[0] > 2 && depths[0] < 500, "the first decision reached the archive \(depths[0]) frames deep")
        #expect(
            depths.min() == depths[0] && depths.max() == depths[0],
            "depths went from \(depths[0]) to \(depths.max()!) frames")
    }
}

extension Telemetry {
    /// Whether the bus holds an exit of the process at `path`.
    fileprivate func exits(under path: String) -> Bool {
        bus.history().contains { $0.name == "runtime.process.exit" && $0.metadata["path"] == .string(path) }
    }
}

/// Polls `condition` every 10 ms for up to 5 s.
private func waitFor(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<500 {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

@Suite struct MetricKeyTests {
    @Test func aMetricIsKeptPerLabelSetAndTheKeyNamesEveryDimensionInOrder() {
        #expect(Metrics.key("requests", []) == "requests")
        #expect(Metrics.key("requests", [("method", "GET"), ("status", "200")]) == "requests|method=GET|status=200")
        let metrics = Metrics()
        metrics.counter("requests", [("status", "200")]).increment()
        metrics.counter("requests", [("status", "200")]).increment()
        metrics.counter("requests", [("status", "404")]).increment()
        let text = metrics.prometheusText()
        #expect(text.contains(#"requests{status="200"} 2"#))
        #expect(text.contains(#"requests{status="404"} 1"#))
    }
}
