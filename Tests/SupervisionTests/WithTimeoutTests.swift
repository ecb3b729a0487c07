import Synchronization
import Testing

@testable import Supervision

@Suite("withTimeout: work raced against a deadline that leaves nothing behind")
struct WithTimeoutTests {
    @Test func workThatFinishesInTimeGivesItsValueAndTakesTheDeadlineWithIt() async {
        let timers = TimerService.shared
        let baseline = timers.pendingCount
        var values: [Int] = []
        for index in 0..<500 {
            values.append(await withTimeout(.seconds(600)) { index } ?? -1)
        }
        #expect(values == Array(0..<500))
        // Other tests' timers come and go meanwhile: 500 ten-minute deadlines left behind would show.
        #expect(timers.pendingCount < baseline + 250, "finished work left its deadlines on the timer heap")
    }

    @Test func theDeadlineWinsOverWorkThatNeverEnds() async {
        let value: Int? = await withTimeout(.milliseconds(20)) {
            try? await cancellableSleep(for: .seconds(600))
            return nil
        }
        #expect(value == nil)
    }

    /// A value the work got just as the deadline cancelled it is returned, not dropped.
    @Test func aValueTheWorkHadWhenCancelledIsKept() async {
        let value: String? = await withTimeout(.milliseconds(10)) {
            // Ignores cancellation for a moment, as a wait that already has its event does.
            let until = ContinuousClock.now + .milliseconds(50)
            while ContinuousClock.now < until { await Task.yield() }
            return "arrived"
        }
        #expect(value == "arrived")
    }

    @Test func throwingWorkGivesItsErrorOrItsValueOrNilAtTheDeadline() async throws {
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await withThrowingTimeout(.seconds(600)) { () async throws -> Int? in throw Refused() }
        }
        #expect(try await withThrowingTimeout(.seconds(600)) { 7 } == 7)
        let late: Int? = try await withThrowingTimeout(.milliseconds(20)) {
            try await cancellableSleep(for: .seconds(600))
            return 1
        }
        #expect(late == nil)
    }
}

@Suite struct RuntimeWaiterDeadlineTests {
    /// A wait whose deadline ends it before it has registered (here: in a task already cancelled, so both the
    /// deadline and the wait start cancelled) returns at once, instead of waiting for an event that never comes.
    @Test(.timeLimit(.minutes(1))) func aWaitCancelledBeforeItBeginsEndsAtOnce() async {
        let runtime = Runtime()
        let waiter = RuntimeWaiter(runtime) { _ in false }
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await waiter.wait(timeout: .seconds(600))
        }
        #expect(await task.value == nil)
    }

    /// An event that came before the wait began is its answer, even when the deadline has passed too.
    @Test(.timeLimit(.minutes(1))) func anEventThatCameFirstIsReturnedEvenPastTheDeadline() async {
        let runtime = Runtime()
        let waiter = RuntimeWaiter(runtime) {
            if case .spawned = $0 { return true }
            return false
        }
        _ = runtime.spawn { _ in }
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await waiter.wait(timeout: .seconds(600))
        }
        #expect(await task.value != nil)
    }
}
