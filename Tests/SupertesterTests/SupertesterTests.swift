import Sandbox
import Supervision
import Telemetry
import Testing

@testable import Supertester

/// Three counters under `strategy`, at path `app`.
func startThree(_ strategy: SupervisorStrategy, in runtime: Runtime, maxRestarts: Int = 10) async throws -> Supervisor {
    try await Supervisor.start(
        SupervisorSpec(
            strategy: strategy, maxRestarts: maxRestarts,
            children: ["a", "b", "c"].map { ChildSpec(id: $0, server: CounterWorker()) }),
        in: runtime, options: SpawnOptions(path: "app"))
}

@Suite("Supertester: every helper passes on good code and fails on bad code")
struct SupertesterTests {
    @Test func isolationPassesWhenCleanAndNamesLeftovers() async throws {
        try await withIsolatedRuntime { runtime in
            let supervisor = try await startThree(.oneForOne, in: runtime)
            try await supervisor.stop()
        }
        await withKnownIssue("a process outlives the body") {
            await withIsolatedRuntime(leakTimeout: .milliseconds(50)) { (runtime: Runtime) -> Void in
                runtime.spawn(SpawnOptions(path: "forgotten")) { context in _ = try await context.receive() }
            }
        } matching: {
            $0.description.contains("processes left behind") && $0.description.contains("forgotten")
        }
    }

    @Test func probeDeliversInOrderAndTimesOutWithNil() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        for index in 1...3 { runtime.send(.int(index), to: probe.pid) }
        #expect(await probe.take(3) == [1, 2, 3])
        #expect(await probe.next(timeout: .milliseconds(20)) == nil, "nothing more was sent")
        // A term that arrives while a test waits reaches it.
        async let late = probe.next()
        runtime.send("late", to: probe.pid)
        #expect(await late == "late")
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func recorderSeesEventsFromBeforeAndAfterTheQuestion() async throws {
        let runtime = Runtime()
        let recorder = EventRecorder(runtime)
        let early = runtime.spawn { _ in }
        _ = await runtime.awaitExit(of: early)
        #expect(await recorder.exitReason(of: early) == .normal, "an exit that already happened")
        let late = runtime.spawn { context in _ = try await context.receive() }
        async let reason = recorder.exitReason(of: late)
        runtime.exit(late, reason: .kill)
        #expect(await reason == .killed)
        #expect(
            await recorder.exitReason(
                of: runtime.spawn { context in _ = try await context.receive() }, timeout: .milliseconds(20)) == nil)
        await withKnownIssue("the receiver above is still alive") {
            await expectNoProcessesLeft(in: runtime, timeout: .milliseconds(20))
        } matching: {
            $0.description.contains("processes left behind")
        }
        for pid in runtime.processes() { runtime.kill(pid) }
    }

    @Test func leakCheckSeesLateDescendants() async throws {
        let runtime = Runtime()
        await assertNoProcessLeaks(in: runtime) { () -> Void in
            let pid = runtime.spawn { context in context.spawn { _ in } }
            _ = await runtime.awaitExit(of: pid)
        }
        await withKnownIssue("a descendant spawned after the body returns is still a leak") {
            // The deadline is what the check waits for stragglers; long enough that even on a loaded machine
            // the spawner has exited and only "late" is left when it passes.
            await assertNoProcessLeaks(in: runtime, timeout: .seconds(1)) { () -> Void in
                runtime.spawn { context in
                    try await Task.sleep(for: .milliseconds(10))
                    context.spawn(SpawnOptions(path: "late")) { inner in _ = try await inner.receive() }
                }
            }
        } matching: {
            $0.description.contains("late")
        }
        for pid in runtime.processes() { runtime.kill(pid) }
    }

    @Test func castAndSyncSeesTheCastHandled() async throws {
        try await withIsolatedRuntime { runtime in
            let counter = try await runtime.startServer(CounterWorker())
            #expect(await castAndSync(counter, "increment", in: runtime) == ["value": 1])
            runtime.kill(counter)
            await withKnownIssue { _ = await castAndSync(counter, "increment", in: runtime) }
        }
    }

    @Test func waitsForRestartsAndExitsOrTimeOutClearly() async throws {
        try await withIsolatedRuntime { runtime in
            let supervisor = try await startThree(.oneForOne, in: runtime)
            let old = try #require(runtime.resolve("app/b"))
            runtime.kill(old)
            let new = await awaitRestart(of: "app/b", in: runtime, replacing: old)
            #expect(new != nil && new != old)
            expectRestarted("app/b", from: old, in: runtime)
            expectDead(old, in: runtime)
            await withKnownIssue("nothing restarts app/c") {
                _ = await awaitRestart(
                    of: "app/c", in: runtime, replacing: runtime.resolve("app/c"), timeout: .milliseconds(50))
            } matching: {
                $0.description.contains("app/c was not restarted within")
            }
            withKnownIssue { expectRestarted("app/c", from: runtime.resolve("app/c")!, in: runtime) }
            withKnownIssue { expectAlive(old, in: runtime) }
            let a = try #require(runtime.resolve("app/a"))
            withKnownIssue { expectDead(a, in: runtime) }
            await withKnownIssue { _ = await awaitExit(of: a, in: runtime, timeout: .milliseconds(20)) }
            #expect(await awaitSettled(supervisor)?.count == 3)
            try await supervisor.stop()
            expectDead(a, in: runtime)
        }
    }

    @Test(arguments: SupervisorStrategy.allCases)
    func aStrategyIsProvedByExperiment(_ strategy: SupervisorStrategy) async throws {
        try await withIsolatedRuntime { runtime in
            let supervisor = try await startThree(strategy, in: runtime)
            // Longer than the default 5 s: under a full make test on 2 cores a one_for_all restart once took
            // longer to settle.
            await expectStrategy(strategy, of: supervisor, timeout: .seconds(20))
            let wrong: SupervisorStrategy = strategy == .oneForOne ? .oneForAll : .oneForOne
            await withKnownIssue("a \(strategy.rawValue) supervisor is not \(wrong.rawValue)") {
                await expectStrategy(wrong, of: supervisor)
            } matching: {
                $0.description.contains("expected \(wrong.rawValue)")
            }
            try await supervisor.stop()
        }
    }

    @Test func childAndStateAssertions() async throws {
        try await withIsolatedRuntime { runtime in
            let supervisor = try await startThree(.oneForOne, in: runtime)
            await expectAllChildrenAlive(supervisor)
            await expectChildCount(3, of: supervisor)
            await withKnownIssue { await expectChildCount(2, of: supervisor) }
            let a = try #require(runtime.resolve("app/a"))
            await castAndSync(a, ["increment", 4], in: runtime)
            await expectState(of: a, in: runtime, equals: ["value": 4])
            await expectState(of: a, in: runtime) { $0["value"]?.intValue ?? 0 > 3 }
            await withKnownIssue { await expectState(of: a, in: runtime, equals: ["value": 5]) }
            try await supervisor.terminateChild("b")
            await withKnownIssue {
                await expectAllChildrenAlive(supervisor)
            } matching: {
                $0.description.contains("children not running: b")
            }
            try await supervisor.stop()
        }
    }

    @Test func chaosReportsKillsRestartsAndGivingUp() async throws {
        try await withIsolatedRuntime { runtime in
            let sturdy = try await startThree(.oneForOne, in: runtime, maxRestarts: 1000)
            // Two seconds, not a tenth: under a full make test on 2 cores a 100 ms window sometimes passed
            // before the loop made its first kill (the supervisor's which_children answered too late).
            // A whole window can still pass without a kill when every core is taken (seen once in a full
            // run, 27 s for this test): another window then, a few at most; chaos that never kills fails.
            var report = await chaos(sturdy, rate: 200, duration: .seconds(2))
            for _ in 0..<4 where report.killed == 0 && !report.supervisorGaveUp {
                report = await chaos(sturdy, rate: 200, duration: .seconds(2))
            }
            #expect(report.killed > 0 && !report.supervisorGaveUp)
            #expect(report.restarted > 0)
            try await sturdy.stop()
            let fragile = try await startThree(.oneForOne, in: runtime, maxRestarts: 1)
            // The loop ends as soon as the supervisor gives up, so a generous duration costs nothing
            // when it does and leaves room for the two kills it needs on a loaded machine.
            let broken = await chaos(fragile, rate: 200, duration: .seconds(10))
            #expect(broken.supervisorGaveUp)
            if !broken.supervisorGaveUp { try await fragile.stop() }
        }
    }

    @Test func injectedCrashesCrash() async throws {
        try await withIsolatedRuntime { runtime in
            let counter = try await runtime.startServer(CounterWorker())
            #expect(await injectCrash(into: counter, in: runtime, probability: 0) == false)
            expectAlive(counter, in: runtime)
            let exit = RuntimeWaiter(runtime) { if case .exited(let pid, _, _) = $0 { pid == counter } else { false } }
            #expect(await injectCrash(into: counter, in: runtime, after: .milliseconds(5)))
            if case .exited(_, let reason, _)? = await exit.wait() {
                #expect(reason == .error("injected crash"))
            } else {
                Issue.record("no exit event")
            }
        }
    }

    @Test func memoryLeaksAreFoundAndCleanCodePasses() async throws {
        await assertNoMemoryLeak(iterations: 200) {
            let runtime = Runtime()
            let pid = runtime.spawn { _ in }
            _ = await runtime.awaitExit(of: pid)
        }
        let hoard = Hoard()
        await withKnownIssue("each iteration keeps 4 KiB") {
            await assertNoMemoryLeak(iterations: 50, tolerance: 1024) { hoard.keep(4096) }
        } matching: {
            $0.description.contains("memory grew")
        }
        let measurement = await measure(iterations: 10) { await Task.yield() }
        #expect(measurement.iterations == 10 && measurement.total >= .zero)
    }

    /// Other code in the process keeping memory while the check runs (a test in parallel) is not the body's
    /// leak: the check tells the two apart with a control period in which the body does not run.
    @Test func memoryKeptElsewhereInTheProcessIsNoLeakOfTheBody() async throws {
        let hoard = Hoard()
        let hoarding = Task {
            // About 16 KiB a millisecond, kept: seven times the tolerance per iteration below.
            while !Task.isCancelled {
                hoard.keep(16_384)
                try? await cancellableSleep(for: .milliseconds(1))
            }
        }
        defer { hoarding.cancel() }
        await assertNoMemoryLeak(iterations: 100, tolerance: 2048) {
            try? await cancellableSleep(for: .milliseconds(1))
        }
    }

    @Test func mailboxStability() async throws {
        try await withIsolatedRuntime { runtime in
            let idle = try await runtime.startServer(EchoWorker())
            await expectMailboxStable(idle, in: runtime, samples: 3, interval: .milliseconds(5))
            let stuck = runtime.spawn { _ in try await Task.sleep(for: .seconds(60)) }
            let feeder = runtime.spawn { context in
                while true {
                    for _ in 0..<10 { context.send("more", to: stuck) }
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
            // Samples 100 ms apart: on a loaded machine the feeder still runs between the first and the last.
            await withKnownIssue {
                await expectMailboxStable(stuck, in: runtime, samples: 4, interval: .milliseconds(100))
            }
            runtime.kill(feeder)
            runtime.kill(stuck)
            runtime.kill(idle)
        }
    }

    @Test func telemetryCapture() async throws {
        let runtime = Runtime()
        let telemetry = Telemetry()
        telemetry.observe(runtime)
        let events = await captureEvents(from: telemetry, prefix: "runtime.process") {
            let pid = runtime.spawn { _ in }
            _ = await runtime.awaitExit(of: pid)
        }
        expectEvent(named: "runtime.process.exit", in: events) { $0["reason"] == "normal" }
        withKnownIssue { expectEvent(named: "runtime.supervisor.restart", in: events) }
    }

    @Test func sandboxesAlwaysClearUp() async throws {
        let manager = SandboxManager(runtime: Runtime())
        let value = try await withSandbox(template: "DemoSupervisor", in: manager) { info, sandboxes in
            #expect(info.status == .running)
            return try await sandboxes.runtime.call(sandboxes.runtime.resolve("test/counter_2")!, "get_value")
        }
        #expect(value == 100)
        #expect(manager.runtime.processCount == 0 && manager.count == 0)
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await withSandbox(template: "DemoSupervisor", in: manager) { _, _ in throw Boom() }
        }
        #expect(manager.runtime.processCount == 0, "destroyed even when the body throws")
        let spec = try SandboxSpec(term: ["children": [["id": "kv", "worker": "kv"]]])
        try await withSandbox(spec: spec, id: "s") { info, _ in #expect(info.processCount == 2) }
    }
}

/// Keeps what it is given: a deliberate leak.
final class Hoard: @unchecked Sendable {
    // @unchecked: only touched from the single task that owns it.
    var kept: [[UInt8]] = []
    func keep(_ bytes: Int) { kept.append([UInt8](repeating: 1, count: bytes)) }
}

@Suite struct DeadlineTests {
    /// A wait cancelled before it registered (its task already cancelled) ends at once with nil, instead of
    /// waiting for an event that never comes.
    @Test(.timeLimit(.minutes(1))) func aWaitCancelledBeforeItRegistersEndsAtOnce() async {
        let runtime = Runtime()
        let recorder = EventRecorder(runtime)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await recorder.first(timeout: .seconds(600)) { _ in false }
        }
        #expect(await task.value == nil)
    }
}
