import Sandbox
import Schema
import SuperlearnerAPI
import Supervision
import Telemetry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// System and telemetry operations.
enum SystemOperations {
    static func nodeTerm(_ context: OperationContext) -> Term {
        [
            "name": .string(context.runtime.nodeName), "status": "up", "local": true,
            "processes": .int(context.runtime.processCount), "sandboxes": .int(context.sandboxes.count),
            "uptime_seconds": .double(SystemClock.wallSeconds() - context.startedAt),
        ]
    }

    static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 128)
        guard fgets(&buffer, 128, file) != nil else { return 0 }
        let fields = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(
            separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static let all: [any Operation] = [
        DefinedOperation(
            "system_health", .system, .read, "whether this node is healthy, with the numbers behind the answer",
            rest: RestBinding(OperationRoutes.systemHealth)
        ) { _, context throws(OperationError) in
            let failed = context.sandboxes.list().filter { $0.status == .failed }.map { Term.string($0.id) }
            return [
                "status": failed.isEmpty ? "ok" : "degraded", "failed_sandboxes": .array(failed),
                "processes": .int(context.runtime.processCount), "sandboxes": .int(context.sandboxes.count),
                "uptime_seconds": .double(SystemClock.wallSeconds() - context.startedAt),
            ]
        },
        DefinedOperation(
            "system_info", .system, .read, "versions, node, OS process, schedulers, memory and counts",
            rest: RestBinding(OperationRoutes.systemInfo)
        ) { _, context throws(OperationError) in
            [
                "node": .string(context.runtime.nodeName), "os_pid": .int(Int(getpid())),
                "versions": [
                    "arsenal": .string(Superlearner.version), "sandbox": .string(Superlearner.version),
                    "telemetry": .string(Superlearner.version), "supervision": .string(Superlearner.version),
                ],
                "schedulers": .int(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))), "memory_bytes": .int(residentBytes()),
                "processes": .int(context.runtime.processCount),
                "processes_spawned": .int(Int(context.runtime.processesSpawned)),
                "messages_delivered": .int(Int(context.runtime.messagesDelivered)),
                "sandboxes": .int(context.sandboxes.count), "started_at": .double(context.startedAt),
                "uptime_seconds": .double(SystemClock.wallSeconds() - context.startedAt),
            ]
        },
        DefinedOperation(
            "get_metrics", .telemetry, .read, "every metric, as JSON samples or as Prometheus or CSV text",
            rest: RestBinding(OperationRoutes.getMetrics),
            parameters: [
                Parameter(
                    "format", .string, "output format", default: "json",
                    allowed: Term.strings(Telemetry.ExportFormat.allCases.map(\.rawValue)))
            ]
        ) { parameters, context throws(OperationError) in
            context.telemetry.sample(context.runtime)
            let format = Telemetry.ExportFormat(rawValue: try parameters.text("format")) ?? .json
            switch format {
            case .json:
                return (try? Term(json: context.telemetry.export(.json, includeEvents: false)))?["metrics"]
                    ?? .array([])
            case .csv, .prometheus:
                return ["format": .string(format.rawValue), "text": .string(context.telemetry.export(format))]
            }
        },
        DefinedOperation(
            "get_metric_history", .telemetry, .read,
            "the charted numbers, one sample a second: the last ten minutes from memory, older ones (a day) from the daemon's file with since; restarts, messages and operations per second, operation latency p50/p95/p99, sandboxes, processes",
            rest: RestBinding(OperationRoutes.getMetricHistory),
            parameters: [
                Parameter("since", .number, "only samples after this time (seconds since 1970)", minimum: 0)
            ]
        ) { parameters, context throws(OperationError) in
            let samples: [MetricHistory.Sample]
            if let since = parameters["since"]?.doubleValue {
                samples = await context.telemetry.history.samples(since: since, archived: true)
            } else {
                samples = context.telemetry.history.samples()
            }
            return [
                "capacity": .int(context.telemetry.history.capacity),
                "samples": .array(
                    samples.map { sample in
                        [
                            "time": .double(sample.time), "seconds": .double(sample.seconds),
                            "restarts_per_second": .double(sample.restartsPerSecond),
                            "messages_per_second": .double(sample.messagesPerSecond),
                            "operations_per_second": .double(sample.operationsPerSecond),
                            "latency_ms": sample.latency.map {
                                ["p50": .double($0.p50), "p95": .double($0.p95), "p99": .double($0.p99)]
                            } ?? .null,
                            "sandboxes": .int(sample.sandboxes), "processes": .int(sample.processes),
                        ]
                    }),
            ]
        },
        DefinedOperation(
            "list_events", .telemetry, .read, "recent telemetry events, oldest first (resume with since)",
            rest: RestBinding(OperationRoutes.listEvents),
            parameters: [
                Parameter("since", .integer, "only events after this sequence number", minimum: 0),
                Parameter(
                    "limit", .integer, "at most this many of the most recent", default: 100, minimum: 1,
                    maximum: 100_000),
                Parameter("prefix", .string, "only events whose name starts with this", maximum: 128),
            ]
        ) { parameters, context throws(OperationError) in
            var events = context.telemetry.bus.history(since: parameters["since"]?.intValue.map(UInt64.init))
            if let prefix = parameters["prefix"]?.stringValue { events = events.filter { $0.name.hasPrefix(prefix) } }
            let limit = try parameters.integer("limit")
            return .array(events.suffix(limit).map(\.term))
        },
    ]
}

/// Every built-in operation.
public enum BuiltinOperations {
    /// Process, supervisor, sandbox, cluster, system and telemetry operations.
    public static let all: [any Operation] =
        ProcessOperations.all + SupervisorOperations.all + SandboxOperations.all + ClusterOperations.all
        + InsightOperations.all + ChangeOperations.all + SystemOperations.all

    /// The built-in operation called `name`, or `nil`.
    ///
    /// Builds only the groups it searches before finding it, sandboxes and processes first: a command sends
    /// one request, and declaring all forty operations to find one was a tenth of a short command's work.
    public static func named(_ name: String) -> (any Operation)? {
        for group in groupsByUse {
            if let found = group().first(where: { $0.name == name }) { return found }
        }
        return nil
    }

    /// Every group of `all`, those the command line asks for most first; each is built on first use.
    private static let groupsByUse: [@Sendable () -> [any Operation]] = [
        { SandboxOperations.all }, { ProcessOperations.all }, { SupervisorOperations.all },
        { InsightOperations.all }, { ChangeOperations.all }, { SystemOperations.all }, { ClusterOperations.all },
    ]
}
