import Supervision
import Synchronization

/// The last minutes of the numbers the dashboard charts, one sample per tick (a second in the daemon), kept
/// in memory so that a page opened or reloaded later draws the recent past at once instead of starting
/// empty: restarts, messages and operations per second, operation latency percentiles, sandboxes and
/// processes.
///
/// ```swift
/// telemetry.history.recordOperation(seconds: 0.002)       // what Arsenal does for every operation
/// telemetry.sampleHistory(runtime, sandboxes: 3)           // what the daemon does every second
/// let recent = telemetry.history.samples(since: now - 60)
/// ```
public final class MetricHistory: Sendable {
    /// One tick's numbers.
    public struct Sample: Sendable, Equatable {
        /// When the tick ended, seconds since 1970.
        public var time: Double
        /// Seconds the tick covered.
        public var seconds: Double
        /// Supervisor restarts per second over the tick.
        public var restartsPerSecond: Double
        /// Messages delivered per second over the tick.
        public var messagesPerSecond: Double
        /// Arsenal operations run per second over the tick (reads included).
        public var operationsPerSecond: Double
        /// Operation latency percentiles over the tick; `nil` when no operation ran.
        public var latency: Latency?
        /// Sandboxes at the end of the tick.
        public var sandboxes: Int
        /// Live processes at the end of the tick.
        public var processes: Int

        /// Creates a sample (what an archive reads back).
        public init(
            time: Double, seconds: Double, restartsPerSecond: Double, messagesPerSecond: Double,
            operationsPerSecond: Double, latency: Latency?, sandboxes: Int, processes: Int
        ) {
            self.time = time
            self.seconds = seconds
            self.restartsPerSecond = restartsPerSecond
            self.messagesPerSecond = messagesPerSecond
            self.operationsPerSecond = operationsPerSecond
            self.latency = latency
            self.sandboxes = sandboxes
            self.processes = processes
        }
    }

    /// Latency percentiles in milliseconds.
    public struct Latency: Sendable, Equatable {
        /// Creates percentiles.
        public init(p50: Double, p95: Double, p99: Double) {
            self.p50 = p50
            self.p95 = p95
            self.p99 = p99
        }

        /// The median.
        public var p50: Double
        /// The 95th percentile.
        public var p95: Double
        /// The 99th percentile.
        public var p99: Double
    }

    struct State {
        var samples: [Sample] = []
        /// Durations of the operations run since the last tick (at most `durationCapacity` kept; `operations`
        /// counts them all).
        var durations: [Double] = []
        var operations = 0
        var lastTime: Double? = nil
        var lastRestarts = 0
        var lastMessages = 0
    }

    /// Samples kept in memory (600: ten minutes at one a second).
    public let capacity: Int
    /// Where older samples are kept (the daemon's SQLite file), if anywhere.
    private let archiveSlot = Mutex<(any MetricArchive)?>(nil)
    /// Samples not yet handed to the archive.
    private let unarchived = Mutex<[Sample]>([])
    /// Operation durations kept per tick for the percentiles; the count goes on beyond it.
    let durationCapacity = 4096
    private let state = Mutex(State())

    /// Creates an empty history of at most `capacity` samples.
    public init(capacity: Int = 600) {
        self.capacity = max(1, capacity)
    }

    /// Counts one operation that took `seconds`.
    public func recordOperation(seconds: Double) {
        state.withLock { state in
            state.operations += 1
            if state.durations.count < durationCapacity { state.durations.append(seconds) }
        }
    }

    /// Closes the tick at `time`: the rates are the differences of the totals since the previous tick.
    /// The first tick only sets the starting totals.
    public func tick(time: Double, restartsTotal: Int, messagesTotal: Int, sandboxes: Int, processes: Int) {
        state.withLock { state in
            defer {
                state.lastTime = time
                state.lastRestarts = restartsTotal
                state.lastMessages = messagesTotal
                state.durations.removeAll(keepingCapacity: true)
                state.operations = 0
            }
            guard let last = state.lastTime, time > last else { return }
            let seconds = time - last
            var latency: Latency? = nil
            if !state.durations.isEmpty {
                let sorted = state.durations.sorted()
                func percentile(_ p: Double) -> Double {
                    sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)] * 1000
                }
                latency = Latency(p50: percentile(0.50), p95: percentile(0.95), p99: percentile(0.99))
            }
            let sample = Sample(
                time: time, seconds: seconds,
                restartsPerSecond: Double(max(0, restartsTotal - state.lastRestarts)) / seconds,
                messagesPerSecond: Double(max(0, messagesTotal - state.lastMessages)) / seconds,
                operationsPerSecond: Double(state.operations) / seconds, latency: latency,
                sandboxes: sandboxes, processes: processes)
            state.samples.append(sample)
            if state.samples.count > capacity { state.samples.removeFirst(state.samples.count - capacity) }
            unarchived.withLock {
                $0.append(sample)
                if $0.count > 3600 { $0.removeFirst($0.count - 3600) }
            }
        }
    }

    /// Keeps samples beyond memory in `archive`, and loads its most recent ones (what a restarted daemon
    /// shows at once).
    public func attach(_ archive: any MetricArchive) async {
        archiveSlot.withLock { $0 = archive }
        let recent = await archive.samples(since: SystemClock.wallSeconds() - Double(capacity) * 2)
        state.withLock { state in
            let known = Set(state.samples.map(\.time))
            state.samples = (recent.filter { !known.contains($0.time) } + state.samples).suffix(capacity).map { $0 }
        }
    }

    /// Hands the samples closed since the last call to the archive.
    public func flush() async {
        guard let archive = archiveSlot.withLock({ $0 }) else { return }
        let pending = unarchived.withLock { pending in
            defer { pending = [] }
            return pending
        }
        if !pending.isEmpty { await archive.append(pending) }
    }

    /// Samples after `since`, from memory when it reaches back that far, else from the archive.
    public func samples(since: Double, archived: Bool) async -> [Sample] {
        let inMemory = samples(since: since)
        guard archived, let archive = archiveSlot.withLock({ $0 }),
            inMemory.first.map({ $0.time - $0.seconds > since + 1 }) ?? true
        else { return inMemory }
        await flush()
        return await archive.samples(since: since)
    }

    /// The kept samples after `since` (seconds since 1970), oldest first; all of them when `nil`.
    public func samples(since: Double? = nil) -> [Sample] {
        state.withLock { state in
            guard let since else { return state.samples }
            return state.samples.filter { $0.time > since }
        }
    }
}

/// Where a `MetricHistory` keeps samples beyond memory (the daemon: its SQLite file, a day's worth).
public protocol MetricArchive: Sendable {
    /// Stores samples.
    func append(_ samples: [MetricHistory.Sample]) async
    /// The stored samples after `since`, oldest first.
    func samples(since: Double) async -> [MetricHistory.Sample]
}
