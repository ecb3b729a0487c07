import Foundation
import Supertester
import Synchronization
import Testing

@testable import Supervision

@Suite("Processes: exits, links, monitors, trap_exit, registry")
struct ProcessTests {
    @Test func returningFromTheBodyExitsNormally() async {
        let runtime = Runtime()
        let recorder = EventRecorder(runtime)
        let pid = runtime.spawn { _ in }
        #expect(await recorder.exitReason(of: pid) == .normal)
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func throwingFromTheBodyExitsWithAnError() async {
        let runtime = Runtime()
        let gate = Probe(runtime)
        let pid = runtime.spawn { context in
            _ = try await context.receive()
            throw WorkerCrash(worker: "test", detail: "boom")
        }
        let monitor = runtime.spawn { context in
            context.monitor(pid)
            context.send("go", to: pid)
            if case .down(_, let down, let reason) = try await context.receive() {
                context.send([.pid(down), .string(reason.description)], to: gate.pid)
            }
        }
        #expect(await gate.next() == [.pid(pid), "test crashed: boom"])
        _ = await runtime.awaitExit(of: monitor)
        await expectNoProcessesLeft(in: runtime, stopping: gate)
    }

    @Test func anAbnormalExitKillsLinkedProcessesWithTheSameReason() async {
        let runtime = Runtime()
        let idle = runtime.spawn { context in while true { _ = try await context.receive() } }
        let crasher = runtime.spawn { context in
            context.link(idle)
            _ = try await context.receive()
            try context.exit(.error("linked crash"))
        }
        let recorder = EventRecorder(runtime)
        runtime.send("go", to: crasher)
        #expect(await recorder.exitReason(of: idle) == .error("linked crash"))
        #expect(!runtime.isAlive(crasher))
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func aTrappingProcessReceivesLinkedExitsAsMessages() async {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let victim = runtime.spawn { context in
            _ = try await context.receive(); try context.exit(.error("bad"))
        }
        let trapper = runtime.spawn { context in
            context.trapsExits = true
            context.link(victim)
            context.send("go", to: victim)
            if case .exit(let from, let reason) = try await context.receive() {
                context.send([.pid(from), .string(reason.description)], to: probe.pid)
            }
        }
        #expect(await probe.next() == [.pid(victim), "bad"])
        _ = await runtime.awaitExit(of: trapper)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func killCannotBeTrappedAndLinksSeeKilled() async {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let target = runtime.spawn(SpawnOptions(trapExit: true)) { context in
            while true { _ = try await context.receive() }
        }
        let watcher = runtime.spawn { context in
            context.trapsExits = true
            context.link(target)
            context.send("linked", to: probe.pid)
            if case .exit(_, let reason) = try await context.receive() {
                context.send(.string(reason.description), to: probe.pid)
            }
        }
        #expect(await probe.next() == "linked")
        runtime.kill(target)
        #expect(!runtime.isAlive(target), "a killed process is dead at once for everyone")
        #expect(await probe.next() == "killed")
        _ = await runtime.awaitExit(of: watcher)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func aNormalExitSignalIsIgnoredUnlessTrapped() async {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let plain = runtime.spawn { context in while true { _ = try await context.receive() } }
        let trapper = runtime.spawn(SpawnOptions(trapExit: true)) { context in
            if case .exit(_, let reason) = try await context.receive() {
                context.send(.string("trapped \(reason)"), to: probe.pid)
            }
        }
        runtime.exit(plain, reason: .normal)
        runtime.exit(trapper, reason: .normal)
        #expect(await probe.next() == "trapped normal")
        #expect(runtime.isAlive(plain))
        runtime.exit(plain, reason: .shutdown)
        #expect(!runtime.isAlive(plain))
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func monitoringADeadProcessDeliversNoproc() async {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let dead = runtime.spawn { _ in }
        _ = await runtime.awaitExit(of: dead)
        let watcher = runtime.spawn { context in
            context.monitor(dead)
            if case .down(_, let pid, let reason) = try await context.receive() {
                context.send([.pid(pid), .string(reason.description)], to: probe.pid)
            }
        }
        #expect(await probe.next() == [.pid(dead), "noproc"])
        _ = await runtime.awaitExit(of: watcher)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func monitorsAreOneWayAndDemonitorStopsTheDown() async {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let first = runtime.spawn { context in while true { _ = try await context.receive() } }
        let second = runtime.spawn { context in while true { _ = try await context.receive() } }
        let watcher = runtime.spawn { context in
            let ref = context.monitor(first)
            context.monitor(second)
            context.demonitor(ref, of: first)
            context.send("ready", to: probe.pid)
            // first dies without a DOWN reaching us; second's DOWN is the first message we get.
            let message = try await context.receive()
            if case .down(_, let pid, let reason) = message {
                context.send([.pid(pid), .string(reason.description)], to: probe.pid)
            }
            while true { _ = try await context.receive() }
        }
        #expect(await probe.next() == "ready")
        runtime.kill(first)
        runtime.exit(second, reason: .shutdown)
        #expect(await probe.next() == [.pid(second), "shutdown"])
        #expect(runtime.isAlive(watcher), "a monitor does not kill the watcher")
        runtime.kill(watcher)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func aProcessWithMoreLinksAndMonitorsThanFitInlineSignalsEveryOne() async {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let count = SmallMap<PID, Void>.inlineLimit * 3
        let hub = runtime.spawn { context in while true { _ = try await context.receive() } }
        let linked = (0..<count).map { _ in
            runtime.spawn { context in
                context.link(hub)
                while true { _ = try await context.receive() }
            }
        }
        let watcher = runtime.spawn { context in
            var refs: [MonitorRef] = []
            for pid in linked { refs.append(context.monitor(pid)) }
            // Half the monitors go again: the rest, and only they, must report.
            for (index, pid) in linked.enumerated() where index.isMultiple(of: 2) {
                context.demonitor(refs[index], of: pid)
            }
            context.send("ready", to: probe.pid)
            var downs: [Term] = []
            while downs.count < count / 2 {
                if case .down(_, let pid, let reason) = try await context.receive() {
                    downs.append([.pid(pid), .string(reason.description)])
                }
            }
            context.send(.array(downs), to: probe.pid)
        }
        #expect(await probe.next() == "ready")
        #expect(runtime.info(hub)?.links.count == count)
        runtime.exit(hub, reason: .error("hub down"))
        let expected = Set(
            linked.enumerated().filter { !$0.offset.isMultiple(of: 2) }.map {
                Term.array([.pid($0.element), "hub down"])
            })
        #expect(await Set(probe.next()?.arrayValue ?? []) == expected)
        for pid in linked { #expect(!runtime.isAlive(pid)) }
        _ = await runtime.awaitExit(of: watcher)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func linkingToADeadProcessSignalsNoproc() async {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let dead = runtime.spawn { _ in }
        _ = await runtime.awaitExit(of: dead)
        let trapper = runtime.spawn(SpawnOptions(trapExit: true)) { context in
            context.link(dead)
            if case .exit(let from, let reason) = try await context.receive() {
                context.send([.pid(from), .string(reason.description)], to: probe.pid)
            }
        }
        #expect(await probe.next() == [.pid(dead), "noproc"])
        let recorder = EventRecorder(runtime)
        let plain = runtime.spawn { context in
            context.link(dead)
            _ = try await context.receive()
        }
        #expect(await recorder.exitReason(of: plain) == .noproc)
        _ = await runtime.awaitExit(of: trapper)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func registeredNamesResolveAndAreReleasedOnExit() async throws {
        let runtime = Runtime()
        let pid = runtime.spawn { context in while true { _ = try await context.receive() } }
        let other = runtime.spawn { context in while true { _ = try await context.receive() } }
        try runtime.register("keeper", for: pid)
        #expect(runtime.whereis("keeper") == pid)
        #expect(runtime.resolve("keeper") == pid)
        #expect(throws: RegistryError.nameTaken("keeper", pid)) { try runtime.register("keeper", for: other) }
        #expect(throws: RegistryError.alreadyNamed(pid)) { try runtime.register("second", for: pid) }
        #expect(runtime.send("hello", toName: "keeper"))
        runtime.kill(pid)
        #expect(runtime.whereis("keeper") == nil)
        #expect(!runtime.send("hello", toName: "keeper"))
        #expect(throws: RegistryError.noproc(pid)) { try runtime.register("keeper", for: pid) }
        try runtime.register("keeper", for: other)
        #expect(runtime.unregister("keeper"))
        #expect(runtime.info(other)?.name == nil)
        runtime.kill(other)
        await expectNoProcessesLeft(in: runtime)
    }

    @Test func infoReportsMailboxCountersLinksMonitorsAndParent() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let parent = runtime.spawn { context in
            let child = context.spawnLink { context in
                context.send("child up", to: probe.pid)
                while true { _ = try await context.receive(timeout: .seconds(60)) ?? .term(.null) }
            }
            context.monitor(child)
            context.send(.pid(child), to: probe.pid)
            while true { _ = try await context.receive() }
        }
        let childTerm = await probe.take(2).first { $0.pidValue != nil }
        let child = try #require(childTerm?.pidValue)
        let info = try #require(runtime.info(child))
        #expect(info.parent == parent)
        #expect(info.links == [parent])
        #expect(info.monitoredBy == 1)
        #expect(info.messagesOut == 1)
        #expect(info.memoryEstimate > 0)
        let parentInfo = try #require(runtime.info(parent))
        #expect(parentInfo.monitors == [child])
        #expect(parentInfo.links == [child])
        // The parent is parked in receive; messages it does not take pile up in... the child, which also
        // receives, so use a process that never receives to measure a mailbox.
        let sink = runtime.spawn { _ in try await Task.sleep(for: .seconds(60)) }
        for index in 0..<3 { runtime.send(.int(index), to: sink) }
        #expect(runtime.info(sink)?.mailboxLength == 3)
        #expect(runtime.info(sink)?.messagesIn == 3)
        runtime.kill(sink)
        runtime.kill(parent)
        #expect(!runtime.isAlive(child), "the linked child dies with its parent")
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func receiveWithTimeoutReturnsNilWhenNothingArrives() async {
        let runtime = Runtime()
        let probe = Probe(runtime)
        runtime.spawn { context in
            let first = try await context.receive(timeout: .milliseconds(10))
            context.send(first == nil ? "timed out" : "got message", to: probe.pid)
            let second = try await context.receive(timeout: .seconds(30))
            if case .term(let term) = second { context.send(term, to: probe.pid) }
        }
        #expect(await probe.next() == "timed out")
        let receiver = runtime.processes().last!
        runtime.send("late", to: receiver)
        #expect(await probe.next() == "late")
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    @Test func messagesBetweenTwoProcessesArriveInOrder() async {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let receiver = runtime.spawn { context in
            var expected = 0
            while expected < 10_000 {
                guard case .term(.int(let value)) = try await context.receive(), value == expected else {
                    context.send("out of order", to: probe.pid)
                    return
                }
                expected += 1
            }
            context.send("in order", to: probe.pid)
        }
        runtime.spawn { context in for index in 0..<10_000 { context.send(.int(index), to: receiver) } }
        #expect(await probe.next() == "in order")
        _ = await runtime.awaitExit(of: receiver)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    /// As BEAM places a spawn on its parent's scheduler: a process (or supervisor) a process starts through
    /// the runtime runs on the starter's scheduler, so their messages need no other thread; from outside any
    /// process, spawns take the schedulers in turn.
    @Test func aProcessStartedFromAProcessRunsOnItsScheduler() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let starter = runtime.spawn { context in
            var children: [Term] = []
            for _ in 0..<20 { children.append(.pid(context.runtime.spawn { child in _ = try await child.receive() })) }
            let supervisor = try await Supervisor.start(
                SupervisorSpec(children: [ChildSpec(id: "w", server: CounterWorker())]), in: context.runtime)
            children.append(.pid(supervisor.pid))
            context.send(.array(children), to: probe.pid)
            _ = try await context.receive()
        }
        guard case .array(let children)? = await probe.next() else {
            Issue.record("no children reported")
            return
        }
        let home = try #require(runtime.cell(starter)?.scheduler)
        for case .pid(let child) in children {
            #expect(runtime.cell(child)?.scheduler === home, "\(child)")
        }
        #expect(children.count == 21)
        let outside = (0..<4).map { _ in runtime.spawn { context in _ = try await context.receive() } }
        let used = Set(outside.compactMap { runtime.cell($0).map { ObjectIdentifier($0.scheduler) } })
        #expect(used.count == min(4, SchedulerPool.shared.schedulers.count), "round-robin from outside")
        for pid in outside + [starter] { runtime.kill(pid) }
        for case .pid(let child) in children { runtime.kill(child) }
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    /// A child spawned from a process of the same scheduler runs at once, until its first wait, before the
    /// spawn returns; afterwards it runs on its scheduler like any other process.
    @Test func aChildStartedFromAProcessRunsUntilItsFirstWaitBeforeTheSpawnReturns() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let order = Mutex<[String]>([])
        let parent = runtime.spawn { context in
            order.withLock { $0.append("parent before the spawn") }
            let child = context.runtime.spawn { child in
                order.withLock { $0.append("child until its wait") }
                _ = try await child.receive()
                let home = child.runtime.cell(child.pid)?.scheduler
                order.withLock { $0.append("child after its wait, on its scheduler: \(home?.isCurrent == true)") }
                child.send("done", to: probe.pid)
            }
            order.withLock { $0.append("parent after the spawn") }
            context.send("go", to: child)
            _ = try await context.receive()
        }
        #expect(await probe.next() == "done")
        #expect(
            order.withLock { $0 } == [
                "parent before the spawn", "child until its wait", "parent after the spawn",
                "child after its wait, on its scheduler: true",
            ])
        runtime.kill(parent)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    /// Spawns nest inline only a few levels deep, and an exit signal travels a chain of links without a
    /// nested call per link: 10,000 linked processes, each spawning the next before it waits, would
    /// otherwise start, and then die, on one thread's stack.
    @Test func aChainOfTenThousandLinkedSpawnsStartsAndDiesWithoutNestingOnOneStack() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let depth = 10_000
        @Sendable func link(_ context: ProcessContext, _ level: Int) async throws {
            if level == depth {
                context.send(.int(level), to: probe.pid)
            } else {
                context.runtime.spawn(SpawnOptions(link: context.pid)) { try await link($0, level + 1) }
            }
            _ = try await context.receive()
        }
        let root = runtime.spawn { try await link($0, 1) }
        #expect(await probe.next() == .int(depth))
        #expect(runtime.processCount == depth + 1)
        runtime.exit(root, reason: .shutdown)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    /// A process's sends take a cache kept on its scheduler's thread; a context carried into tasks of their
    /// own (a misuse) sends from other threads, at once, and every message still arrives, in order per task.
    @Test func aContextUsedFromOtherTasksStillDeliversEveryMessage() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        let sink = runtime.spawn { context in
            var seen: [Int: Int] = [:]
            for _ in 0..<(8 * 500) {
                guard case .term(.array(let pair)) = try await context.receive(),
                    case .int(let task) = pair[0], case .int(let index) = pair[1]
                else { continue }
                if index != seen[task, default: 0] { context.send("out of order", to: probe.pid) }
                seen[task] = index + 1
            }
            context.send(.int(seen.values.reduce(0, +)), to: probe.pid)
        }
        let sender = runtime.spawn { context in
            await withTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for index in 0..<500 {
                            context.send([.int(task), .int(index)], to: sink)
                            if index % 50 == 0 { await Task.yield() }
                        }
                    }
                }
            }
            let detached = Task.detached { context.send("from a detached task", to: probe.pid) }
            await detached.value
            _ = try await context.receive()
        }
        // The sink's total and the detached task's message race each other; an "out of order" fails both.
        let first = await probe.next()
        let second = await probe.next()
        #expect(
            Set([first, second].compactMap { $0 }) == ["from a detached task", .int(8 * 500)],
            "\(first as Any), \(second as Any)")
        runtime.kill(sender)
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }

    /// `top -H`, `perf` and debuggers tell the runtime's threads apart by name.
    @Test func theRuntimesThreadsCarryTheirNames() async throws {
        let runtime = Runtime()
        let probe = Probe(runtime)
        runtime.spawn { context in context.send("up", to: probe.pid) }
        #expect(await probe.next() == "up")
        _ = TimerService.shared
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        let names = Set(
            tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        for index in SchedulerPool.shared.schedulers.indices {
            #expect(names.contains("sl-sched-\(index)"), "\(names.sorted())")
        }
        #expect(names.contains("sl-timers"), "\(names.sorted())")
        await expectNoProcessesLeft(in: runtime, stopping: probe)
    }
}
