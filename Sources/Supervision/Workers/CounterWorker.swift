/// `counter`: holds an integer. Cast `increment` (or `["increment", n]`), call `get_value`, cast `crash`.
/// The value starts at `initial` again after a restart, which is the lesson: state dies with the process.
public struct CounterWorker: Server {
    /// The value the counter starts from (and restarts from).
    public var initial: Int

    /// Creates a counter starting at `initial`.
    public init(initial: Int = 0) { self.initial = initial }

    /// Starts at `initial`.
    public func initialize(_ context: ServerContext) async throws -> Int { initial }

    /// `get_value` replies the value; `increment` adds 1 (or n) and replies it; `crash` crashes.
    public func handleCall(_ request: Term, state: inout Int, context: ServerContext) async throws -> CallReply {
        switch request.command?.name {
        case "get_value": return .reply(.int(state))
        case "increment":
            state += request.command?.content?.intValue ?? 1
            return .reply(.int(state))
        case "crash": throw WorkerCrash(worker: "counter", detail: "crash requested")
        default: return .reply(.object(["error": .string("unknown request \(request)")]))
        }
    }

    /// `increment` adds 1 (or n); `crash` crashes the counter.
    public func handleCast(_ message: Term, state: inout Int, context: ServerContext) async throws -> ServerAction {
        switch message.command?.name {
        case "increment": state += message.command?.content?.intValue ?? 1
        case "crash": throw WorkerCrash(worker: "counter", detail: "crash requested")
        default: break
        }
        return .continue
    }

    /// `{"value": N}`.
    public func inspect(_ state: Int) -> Term { ["value": .int(state)] }
}

/// The error a built-in worker crashes with when asked to.
public struct WorkerCrash: Error, CustomStringConvertible {
    /// The worker kind.
    public var worker: String
    /// Why it crashed.
    public var detail: String
    /// `<worker> crashed: <detail>`.
    public var description: String { "\(worker) crashed: \(detail)" }
}
