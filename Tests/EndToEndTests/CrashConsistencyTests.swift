import Foundation
import SuperlearnerClient
import Supervision
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// kill -9 at random moments while a client creates, reconfigures and destroys sandboxes: after each
/// restart every acknowledged write is there, every acknowledged destroy stayed done, and a write whose
/// answer was lost in the crash is either wholly there or wholly absent.
@Suite("Crash consistency under kill -9")
struct CrashConsistencyTests {
    /// What the client knows of one sandbox.
    struct Known {
        var exists: Bool?  // nil: the last create or destroy got no answer
        var config: Int?  // the last acknowledged `n`
        var pendingConfig: Int?  // an update whose answer was lost
    }

    @Test func killNineAtRandomLosesNoAcknowledgedWrite() async throws {
        let home = TestHome()
        defer { home.close() }
        var generator = SeededGenerator(seed: 20_261_201)
        var known: [String: Known] = [:]
        var acknowledged = 0
        // At least 15 rounds, and more (up to 40) until 150 writes were acknowledged: how many fit before a
        // kill depends on the machine's load, and the proof needs enough of them.
        var rounds = 0
        while rounds < 15 || (acknowledged < 150 && rounds < 40) {
            let round = rounds
            rounds += 1
            let started = await home.run(["server", "start"])
            #expect(started.status == 0, "round \(round): \(started.stderr)")
            try verify(home, known, round: round)
            // Settle what the restart showed: uncertain outcomes become facts.
            let present = try Self.list(home)
            for id in known.keys {
                known[id]?.exists = present[id] != nil
                if let row = present[id] {
                    known[id]?.config = row["config"]?["n"]?.intValue
                    known[id]?.pendingConfig = nil
                }
            }
            let killAfter = Duration.milliseconds(Int64.random(in: 80...400, using: &generator))
            let pid = try #require(home.daemonPID)
            let operations = (0..<400).map { _ in Int.random(in: 0..<10, using: &generator) }
            let snapshot = known
            let outcome: (known: [String: Known], acknowledged: Int) = await offPool {
                Self.work(home, round: round, known: snapshot, plan: operations, killing: pid, after: killAfter)
            }
            known = outcome.known
            acknowledged += outcome.acknowledged
        }
        _ = await home.run(["server", "start"])
        try verify(home, known, round: rounds)
        #expect(acknowledged >= 150, "only \(acknowledged) acknowledged writes in \(rounds) rounds")
        print("crash consistency: \(acknowledged) acknowledged writes over \(rounds) kill -9 rounds, none lost")
    }

    /// Runs the plan against the daemon until it dies under the kill that comes after `delay`.
    static func work(
        _ home: TestHome, round: Int, known start: [String: Known], plan: [Int], killing pid: Int32,
        after delay: Duration
    ) -> (known: [String: Known], acknowledged: Int) {
        var known = start
        var acknowledged = 0
        let client = SuperlearnerClient(endpoint: .unix(home.socket), timeout: .seconds(10))
        let killer = Thread {
            Thread.sleep(
                forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            kill(pid, SIGKILL)
        }
        killer.start()
        var created = 0
        for (index, choice) in plan.enumerated() {
            let live = known.filter { $0.value.exists == true }.keys.sorted()
            let request: (method: String, path: String, body: String?, apply: (inout [String: Known], Bool) -> Void)
            if choice < 5 || live.isEmpty {
                let id = "r\(round)-\(created)"
                created += 1
                request = (
                    "POST", "/api/v1/sandboxes",
                    #"{"sandbox_id": "\#(id)", "supervisor_module": "DemoSupervisor", "config": {"n": 0}}"#,
                    { known, certain in known[id] = Known(exists: certain ? true : nil, config: 0) }
                )
            } else if choice < 8 {
                let id = live[index % live.count]
                let value = index + 1
                request = (
                    "PATCH", "/api/v1/sandboxes/\(id)/config", #"{"config": {"n": \#(value)}}"#,
                    { known, certain in
                        if certain { known[id]?.config = value } else { known[id]?.pendingConfig = value }
                    }
                )
            } else {
                let id = live[index % live.count]
                request = (
                    "DELETE", "/api/v1/sandboxes/\(id)", nil,
                    { known, certain in known[id]?.exists = certain ? false : nil }
                )
            }
            do {
                let response = try client.request(request.method, request.path, body: request.body)
                if response.status < 300 {
                    request.apply(&known, true)
                    acknowledged += 1
                }
            } catch {
                // No answer: the write may or may not have happened, and the daemon is gone.
                request.apply(&known, false)
                break
            }
        }
        while kill(pid, 0) == 0 { usleep(5_000) }
        return (known, acknowledged)
    }

    /// Every sandbox the daemon lists, by id (each row carries its status, process count and config).
    static func list(_ home: TestHome) throws -> [String: Term] {
        let result = home.runBlocking(["sandbox", "list", "--json"])
        let rows = try #require(result.json?.arrayValue, "\(result.stderr)")
        return Dictionary(uniqueKeysWithValues: rows.compactMap { row in row["id"]?.stringValue.map { ($0, row) } })
    }

    /// Everything acknowledged is there; everything uncertain is wholly there or wholly absent.
    func verify(_ home: TestHome, _ known: [String: Known], round: Int) throws {
        let present = try Self.list(home)
        for (id, row) in present {
            #expect(known[id] != nil, "round \(round): \(id) was never asked for")
            #expect(
                row["status"] == "running" && row["process_count"] == 4, "round \(round): \(id) is half there: \(row)")
        }
        for (id, entry) in known {
            switch entry.exists {
            case true?: #expect(present[id] != nil, "round \(round): acknowledged \(id) is gone")
            case false?: #expect(present[id] == nil, "round \(round): destroyed \(id) came back")
            case nil: break
            }
            guard let row = present[id] else { continue }
            let value = row["config"]?["n"]?.intValue
            let allowed = [entry.config, entry.pendingConfig].compactMap { $0 }
            #expect(
                allowed.isEmpty || allowed.contains(value ?? -1),
                "round \(round): \(id) has n=\(value.map(String.init) ?? "nil"), acknowledged \(allowed)")
        }
    }
}

/// A small deterministic generator (SplitMix64), so a failing run can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
