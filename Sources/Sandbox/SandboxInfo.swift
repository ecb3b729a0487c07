import Supervision

/// Where a sandbox is in its life.
public enum SandboxStatus: String, Sendable, Hashable {
    /// Its tree is being built.
    case starting
    /// Its root supervisor is alive.
    case running
    /// Its root supervisor gave up (restart intensity exceeded) or exited; `restart` revives it.
    case failed
    /// It is being destroyed or restarted.
    case stopping
}

/// What a sandbox is, at one moment.
public struct SandboxInfo: TermConvertible, Hashable {
    /// The sandbox id.
    public var id: String
    /// The template it was made from, if any.
    public var template: String?
    /// Its status.
    public var status: SandboxStatus
    /// Why it failed, when `status` is `failed`.
    public var failureReason: String?
    /// The root supervisor, while running.
    public var supervisor: PID?
    /// Wall-clock creation time, seconds since 1970.
    public var createdAt: Double
    /// How many times the sandbox was restarted as a whole.
    public var restartCount: Int
    /// Its free-form configuration.
    public var config: [String: Term]
    /// The tree it runs.
    public var spec: SandboxSpec
    /// Live processes in it.
    public var processCount: Int
    /// For a distributed sandbox this node owns, the fencing token of its ownership (the etcd revision that
    /// created the owner key); `nil` for a sandbox of this node alone.
    public var fencingToken: Int? = nil

    /// The API shape: `id`, `template`, `status`, `failure_reason`, `supervisor`, `created_at`,
    /// `restart_count`, `config`, `spec`, `process_count`.
    public var term: Term {
        [
            "id": .string(id),
            "template": template.map(Term.string) ?? .null,
            "status": .string(status.rawValue),
            "failure_reason": failureReason.map(Term.string) ?? .null,
            "supervisor": supervisor.map(Term.pid) ?? .null,
            "created_at": .double(createdAt),
            "restart_count": .int(restartCount),
            "config": .object(config),
            "spec": spec.term,
            "process_count": .int(processCount),
            "distributed": .bool(fencingToken != nil),
            "fencing_token": fencingToken.map(Term.int) ?? .null,
        ]
    }
}

/// One node of a sandbox's live tree.
public struct SandboxNode: TermConvertible, Hashable {
    /// The child id (the sandbox id for the root).
    public var id: String
    /// The stable path (`demo/jobs/tick`).
    public var path: String
    /// The current PID, if running.
    public var pid: PID?
    /// Worker or supervisor.
    public var type: ChildType
    /// Restarts of this child by its supervisor.
    public var restarts: Int
    /// Messages waiting, if running.
    public var mailboxLength: Int
    /// For supervisors: the strategy.
    public var strategy: SupervisorStrategy?
    /// For supervisors: the children, in start order.
    public var children: [SandboxNode]
    /// For programs: what the program is doing (`os_pid 4242`, `restarting in 1.6 s, attempt 4`).
    public var detail: String? = nil

    /// The API shape, recursively.
    public var term: Term {
        var members: [String: Term] = [
            "id": .string(id), "path": .string(path), "pid": pid.map(Term.pid) ?? .null,
            "type": .string(type.rawValue), "restarts": .int(restarts), "mailbox": .int(mailboxLength),
            "status": .string(pid == nil ? "stopped" : "running"),
        ]
        if let strategy {
            members["strategy"] = .string(strategy.rawValue)
            members["children"] = .array(children.map(\.term))
        }
        if let detail { members["detail"] = .string(detail) }
        return .object(members)
    }
}

extension SandboxInfo {
    /// Reads the API shape back (what the command line does with a reply).
    public init(term: Term) throws(TermDecodingError) {
        let fields = try TermFields(term)
        id = try fields.string("id")
        template = try fields.optionalString("template")
        status = try fields.enum("status")
        failureReason = try fields.optionalString("failure_reason")
        supervisor = try fields.optionalPID("supervisor")
        createdAt = try fields.double("created_at")
        restartCount = try fields.int("restart_count")
        config = try fields.object("config")
        let specTerm = try fields.value("spec")
        do throws(SpecError) {
            spec = try SandboxSpec(term: specTerm)
        } catch {
            throw TermDecodingError(path: "spec", expected: "a spec (\(error))")
        }
        processCount = try fields.int("process_count")
        fencingToken = term["fencing_token"]?.intValue
    }
}

extension SandboxNode {
    /// Reads the API shape back, recursively.
    public init(term: Term) throws(TermDecodingError) {
        let fields = try TermFields(term)
        id = try fields.string("id")
        path = try fields.string("path")
        pid = try fields.optionalPID("pid")
        type = try fields.enum("type")
        restarts = try fields.int("restarts")
        mailboxLength = try fields.int("mailbox")
        strategy = try fields.optionalString("strategy").map { text throws(TermDecodingError) in
            guard let strategy = SupervisorStrategy(rawValue: text) else {
                throw TermDecodingError(path: "strategy", expected: "a strategy")
            }
            return strategy
        }
        children = try fields.decodeArray("children")
        detail = try fields.optionalString("detail")
    }
}
