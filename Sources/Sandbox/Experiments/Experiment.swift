import Schema
import Supervision
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A repeatable failure experiment run against a sandbox: set up, run, tear down, and a verdict.
///
/// ```swift
/// let result = try await sandboxes.runExperiment("demo", "kill-child", ["target": "counter_1"])
/// print(result.verdict)   // pass: counter_1 restarted in 0.04 ms
/// ```
public protocol Experiment: Sendable {
    /// The name used to run it (`kill-child`).
    var name: String { get }
    /// One sentence on what it does and when it passes.
    var summary: String { get }
    /// The parameters it accepts, with defaults (a parameter without one is chosen by the experiment).
    var parameters: [Parameter] { get }
    /// Prepares the sandbox; throwing aborts the run before `run`.
    func setUp(_ context: ExperimentContext) async throws(SandboxError)
    /// Does the experiment and judges it.
    func run(_ context: ExperimentContext) async throws(SandboxError) -> ExperimentResult
    /// Leaves the sandbox usable again; runs whether `run` passed, failed or threw.
    func tearDown(_ context: ExperimentContext) async
}

extension Experiment {
    /// Nothing to prepare.
    public func setUp(_ context: ExperimentContext) async throws(SandboxError) {}
    /// Nothing to undo.
    public func tearDown(_ context: ExperimentContext) async {}
}

/// The outcome of an experiment.
public struct ExperimentResult: TermConvertible, Hashable {
    /// Pass or fail, and why.
    public enum Verdict: Sendable, Hashable, CustomStringConvertible {
        /// The system behaved as the experiment expects.
        case pass(String)
        /// It did not.
        case fail(String)

        /// `pass: why` or `fail: why`.
        public var description: String {
            switch self {
            case .pass(let why): "pass: \(why)"
            case .fail(let why): "fail: \(why)"
            }
        }

        /// `true` for `pass`.
        public var passed: Bool { if case .pass = self { true } else { false } }
    }

    /// The experiment's name.
    public var experiment: String
    /// The sandbox it ran against.
    public var sandbox: String
    /// The verdict.
    public var verdict: Verdict
    /// Numbers measured (latencies in ms, counts, rates).
    public var measurements: [String: Double]
    /// Anything else worth reporting (PIDs, paths).
    public var details: [String: Term]
    /// The parameters it ran with, defaults filled in.
    public var parameters: [String: Term]
    /// How long the whole run took, in milliseconds.
    public var durationMilliseconds: Double
    /// The seed of the run's random choices.
    public var seed: Int = 0
    /// The run's id, for `sandbox replay`.
    public var runID: String = ""

    /// Creates a result; the registry fills in the experiment, sandbox, parameters and duration.
    public init(verdict: Verdict, measurements: [String: Double] = [:], details: [String: Term] = [:]) {
        self.experiment = ""
        self.sandbox = ""
        self.verdict = verdict
        self.measurements = measurements
        self.details = details
        self.parameters = [:]
        self.durationMilliseconds = 0
    }

    /// The JSON result: `experiment`, `sandbox`, `verdict` (`pass` / `fail`), `reason`, `measurements`,
    /// `details`, `parameters`, `duration_ms`.
    public var term: Term {
        let (verdictText, reason): (String, String) =
            switch verdict {
            case .pass(let why): ("pass", why)
            case .fail(let why): ("fail", why)
            }
        return [
            "experiment": .string(experiment), "sandbox": .string(sandbox), "verdict": .string(verdictText),
            "reason": .string(reason), "measurements": .object(measurements.mapValues(Term.double)),
            "details": .object(details), "parameters": .object(parameters),
            "duration_ms": .double(durationMilliseconds), "seed": .int(seed), "run_id": .string(runID),
        ]
    }
}

/// What an experiment works with: the sandbox, the runtime, its validated parameters, and helpers.
public struct ExperimentContext: Sendable {
    /// The sandbox id.
    public let sandboxID: String
    /// The sandbox manager.
    public let sandboxes: SandboxManager
    /// The parameters, validated, defaults filled in.
    public let parameters: [String: Term]
    /// The run's random choices: the same seed makes the same choices (`sandbox run … --seed N`,
    /// `sandbox replay RUN`).
    public let random: ExperimentRandom

    /// The runtime.
    public var runtime: Runtime { sandboxes.runtime }

    /// The parameter `name` as an integer (validated integers always are).
    public func integer(_ name: String) -> Int { parameters[name]?.intValue ?? 0 }

    /// The full path of a child path relative to the sandbox.
    public func fullPath(_ relative: String) -> String {
        relative.hasPrefix(sandboxID + "/") ? relative : sandboxID + "/" + relative
    }

    /// Live workers of the sandbox (not supervisors), by path.
    public func workers() -> [(path: String, pid: PID)] {
        sandboxes.processes(in: sandboxID).filter { $0.kind != .supervisor }.compactMap { info in
            info.path.map { ($0, info.pid) }
        }.sorted { $0.path < $1.path }
    }

    /// The path named by the `target` parameter, or the first worker's.
    public func targetPath() throws(SandboxError) -> String {
        if let target = parameters["target"]?.stringValue {
            let path = fullPath(target)
            guard runtime.resolve(path) != nil else {
                throw .invalidParameter("target", "no running process at \(path)")
            }
            return path
        }
        guard let first = workers().first else {
            throw .invalidParameter("target", "the sandbox has no running worker")
        }
        return first.path
    }

    /// Kills the process at `path` and waits for its supervisor to restart it.
    /// - Returns: the old PID, the new PID (or `nil` if none came within `timeout`) and the time from the
    ///   kill to the replacement running, in milliseconds.
    public func killAndAwaitRestart(_ path: String, timeout: Duration) async -> (
        old: PID?, new: PID?, milliseconds: Double
    ) {
        guard let old = runtime.resolve(path) else { return (nil, nil, 0) }
        let waiter = RuntimeWaiter(runtime) { event in
            if case .restarted(_, _, _, _, _, let restartedPath) = event { return restartedPath == path }
            return false
        }
        let start = SystemClock.monotonicSeconds()
        runtime.kill(old)
        let event = await waiter.wait(timeout: timeout)
        let elapsed = (SystemClock.monotonicSeconds() - start) * 1000
        if case .restarted(_, _, _, let newPID, _, _)? = event { return (old, newPID, elapsed) }
        return (old, nil, elapsed)
    }
}

extension ExperimentResult {
    /// Reads the API shape back (what `sandbox run` prints from).
    public init(term: Term) throws(TermDecodingError) {
        let fields = try TermFields(term)
        let reason = try fields.string("reason")
        switch try fields.string("verdict") {
        case "pass": verdict = .pass(reason)
        case "fail": verdict = .fail(reason)
        default: throw TermDecodingError(path: "verdict", expected: "pass or fail")
        }
        experiment = try fields.string("experiment")
        sandbox = try fields.string("sandbox")
        var measurements: [String: Double] = [:]
        for (key, value) in try fields.object("measurements") {
            guard let number = value.doubleValue else {
                throw TermDecodingError(path: "measurements.\(key)", expected: "a number")
            }
            measurements[key] = number
        }
        self.measurements = measurements
        details = try fields.object("details")
        parameters = try fields.object("parameters")
        durationMilliseconds = try fields.double("duration_ms")
        seed = term["seed"]?.intValue ?? 0
        runID = term["run_id"]?.stringValue ?? ""
    }
}

/// An experiment's source of random choices: SplitMix64 from a seed, so a run can be repeated exactly.
public final class ExperimentRandom: Sendable {
    /// The seed it started from.
    public let seed: Int
    private let state: Mutex<UInt64>

    /// A generator from `seed`.
    public init(seed: Int) {
        self.seed = seed
        self.state = Mutex(UInt64(bitPattern: Int64(seed)))
    }

    /// A new seed from the system's random source, small enough to travel through JSON exactly (< 2^53).
    public static func freshSeed() -> Int { Int.random(in: 0..<(1 << 53)) }

    /// The next 64 random bits.
    public func next() -> UInt64 {
        state.withLock { state in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One element of `items`, chosen by the next number; `nil` when empty.
    public func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[Int(next() % UInt64(items.count))]
    }
}
