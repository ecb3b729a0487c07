import Programs
import Supervision

/// A supervision tree described as data: what spec files (YAML or JSON), templates and the
/// `create_sandbox` operation carry.
///
/// ```yaml
/// strategy: rest_for_one
/// max_restarts: 3
/// max_seconds: 5
/// children:
///   - { id: db, worker: kv }
///   - { id: api, worker: counter, restart: transient, shutdown: 2000, args: { initial: 10 } }
///   - id: jobs
///     supervisor:
///       strategy: one_for_one
///       children: [{ id: tick, worker: ticker, args: { every_ms: 500 } }]
/// ```
public struct SandboxSpec: Sendable, Hashable {
    /// The restart strategy.
    public var strategy: SupervisorStrategy
    /// Restarts allowed within `maxSeconds`.
    public var maxRestarts: Int
    /// The intensity window in seconds.
    public var maxSeconds: Double
    /// Auto-shutdown on significant children.
    public var autoShutdown: AutoShutdown
    /// The children, in start order.
    public var children: [Child]

    /// One child of a spec.
    public struct Child: Sendable, Hashable {
        /// Unique among its siblings; the last component of its path.
        public var id: String
        /// A built-in worker with its arguments, or a nested supervisor.
        public var kind: Kind
        /// Its restart type.
        public var restart: RestartType
        /// Its shutdown policy; `nil` for the default (5 s for workers, infinity for supervisors).
        public var shutdown: ShutdownPolicy?
        /// Whether it is significant for `auto_shutdown`.
        public var significant: Bool

        /// A worker or a nested supervisor.
        public indirect enum Kind: Sendable, Hashable {
            /// A built-in worker and its arguments.
            case worker(BuiltinWorker, arguments: [String: Term])
            /// A nested supervisor.
            case supervisor(SandboxSpec)
            /// An operating-system program.
            case program(ProgramSpec)
        }

        /// Creates a child.
        public init(
            id: String, kind: Kind, restart: RestartType = .permanent, shutdown: ShutdownPolicy? = nil,
            significant: Bool = false
        ) {
            self.id = id
            self.kind = kind
            self.restart = restart
            self.shutdown = shutdown
            self.significant = significant
        }

        /// A worker child.
        public static func worker(
            _ id: String, _ worker: BuiltinWorker, _ arguments: [String: Term] = [:], restart: RestartType = .permanent
        ) -> Child {
            Child(id: id, kind: .worker(worker, arguments: arguments), restart: restart)
        }
    }

    /// Creates a spec with the seed's defaults (one_for_one, 3 restarts in 5 s).
    public init(
        strategy: SupervisorStrategy = .oneForOne, maxRestarts: Int = 3, maxSeconds: Double = 5,
        autoShutdown: AutoShutdown = .never, children: [Child] = []
    ) {
        self.strategy = strategy
        self.maxRestarts = maxRestarts
        self.maxSeconds = maxSeconds
        self.autoShutdown = autoShutdown
        self.children = children
    }

    /// The deepest nesting of supervisors accepted (the root is depth 1).
    public static let maximumDepth = 8
    /// The most children accepted in one tree, all levels together.
    public static let maximumChildren = 1000

    /// The runtime's supervisor spec for this tree; its programs log through `programs` (without one, to a
    /// folder under the system's temporary directory).
    public func supervisorSpec(programs: ProgramHost? = nil) throws(SpecError) -> SupervisorSpec {
        var children: [ChildSpec] = []
        children.reserveCapacity(self.children.count)
        for (index, child) in self.children.enumerated() {
            let start: ChildStart
            let type: ChildType
            switch child.kind {
            case .worker(let worker, let arguments):
                do {
                    start = try worker.start(arguments: arguments)
                } catch {
                    throw SpecError([.init(path: "children[\(index)].args.\(error.argument)", message: error.message)])
                }
                type = .worker
            case .supervisor(let nested):
                start = .supervisor(try nested.supervisorSpec(programs: programs))
                type = .supervisor
            case .program(let program):
                start = .program(
                    program, host: programs ?? ProgramHost.temporary,
                    shutdown: child.shutdown ?? .timeout(.seconds(5)))
                type = .worker
            }
            children.append(
                ChildSpec(
                    id: child.id, start: start, restart: child.restart, shutdown: child.shutdown, type: type,
                    significant: child.significant))
        }
        return SupervisorSpec(
            strategy: strategy, maxRestarts: maxRestarts, maxSeconds: .milliseconds(Int64(maxSeconds * 1000)),
            autoShutdown: autoShutdown, children: children)
    }

    /// Gives every worker and program in the tree, at every level, the restart type `restart`; nested supervisors
    /// keep theirs. What `sandbox create --restart` does, to watch one policy across a whole tree.
    public mutating func overrideWorkerRestart(_ restart: RestartType) {
        for index in children.indices {
            switch children[index].kind {
            case .worker, .program:
                children[index].restart = restart
            case .supervisor(var nested):
                nested.overrideWorkerRestart(restart)
                children[index].kind = .supervisor(nested)
            }
        }
    }

    /// Every child in the tree, depth first, with its path relative to the root.
    public func flattened(prefix: String = "") -> [(path: String, child: Child)] {
        children.flatMap { child -> [(path: String, child: Child)] in
            let path = prefix.isEmpty ? child.id : prefix + "/" + child.id
            if case .supervisor(let nested) = child.kind {
                return [(path, child)] + nested.flattened(prefix: path)
            }
            return [(path, child)]
        }
    }
}

/// A spec was rejected: every offending field with its path and what was expected.
public struct SpecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// One offending field.
    public struct Issue: Hashable, Sendable, CustomStringConvertible {
        /// Where, such as `children[1].restart`.
        public var path: String
        /// What was expected and what was found.
        public var message: String
        /// `path: message`.
        public var description: String { path.isEmpty ? message : "\(path): \(message)" }
    }

    /// The problems, in document order.
    public var issues: [Issue]

    /// No spec was given at all.
    public static let missing = SpecError([Issue(path: "", message: "give spec or spec_text")])

    init(_ issues: [Issue]) { self.issues = issues }

    /// At most `limit` problems, joined with `; `, and how many more there are: what a person is shown,
    /// so a file that is not a spec at all gives a line, not a line per line of the file.
    public func summary(limit: Int = 10) -> String {
        let shown = issues.prefix(limit).map(\.description).joined(separator: "; ")
        return issues.count > limit ? "\(shown); and \(issues.count - limit) more" : shown
    }

    /// The first problem, and how many more there are.
    public var description: String {
        guard let first = issues.first else { return "invalid spec" }
        return issues.count == 1 ? first.description : "\(first.description) (and \(issues.count - 1) more)"
    }
}
