import Synchronization

/// One reader of the bus that costs the same small, fixed memory however far behind it falls: it keeps
/// only a cursor (the last sequence number it was given) and reads each next event from the bus's kept
/// history. It may replay the whole history it asked for, but once it is `capacity` live events behind the
/// newest, or the event it needs next has left the history, it is cut off: `onLag` is called once and the
/// sequence yields `.lagged` and ends, so the reader knows to resume from the last sequence it saw.
public final class EventSubscription: AsyncSequence, Sendable {
    /// What a reader receives.
    public enum Item: Sendable, Hashable {
        /// The next event.
        case event(TelemetryEvent)
        /// The reader fell behind and was cut off; resume from the last sequence number seen.
        case lagged
    }

    private struct State {
        var cursor: UInt64
        var lagged = false
        var finished = false
        var pendingWake = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let bus: EventBus
    private let state: Mutex<State>
    /// Where the live part of the stream begins: events up to here are replayed history.
    private let liveFrom: UInt64
    private let onLag: @Sendable () -> Void
    private let detach = Mutex<EventBus.HandlerID?>(nil)
    /// Live events a reader may be behind the newest before it is cut off.
    public let capacity: Int

    init(bus: EventBus, since: UInt64, liveFrom: UInt64, capacity: Int, onLag: @escaping @Sendable () -> Void) {
        self.bus = bus
        self.state = Mutex(State(cursor: since))
        self.liveFrom = liveFrom
        self.capacity = Swift.max(1, capacity)
        self.onLag = onLag
    }

    func attached(as id: EventBus.HandlerID) { detach.withLock { $0 = id } }

    /// Called by the bus for each new event: wakes the reader, or cuts it off if it is too far behind.
    func emitted(_ sequence: UInt64) {
        var cutOff = false
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard !state.finished && !state.lagged else { return nil }
            if sequence > Swift.max(state.cursor, liveFrom) + UInt64(capacity) {
                state.lagged = true
                cutOff = true
            }
            guard let waiter = state.waiter else {
                state.pendingWake = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
        if cutOff {
            stopFeeding()
            onLag()
        }
    }

    /// The next item, waiting for one; `nil` once the subscription has ended.
    func next() async -> Item? {
        while true {
            let (cursor, lagged, finished) = state.withLock { ($0.cursor, $0.lagged, $0.finished) }
            if finished { return nil }
            if lagged { return finish(.lagged) }
            switch bus.event(after: cursor) {
            case .event(let event):
                state.withLock { $0.cursor = event.sequence }
                return .event(event)
            case .evicted:
                state.withLock { $0.lagged = true }
                stopFeeding()
                onLag()
                return finish(.lagged)
            case .none:
                break
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state in
                        if state.pendingWake || state.finished || state.lagged {
                            state.pendingWake = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                cancel()
            }
        }
    }

    /// The next items: waits for one, lets `linger` pass, then takes whatever else is ready, up to `limit`; `nil`
    /// once the subscription has ended. A writer that sends a batch per write sends far fewer, larger
    /// writes than one per event.
    func nextBatch(limit: Int, linger: Duration) async -> [Item]? {
        guard let first = await next() else { return nil }
        var batch = [first]
        guard case .event = first else { return batch }
        // Events come in bursts: waiting a moment for the rest of the burst turns many tiny writes (one per
        // event, per reader) into a few large ones, at the cost of that moment's latency.
        if linger > .zero { try? await Task.sleep(for: linger) }
        while batch.count < limit {
            let (cursor, lagged, finished) = state.withLock { ($0.cursor, $0.lagged, $0.finished) }
            guard !lagged && !finished, case .event(let event) = bus.event(after: cursor) else { break }
            state.withLock { $0.cursor = event.sequence }
            batch.append(.event(event))
        }
        return batch
    }

    /// The items in batches of at most `limit`, as an async sequence.
    public func batches(limit: Int, linger: Duration = .milliseconds(20)) -> Batches {
        Batches(subscription: self, limit: limit, linger: linger)
    }

    /// The items grouped into batches (see `nextBatch`).
    public struct Batches: AsyncSequence, Sendable {
        let subscription: EventSubscription
        let limit: Int
        let linger: Duration

        /// Iterates the batches.
        public struct AsyncIterator: AsyncIteratorProtocol {
            let subscription: EventSubscription
            let limit: Int
            let linger: Duration
            /// The next batch, or `nil` at the end.
            public mutating func next() async -> [Item]? { await subscription.nextBatch(limit: limit, linger: linger) }
        }

        /// An iterator over the batches.
        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(subscription: subscription, limit: limit, linger: linger)
        }
    }

    private func finish(_ item: Item) -> Item? {
        let first = state.withLock { state in
            defer { state.finished = true }
            return !state.finished
        }
        return first ? item : nil
    }

    private func stopFeeding() {
        if let id = detach.withLock({ $0.take() }) { bus.detach(id) }
    }

    /// Ends the subscription: a pending wait returns and the bus stops waking it.
    public func cancel() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        stopFeeding()
    }

    deinit { stopFeeding() }

    /// Iterates the items.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: EventSubscription
        /// The next item, or `nil` at the end.
        public mutating func next() async -> Item? { await subscription.next() }
    }

    /// An iterator over the items.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(subscription: self) }
}

extension EventBus {
    /// Where an event after a given sequence number stands.
    enum Lookup {
        /// The next event.
        case event(TelemetryEvent)
        /// None yet: the reader is up to date.
        case none
        /// It has left the kept history.
        case evicted
    }

    /// A reader that costs a cursor, not a queue: the kept events after `since` (all kept ones if `nil`),
    /// then live ones, cut off with `.lagged` once it is `capacity` live events behind (`onLag` is then
    /// called, once; keep it short).
    public func subscribe(
        since: UInt64? = nil, capacity: Int = 256, onLag: @escaping @Sendable () -> Void = {}
    ) -> EventSubscription {
        let live = lastSequence
        let subscription = EventSubscription(
            bus: self, since: since ?? 0, liveFrom: live, capacity: capacity, onLag: onLag)
        let id = attach { [weak subscription] event in subscription?.emitted(event.sequence) }
        subscription.attached(as: id)
        return subscription
    }
}
