import Testing

@testable import Telemetry

@Suite("The chart history the daemon keeps")
struct MetricHistoryTests {
    @Test func ratesAreTheTotalsDifferencesOverTheTickAndLatencyIsItsPercentiles() throws {
        let history = MetricHistory(capacity: 3)
        history.tick(time: 100, restartsTotal: 5, messagesTotal: 1000, sandboxes: 1, processes: 4)
        #expect(history.samples().isEmpty, "the first tick only sets the starting totals")
        for milliseconds in 1...100 { history.recordOperation(seconds: Double(milliseconds) / 1000) }
        history.tick(time: 102, restartsTotal: 9, messagesTotal: 1600, sandboxes: 2, processes: 7)
        let sample = try #require(history.samples().first)
        #expect(sample.seconds == 2 && sample.restartsPerSecond == 2 && sample.messagesPerSecond == 300)
        #expect(sample.operationsPerSecond == 50 && sample.sandboxes == 2 && sample.processes == 7)
        #expect(sample.latency == MetricHistory.Latency(p50: 50, p95: 95, p99: 99))

        history.tick(time: 103, restartsTotal: 9, messagesTotal: 1600, sandboxes: 2, processes: 7)
        #expect(history.samples().last?.latency == nil, "no operation ran in that tick")
        history.tick(time: 104, restartsTotal: 9, messagesTotal: 1600, sandboxes: 2, processes: 7)
        history.tick(time: 105, restartsTotal: 9, messagesTotal: 1600, sandboxes: 2, processes: 7)
        #expect(history.samples().map(\.time) == [103, 104, 105], "only the last capacity samples are kept")
        #expect(history.samples(since: 103.5).map(\.time) == [104, 105])
    }
}
