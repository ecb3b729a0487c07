/// `printer`: cast `["print", content]` records a line (kept, last 100); call `get_print_count` answers how
/// many; call `get_prints` returns the kept lines. It writes to standard output only with `echo: true`,
/// since inside the daemon there is nobody to read it.
public struct PrinterWorker: Server {
    /// Whether printed lines also go to standard output.
    public var echo: Bool

    /// Creates a printer.
    public init(echo: Bool = false) { self.echo = echo }

    /// The printer's state: a count and the last lines.
    public struct State: Sendable {
        var count = 0
        var lines: [String] = []
    }

    /// Starts empty.
    public func initialize(_ context: ServerContext) async throws -> State { State() }

    /// `print` records its content.
    public func handleCast(_ message: Term, state: inout State, context: ServerContext) async throws -> ServerAction {
        switch message.command?.name {
        case "print":
            let line = message.command?.content.map { $0.stringValue ?? $0.description } ?? ""
            state.count += 1
            state.lines.append(line)
            if state.lines.count > 100 { state.lines.removeFirst() }
            if echo { print("[printer \(context.pid)] \(line)") }
        case "crash": throw WorkerCrash(worker: "printer", detail: "crash requested")
        default: break
        }
        return .continue
    }

    /// `get_print_count`, `get_prints`.
    public func handleCall(_ request: Term, state: inout State, context: ServerContext) async throws -> CallReply {
        switch request.command?.name {
        case "get_print_count": .reply(.int(state.count))
        case "get_prints": .reply(.array(state.lines.map(Term.string)))
        default: .reply(.object(["error": .string("unknown request \(request)")]))
        }
    }

    /// `{"print_count": N, "last": "…"}`.
    public func inspect(_ state: State) -> Term {
        ["print_count": .int(state.count), "last": state.lines.last.map(Term.string) ?? .null]
    }
}

/// `echo`: replies to every call with the request itself; sends plain messages `["echo", from, x]` back
/// to `from` when given as `["echo", pid, x]`.
public struct EchoWorker: Server {
    /// Creates an echo server.
    public init() {}

    /// Counts what it echoed.
    public func initialize(_ context: ServerContext) async throws -> Int { 0 }

    /// Replies with the request.
    public func handleCall(_ request: Term, state: inout Int, context: ServerContext) async throws -> CallReply {
        state += 1
        return .reply(request)
    }

    /// Echoes `["echo", pid, x]` back to `pid` as `x`.
    public func handleInfo(_ message: Message, state: inout Int, context: ServerContext) async throws -> ServerAction {
        if case .term(.array(let items)) = message, items.count == 3, items[0] == "echo", let target = items[1].pidValue
        {
            state += 1
            context.process.send(items[2], to: target)
        }
        return .continue
    }

    /// `{"echoed": N}`.
    public func inspect(_ state: Int) -> Term { ["echoed": .int(state)] }
}
