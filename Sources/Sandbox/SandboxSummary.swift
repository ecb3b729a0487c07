import Supervision

/// A row of `sandbox list`: what the table shows of a sandbox, read from the same reply as `SandboxInfo`
/// without its spec and config.
///
/// A list reply carries every sandbox's whole spec. Reading it back as a `SandboxSpec` runs every check a
/// spec file gets, for a column the table does not have: that was a seventh of what `sandbox list` executed.
public struct SandboxSummary: TermConvertible, Hashable {
    /// The sandbox id.
    public var id: String
    /// The template it was made from, if any.
    public var template: String?
    /// Its status.
    public var status: SandboxStatus
    /// How many times the sandbox was restarted as a whole.
    public var restartCount: Int
    /// Live processes in it.
    public var processCount: Int

    /// The summary of `info`.
    public init(_ info: SandboxInfo) {
        id = info.id
        template = info.template
        status = info.status
        restartCount = info.restartCount
        processCount = info.processCount
    }

    /// Reads the fields it shows from a sandbox's API shape (`SandboxInfo.term`); the rest is not read.
    public init(term: Term) throws(TermDecodingError) {
        let fields = try TermFields(term)
        id = try fields.string("id")
        template = try fields.optionalString("template")
        status = try fields.enum("status")
        restartCount = try fields.int("restart_count")
        processCount = try fields.int("process_count")
    }

    /// `id`, `template`, `status`, `restart_count` and `process_count`.
    public var term: Term {
        [
            "id": .string(id), "template": template.map(Term.string) ?? .null, "status": .string(status.rawValue),
            "restart_count": .int(restartCount), "process_count": .int(processCount),
        ]
    }
}
