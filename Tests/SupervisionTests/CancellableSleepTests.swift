import Testing

@testable import Supervision

@Suite("cancellableSleep: a timeout that leaves nothing behind when the work wins")
struct CancellableSleepTests {
    @Test func aSleepLastsAtLeastItsDuration() async throws {
        let start = ContinuousClock.now
        try await cancellableSleep(for: .milliseconds(30))
        #expect(ContinuousClock.now - start >= .milliseconds(30))
    }

    /// What `Task.sleep` does not do: its timer kept each cancelled sleep until the original deadline.
    @Test func cancelledSleepsEndAtOnceAndTakeTheirTimersWithThem() async {
        let timers = TimerService.shared
        let sleepers = 1000
        let baseline = timers.pendingCount
        let outcomes = await withTaskGroup(of: Bool.self, returning: [Bool].self) { group in
            for _ in 0..<sleepers {
                group.addTask {
                    do {
                        try await cancellableSleep(for: .seconds(600))
                        return false
                    } catch {
                        return true
                    }
                }
            }
            // Every sleeper is on the timer heap before any is cancelled.
            let deadline = ContinuousClock.now + .seconds(30)
            var waiting = timers.pendingCount
            while waiting < baseline + sleepers && ContinuousClock.now < deadline {
                await Task.yield()
                waiting = timers.pendingCount
            }
            group.cancelAll()
            var outcomes: [Bool] = []
            for await cancelled in group { outcomes.append(cancelled) }
            // Other tests' timers come and go meanwhile, so compare with a margin, not exactly.
            #expect(timers.pendingCount < waiting - sleepers * 9 / 10, "cancelled sleeps left their timers behind")
            return outcomes
        }
        #expect(outcomes.count == sleepers)
        #expect(outcomes.allSatisfy { $0 }, "a cancelled sleep returned as if it had slept")
    }

    @Test func aSleepInACancelledTaskThrowsWithoutWaiting() async {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            let start = ContinuousClock.now
            do {
                try await cancellableSleep(for: .seconds(600))
                return (false, ContinuousClock.now - start)
            } catch {
                return (true, ContinuousClock.now - start)
            }
        }
        let (threw, waited) = await task.value
        #expect(threw)
        #expect(waited < .seconds(60))
    }
}
