/// A supervisor's restart budget: at most `maxRestarts` restarts within any `maxSeconds` window.
///
/// This is OTP's `add_restart/1`: each restart is stamped, stamps older than the window are dropped, and
/// the restart is refused once more than `maxRestarts` stamps remain. With `maxRestarts == 0` the first
/// restart already exceeds the budget.
struct RestartIntensity {
    let maxRestarts: Int
    let windowNanoseconds: UInt64
    private(set) var stamps: [UInt64] = []

    init(maxRestarts: Int, maxSeconds: Duration) {
        self.maxRestarts = maxRestarts
        self.windowNanoseconds = maxSeconds.nanoseconds
    }

    /// Records a restart at `now`; returns `false` when the budget is exceeded.
    mutating func record(at now: UInt64) -> Bool {
        stamps.append(now)
        prune(at: now)
        return stamps.count <= maxRestarts
    }

    /// How many restarts would count at `now` if one more were recorded then (what `record` would
    /// compare with the budget), without recording it.
    func countIfRecorded(at now: UInt64) -> Int {
        let oldest = now >= windowNanoseconds ? now - windowNanoseconds : 0
        return stamps.filter { $0 > oldest }.count + 1
    }

    /// Nanoseconds until the oldest counted restart leaves the window (a slot frees), if any counts.
    func nanosecondsUntilSlotFrees(at now: UInt64) -> UInt64? {
        let oldest = now >= windowNanoseconds ? now - windowNanoseconds : 0
        guard let first = stamps.first(where: { $0 > oldest }) else { return nil }
        return first + windowNanoseconds > now ? first + windowNanoseconds - now : 0
    }

    /// Restarts that still count against the budget at `now`.
    mutating func used(at now: UInt64) -> Int {
        prune(at: now)
        return stamps.count
    }

    private mutating func prune(at now: UInt64) {
        let oldest = now >= windowNanoseconds ? now - windowNanoseconds : 0
        if let firstKept = stamps.firstIndex(where: { $0 > oldest }) {
            if firstKept > 0 { stamps.removeFirst(firstKept) }
        } else {
            stamps.removeAll()
        }
    }
}
