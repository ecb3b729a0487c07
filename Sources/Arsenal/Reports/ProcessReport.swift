import Sandbox
import Supervision

/// One process as the process operations report it: a row of `list_processes` (and of `top`), the head of
/// `get_process_info`. The daemon encodes it, the command line decodes the same shape.
public struct ProcessReport: TermConvertible, Hashable {
    /// The PID.
    public var pid: PID
    /// The stable supervision path, if it has one.
    public var path: String?
    /// The registered name, if any.
    public var name: String?
    /// Running, waiting, or exiting.
    public var status: ProcessStatus
    /// Process, server or supervisor.
    public var kind: ProcessKind
    /// The sandbox it belongs to (the first segment of its path).
    public var sandbox: String?
    /// Messages waiting.
    public var mailbox: Int
    /// Messages received so far.
    public var messagesIn: Int
    /// Messages sent so far.
    public var messagesOut: Int
    /// Restarts of its child slot.
    public var restarts: Int
    /// An estimate of its memory, in bytes.
    public var memory: Int

    /// The report of a runtime snapshot.
    public init(_ snapshot: ProcessSnapshot) {
        pid = snapshot.pid
        path = snapshot.path
        name = snapshot.name
        status = snapshot.status
        kind = snapshot.kind
        sandbox = SandboxManager.sandboxID(ofPath: snapshot.path)
        mailbox = snapshot.mailboxLength
        messagesIn = Int(snapshot.messagesIn)
        messagesOut = Int(snapshot.messagesOut)
        restarts = snapshot.restarts
        memory = snapshot.memoryEstimate
    }

    /// `pid`, `path`, `name`, `status`, `kind`, `sandbox`, `mailbox`, `messages_in`, `messages_out`,
    /// `restarts`, `memory`.
    public var term: Term {
        var members = [String: Term](minimumCapacity: ProcessReport.memberCount)
        write(into: &members)
        return .object(members)
    }

    /// How many members `term` has.
    static let memberCount = 11

    /// Adds the report's members to `members`: a caller that adds more reserves room for all of them once,
    /// instead of hashing every key again when the table grows.
    func write(into members: inout [String: Term]) {
        members["pid"] = .pid(pid)
        members["path"] = path.map(Term.string) ?? .null
        members["name"] = name.map(Term.string) ?? .null
        members["status"] = .string(status.rawValue)
        members["kind"] = .string(kind.rawValue)
        members["sandbox"] = sandbox.map(Term.string) ?? .null
        members["mailbox"] = .int(mailbox)
        members["messages_in"] = .int(messagesIn)
        members["messages_out"] = .int(messagesOut)
        members["restarts"] = .int(restarts)
        members["memory"] = .int(memory)
    }

    /// Reads the shape back.
    public init(term: Term) throws(TermDecodingError) {
        let fields = try TermFields(term)
        pid = try fields.pid("pid")
        path = try fields.optionalString("path")
        name = try fields.optionalString("name")
        status = try fields.enum("status")
        kind = try fields.enum("kind")
        sandbox = try fields.optionalString("sandbox")
        mailbox = try fields.int("mailbox")
        messagesIn = try fields.int("messages_in")
        messagesOut = try fields.int("messages_out")
        restarts = try fields.int("restarts")
        memory = try fields.int("memory")
    }
}
