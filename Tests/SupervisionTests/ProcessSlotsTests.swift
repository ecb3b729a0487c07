import Testing

@testable import Supervision

@Suite struct ProcessSlotsTests {
    private func cell(_ number: UInt64) -> ProcessCell {
        ProcessCell(
            pid: PID(number: number), parent: nil, scheduler: SchedulerPool.shared.place(),
            state: ProcessCell.State())
    }

    @Test func aProcessIsFoundByItsNumberAndNotByAnotherThatSharesItsSlot() {
        var slots = ProcessSlots(capacity: 8)
        let first = cell(slots.freeNumber(from: 3))
        slots.insert(first)
        #expect(slots[3] === first)
        // 11 maps to the same slot of eight; a stale or foreign number must not find the holder.
        #expect(slots[11] == nil)
        slots.remove(11)
        #expect(slots.count == 1)
        slots.remove(3)
        #expect(slots[3] == nil)
        #expect(slots.count == 0)
    }

    @Test func aNumberWhoseSlotIsHeldIsSkipped() {
        var slots = ProcessSlots(capacity: 8)
        slots.insert(cell(slots.freeNumber(from: 1)))
        slots.insert(cell(slots.freeNumber(from: 2)))
        // 9 and 10 share slots with the live 1 and 2; the next free number from 9 is 11.
        #expect(slots.freeNumber(from: 9) == 11)
        #expect(slots.freeNumber(from: 12) == 12)
    }

    @Test func theTableGrowsWhenHalfFullAndKeepsEveryProcess() {
        var slots = ProcessSlots(capacity: 4)
        var next: UInt64 = 1
        var held: [ProcessCell] = []
        for _ in 0..<1000 {
            let number = slots.freeNumber(from: next)
            next = number + 1
            let added = cell(number)
            slots.insert(added)
            held.append(added)
        }
        #expect(slots.count == 1000)
        #expect(held.allSatisfy { slots[$0.pid.number] === $0 })
        #expect(Set(slots.values.map(\.pid.number)) == Set(held.map(\.pid.number)))
        // Consecutive spawns into an empty table take consecutive numbers.
        #expect(held.map(\.pid.number) == Array(1...1000))
    }

    @Test func pidsStayUniqueAndIncreasingWhileLongLivedProcessesHoldSlots() async throws {
        let runtime = Runtime()
        // Long-lived processes hold their slots while many short ones come and go past them.
        let holders = (0..<100).map { _ in runtime.spawn { context in _ = try await context.receive() } }
        var seen = Set(holders)
        var last = holders.last!
        for _ in 0..<5000 {
            let pid = runtime.spawn { _ in }
            #expect(pid > last)
            #expect(seen.insert(pid).inserted)
            last = pid
            _ = await runtime.awaitExit(of: pid)
        }
        #expect(holders.allSatisfy { runtime.isAlive($0) })
        #expect(runtime.processCount == 100)
        for holder in holders { runtime.kill(holder) }
    }
}
