/// A runtime's live processes, found by PID number in one array read.
///
/// BEAM keeps its processes in a fixed table and picks each new PID so that its slot is free; this does
/// the same with a power-of-two array that doubles when half full. A process lives at `number & mask`:
/// a lookup is an index and one comparison instead of a hash, consecutive spawns sit in consecutive
/// slots, and (unlike a `Dictionary` keyed by number) nothing is hashed when a process starts or exits.
/// PID numbers stay unique and increasing; a number whose slot a long-lived process still holds is
/// skipped, so they may have gaps.
struct ProcessSlots {
    private var slots: ContiguousArray<ProcessCell?>
    private var mask: UInt64
    /// The number of processes in the table.
    private(set) var count = 0

    /// An empty table with room for `capacity` processes (rounded up to a power of two) before it grows.
    init(capacity: Int = 256) {
        let size = max(2, capacity).nextPowerOfTwo
        slots = ContiguousArray(repeating: nil, count: size)
        mask = UInt64(size - 1)
    }

    /// The process numbered `number`, if it is in the table.
    @inline(__always)
    subscript(number: UInt64) -> ProcessCell? {
        guard let cell = slots[Int(truncatingIfNeeded: number & mask)], cell.pid.number == number else {
            return nil
        }
        return cell
    }

    /// The first number from `candidate` on whose slot is free, growing the table first if it is half
    /// full; the caller spawns with it and passes the next number on.
    mutating func freeNumber(from candidate: UInt64) -> UInt64 {
        if (count + 1) * 2 > slots.count { grow() }
        var number = candidate
        // At most half the slots are taken, so the probe ends; over a run it skips each long-lived
        // process once per pass through the table.
        while slots[Int(truncatingIfNeeded: number & mask)] != nil { number &+= 1 }
        return number
    }

    /// Puts `cell` in its slot, which `freeNumber(from:)` chose free.
    mutating func insert(_ cell: ProcessCell) {
        let index = Int(truncatingIfNeeded: cell.pid.number & mask)
        precondition(slots[index] == nil, "process slot \(index) is taken")
        slots[index] = cell
        count += 1
    }

    /// Takes the process numbered `number` out of the table, if it is there.
    mutating func remove(_ number: UInt64) {
        let index = Int(truncatingIfNeeded: number & mask)
        guard let cell = slots[index], cell.pid.number == number else { return }
        slots[index] = nil
        count -= 1
    }

    /// Every process in the table, in slot order.
    var values: some Sequence<ProcessCell> { slots.lazy.compactMap { $0 } }

    /// Doubles the array. Numbers apart modulo the old size are apart modulo the new one, so every process
    /// finds a free slot.
    private mutating func grow() {
        let old = slots
        slots = ContiguousArray(repeating: nil, count: old.count * 2)
        mask = UInt64(slots.count - 1)
        for case let cell? in old { slots[Int(truncatingIfNeeded: cell.pid.number & mask)] = cell }
    }
}

extension Int {
    /// The smallest power of two at least as large as `self` (which must be positive).
    fileprivate var nextPowerOfTwo: Int { 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
