import Synchronization

/// A gen_server: a process that owns a state and answers calls, casts and other messages one at a time.
///
/// Implement the callbacks you need; the others have defaults (ignore casts and info, reply `null` to
/// calls, summarise the state with `String(describing:)`). Start one with `Runtime.startServer(_:)`, or as a
/// supervised child with `ChildSpec(id:server:)`.
///
/// ```swift
/// struct Counter: Server {
///     func initialize(_ context: ServerContext) async throws -> Int { 0 }
///     func handleCast(_ message: Term, state: inout Int, context: ServerContext) async throws -> ServerAction {
///         if message == "increment" { state += 1 }
///         return .continue
///     }
///     func handleCall(_ request: Term, state: inout Int, context: ServerContext) async throws -> CallReply {
///         .reply(.int(state))
///     }
/// }
/// ```
public protocol Server: Sendable {
    /// The server's private state, owned by its process.
    associatedtype State

    /// Builds the initial state (gen_server's `init/1`). Throwing fails the start; the starter sees the error.
    func initialize(_ context: ServerContext) async throws -> State

    /// Answers a `call` (gen_server's `handle_call/3`). Throwing crashes the server; the caller gets
    /// `CallError.exited`.
    func handleCall(_ request: Term, state: inout State, context: ServerContext) async throws -> CallReply

    /// Handles a `cast` (gen_server's `handle_cast/2`).
    func handleCast(_ message: Term, state: inout State, context: ServerContext) async throws -> ServerAction

    /// Handles any other message: plain sends, timers, `DOWN`, and `EXIT` from non-parents when trapping
    /// exits (gen_server's `handle_info/2`).
    func handleInfo(_ message: Message, state: inout State, context: ServerContext) async throws -> ServerAction

    /// Called before the server exits on `stop`, a returned `.stop`, a crash in a callback, or (when it traps
    /// exits) a shutdown from its parent. Not called when the process is killed.
    func terminate(reason: ExitReason, state: State, context: ServerContext) async

    /// A summary of the state for inspection (`sys:get_state`).
    func inspect(_ state: State) -> Term
}

extension Server {
    /// Replies `null`.
    public func handleCall(_ request: Term, state: inout State, context: ServerContext) async throws -> CallReply {
        .reply(.null)
    }

    /// Ignores the cast.
    public func handleCast(_ message: Term, state: inout State, context: ServerContext) async throws -> ServerAction {
        .continue
    }

    /// Ignores the message.
    public func handleInfo(_ message: Message, state: inout State, context: ServerContext) async throws
        -> ServerAction
    {
        .continue
    }

    /// Does nothing.
    public func terminate(reason: ExitReason, state: State, context: ServerContext) async {}

    /// `String(describing: state)`.
    public func inspect(_ state: State) -> Term { .string(String(describing: state)) }
}

/// What a `handleCall` returns.
public enum CallReply: Sendable {
    /// Reply and keep running.
    case reply(Term)
    /// Reply (if given), then run `terminate` and exit with the reason.
    case stop(ExitReason, reply: Term?)
}

/// What `handleCast` and `handleInfo` return.
public enum ServerAction: Sendable {
    /// Keep running.
    case `continue`
    /// Run `terminate` and exit with the reason.
    case stop(ExitReason)
}

/// The process a server runs in, as its callbacks see it.
public struct ServerContext: Sendable {
    /// The underlying process context (send, link, monitor, trap exits…).
    public let process: ProcessContext

    /// The server's PID.
    public var pid: PID { process.pid }
    /// The runtime.
    public var runtime: Runtime { process.runtime }

    /// Sends `term` to this server as an info message after `delay` (a ticker's heartbeat).
    public func sendSelf(_ term: Term, after delay: Duration) {
        process.send(term, to: pid, after: delay)
    }
}

/// Why a server did not start.
public struct StartError: Error, Sendable, CustomStringConvertible {
    /// The exit reason of the process that failed to start.
    public let reason: ExitReason
    /// `failed to start: <reason>`.
    public var description: String { "failed to start: \(reason)" }
}

extension Runtime {
    /// Starts a server and waits until its `initialize` has returned, gen_server's `start/3`.
    /// - Parameters:
    ///   - server: the callbacks.
    ///   - options: name, link and path for the process.
    /// - Returns: the server's PID.
    /// - Throws: `StartError` if `initialize` threw or the process exited first.
    @discardableResult
    public func startServer<S: Server>(_ server: S, options: SpawnOptions = SpawnOptions()) async throws(StartError)
        -> PID
    {
        try await startServer(server, options: options, scheduler: nil)
    }

    func startServer<S: Server>(_ server: S, options: SpawnOptions, scheduler: Scheduler?) async throws(StartError)
        -> PID
    {
        try await spawnAcknowledged(options, scheduler: scheduler, kind: .server) { context, ack in
            try await runServer(server, context: context, ack: ack)
        }
    }
}

/// The gen_server loop: initialise, acknowledge, then handle one message at a time until told to stop.
func runServer<S: Server>(_ server: S, context: ProcessContext, ack: ReplyChannel) async throws {
    let serverContext = ServerContext(process: context)
    var state: S.State
    do {
        state = try await server.initialize(serverContext)
    } catch let exit as ProcessExit {
        throw exit
    } catch {
        throw ProcessExit(.error("init failed: \(error)"))
    }
    ack.resolve(.value(Term.null))
    let parent = context.parent

    func finish(_ reason: ExitReason, state: S.State) async throws -> Never {
        await server.terminate(reason: reason, state: state, context: serverContext)
        throw ProcessExit(reason)
    }

    while true {
        let message = try await context.receive()
        do {
            switch message {
            case .call(let request, let reply):
                switch try await server.handleCall(request, state: &state, context: serverContext) {
                case .reply(let term):
                    reply.reply(term)
                case .stop(let reason, let term):
                    if let term { reply.reply(term) }
                    try await finish(reason, state: state)
                }
            case .cast(let term):
                if case .stop(let reason) = try await server.handleCast(term, state: &state, context: serverContext) {
                    try await finish(reason, state: state)
                }
            case .exit(let from, let reason) where from == parent:
                // A trapping server whose parent (its supervisor) exits or shuts it down terminates with it.
                try await finish(reason, state: state)
            case .system(.getState, let reply):
                reply?.resolve(.value(server.inspect(state)))
            case .system(.stop(let reason), _):
                // The stopper learns of the exit through its monitor, after `terminate` has run.
                try await finish(reason, state: state)
            case .system(_, let reply):
                reply?.resolve(.failure(.notSupported(context.pid.description)))
            default:
                if case .stop(let reason) = try await server.handleInfo(message, state: &state, context: serverContext)
                {
                    try await finish(reason, state: state)
                }
            }
        } catch let exit as ProcessExit {
            throw exit
        } catch {
            // Killed mid-callback: the process is already dead, and OTP skips terminate for a kill.
            guard context.cell.alive.load(ordering: .relaxed) else { throw ProcessExit(context.cell.deadReason) }
            // A crash in a callback: OTP still runs terminate with the error as the reason.
            try await finish(.error(String(describing: error)), state: state)
        }
    }
}
