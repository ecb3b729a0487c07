import Supervision

/// What a sandbox is made of, as stored: enough to rebuild it with fresh processes.
public struct SandboxRecord: Sendable, Hashable {
    /// The sandbox id.
    public var id: String
    /// The template it came from, if any.
    public var template: String?
    /// The tree.
    public var spec: SandboxSpec
    /// Its configuration.
    public var config: [String: Term]
    /// Wall-clock creation time, seconds since 1970.
    public var createdAt: Double
    /// Restarts of the whole sandbox so far.
    public var restartCount: Int
    /// The spec's versions, oldest first (empty for a record stored before versions were kept).
    public var versions: [SpecVersion] = []

    /// Creates a record.
    public init(
        id: String, template: String?, spec: SandboxSpec, config: [String: Term], createdAt: Double, restartCount: Int
    ) {
        self.id = id
        self.template = template
        self.spec = spec
        self.config = config
        self.createdAt = createdAt
        self.restartCount = restartCount
    }
}

/// Where a `SandboxManager` writes sandboxes so that they survive the process (the daemon's SQLite file).
///
/// The manager calls it before it reports success: a create, restart or config change is stored before
/// the caller hears it worked, and a destroy is removed before it is acknowledged.
public protocol SandboxPersistence: Sendable {
    /// Stores (inserts or replaces) a sandbox.
    func save(_ record: SandboxRecord) async throws
    /// Forgets a sandbox.
    func delete(_ id: String) async throws
}
