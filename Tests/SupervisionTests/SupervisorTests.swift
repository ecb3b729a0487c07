import Supertester
import Testing

@testable import Supervision

/// Children `a`, `b`, `c` reporting to `probe`.
func threeChildren(_ probe: PID, restart: RestartType = .permanent, trapExits: Bool = false) -> [ChildSpec] {
    ["a", "b", "c"].map {
        ChildSpec(id: $0, server: ReportingServer(id: $0, probe: probe, trapExits: trapExits), restart: restart)
    }
}

func pids(_ supervisor: Supervisor) async throws -> [String: PID] {
    var result: [String: PID] = [:]
    for child in try await supervisor.whichChildren() { result[child.id] = child.pid }
    return result
}

@Suite("Supervisors: strategies, restart types, intensity, shutdown, dynamic children")
struct SupervisorTests {
    @Test func childrenStartInOrderAndStopInReverse() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(children: threeChildren(probe.pid, trapExits: true)), in: runtime)
        #expect(await probe.take(3) == [["started", "a"], ["started", "b"], ["started", "c"]])
        try await supervisor.stop()
        #expect(
            await probe.take(3) == [
                ["terminated", "c", "shutdown"], ["terminated", "b", "shutdown"], ["terminated", "a", "shutdown"],
            ])
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func oneForOneRestartsOnlyTheChildThatExited() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let recorder = EventRecorder(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(strategy: .oneForOne, children: threeChildren(probe.pid)), in: runtime)
        _ = await probe.take(3)
        let before = try await pids(supervisor)
        runtime.kill(before["b"]!)
        #expect(await probe.next() == ["started", "b"])
        #expect(await recorder.waitForRestart(of: "b"))
        let after = try await pids(supervisor)
        #expect(after["a"] == before["a"] && after["c"] == before["c"])
        #expect(after["b"] != before["b"] && after["b"] != nil)
        try await supervisor.stop()
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func oneForAllRestartsEveryChildInOrder() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(strategy: .oneForAll, children: threeChildren(probe.pid, trapExits: true)), in: runtime)
        _ = await probe.take(3)
        let before = try await pids(supervisor)
        runtime.kill(before["b"]!)
        // The survivors are stopped last-first, then all three start again in order.
        #expect(
            await probe.take(5) == [
                ["terminated", "c", "shutdown"], ["terminated", "a", "shutdown"],
                ["started", "a"], ["started", "b"], ["started", "c"],
            ])
        let after = try await pids(supervisor)
        for id in ["a", "b", "c"] { #expect(after[id] != before[id]) }
        try await supervisor.stop()
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func restForOneRestartsTheChildAndThoseStartedAfterIt() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(strategy: .restForOne, children: threeChildren(probe.pid, trapExits: true)), in: runtime)
        _ = await probe.take(3)
        let before = try await pids(supervisor)
        runtime.kill(before["b"]!)
        #expect(await probe.take(3) == [["terminated", "c", "shutdown"], ["started", "b"], ["started", "c"]])
        let after = try await pids(supervisor)
        #expect(after["a"] == before["a"])
        #expect(after["b"] != before["b"] && after["c"] != before["c"])
        try await supervisor.stop()
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    struct RestartCase: Sendable, CustomTestStringConvertible {
        var restart: RestartType
        var reason: String
        var restarted: Bool
        var testDescription: String { "\(restart) child exiting with \(reason) is \(restarted ? "" : "not ")restarted" }
    }

    static let restartCases: [RestartCase] = [
        .init(restart: .permanent, reason: "normal", restarted: true),
        .init(restart: .permanent, reason: "shutdown", restarted: true),
        .init(restart: .permanent, reason: "boom", restarted: true),
        .init(restart: .permanent, reason: "killed", restarted: true),
        .init(restart: .transient, reason: "normal", restarted: false),
        .init(restart: .transient, reason: "shutdown", restarted: false),
        .init(restart: .transient, reason: "shutdown(done)", restarted: false),
        .init(restart: .transient, reason: "boom", restarted: true),
        .init(restart: .transient, reason: "killed", restarted: true),
        .init(restart: .temporary, reason: "normal", restarted: false),
        .init(restart: .temporary, reason: "boom", restarted: false),
        .init(restart: .temporary, reason: "killed", restarted: false),
    ]

    @Test(arguments: restartCases)
    func restartTypeAgainstExitReason(_ example: RestartCase) async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(children: [
                ChildSpec(id: "w", server: ReportingServer(id: "w", probe: probe.pid), restart: example.restart)
            ]), in: runtime)
        #expect(await probe.next() == ["started", "w"])
        let pid = try #require(try await pids(supervisor)["w"])
        if example.reason == "killed" {
            runtime.kill(pid)
        } else {
            runtime.cast(pid, ["exit", .string(example.reason)])
        }
        if example.reason != "killed" {
            #expect(await probe.next() == ["terminated", "w", .string(example.reason)])
        }
        if example.restarted {
            #expect(await probe.next() == ["started", "w"])
            #expect(try await supervisor.whichChildren().first?.restarts == 1)
        } else {
            // Prove no restart happened: the supervisor answers only after it has handled the EXIT.
            _ = await runtime.awaitExit(of: pid)
            let children = try await supervisor.whichChildren()
            if example.restart == .temporary {
                #expect(children.isEmpty, "a temporary child is removed when it exits")
            } else {
                #expect(children.count == 1 && children[0].pid == nil && children[0].restarts == 0)
            }
        }
        try await supervisor.stop()
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func exceedingTheIntensityShutsTheSupervisorDown() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let recorder = EventRecorder(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(maxRestarts: 2, maxSeconds: .seconds(60), children: threeChildren(probe.pid)), in: runtime)
        _ = await probe.take(3)
        for round in 0..<3 {
            let pid = try #require(try await pids(supervisor)["a"], "round \(round)")
            runtime.kill(pid)
            if round < 2 { #expect(await probe.next() == ["started", "a"]) }
        }
        #expect(await recorder.exitReason(of: supervisor.pid) == .shutdown)
        let escalation = await recorder.first { if case .escalated = $0 { true } else { false } }
        if case .escalated(let pid, let restarts, let seconds, _, _)? = escalation {
            #expect(pid == supervisor.pid && restarts == 3 && seconds == 60)
        } else {
            Issue.record("no escalation event")
        }
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func restartsOutsideTheWindowDoNotCount() {
        func accepted(_ stamps: [UInt64], maxRestarts: Int = 2) -> [Bool] {
            var intensity = RestartIntensity(maxRestarts: maxRestarts, maxSeconds: .seconds(1))
            return stamps.map { intensity.record(at: $0) }
        }
        #expect(
            accepted([1_000_000_000, 1_500_000_000, 1_900_000_000]) == [true, true, false], "three in 1 s exceed two")
        #expect(accepted([1_000_000_000, 1_500_000_000, 2_600_000_000]) == [true, true, true], "old ones fall out")
        #expect(accepted([1], maxRestarts: 0) == [false], "max_restarts 0 allows no restart")
    }

    @Test func escalationRestartsTheChildSupervisorInItsParent() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let recorder = EventRecorder(runtime)
        let inner = SupervisorSpec(
            maxRestarts: 0, children: [ChildSpec(id: "w", server: ReportingServer(id: "w", probe: probe.pid))])
        let outer = try await Supervisor.start(
            SupervisorSpec(
                maxRestarts: 1, maxSeconds: .seconds(60), children: [ChildSpec(id: "inner", supervisor: inner)]),
            in: runtime, options: SpawnOptions(path: "top"))
        #expect(await probe.next() == ["started", "w"])
        let firstInner = try #require(try await pids(outer)["inner"])
        runtime.kill(try #require(runtime.resolve("top/inner/w")))
        // inner gives up (0 restarts allowed) and exits shutdown; outer restarts it, which restarts w.
        #expect(await recorder.exitReason(of: firstInner) == .shutdown)
        #expect(await probe.next() == ["started", "w"])
        #expect(await recorder.waitForRestart(of: "inner"))
        // A second escalation exceeds outer's budget of one: the whole tree goes.
        runtime.kill(try #require(await awaitRestart(of: "top/inner/w", in: runtime, replacing: nil)))
        #expect(await recorder.exitReason(of: outer.pid) == .shutdown)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func brutalKillKillsEvenATrappingChild() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let recorder = EventRecorder(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(children: [
                ChildSpec(
                    id: "w", server: ReportingServer(id: "w", probe: probe.pid, trapExits: true), shutdown: .brutalKill)
            ]), in: runtime)
        _ = await probe.next()
        let pid = try #require(try await pids(supervisor)["w"])
        try await supervisor.terminateChild("w")
        #expect(await recorder.exitReason(of: pid) == .killed)
        #expect(try await supervisor.whichChildren().first?.pid == nil)
        try await supervisor.stop()
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func aChildThatIgnoresShutdownIsKilledAfterTheTimeout() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let recorder = EventRecorder(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(children: [
                ChildSpec(
                    id: "stubborn",
                    server: ReportingServer(
                        id: "stubborn", probe: probe.pid, trapExits: true, terminateDelay: .seconds(30)),
                    shutdown: .timeout(.milliseconds(50)))
            ]), in: runtime)
        _ = await probe.next()
        let pid = try #require(try await pids(supervisor)["stubborn"])
        try await supervisor.stop()
        #expect(await recorder.exitReason(of: pid) == .killed)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func infinityWaitsForASlowTerminate() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let recorder = EventRecorder(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(children: [
                ChildSpec(
                    id: "slow",
                    server: ReportingServer(
                        id: "slow", probe: probe.pid, trapExits: true, terminateDelay: .milliseconds(100)),
                    shutdown: .infinity)
            ]), in: runtime)
        _ = await probe.next()
        let pid = try #require(try await pids(supervisor)["slow"])
        try await supervisor.stop()
        #expect(await probe.next() == ["terminated", "slow", "shutdown"])
        #expect(await recorder.exitReason(of: pid) == .shutdown)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func aFailedStartStopsTheChildrenAlreadyStarted() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let spec = SupervisorSpec(children: [
            ChildSpec(id: "a", server: ReportingServer(id: "a", probe: probe.pid, trapExits: true)),
            ChildSpec(id: "b", server: ReportingServer(id: "b", probe: probe.pid, failInit: true)),
            ChildSpec(id: "c", server: ReportingServer(id: "c", probe: probe.pid)),
        ])
        do {
            _ = try await Supervisor.start(spec, in: runtime)
            Issue.record("the start should have failed")
        } catch {
            #expect(error.reason.description.contains("failed_to_start_child b"))
        }
        #expect(await probe.take(2) == [["started", "a"], ["terminated", "a", "shutdown"]])
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func invalidSpecsAreRejectedAtStart() async {
        let runtime = Runtime()
        let duplicate = SupervisorSpec(children: [
            ChildSpec(id: "x", server: EchoWorker()), ChildSpec(id: "x", server: EchoWorker()),
        ])
        await #expect(throws: StartError.self) { try await Supervisor.start(duplicate, in: runtime) }
        let significantPermanent = SupervisorSpec(
            autoShutdown: .anySignificant, children: [ChildSpec(id: "x", server: EchoWorker(), significant: true)])
        #expect(throws: SupervisorError.invalidSpec("children[0].significant: a permanent child cannot be significant"))
        {
            try significantPermanent.validate()
        }
        #expect(throws: SupervisorError.self) { try SupervisorSpec(maxRestarts: -1).validate() }
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func dynamicChildrenRespectMaxChildrenAndTheChildAPI() async throws {
        let runtime = Runtime()
        let supervisor = try await Supervisor.start(.dynamic(maxChildren: 2), in: runtime)
        let first = try await supervisor.startChild(ChildSpec(id: "one", server: EchoWorker()))
        _ = try await supervisor.startChild(ChildSpec(id: "two", server: EchoWorker()))
        await #expect(throws: SupervisorError.maxChildren(2)) {
            try await supervisor.startChild(ChildSpec(id: "three", server: EchoWorker()))
        }
        await #expect(throws: SupervisorError.alreadyStarted("one", first!)) {
            try await supervisor.startChild(ChildSpec(id: "one", server: EchoWorker()))
        }
        #expect(try await supervisor.countChildren() == ChildCounts(specs: 2, active: 2, supervisors: 0, workers: 2))
        await #expect(throws: SupervisorError.running("one")) { try await supervisor.deleteChild("one") }
        await #expect(throws: SupervisorError.running("one")) { try await supervisor.restartChild("one") }
        try await supervisor.terminateChild("one")
        #expect(!runtime.isAlive(first!))
        #expect(try await supervisor.countChildren().active == 1)
        let again = try await supervisor.restartChild("one")
        #expect(again != nil && again != first)
        try await supervisor.terminateChild("one")
        try await supervisor.deleteChild("one")
        await #expect(throws: SupervisorError.notFound("one")) { try await supervisor.deleteChild("one") }
        await #expect(throws: SupervisorError.notFound("nope")) { try await supervisor.terminateChild("nope") }
        await #expect(throws: SupervisorError.startFailed("bad", .error("init failed: bad crashed: init refused"))) {
            try await supervisor.startChild(ChildSpec(id: "bad", server: ReportingServer(id: "bad", failInit: true)))
        }
        #expect(try await supervisor.whichChildren().map(\.id) == ["two"])
        try await supervisor.stop()
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func anySignificantChildExitingShutsTheSupervisorDown() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let recorder = EventRecorder(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(
                autoShutdown: .anySignificant,
                children: [
                    ChildSpec(
                        id: "main", server: ReportingServer(id: "main", probe: probe.pid), restart: .transient,
                        significant: true),
                    ChildSpec(id: "helper", server: ReportingServer(id: "helper", probe: probe.pid)),
                ]), in: runtime)
        _ = await probe.take(2)
        runtime.cast(
            try #require(runtime.resolve(try await pids(supervisor)["main"]!.description)), ["exit", "normal"])
        #expect(await recorder.exitReason(of: supervisor.pid) == .shutdown)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func allSignificantWaitsForEverySignificantChild() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let recorder = EventRecorder(runtime)
        let supervisor = try await Supervisor.start(
            SupervisorSpec(
                autoShutdown: .allSignificant,
                children: [
                    ChildSpec(
                        id: "x", server: ReportingServer(id: "x", probe: probe.pid), restart: .temporary,
                        significant: true),
                    ChildSpec(
                        id: "y", server: ReportingServer(id: "y", probe: probe.pid), restart: .transient,
                        significant: true),
                ]), in: runtime)
        _ = await probe.take(2)
        let children = try await pids(supervisor)
        runtime.cast(children["x"]!, ["exit", "normal"])
        _ = await runtime.awaitExit(of: children["x"]!)
        #expect(try await supervisor.whichChildren().map(\.id) == ["y"], "still running after one of two")
        runtime.cast(children["y"]!, ["exit", "shutdown"])
        #expect(await recorder.exitReason(of: supervisor.pid) == .shutdown)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func theRestartHistoryIsReadable() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let supervisor = try await Supervisor.start(SupervisorSpec(children: threeChildren(probe.pid)), in: runtime)
        _ = await probe.take(3)
        runtime.kill(try await pids(supervisor)["c"]!)
        _ = await probe.next()
        let snapshot = try await supervisor.snapshot()
        #expect(snapshot.totalRestarts == 1 && snapshot.restartsInWindow == 1)
        #expect(snapshot.history.map(\.childID) == ["c"] && snapshot.history[0].reason == .killed)
        #expect(snapshot.children.first { $0.id == "c" }?.restarts == 1)
        #expect(runtime.info(try await pids(supervisor)["c"]!)?.restarts == 1)
        #expect(snapshot.strategy == .oneForOne && snapshot.maxRestarts == 3 && snapshot.maxSeconds == 5)
        try await supervisor.stop()
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func killingASupervisorTakesItsLinkedChildrenDown() async throws {
        let runtime = Runtime()
        let inner = SupervisorSpec(children: [ChildSpec(id: "w", server: EchoWorker())])
        let supervisor = try await Supervisor.start(
            SupervisorSpec(children: [
                ChildSpec(id: "inner", supervisor: inner), ChildSpec(id: "k", server: KVWorker()),
            ]),
            in: runtime)
        #expect(runtime.processCount == 4)
        runtime.kill(supervisor.pid)
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func aShutdownFromTheParentStopsTheTreeInOrder() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let recorder = EventRecorder(runtime)
        let parent = runtime.spawn(SpawnOptions(trapExit: true)) { context in
            let supervisor = try await Supervisor.start(
                SupervisorSpec(children: threeChildren(probe.pid, trapExits: true)), in: context.runtime,
                options: SpawnOptions(link: context.pid))
            context.send(.pid(supervisor.pid), to: probe.pid)
            _ = try await context.receive()
            context.exit(supervisor.pid, reason: .shutdown)
            _ = try await context.receive()
        }
        let messages = await probe.take(4)
        let supervisorPID = try #require(messages.last?.pidValue)
        runtime.send("go", to: parent)
        #expect(await probe.take(3).map { $0.arrayValue?[1] } == ["c", "b", "a"])
        #expect(await recorder.exitReason(of: supervisorPID) == .shutdown)
        _ = await runtime.awaitExit(of: parent)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }
}

@Suite("Supervisors, checked with Supertester")
struct SupervisorSupertesterTests {
    @Test(arguments: SupervisorStrategy.allCases)
    func eachStrategyRestartsWhatItClaims(_ strategy: SupervisorStrategy) async throws {
        try await withIsolatedRuntime { runtime in
            let supervisor = try await Supervisor.start(
                SupervisorSpec(
                    strategy: strategy, maxRestarts: 10,
                    children: ["w1", "w2", "w3", "w4"].map { ChildSpec(id: $0, server: KVWorker()) }),
                in: runtime)
            await expectStrategy(strategy, of: supervisor)
            await expectAllChildrenAlive(supervisor)
            try await supervisor.stop()
        }
    }

    @Test func stateSurvivesCastsButNotRestarts() async throws {
        try await withIsolatedRuntime { runtime in
            let supervisor = try await Supervisor.start(
                SupervisorSpec(children: [ChildSpec(id: "c", server: CounterWorker(initial: 7))]), in: runtime,
                options: SpawnOptions(path: "s"))
            let counter = try #require(runtime.resolve("s/c"))
            await castAndSync(counter, "increment", in: runtime)
            await expectState(of: counter, in: runtime, equals: ["value": 8])
            runtime.kill(counter)
            let fresh = try #require(await awaitRestart(of: "s/c", in: runtime, replacing: counter))
            await expectState(of: fresh, in: runtime, equals: ["value": 7])
            try await supervisor.stop()
        }
    }
}
