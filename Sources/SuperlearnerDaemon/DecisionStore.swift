import Supervision
import Synchronization
import Telemetry

/// Supervisor decisions kept in the daemon's SQLite file: taken from the deciding process without blocking
/// it (buffered), written every other second with the chart samples, read back by `why`.
final class DecisionStore: DecisionArchive {
    let store: StateStore
    private let pending = Mutex<[Term]>([])

    init(store: StateStore) { self.store = store }

    func record(_ decision: Term) {
        pending.withLock {
            $0.append(decision)
            // A storm faster than the writes: keep the newest.
            if $0.count > 10_000 { $0.removeFirst($0.count - 10_000) }
        }
    }

    /// Writes what was buffered.
    func flush() async {
        let batch = pending.withLock { pending in
            defer { pending = [] }
            return pending
        }
        if !batch.isEmpty { await store.appendDecisions(batch) }
    }

    func decisions(under path: String) async -> [Term] {
        await flush()
        return await store.storedDecisions(under: path)
    }
}
