import Supertester
import Testing

@testable import Supervision

@Suite("Built-in workers")
struct WorkerTests {
    @Test func printerCountsAndKeepsLines() async throws {
        let runtime = Runtime()
        let printer = try await runtime.startServer(PrinterWorker())
        runtime.cast(printer, ["print", "hello"])
        runtime.cast(printer, ["print", "world"])
        #expect(try await runtime.call(printer, "get_print_count") == 2)
        #expect(try await runtime.call(printer, "get_prints") == ["hello", "world"])
        try await runtime.stop(printer)
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func tickerTicksToItsTarget() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let ticker = try await runtime.startServer(TickerWorker(everyMilliseconds: 5, target: probe.pid))
        #expect(await probe.take(3) == [["tick", 1], ["tick", 2], ["tick", 3]])
        #expect(try await runtime.call(ticker, "get_ticks").intValue ?? 0 >= 3)
        try await runtime.stop(ticker)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func crasherCrashesOnSchedule() async throws {
        let runtime = Runtime()
        let recorder = EventRecorder(runtime)
        let crasher = try await runtime.startServer(CrasherWorker(afterMilliseconds: 10))
        let reason = await recorder.exitReason(of: crasher)
        #expect(reason == .error("crasher crashed: crashed after 10 ms"), "got \(String(describing: reason))")
        let certain = try await runtime.startServer(CrasherWorker(probability: 1, everyMilliseconds: 1))
        #expect(await recorder.exitReason(of: certain) == .error("crasher crashed: crashed with probability 1.0"))
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func kvStoresAndForgets() async throws {
        let runtime = Runtime()
        let kv = try await runtime.startServer(KVWorker())
        #expect(try await runtime.call(kv, ["put", ["key": "a", "value": 1]]) == "ok")
        #expect(try await runtime.call(kv, ["get", "a"]) == 1)
        #expect(try await runtime.call(kv, "keys") == ["a"])
        #expect(try await runtime.call(kv, ["delete", "a"]) == true)
        #expect(try await runtime.call(kv, ["get", "a"]) == .null)
        try await runtime.stop(kv)
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func sleeperIsSlowToStartAndStop() async throws {
        let runtime = Runtime()
        let sleeper = try await runtime.startServer(SleeperWorker(startMilliseconds: 20, stopMilliseconds: 20))
        #expect(runtime.info(sleeper)?.trapsExits == true)
        try await runtime.stop(sleeper, reason: .shutdown)
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func builtinWorkerArgumentsAreChecked() throws {
        #expect(
            throws: WorkerArgumentError(
                argument: "initial", message: "expected an integer of at least \(Int.min), got \"x\"")
        ) {
            try BuiltinWorker.counter.start(arguments: ["initial": "x"])
        }
        #expect(throws: WorkerArgumentError.self) { try BuiltinWorker.ticker.start(arguments: ["every_ms": 0]) }
        #expect(throws: WorkerArgumentError.self) { try BuiltinWorker.crasher.start(arguments: ["probability": 2]) }
        #expect(throws: WorkerArgumentError.self) { try BuiltinWorker.kv.start(arguments: ["size": 1]) }
        _ = try BuiltinWorker.sleeper.start(arguments: ["start_ms": 1, "stop_ms": 2])
        // The first unknown argument in name order is named, with the accepted ones.
        #expect(
            throws: WorkerArgumentError(
                argument: "b", message: "unknown argument for ticker (accepted: every_ms)")
        ) {
            try BuiltinWorker.ticker.start(arguments: ["every_ms": 5, "c": 1, "b": 2])
        }
    }

    @Test func everyBuiltinWorkerStartsUnderASupervisor() async throws {
        let runtime = Runtime()
        let children = try BuiltinWorker.allCases.map { worker in
            ChildSpec(id: worker.rawValue, start: try worker.start(arguments: [:]))
        }
        let supervisor = try await Supervisor.start(
            SupervisorSpec(children: children), in: runtime, options: SpawnOptions(path: "all"))
        #expect(try await supervisor.countChildren().active == BuiltinWorker.allCases.count)
        #expect(runtime.resolve("all/kv") != nil)
        try await supervisor.stop()
        await expectNoProcessesLeft(in: runtime)
    }
}
