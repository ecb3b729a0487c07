import DequeModule
import Synchronization

/// One reader of the bus with a bounded queue: the kept history it asked for, then live events, until it
/// falls `capacity` live events behind. Then it stops receiving, `onLag` is called once, and after what
/// it had queued the sequence yields `.lagged` and ends: a reader that stops reading costs at most
/// `capacity` events, never unbounded memory, and knows where to resume (the last sequence it saw).
public final class EventSubscription: AsyncSequence, Sendable {
    /// What a reader receives.
    public enum Item: Sendable, Hashable {
        /// The next event.
        case event(TelemetryEvent)
        /// The reader fell behind and was cut off; resume from the last sequence number seen.
        case lagged
    }

    private struct State {
        var queue = Deque<(event: TelemetryEvent, live: Bool)>()
        var liveQueued = 0
        var lagged = false
        var finished = false
        var waiter: CheckedContinuation<Item?, Never>?
    }

    private let state = Mutex(State())
    private let onLag: @Sendable () -> Void
    private let onEnd: @Sendable () -> Void
    /// Live events that may wait unread before the reader is cut off.
    public let capacity: Int

    init(capacity: Int, onLag: @escaping @Sendable () -> Void, onEnd: @escaping @Sendable () -> Void) {
        self.capacity = Swift.max(1, capacity)
        self.onLag = onLag
        self.onEnd = onEnd
    }

    /// Queues a replayed (kept) event; these do not count against the capacity, the bus holds them anyway.
    func replay(_ event: TelemetryEvent) {
        state.withLock { $0.queue.append((event, false)) }
    }

    /// Hands a live event to the reader, or cuts the reader off when it is `capacity` events behind.
    func offer(_ event: TelemetryEvent) {
        var lagged = false
        let waiter: CheckedContinuation<Item?, Never>? = state.withLock { state in
            guard !state.finished && !state.lagged else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            guard state.liveQueued < capacity else {
                state.lagged = true
                lagged = true
                return nil
            }
            state.queue.append((event, true))
            state.liveQueued += 1
            return nil
        }
        waiter?.resume(returning: .event(event))
        if lagged {
            onEnd()
            onLag()
        }
    }

    /// The next item, waiting for one; `nil` once the subscription has ended.
    func next() async -> Item? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
                let ready: Item?? = state.withLock { state in
                    if let first = state.queue.popFirst() {
                        if first.live { state.liveQueued -= 1 }
                        return .some(.event(first.event))
                    }
                    if state.lagged && !state.finished {
                        state.finished = true
                        return .some(.lagged)
                    }
                    if state.finished { return .some(nil) }
                    state.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Ends the subscription: the reader's pending wait returns `nil` and the bus stops feeding it.
    public func cancel() {
        let (waiter, wasFinished): (CheckedContinuation<Item?, Never>?, Bool) = state.withLock { state in
            let wasFinished = state.finished
            state.finished = true
            let waiter = state.waiter
            state.waiter = nil
            return (waiter, wasFinished)
        }
        waiter?.resume(returning: nil)
        if !wasFinished { onEnd() }
    }

    deinit { onEnd() }

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
    /// A bounded reader: the kept events after `since` (all kept ones if `nil`), then live ones, cut off
    /// with `.lagged` once `capacity` live events wait unread (`onLag` is then called, once, on the
    /// emitting thread; keep it short).
    public func subscribe(
        since: UInt64? = nil, capacity: Int = 256, onLag: @escaping @Sendable () -> Void = {}
    ) -> EventSubscription {
        let handler = Mutex<HandlerID?>(nil)
        let subscription = EventSubscription(capacity: capacity, onLag: onLag) { [weak self] in
            if let id = handler.withLock({ $0.take() }) { self?.detach(id) }
        }
        // Attach and snapshot under one lock so no event falls between the replay and the live feed.
        let id = attachReplaying(since: since, to: subscription)
        handler.withLock { $0 = id }
        return subscription
    }
}
