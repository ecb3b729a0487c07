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
/// around it (`arsenal.operation.start`, `.stop` with the duration, `.exception` with the error code).
public final class OperationRegistry: Sendable {
    private let operations = Mutex<[String: any Operation]>([:])

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
        operations.withLock { $0[operation.name] = operation }
    }

    /// The operation called `name`.
    public func operation(named name: String) -> (any Operation)? {
        operations.withLock { $0[name] }
    }

    /// Every operation, sorted by category then name.
    public var all: [any Operation] {
        operations.withLock { Array($0.values) }.sorted {
            ($0.category.rawValue, $0.name) < ($1.category.rawValue, $1.name)
        }
    }

    /// Validates `parameters` and runs the operation `name`.
    /// - Returns: the operation's data (what the API wraps in `{"data": …}`).
    /// - Throws: `OperationError`: 404 for an unknown operation, 422 for bad parameters, 403 for a refused
    ///   destructive action, 503 while shutting down, or what the operation itself reports.
    public func execute(_ name: String, _ parameters: [String: Term], context: OperationContext)
        async throws(OperationError) -> Term
    {
        guard let operation = operation(named: name) else {
            throw OperationError(.notFound, code: "operation_not_found", "no operation \"\(name)\"", field: "name")
        }
        return try await execute(operation, parameters, context: context)
    }

    /// Runs `operation` with telemetry around it.
    public func execute(_ operation: any Operation, _ parameters: [String: Term], context: OperationContext)
        async throws(OperationError)
        -> Term
    {
        let telemetry = context.telemetry
        let start = SystemClock.monotonicSeconds()
        telemetry.bus.emit(EventName.operationStart, metadata: ["operation": .string(operation.name)])
        do throws(OperationError) {
            if context.shuttingDown.load(ordering: .relaxed) {
                throw OperationError(.unavailable, code: "shutting_down", "the daemon is shutting down")
            }
            let validated = try operation.validate(parameters)
            if operation.risk == .destructive && !context.allowDestructive {
                throw OperationError(
                    .forbidden, code: "destructive_refused",
                    "\(operation.name) is destructive and this daemon does not allow destructive operations")
            }
            let result = try await operation.execute(validated, context: context)
            let elapsed = SystemClock.monotonicSeconds() - start
            telemetry.metrics.counter(
                "superlearner_operations_total", [("operation", operation.name), ("outcome", "ok")]
            ).increment()
            telemetry.metrics.timer("superlearner_operation_duration_seconds", [("operation", operation.name)])
                .recordNanoseconds(Int64(elapsed * 1e9))
            telemetry.bus.emit(
                EventName.operationStop, measurements: ["duration_ms": elapsed * 1000],
                metadata: ["operation": .string(operation.name), "outcome": "ok"])
            return result
        } catch {
            let elapsed = SystemClock.monotonicSeconds() - start
            telemetry.metrics.counter(
                "superlearner_operations_total", [("operation", operation.name), ("outcome", "error")]
            ).increment()
            telemetry.metrics.counter(
                "superlearner_operation_errors_total", [("operation", operation.name), ("code", error.code)]
            ).increment()
            telemetry.metrics.timer("superlearner_operation_duration_seconds", [("operation", operation.name)])
                .recordNanoseconds(Int64(elapsed * 1e9))
            telemetry.bus.emit(
                EventName.operationException, measurements: ["duration_ms": elapsed * 1000],
                metadata: [
                    "operation": .string(operation.name), "code": .string(error.code),
                    "kind": .string(error.kind.rawValue),
                    "message": .string(error.message),
                ])
            throw error
        }
    }
}
