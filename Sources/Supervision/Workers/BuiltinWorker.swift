/// The built-in workers by name, for spec files, templates and the command line.
public enum BuiltinWorker: String, Sendable, CaseIterable {
    /// `CounterWorker`; args: `initial` (integer).
    case counter
    /// `PrinterWorker`; args: `echo` (boolean).
    case printer
    /// `EchoWorker`; no args.
    case echo
    /// `TickerWorker`; args: `every_ms` (integer ≥ 1).
    case ticker
    /// `CrasherWorker`; args: `after_ms` (integer), `probability` (0…1), `every_ms` (integer ≥ 1),
    /// `crash_on_start` (boolean).
    case crasher
    /// `SleeperWorker`; args: `start_ms`, `stop_ms` (integers ≥ 0).
    case sleeper
    /// `KVWorker`; no args.
    case kv

    /// One sentence on what the worker is for.
    public var summary: String {
        switch self {
        case .counter: "holds an integer: cast increment, call get_value; resets on restart"
        case .printer: "records printed lines: cast print, call get_print_count"
        case .echo: "replies to every call with the request"
        case .ticker: "sends itself a tick every every_ms and counts them"
        case .crasher: "crashes after after_ms, with probability at every every_ms, or at start (crash_on_start)"
        case .sleeper: "slow start (start_ms) and slow stop (stop_ms), for timeout lessons"
        case .kv: "a key-value store: put, get, delete, keys"
        }
    }

    /// The argument names the worker accepts and their expected types.
    public var arguments: [(name: String, expected: String)] {
        switch self {
        case .counter: [("initial", "an integer")]
        case .printer: [("echo", "a boolean")]
        case .echo, .kv: []
        case .ticker: [("every_ms", "an integer of at least 1")]
        case .crasher:
            [
                ("after_ms", "an integer of at least 0"), ("probability", "a number from 0 to 1"),
                ("every_ms", "an integer of at least 1"), ("crash_on_start", "a boolean"),
            ]
        case .sleeper: [("start_ms", "an integer of at least 0"), ("stop_ms", "an integer of at least 0")]
        }
    }

    /// Builds the start function from `args`, checking every argument.
    /// - Throws: `WorkerArgumentError` naming the argument, what was expected and what was given.
    public func start(arguments args: [String: Term]) throws(WorkerArgumentError) -> ChildStart {
        // A worker takes at most four arguments: a scan of them beats building a set or a list of names for
        // every child of every sandbox started, and only unknown names are compared for the first in order.
        let accepted = arguments
        var unknown: String? = nil
        for name in args.keys where !accepted.contains(where: { $0.name == name }) {
            if unknown.map({ name < $0 }) ?? true { unknown = name }
        }
        if let unknown {
            let list = accepted.isEmpty ? "none" : accepted.map(\.name).sorted().joined(separator: ", ")
            throw WorkerArgumentError(
                argument: unknown, message: "unknown argument for \(rawValue) (accepted: \(list))")
        }
        func int(_ name: String, default value: Int, minimum: Int) throws(WorkerArgumentError) -> Int {
            guard let term = args[name] else { return value }
            guard let number = term.intValue, number >= minimum else {
                throw WorkerArgumentError(
                    argument: name, message: "expected an integer of at least \(minimum), got \(term)")
            }
            return number
        }
        switch self {
        case .counter:
            return .server(CounterWorker(initial: try int("initial", default: 0, minimum: Int.min)))
        case .printer:
            if let term = args["echo"], term.boolValue == nil {
                throw WorkerArgumentError(argument: "echo", message: "expected a boolean, got \(term)")
            }
            return .server(PrinterWorker(echo: args["echo"]?.boolValue ?? false))
        case .echo:
            return .server(EchoWorker())
        case .ticker:
            return .server(TickerWorker(everyMilliseconds: try int("every_ms", default: 1000, minimum: 1)))
        case .crasher:
            var probability: Double? = nil
            if let term = args["probability"] {
                guard let value = term.doubleValue, value >= 0, value <= 1 else {
                    throw WorkerArgumentError(
                        argument: "probability", message: "expected a number from 0 to 1, got \(term)")
                }
                probability = value
            }
            let after = args["after_ms"] == nil ? nil : try int("after_ms", default: 0, minimum: 0)
            if let term = args["crash_on_start"], term.boolValue == nil {
                throw WorkerArgumentError(argument: "crash_on_start", message: "expected a boolean, got \(term)")
            }
            return .server(
                CrasherWorker(
                    afterMilliseconds: after, probability: probability,
                    everyMilliseconds: try int("every_ms", default: 100, minimum: 1),
                    crashOnStart: args["crash_on_start"]?.boolValue ?? false))
        case .sleeper:
            return .server(
                SleeperWorker(
                    startMilliseconds: try int("start_ms", default: 0, minimum: 0),
                    stopMilliseconds: try int("stop_ms", default: 0, minimum: 0)))
        case .kv:
            return .server(KVWorker())
        }
    }
}

/// A built-in worker argument was unknown or of the wrong type.
public struct WorkerArgumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The argument's name.
    public var argument: String
    /// What was wrong.
    public var message: String
    /// `<argument>: <message>`.
    public var description: String { "\(argument): \(message)" }
}
