import Schema
import SuperlearnerAPI
import Supervision

/// The kind of thing an operation touches.
public enum OperationCategory: String, Sendable, Hashable, CaseIterable {
    /// Processes.
    case process
    /// Supervisors.
    case supervisor
    /// Sandboxes.
    case sandbox
    /// The cluster (the local node until clustering exists).
    case cluster
    /// The node itself.
    case system
    /// Metrics and events.
    case telemetry
}

/// How much an operation can disturb.
public enum Risk: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Reads only.
    case read
    /// Changes state in a recoverable way.
    case mutating
    /// Kills, stops or destroys.
    case destructive

    /// `read` < `mutating` < `destructive`.
    public static func < (lhs: Risk, rhs: Risk) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Where an operation lives in the REST API: its route and its status on success.
public struct RestBinding: Sendable, Hashable {
    /// The method and the path template, such as `GET /api/v1/processes/{pid}/info`.
    public var route: Route
    /// The success status: 200, or 201 for creations.
    public var successStatus: Int

    /// Creates a binding.
    public init(_ method: HTTPVerb, _ path: String, successStatus: Int = 200) {
        self.route = Route(method, path)
        self.successStatus = successStatus
    }

    /// Creates a binding to `route` (a built-in operation's is its entry in `OperationRoutes`).
    public init(_ route: Route, successStatus: Int = 200) {
        self.route = route
        self.successStatus = successStatus
    }

    /// The method.
    public var method: HTTPVerb { route.method }
    /// The path template.
    public var path: String { route.template }
    /// The names of the `{param}` segments, in order.
    public var pathParameters: [String] { route.pathParameters }
}

/// A named, typed, documented action on the system: what the CLI's `operation run`, the REST API and the
/// dashboard all execute.
///
/// Conform to add your own; register it with `OperationRegistry.register(_:)`.
public protocol Operation: Sendable {
    /// snake_case, unique in a registry.
    var name: String { get }
    /// What it touches.
    var category: OperationCategory { get }
    /// One line on what it does.
    var summary: String { get }
    /// How much it can disturb.
    var risk: Risk { get }
    /// Its parameters; anything else is rejected.
    var parameters: [Parameter] { get }
    /// Its REST route, if it has its own (every operation is also reachable at
    /// `POST /api/v1/arsenal/operations/{name}/execute`).
    var rest: RestBinding? { get }
    /// Runs it with validated parameters (defaults filled in, values normalised), on the caller's executor.
    nonisolated(nonsending) func execute(_ parameters: [String: Term], context: OperationContext)
        async throws(OperationError) -> Term
}

extension Operation {
    /// Checks `input` against the schema: every failing field is reported, unknown fields are rejected,
    /// defaults are filled in.
    /// - Throws: `OperationError` of kind `validation` listing every failing field.
    public func validate(_ input: [String: Term]) throws(OperationError) -> [String: Term] {
        do throws(InvalidParameters) {
            return try Parameter.validate(input, against: parameters)
        } catch {
            throw .validation(error.fields)
        }
    }

    /// The JSON description used by `GET /api/v1/arsenal/operations` and `operation list --json`.
    public var descriptor: Term {
        var members: [String: Term] = [
            "name": .string(name), "category": .string(category.rawValue), "summary": .string(summary),
            "risk": .string(risk.rawValue),
            "parameters": .array(parameters.map(\.descriptor)),
        ]
        if let rest { members["rest"] = ["method": .string(rest.method.rawValue), "path": .string(rest.path)] }
        return .object(members)
    }
}

extension Parameter {
    /// The JSON description of the parameter.
    public var descriptor: Term {
        var members: [String: Term] = [
            "name": .string(name), "type": .string(type.rawValue), "summary": .string(summary),
            "required": .bool(required),
        ]
        if let defaultValue { members["default"] = defaultValue }
        if let allowed { members["enum"] = .array(allowed) }
        if let minimum { members["minimum"] = .double(minimum) }
        if let maximum { members["maximum"] = .double(maximum) }
        if let pattern { members["pattern"] = .string(pattern) }
        return .object(members)
    }
}

/// An operation built from a description and a closure: how the built-ins are written.
public struct DefinedOperation: Operation {
    /// snake_case name.
    public var name: String
    /// Category.
    public var category: OperationCategory
    /// One line.
    public var summary: String
    /// Risk.
    public var risk: Risk
    /// Parameters.
    public var parameters: [Parameter]
    /// REST route.
    public var rest: RestBinding?
    let body: nonisolated(nonsending) @Sendable ([String: Term], OperationContext) async throws(OperationError) -> Term

    /// Creates an operation.
    public init(
        _ name: String, _ category: OperationCategory, _ risk: Risk, _ summary: String, rest: RestBinding?,
        parameters: [Parameter] = [],
        execute:
            nonisolated(nonsending) @escaping @Sendable ([String: Term], OperationContext) async throws(OperationError)
            -> Term
    ) {
        self.name = name
        self.category = category
        self.summary = summary
        self.risk = risk
        self.parameters = parameters
        self.rest = rest
        self.body = execute
    }

    /// Runs the closure.
    nonisolated(nonsending) public func execute(_ parameters: [String: Term], context: OperationContext)
        async throws(OperationError) -> Term
    {
        try await body(parameters, context)
    }
}
