import CoreMetrics
import Prometheus
import Supervision
import Synchronization

/// The product's metrics: created through swift-metrics against a private Prometheus registry, so that
/// embedding superlearner never touches the application's global `MetricsSystem`.
///
/// Every metric object is created once (dimensioned ones once per label set) and cached.
public final class Metrics: Sendable {
    /// The registry every metric lives in; `prometheusText()` renders it.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let timers = Mutex<[String: CoreMetrics.Timer]>([:])
    private let meters = Mutex<[String: CoreMetrics.Meter]>([:])
    private let gauges = Mutex<[String: CoreMetrics.Gauge]>([:])

    /// Creates the metrics on a fresh registry.
    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(10), .microseconds(50), .microseconds(100), .microseconds(500), .milliseconds(1),
            .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500),
            .seconds(1), .seconds(5), .seconds(30),
        ]
        self.factory = factory
    }

    /// `label|name=value|…`, built in one buffer: every request looks up two metrics by it, and joining the
    /// pieces with `+` allocated a new string for each.
    static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        // Most metrics have no dimensions: their key is the label itself, shared, not copied.
        guard !dimensions.isEmpty else { return label }
        var length = label.utf8.count
        for (name, value) in dimensions { length += name.utf8.count + value.utf8.count + 2 }
        var key = ""
        key.reserveCapacity(length)
        key += label
        for (name, value) in dimensions {
            key += "|"
            key += name
            key += "="
            key += value
        }
        return key
    }

    /// The counter `label` with `dimensions`, created on first use.
    public func counter(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Counter {
        cached(counters, label, dimensions) { CoreMetrics.Counter(label: $0, dimensions: $1, factory: factory) }
    }

    /// The timer (a Prometheus duration histogram) `label` with `dimensions`, created on first use.
    public func timer(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Timer {
        cached(timers, label, dimensions) { CoreMetrics.Timer(label: $0, dimensions: $1, factory: factory) }
    }

    /// The meter (an up/down gauge) `label` with `dimensions`, created on first use.
    public func meter(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Meter {
        cached(meters, label, dimensions) { CoreMetrics.Meter(label: $0, dimensions: $1, factory: factory) }
    }

    /// The gauge (a value set from outside) `label` with `dimensions`, created on first use.
    public func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Gauge {
        cached(gauges, label, dimensions) { CoreMetrics.Gauge(label: $0, dimensions: $1, factory: factory) }
    }

    /// One metric object per label set, created on first use and kept.
    private func cached<Metric>(
        _ cache: borrowing Mutex<[String: Metric]>, _ label: String, _ dimensions: [(String, String)],
        make: (String, [(String, String)]) -> Metric
    ) -> Metric {
        let key = Metrics.key(label, dimensions)
        return cache.withLock { cache in
            if let existing = cache[key] { return existing }
            let created = make(label, dimensions)
            cache[key] = created
            return created
        }
    }

    /// The Prometheus text exposition of every metric.
    public func prometheusText() -> String {
        MetricCatalog.addingHelp(to: registry.emitToString())
    }

    /// Every sample of the exposition, parsed: the common ground of the JSON and CSV exports.
    public func samples() -> [MetricSample] {
        MetricSample.parse(prometheusText())
    }
}

/// One line of a Prometheus exposition: a metric name, its labels and its value.
public struct MetricSample: Sendable, Hashable {
    /// The sample's name (histograms yield `_bucket`, `_sum` and `_count` samples).
    public var name: String
    /// Label names and values, in exposition order.
    public var labels: [String: String]
    /// The value.
    public var value: Double

    /// Parses the text exposition format (comments and blank lines are skipped).
    public static func parse(_ text: String) -> [MetricSample] {
        var samples: [MetricSample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            let valueText = line[line.index(after: space)...]
            let value: Double
            switch valueText {
            case "+Inf": value = .infinity
            case "-Inf": value = -.infinity
            default:
                guard let parsed = Double(valueText) else { continue }
                value = parsed
            }
            var labels: [String: String] = [:]
            var name = String(series)
            if let open = series.firstIndex(of: "{"), series.hasSuffix("}") {
                name = String(series[..<open])
                let body = series[series.index(after: open)..<series.index(before: series.endIndex)]
                labels = parseLabels(body)
            }
            samples.append(MetricSample(name: name, labels: labels, value: value))
        }
        return samples
    }

    private static func parseLabels(_ body: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        var index = body.startIndex
        while index < body.endIndex {
            guard let equals = body[index...].firstIndex(of: "=") else { break }
            let key = body[index..<equals].trimmingPrefix(",")
            var cursor = body.index(after: equals)
            guard cursor < body.endIndex, body[cursor] == "\"" else { break }
            cursor = body.index(after: cursor)
            var value = ""
            while cursor < body.endIndex, body[cursor] != "\"" {
                if body[cursor] == "\\", body.index(after: cursor) < body.endIndex {
                    cursor = body.index(after: cursor)
                    value.append(body[cursor] == "n" ? "\n" : body[cursor])
                } else {
                    value.append(body[cursor])
                }
                cursor = body.index(after: cursor)
            }
            labels[String(key)] = value
            index = cursor < body.endIndex ? body.index(after: cursor) : cursor
        }
        return labels
    }
}
