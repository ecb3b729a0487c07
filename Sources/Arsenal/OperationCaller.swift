/// Who runs the operations of the current task, when it matters: the daemon sets it for requests that
/// come from the dashboard (authenticated by its session cookie), so that their events say so and their
/// destructive operations are refused unless the dashboard was allowed them.
///
/// ```swift
/// try await OperationCaller.$current.withValue(OperationCaller(origin: "dashboard", allowsDestructive: false)) {
///     try await registry.execute("kill_process", ["pid": "demo/counter_1"], context: context)  // 403
/// }
/// ```
public struct OperationCaller: Sendable, Hashable {
    /// A name for where the request came from (`dashboard`), added to the operation's events; `nil` for the
    /// command line, scripts and library callers.
    public var origin: String?
    /// Whether this caller may run destructive operations (the daemon's own policy applies as well).
    public var allowsDestructive: Bool

    /// Creates a caller.
    public init(origin: String? = nil, allowsDestructive: Bool = true) {
        self.origin = origin
        self.allowsDestructive = allowsDestructive
    }

    /// The caller of the current task: by default anyone with API access, allowed everything the daemon
    /// allows.
    @TaskLocal public static var current = OperationCaller()
}
