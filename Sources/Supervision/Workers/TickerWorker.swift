/// `ticker`: sends itself a tick every `everyMilliseconds` and counts them (call `get_ticks`); with a
/// `target`, it also sends `["tick", n]` there.
public struct TickerWorker: Server {
    /// The interval between ticks.
    public var everyMilliseconds: Int
    /// Where to send ticks, if anywhere.
    public var target: PID?

    /// Creates a ticker.
    public init(everyMilliseconds: Int = 1000, target: PID? = nil) {
        self.everyMilliseconds = max(1, everyMilliseconds)
        self.target = target
    }

    /// Schedules the first tick.
    public func initialize(_ context: ServerContext) async throws -> Int {
        context.sendSelf("$tick", after: .milliseconds(everyMilliseconds))
        return 0
    }

    /// Counts a tick and schedules the next.
    public func handleInfo(_ message: Message, state: inout Int, context: ServerContext) async throws -> ServerAction {
        if case .term("$tick") = message {
            state += 1
            if let target { context.process.send(["tick", .int(state)], to: target) }
            context.sendSelf("$tick", after: .milliseconds(everyMilliseconds))
        }
        return .continue
    }

    /// `get_ticks`.
    public func handleCall(_ request: Term, state: inout Int, context: ServerContext) async throws -> CallReply {
        request.command?.name == "get_ticks" ? .reply(.int(state)) : .reply(.object(["error": "unknown request"]))
    }

    /// Casting `crash` crashes it.
    public func handleCast(_ message: Term, state: inout Int, context: ServerContext) async throws -> ServerAction {
        if message.command?.name == "crash" { throw WorkerCrash(worker: "ticker", detail: "crash requested") }
        return .continue
    }

    /// `{"ticks": N, "every_ms": M}`.
    public func inspect(_ state: Int) -> Term { ["ticks": .int(state), "every_ms": .int(everyMilliseconds)] }
}

/// `crasher`: crashes `afterMilliseconds` after it starts, and/or with `probability` at each check every
/// `everyMilliseconds`, or refuses to start at all. The worker for crash-loop, intensity and failed-start
/// lessons.
public struct CrasherWorker: Server {
    /// Crash this long after start, if set.
    public var afterMilliseconds: Int?
    /// Crash with this probability at each check, if set.
    public var probability: Double?
    /// How often to roll the dice when `probability` is set.
    public var everyMilliseconds: Int
    /// Fail in `initialize`, so the supervisor's start fails (the failed-start lesson).
    public var crashOnStart: Bool

    /// Creates a crasher.
    public init(
        afterMilliseconds: Int? = nil, probability: Double? = nil, everyMilliseconds: Int = 100,
        crashOnStart: Bool = false
    ) {
        self.afterMilliseconds = afterMilliseconds
        self.probability = probability
        self.everyMilliseconds = max(1, everyMilliseconds)
        self.crashOnStart = crashOnStart
    }

    /// Schedules its crash or its first dice roll (or refuses to start with `crashOnStart`).
    public func initialize(_ context: ServerContext) async throws -> Int {
        if crashOnStart { throw WorkerCrash(worker: "crasher", detail: "refused to start") }
        if let afterMilliseconds { context.sendSelf("$crash", after: .milliseconds(afterMilliseconds)) }
        if probability != nil { context.sendSelf("$roll", after: .milliseconds(everyMilliseconds)) }
        return 0
    }

    /// Crashes on schedule or by chance.
    public func handleInfo(_ message: Message, state: inout Int, context: ServerContext) async throws -> ServerAction {
        switch message {
        case .term("$crash"):
            throw WorkerCrash(worker: "crasher", detail: "crashed after \(afterMilliseconds ?? 0) ms")
        case .term("$roll"):
            state += 1
            if let probability, Double.random(in: 0..<1) < probability {
                throw WorkerCrash(worker: "crasher", detail: "crashed with probability \(probability)")
            }
            context.sendSelf("$roll", after: .milliseconds(everyMilliseconds))
        default: break
        }
        return .continue
    }

    /// Casting `crash` crashes it now.
    public func handleCast(_ message: Term, state: inout Int, context: ServerContext) async throws -> ServerAction {
        if message.command?.name == "crash" { throw WorkerCrash(worker: "crasher", detail: "crash requested") }
        return .continue
    }

    /// `{"rolls": N}`.
    public func inspect(_ state: Int) -> Term { ["rolls": .int(state)] }
}

/// `sleeper`: slow to start (`startMilliseconds` in `initialize`) and slow to stop (`stopMilliseconds` in
/// `terminate`; it traps exits so that a shutdown runs `terminate`). The worker for shutdown-timeout lessons:
/// give it a `shutdown` shorter than `stopMilliseconds` and the supervisor kills it. Call `["sleep", ms]`
/// blocks the server that long.
public struct SleeperWorker: Server {
    /// How long `initialize` takes.
    public var startMilliseconds: Int
    /// How long `terminate` takes.
    public var stopMilliseconds: Int

    /// Creates a sleeper.
    public init(startMilliseconds: Int = 0, stopMilliseconds: Int = 0) {
        self.startMilliseconds = max(0, startMilliseconds)
        self.stopMilliseconds = max(0, stopMilliseconds)
    }

    /// Sleeps, then traps exits.
    public func initialize(_ context: ServerContext) async throws -> Int {
        if startMilliseconds > 0 { try await Task.sleep(for: .milliseconds(startMilliseconds)) }
        context.process.trapsExits = true
        return 0
    }

    /// `["sleep", ms]` sleeps, then replies `ok`.
    public func handleCall(_ request: Term, state: inout Int, context: ServerContext) async throws -> CallReply {
        if request.command?.name == "sleep", let ms = request.command?.content?.intValue {
            try await Task.sleep(for: .milliseconds(ms))
            state += 1
            return .reply("ok")
        }
        return .reply(.object(["error": "unknown request"]))
    }

    /// Sleeps `stopMilliseconds` before exiting; a kill cuts it short.
    public func terminate(reason: ExitReason, state: Int, context: ServerContext) async {
        if stopMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(stopMilliseconds)) }
    }

    /// `{"start_ms": …, "stop_ms": …}`.
    public func inspect(_ state: Int) -> Term {
        ["start_ms": .int(startMilliseconds), "stop_ms": .int(stopMilliseconds), "sleeps": .int(state)]
    }
}

/// `kv`: a key-value store. Calls `["put", {"key": k, "value": v}]`, `["get", k]`, `["delete", k]`,
/// `"keys"`; cast `["put", …]`.
public struct KVWorker: Server {
    /// Creates an empty store.
    public init() {}

    /// Starts empty.
    public func initialize(_ context: ServerContext) async throws -> [String: Term] { [:] }

    /// `put`, `get`, `delete`, `keys`.
    public func handleCall(_ request: Term, state: inout [String: Term], context: ServerContext) async throws
        -> CallReply
    {
        guard let (name, content) = request.command else { return .reply(["error": "unknown request"]) }
        switch name {
        case "put":
            guard let key = content?["key"]?.stringValue else { return .reply(["error": "put needs a key"]) }
            state[key] = content?["value"] ?? .null
            return .reply("ok")
        case "get":
            guard let key = content?.stringValue else { return .reply(["error": "get needs a key"]) }
            return .reply(state[key] ?? .null)
        case "delete":
            guard let key = content?.stringValue else { return .reply(["error": "delete needs a key"]) }
            return .reply(state.removeValue(forKey: key) == nil ? false : true)
        case "keys":
            return .reply(.array(state.keys.sorted().map(Term.string)))
        case "crash":
            throw WorkerCrash(worker: "kv", detail: "crash requested")
        default:
            return .reply(["error": .string("unknown request \(name)")])
        }
    }

    /// `put` without a reply; `crash`.
    public func handleCast(_ message: Term, state: inout [String: Term], context: ServerContext) async throws
        -> ServerAction
    {
        if message.command?.name == "put", let content = message.command?.content, let key = content["key"]?.stringValue
        {
            state[key] = content["value"] ?? .null
        }
        if message.command?.name == "crash" { throw WorkerCrash(worker: "kv", detail: "crash requested") }
        return .continue
    }

    /// The whole map.
    public func inspect(_ state: [String: Term]) -> Term { .object(state) }
}
