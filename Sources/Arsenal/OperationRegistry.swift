import CoreMetrics
import Supervision
import Synchronization
import Telemetry

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The operations by name, and the one way to run them: validate, check policy, execute, with telemetry
/// around it. Every run is counted and timed in metrics; only runs that may change something (risk
/// `mutating` or `destructive`) are also events (`arsenal.operation.start`, `.stop` with the duration,
/// `.exception` with the error code), so that the event log says what happened to the system and is not
/// filled by whoever reads it (a dashboard, `top`, a CI loop polling a status).
public final class OperationRegistry: Sendable {
    /// An operation and its meters in the telemetry that last ran it by name, so that one lookup finds both
    /// (a second lookup by the name, under its own lock, cost about 480 instructions a run). A class: a lookup
    /// copies one reference, not the operation and three meters.
    private final class Entry: Sendable {
        let operation: any Operation
        /// Holds the telemetry it was made for: compared by identity, a later telemetry at the same address
        /// cannot be mistaken for it.
        let meters = Mutex<(telemetry: Telemetry, meters: Telemetry.OperationMeters)?>(nil)

        init(_ operation: any Operation) { self.operation = operation }

        /// The operation's meters in `telemetry`, looked up there once and then kept.
        func meters(in telemetry: Telemetry) -> Telemetry.OperationMeters {
            if let cached = meters.withLock({ $0?.telemetry === telemetry ? $0?.meters : nil }) { return cached }
            let found = telemetry.meters(forOperation: operation.name)
            meters.withLock { $0 = (telemetry, found) }
            return found
        }
    }

    private let operations = Mutex<[String: Entry]>([:])

    /// A registry with every built-in operation.
    public static func builtin() -> OperationRegistry {
        let registry = OperationRegistry()
        for operation in BuiltinOperations.all { registry.register(operation) }
        return registry
    }

    /// An empty registry.
    public init() {}

    /// Adds (or replaces) an operation.
    public func register(_ operation: any Operation) {
        operations.withLock { $0[operation.name] = Entry(operation) }
    }

    /// The operation called `name`.
    public func operation(named name: String) -> (any Operation)? {
        operations.withLock { $0[name]?.operation }
    }

    /// Every operation, sorted by category then name.
    public var all: [any Operation] {
        operations.withLock { $0.values.map(\.operation) }.sorted {
            ($0.category.rawValue, $0.name) < ($1.category.rawValue, $1.name)
        }
    }

    /// Validates `parameters` and runs the operation `name`.
    /// - Returns: the operation's data (what the API wraps in `{"data": …}`).
    /// - Throws: `OperationError`: 404 for an unknown operation, 422 for bad parameters, 403 for a refused
    ///   destructive action, 503 while shutting down, or what the operation itself reports.
    nonisolated(nonsending) public func execute(_ name: String, _ parameters: [String: Term], context: OperationContext)
        async throws(OperationError) -> Term
    {
        guard let entry = operations.withLock({ $0[name] }) else {
            throw OperationError(.notFound, code: "operation_not_found", "no operation \"\(name)\"", field: "name")
        }
        return try await run(entry.operation, parameters, context: context, meters: entry.meters(in: context.telemetry))
    }

    /// Runs `operation` with telemetry around it.
    nonisolated(nonsending) public func execute(
        _ operation: any Operation, _ parameters: [String: Term], context: OperationContext
    )
        async throws(OperationError)
        -> Term
    {
        try await run(
            operation, parameters, context: context, meters: context.telemetry.meters(forOperation: operation.name))
    }

    nonisolated(nonsending) private func run(
        _ operation: any Operation, _ parameters: [String: Term], context: OperationContext,
        meters: Telemetry.OperationMeters
    ) async throws(OperationError) -> Term {
        let telemetry = context.telemetry
        let start = SystemClock.monotonicSeconds()
        let caller = OperationCaller.current
        let isEvent = operation.risk != .read
        // Reads are not events: their tags are only built for operations that change something.
        var tags: [String: Term] = [:]
        if isEvent {
            tags["operation"] = .string(operation.name)
            if let origin = caller.origin { tags["origin"] = .string(origin) }
            telemetry.bus.emit(EventName.operationStart, metadata: tags)
        }
        do throws(OperationError) {
            if context.shuttingDown.load(ordering: .relaxed) {
                throw OperationError(.unavailable, code: "shutting_down", "the daemon is shutting down")
            }
            let validated = try operation.validate(parameters)
            if operation.risk != .read && context.readOnly {
                throw OperationError(
                    .forbidden, code: "read_only",
                    "\(operation.name) changes state and this daemon is read-only (started with --read-only)")
            }
            if operation.risk == .destructive && !context.allowDestructive {
                throw OperationError(
                    .forbidden, code: "destructive_refused",
                    "\(operation.name) is destructive and this daemon does not allow destructive operations")
            }
            if operation.risk == .destructive && !caller.allowsDestructive {
                throw OperationError(
                    .forbidden, code: "destructive_refused",
                    "\(operation.name) is destructive and \(caller.origin ?? "this caller") may not run destructive operations (the daemon was started without --allow-destructive-ui)"
                )
            }
            let result = try await operation.execute(validated, context: context)
            let elapsed = SystemClock.monotonicSeconds() - start
            meters.succeeded.increment()
            meters.duration.recordNanoseconds(Int64(elapsed * 1e9))
            telemetry.history.recordOperation(seconds: elapsed)
            if isEvent {
                tags["outcome"] = "ok"
                telemetry.bus.emit(
                    EventName.operationStop, measurements: ["duration_ms": elapsed * 1000], metadata: tags)
            }
            return result
        } catch {
            let elapsed = SystemClock.monotonicSeconds() - start
            meters.failed.increment()
            telemetry.metrics.counter(
                "superlearner_operation_errors_total", [("operation", operation.name), ("code", error.code)]
            ).increment()
            meters.duration.recordNanoseconds(Int64(elapsed * 1e9))
            telemetry.history.recordOperation(seconds: elapsed)
            if isEvent {
                tags["code"] = .string(error.code)
                tags["kind"] = .string(error.kind.rawValue)
                tags["message"] = .string(error.message)
                telemetry.bus.emit(
                    EventName.operationException, measurements: ["duration_ms": elapsed * 1000], metadata: tags)
            }
            throw error
        }
    }
}
