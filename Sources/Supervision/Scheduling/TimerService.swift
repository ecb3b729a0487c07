/// A cancellable timer registered with the `TimerService`.
final class TimerEntry: @unchecked Sendable {
    // @unchecked: `heapIndex` is only read and written with the service's lock held; the rest is immutable.
    // @exclusivity(unchecked): the lock keeps accesses apart, and the dynamic check of each was most of a
    // heap operation's cost.
    let deadline: UInt64
    let action: @Sendable () -> Void
    @exclusivity(unchecked) var heapIndex: Int = -1

    init(deadline: UInt64, action: @escaping @Sendable () -> Void) {
        self.deadline = deadline
        self.action = action
    }
}

/// One thread that fires deadlines: receive timeouts, call timeouts, `send(after:)`, shutdown timeouts.
///
/// A timer is an entry in a binary heap that knows its own position, so cancelling one (the common case:
/// the reply came first) is O(log n) and leaves nothing behind. Actions run on the timer thread and must be
/// short: they resume a continuation or enqueue a message.
final class TimerService: @unchecked Sendable {
    // @unchecked: `heap` and `wakesAt` are only touched with `lock` held, which also keeps accesses apart
    // without the runtime's dynamic check (@exclusivity(unchecked)).
    static let shared = TimerService()

    private let lock = ConditionLock()
    @exclusivity(unchecked) private var heap: [TimerEntry] = []
    /// When the timer thread will next look at the heap by itself. A new timer due no earlier than this
    /// needs no wake-up, which spares a futex call on the common path (a 5 s call or shutdown timeout
    /// that is cancelled long before it fires).
    @exclusivity(unchecked) private var wakesAt: UInt64 = 0

    /// The longest the timer thread sleeps without looking at the heap.
    private static let idleCheckNanoseconds: UInt64 = 50_000_000

    private init() {
        startThread(named: "sl-timers") { [self] in self.run() }
    }

    /// Fires `action` once `delay` has passed, unless cancelled first.
    @discardableResult
    func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> TimerEntry {
        let entry = TimerEntry(deadline: SystemClock.monotonicNanoseconds() &+ delay.nanoseconds, action: action)
        lock.lock()
        insert(entry)
        let wake = entry.deadline < wakesAt
        if wake { wakesAt = entry.deadline }
        lock.unlock()
        if wake { lock.signal() }
        return entry
    }

    /// Cancels `entry`; returns `false` when it already fired or was cancelled.
    @discardableResult
    func cancel(_ entry: TimerEntry) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard entry.heapIndex >= 0 else { return false }
        remove(at: entry.heapIndex)
        return true
    }

    /// The number of pending timers (for leak checks).
    var pendingCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return heap.count
    }

    private func run() {
        while true {
            lock.lock()
            var due: [TimerEntry] = []
            while true {
                let now = SystemClock.monotonicNanoseconds()
                if let first = heap.first, first.deadline <= now {
                    while let head = heap.first, head.deadline <= now {
                        remove(at: 0)
                        due.append(head)
                    }
                    break
                }
                wakesAt = min(heap.first?.deadline ?? UInt64.max, now + TimerService.idleCheckNanoseconds)
                lock.wait(untilNanoseconds: wakesAt)
            }
            wakesAt = 0
            lock.unlock()
            for entry in due { entry.action() }
        }
    }

    // MARK: Heap with back-pointers (lock held)

    private func insert(_ entry: TimerEntry) {
        entry.heapIndex = heap.count
        heap.append(entry)
        siftUp(heap.count - 1)
    }

    private func remove(at index: Int) {
        let last = heap.count - 1
        let removed = heap[index]
        if index != last {
            heap.swapAt(index, last)
            heap[index].heapIndex = index
        }
        heap.removeLast()
        removed.heapIndex = -1
        if index < heap.count {
            siftDown(index)
            siftUp(index)
        }
    }

    private func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            heap[child].heapIndex = child
            heap[parent].heapIndex = parent
            child = parent
        }
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count && heap[right].deadline < heap[smallest].deadline { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            heap[parent].heapIndex = parent
            heap[smallest].heapIndex = smallest
            parent = smallest
        }
    }
}
