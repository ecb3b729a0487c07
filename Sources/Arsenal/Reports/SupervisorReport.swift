import Sandbox
import Supervision

/// A supervisor as `get_supervisor` reports it: strategy, limits, the restart budget used, the history of
/// restarts and every child. The daemon encodes it, the command line decodes the same shape.
public struct SupervisorReport: TermConvertible, Hashable {
    /// One child slot.
    public struct Child: TermConvertible, Hashable {
        /// The child id.
        public var id: String
        /// Its PID, while running.
        public var pid: PID?
        /// Worker or supervisor.
        public var type: ChildType
        /// permanent, transient or temporary.
        public var restart: RestartType
        /// How it is stopped (`brutal_kill`, milliseconds, `infinity`).
        public var shutdown: String
        /// Whether its exit can end the supervisor (auto_shutdown).
        public var significant: Bool
        /// How many times it was restarted.
        public var restarts: Int

        /// The report of a child slot.
        public init(_ info: ChildInfo) {
            id = info.id
            pid = info.pid
            type = info.type
            restart = info.restart
            shutdown = info.shutdown.description
            significant = info.significant
            restarts = info.restarts
        }

        /// `id`, `pid`, `type`, `restart`, `shutdown`, `significant`, `restarts`.
        public var term: Term {
            [
                "id": .string(id), "pid": pid.map(Term.pid) ?? .null, "type": .string(type.rawValue),
                "restart": .string(restart.rawValue), "shutdown": .string(shutdown), "significant": .bool(significant),
                "restarts": .int(restarts),
            ]
        }

        /// Reads the shape back.
        public init(term: Term) throws(TermDecodingError) {
            let fields = try TermFields(term)
            id = try fields.string("id")
            pid = try fields.optionalPID("pid")
            type = try fields.enum("type")
            restart = try fields.enum("restart")
            shutdown = try fields.string("shutdown")
            significant = try fields.value("significant").boolValue ?? false
            restarts = try fields.int("restarts")
        }
    }

    /// One restart the supervisor made.
    public struct Restart: TermConvertible, Hashable {
        /// The child restarted.
        public var childID: String
        /// Why it had exited.
        public var reason: String
        /// When, in seconds since 1970.
        public var at: Double

        /// `child_id`, `reason`, `at`.
        public var term: Term { ["child_id": .string(childID), "reason": .string(reason), "at": .double(at)] }

        /// Reads the shape back.
        public init(term: Term) throws(TermDecodingError) {
            let fields = try TermFields(term)
            childID = try fields.string("child_id")
            reason = try fields.string("reason")
            at = try fields.double("at")
        }

        init(_ record: RestartRecord) {
            childID = record.childID
            reason = record.reason.description
            at = record.at
        }
    }

    /// The supervisor's PID.
    public var pid: PID
    /// Its path, if it has one.
    public var path: String?
    /// one_for_one, one_for_all or rest_for_one.
    public var strategy: SupervisorStrategy
    /// Restarts allowed within `maxSeconds`.
    public var maxRestarts: Int
    /// The intensity window, in seconds.
    public var maxSeconds: Double
    /// When significant children end it.
    public var autoShutdown: AutoShutdown
    /// The limit of a dynamic supervisor.
    public var maxChildren: Int?
    /// Restarts counted in the current window.
    public var restartsInWindow: Int
    /// Restarts since it started.
    public var totalRestarts: Int
    /// Seconds until a slot of the budget frees, when a restart counts.
    public var nextSlotSeconds: Double?
    /// Its recent restarts, oldest first.
    public var history: [Restart]
    /// Its children, in start order.
    public var children: [Child]

    /// The report of a supervisor's snapshot.
    public init(pid: PID, path: String?, snapshot: SupervisorSnapshot) {
        self.pid = pid
        self.path = path
        strategy = snapshot.strategy
        maxRestarts = snapshot.maxRestarts
        maxSeconds = snapshot.maxSeconds
        autoShutdown = snapshot.autoShutdown
        maxChildren = snapshot.maxChildren
        restartsInWindow = snapshot.restartsInWindow
        totalRestarts = snapshot.totalRestarts
        nextSlotSeconds = snapshot.nextSlotSeconds
        history = snapshot.history.map(Restart.init)
        children = snapshot.children.map(Child.init)
    }

    /// "2 of 3 restarts used in 5 s; next slot frees in 3.1 s".
    public var budgetText: String {
        let window = maxSeconds == maxSeconds.rounded() ? String(Int(maxSeconds)) : String(maxSeconds)
        var text = "\(restartsInWindow) of \(maxRestarts) restarts used in \(window) s"
        if let next = nextSlotSeconds, restartsInWindow > 0 {
            text += "; next slot frees in \((next * 10).rounded() / 10) s"
        }
        return text
    }

    /// Restarts left before the intensity is exceeded.
    public var restartBudgetLeft: Int { max(0, maxRestarts - restartsInWindow) }

    /// The API shape (with `restart_budget_left`).
    public var term: Term {
        [
            "pid": .pid(pid), "path": path.map(Term.string) ?? .null, "strategy": .string(strategy.rawValue),
            "max_restarts": .int(maxRestarts), "max_seconds": .double(maxSeconds),
            "auto_shutdown": .string(autoShutdown.rawValue), "max_children": maxChildren.map(Term.int) ?? .null,
            "restarts_in_window": .int(restartsInWindow), "restart_budget_left": .int(restartBudgetLeft),
            "total_restarts": .int(totalRestarts), "history": history.term, "children": children.term,
            "next_slot_seconds": nextSlotSeconds.map(Term.double) ?? .null, "budget": .string(budgetText),
        ]
    }

    /// Reads the shape back.
    public init(term: Term) throws(TermDecodingError) {
        let fields = try TermFields(term)
        pid = try fields.pid("pid")
        path = try fields.optionalString("path")
        strategy = try fields.enum("strategy")
        maxRestarts = try fields.int("max_restarts")
        maxSeconds = try fields.double("max_seconds")
        autoShutdown = try fields.enum("auto_shutdown")
        maxChildren = try fields.value("max_children").intValue
        restartsInWindow = try fields.int("restarts_in_window")
        totalRestarts = try fields.int("total_restarts")
        history = try fields.decodeArray("history")
        children = try fields.decodeArray("children")
        nextSlotSeconds = term["next_slot_seconds"]?.doubleValue
    }
}

/// A row of `list_supervisors`: strategy, child counts and the budget used.
public struct SupervisorSummary: TermConvertible, Hashable {
    /// The supervisor's PID.
    public var pid: PID
    /// Its path, if it has one.
    public var path: String?
    /// Its registered name, if any.
    public var name: String?
    /// The sandbox it belongs to.
    public var sandbox: String?
    /// Its strategy.
    public var strategy: SupervisorStrategy
    /// How many child slots it has.
    public var children: Int
    /// How many of them run.
    public var active: Int
    /// Restarts counted in the current window.
    public var restartsInWindow: Int
    /// Restarts allowed within the window.
    public var maxRestarts: Int

    /// The row for a supervisor's process and snapshot.
    public init(_ info: ProcessSnapshot, snapshot: SupervisorSnapshot) {
        pid = info.pid
        path = info.path
        name = info.name
        sandbox = SandboxManager.sandboxID(ofPath: info.path)
        strategy = snapshot.strategy
        children = snapshot.children.count
        active = snapshot.children.filter { $0.pid != nil }.count
        restartsInWindow = snapshot.restartsInWindow
        maxRestarts = snapshot.maxRestarts
    }

    /// `pid`, `path`, `name`, `sandbox`, `strategy`, `children`, `active`, `restarts_in_window`, `max_restarts`.
    public var term: Term {
        [
            "pid": .pid(pid), "path": path.map(Term.string) ?? .null, "name": name.map(Term.string) ?? .null,
            "sandbox": sandbox.map(Term.string) ?? .null, "strategy": .string(strategy.rawValue),
            "children": .int(children),
            "active": .int(active), "restarts_in_window": .int(restartsInWindow), "max_restarts": .int(maxRestarts),
        ]
    }

    /// Reads the shape back.
    public init(term: Term) throws(TermDecodingError) {
        let fields = try TermFields(term)
        pid = try fields.pid("pid")
        path = try fields.optionalString("path")
        name = try fields.optionalString("name")
        sandbox = try fields.optionalString("sandbox")
        strategy = try fields.enum("strategy")
        children = try fields.int("children")
        active = try fields.int("active")
        restartsInWindow = try fields.int("restarts_in_window")
        maxRestarts = try fields.int("max_restarts")
    }
}
