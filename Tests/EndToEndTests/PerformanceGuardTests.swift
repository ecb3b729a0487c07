import Foundation
import SuperlearnerClient
import Supervision
import Testing

/// Regressions of issue 18's fixes, caught by counting and by ratios measured in the same run, never by a
/// wall-clock bound: the machine is shared and noisy.
@Suite("Performance guards: bounded metrics, paged lists", .serialized)
struct PerformanceGuardTests {
    /// The daemon's metric time series, as Prometheus would count them.
    static func seriesCount(_ home: TestHome) async throws -> Int {
        let text = try await home.client.send("GET", "/metrics").text
        return text.split(separator: "\n").count { !$0.hasPrefix("#") }
    }

    @Test func sandboxesThatComeAndGoLeaveNoMetricSeriesBehind() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        /// One sandbox's life: created, a child killed and restarted, an experiment, destroyed.
        func cycle(_ id: String) async {
            #expect(await home.run(["sandbox", "create", id, "DemoSupervisor"]).status == 0)
            #expect(await home.run(["process", "kill", "\(id)/counter_1"]).status == 0)
            #expect(await home.run(["sandbox", "run", id, "kill-child", "target=printer_1"]).status == 0)
            #expect(await home.run(["sandbox", "destroy", id]).status == 0)
        }
        await cycle("warm")
        // The first scrape adds the metrics route's own series; the baseline is the second.
        _ = try await Self.seriesCount(home)
        let after1 = try await Self.seriesCount(home)
        for index in 0..<8 { await cycle("s\(index)") }
        let after9 = try await Self.seriesCount(home)
        #expect(after9 == after1, "metric series grew from \(after1) to \(after9) over 8 sandboxes that are gone")
    }

    /// The daemon's heap in use (`superlearner_heap_bytes`, sampled at the scrape).
    static func heapBytes(_ home: TestHome) async throws -> Double {
        let text = try await home.client.send("GET", "/metrics").text
        let line = text.split(separator: "\n").first { $0.hasPrefix("superlearner_heap_bytes ") }
        return try #require(line.flatMap { Double($0.split(separator: " ").last ?? "") })
    }

    /// A request body is collected against a 10-second timeout. When that timeout was a `Task.sleep`, each
    /// finished request stayed in memory until its sleep's deadline: about 10 MB under `make soak`.
    @Test func aFinishedRequestDoesNotWaitInMemoryForItsBodyTimeout() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        // Warm up what the first requests allocate for good (pools, caches, the metrics route's series).
        // A read run through the generic route: it has a body, and reads are metrics, not events, so no
        // event history fills up meanwhile.
        let path = "/api/v1/arsenal/operations/list_sandboxes/execute"
        for _ in 0..<50 { _ = try? await home.client.send("POST", path, body: "{}") }
        let before = try await Self.heapBytes(home)
        let requests = 4000
        let answered = await withTaskGroup(of: Int.self, returning: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var answered = 0
                    for _ in stride(from: worker, to: requests, by: 8) {
                        let response = try? await home.client.send("POST", path, body: "{}")
                        if response?.status == 200 { answered += 1 }
                    }
                    return answered
                }
            }
            return await group.reduce(0, +)
        }
        #expect(answered == requests)
        let grown = try await Self.heapBytes(home) - before
        // Held until the timeouts fire, 4,000 requests kept megabytes; a few hundred bytes each is the bar.
        #expect(grown < Double(requests) * 200, "the heap grew \(Int(grown)) bytes over \(requests) finished requests")
    }

    @Test func aPageCostsTheSameWhateverTheNumberOfSandboxes() async throws {
        let home = TestHome()
        defer { home.close() }
        await home.start()
        func create(_ range: Range<Int>) async {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for index in stride(from: range.lowerBound + worker, to: range.upperBound, by: 8) {
                            let body = #"{"sandbox_id": "p\#(index)", "supervisor_module": "DemoSupervisor"}"#
                            _ = try? await home.client.send("POST", "/api/v1/sandboxes", body: body)
                        }
                    }
                }
            }
        }
        /// The median CPU time the daemon spent on a 50-row page, in nanoseconds. CPU time, not the time the
        /// answer took: on a loaded machine the answer also waits its turn for a core, and that wait is what
        /// made wall-clock ratios in other tests fail with nothing wrong.
        func pageCost() async throws -> Double {
            let pid = try #require(home.daemonPID, "the daemon wrote no pid file")
            // A kernel without scheduler statistics has no schedstat: the answer's wall time stands in.
            let started = ContinuousClock.now
            func clock() -> Double {
                Self.cpuNanoseconds(pid) ?? Double((ContinuousClock.now - started) / .nanoseconds(1))
            }
            var costs: [Double] = []
            for _ in 0..<15 {
                let before = clock()
                let response = try await home.client.send("GET", "/api/v1/sandboxes?limit=50&after=p1")
                costs.append(clock() - before)
                #expect(response.status == 200)
            }
            return costs.sorted()[costs.count / 2]
        }
        await create(0..<60)
        let small = try await pageCost()
        await create(60..<1200)
        let listed = try Term(json: await home.client.send("GET", "/api/v1/sandboxes").text)["data"]?.arrayValue
        #expect(listed?.count == 1200)
        let large = try await pageCost()
        // Twenty times the sandboxes: an unpaged list would cost about twenty times as much. A page may cost
        // a little more (the ids are still sorted), never in proportion.
        #expect(large < small * 6, "a page took \(large / small)× the daemon's CPU time with 20× the sandboxes")
    }

    /// The CPU time all of `pid`'s threads have run, in nanoseconds (the first field of each thread's
    /// `schedstat`); nil when /proc does not say.
    static func cpuNanoseconds(_ pid: Int32) -> Double? {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else {
            return nil
        }
        var total = 0.0
        for thread in threads {
            guard let bytes = procFile("/proc/\(pid)/task/\(thread)/schedstat"),
                let first = String(decoding: bytes, as: UTF8.self).split(separator: " ").first,
                let nanoseconds = Double(first)
            else { continue }
            total += nanoseconds
        }
        return total > 0 ? total : nil
    }
}
