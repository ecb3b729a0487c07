import Supervision
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An in-process event bus with a bounded, sequenced history (`attach` / `detach` / `emit`).
///
/// Handlers run synchronously on the emitting thread and must be quick; `stream(since:)` gives an
/// `AsyncStream` for consumers that want to await events instead.
public final class EventBus: Sendable {
    /// Identifies an attached handler.
    public struct HandlerID: Hashable, Sendable {
        let value: Int
    }

    private typealias Handler = (id: Int, prefix: String?, handler: @Sendable (TelemetryEvent) -> Void)

    private struct State {
        var history: EventRing
        var handlers: [Handler] = []
        var nextHandler = 0
        var sequence: UInt64 = 0
    }

    private let state: Mutex<State>
    /// How many events the history keeps; older ones are dropped first.
    public let capacity: Int

    /// Creates a bus keeping the last `capacity` events.
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
        self.state = Mutex(State(history: EventRing(capacity: self.capacity)))
    }

    /// Calls `handler` for every event from now on whose name starts with `prefix` (all events if `nil`).
    @discardableResult
    public func attach(prefix: String? = nil, _ handler: @escaping @Sendable (TelemetryEvent) -> Void) -> HandlerID {
        state.withLock { state in
            state.nextHandler += 1
            state.handlers.append((state.nextHandler, prefix, handler))
            return HandlerID(value: state.nextHandler)
        }
    }

    /// Stops calling the handler; returns `false` if it was not attached.
    @discardableResult
    public func detach(_ id: HandlerID) -> Bool {
        state.withLock { state in
            let before = state.handlers.count
            state.handlers.removeAll { $0.id == id.value }
            return state.handlers.count != before
        }
    }

    /// Records an event and hands it to the handlers; returns it with its sequence number.
    @discardableResult
    public func emit(_ name: String, measurements: [String: Double] = [:], metadata: [String: Term] = [:])
        -> TelemetryEvent
    {
        record(name, measurements: measurements, context: .terms(metadata), returning: true)!
    }

    /// Records an event whose metadata is built from `event` when it is read. Returns nothing: the runtime's
    /// events (a spawn and an exit per process) are most of all events, and handing each back cost a copy.
    func emit(_ name: String, measurements: [String: Double] = [:], runtimeEvent event: RuntimeEvent) {
        record(name, measurements: measurements, context: .runtime(event), returning: false)
    }

    /// Appends the event to the history and hands it to the handlers. It is copied only when a handler or
    /// the caller (`returning`) needs it; otherwise it is moved into the history.
    @discardableResult
    private func record(
        _ name: String, measurements: [String: Double], context: consuming TelemetryEvent.Context, returning: Bool
    ) -> TelemetryEvent? {
        let seconds = SystemClock.wallSeconds()
        // Handed on, not copied: a copy retained every string and reason the runtime's event carries.
        var context = Optional(context)
        let delivery: (TelemetryEvent, [Handler])? = state.withLock { state in
            state.sequence += 1
            let event = TelemetryEvent(
                sequence: state.sequence, name: name, time: seconds, measurements: measurements,
                context: context.take()!)
            guard returning || !state.handlers.isEmpty else {
                state.history.append(consume event)
                return nil
            }
            state.history.append(copy event)
            return (event, state.handlers)
        }
        guard let (event, handlers) = delivery else { return nil }
        for entry in handlers where entry.prefix.map({ event.name.hasPrefix($0) }) ?? true {
            entry.handler(event)
        }
        return event
    }

    /// The sequence number of the last event emitted (0 before the first).
    public var lastSequence: UInt64 { state.withLock { $0.sequence } }

    /// Kept events with a sequence number greater than `since` (all kept events if `nil`), oldest first,
    /// at most `limit` of the most recent ones.
    public func history(since: UInt64? = nil, limit: Int? = nil) -> [TelemetryEvent] {
        state.withLock { state in
            var events = Array(state.history.filter { since == nil || $0.sequence > since! })
            if let limit, events.count > limit { events.removeFirst(events.count - limit) }
            return events
        }
    }

    /// The kept event that follows `sequence` (0: the oldest kept): the next one, none yet, or evicted.
    func event(after sequence: UInt64) -> Lookup {
        state.withLock { state in
            guard let first = state.history.first else { return .none }
            if sequence + 1 < first.sequence { return sequence == 0 ? .event(first) : .evicted }
            let index = Int(sequence + 1 - first.sequence)
            return index < state.history.count ? .event(state.history[index]) : .none
        }
    }

    /// The kept events replayed from after `since`, then every new event, as an async stream. Finishing
    /// or cancelling the consumer detaches it.
    public func stream(since: UInt64? = nil, prefix: String? = nil, buffer: Int = 10_000) -> AsyncStream<TelemetryEvent>
    {
        let (stream, continuation) = AsyncStream<TelemetryEvent>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        // Attach and snapshot under one lock so no event falls between the replay and the live feed.
        let id: HandlerID = state.withLock { state in
            for event in state.history
            where (since == nil || event.sequence > since!)
                && (prefix.map { event.name.hasPrefix($0) } ?? true)
            {
                continuation.yield(event)
            }
            state.nextHandler += 1
            state.handlers.append((state.nextHandler, prefix, { continuation.yield($0) }))
            return HandlerID(value: state.nextHandler)
        }
        continuation.onTermination = { [weak self] _ in self?.detach(id) }
        return stream
    }
}

/// The bus's history: the last `capacity` events, oldest first. Once full, a new event takes the oldest one's
/// place in one assignment (a deque appended to and trimmed at the front moved every event twice).
struct EventRing: RandomAccessCollection {
    private var storage: [TelemetryEvent] = []
    /// Where the oldest event is, once `storage` is full.
    private var oldest = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var startIndex: Int { 0 }
    var endIndex: Int { storage.count }

    subscript(position: Int) -> TelemetryEvent {
        let slot = oldest + position
        return storage[slot < storage.count ? slot : slot - storage.count]
    }

    mutating func append(_ event: consuming TelemetryEvent) {
        if storage.count < capacity {
            storage.append(event)
        } else {
            storage[oldest] = event
            oldest = oldest + 1 == capacity ? 0 : oldest + 1
        }
    }
}
