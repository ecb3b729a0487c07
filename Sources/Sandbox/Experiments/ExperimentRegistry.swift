import Schema
import Supervision
import Synchronization
import Telemetry

/// The built-in experiments, by name.
public enum ExperimentRegistry {
    /// Every built-in experiment.
    public static let all: [any Experiment] = [
        KillChildExperiment(), KillRandomExperiment(), CrashStormExperiment(), MessageFloodExperiment(),
        RestartLatencyExperiment(),
    ]

    /// Their names.
    public static var names: [String] { all.map(\.name) }

    /// The experiment called `name`.
    public static func named(_ name: String) -> (any Experiment)? { all.first { $0.name == name } }

    /// Fills in defaults and checks every parameter; unknown ones are rejected.
    static func validate(_ parameters: [String: Term], for experiment: any Experiment) throws(SandboxError) -> [String:
        Term]
    {
        do throws(InvalidParameters) {
            return try Parameter.validate(parameters, against: experiment.parameters)
        } catch {
            throw .invalidParameters(error.fields)
        }
    }
}

extension SandboxManager {
    /// Runs a built-in experiment against a sandbox and returns its result with a verdict.
    /// - Throws: `SandboxError.notFound`, `.unknownExperiment`, `.invalidParameter`, or what `setUp` throws.
    public func runExperiment(_ id: String, _ name: String, _ parameters: [String: Term] = [:], seed: Int? = nil)
        async throws(SandboxError)
        -> ExperimentResult
    {
        guard let experiment = ExperimentRegistry.named(name) else { throw .unknownExperiment(name) }
        return try await run(experiment, on: id, parameters, seed: seed)
    }

    /// Runs a recorded run again: the same experiment on the same sandbox with the same parameters and seed,
    /// so the same random choices — after restarting the sandbox, so the run starts from a fresh tree with an
    /// empty restart window (a run right after another would otherwise meet a budget the first one used).
    /// The runtime runs on real time, not a virtual clock: timings differ, and a tree whose spec changed
    /// meanwhile gives different choices.
    /// - Throws: `SandboxError.invalidParameter("run_id", …)` for an unknown run, or what `run` throws.
    public func replay(run runID: String) async throws(SandboxError) -> (
        original: ExperimentResult, replay: ExperimentResult
    ) {
        guard let original = experimentRuns.withLock({ runs in runs.first { $0.runID == runID } }) else {
            throw .invalidParameter(
                "run_id", "no experiment run \(runID) (the last 100 are kept while the daemon runs)")
        }
        _ = try await restart(original.sandbox)
        let replay = try await runExperiment(
            original.sandbox, original.experiment, original.parameters, seed: original.seed)
        return (original, replay)
    }

    /// The recorded runs, oldest first.
    public var experimentRunsList: [ExperimentResult] { experimentRuns.withLock { $0 } }

    /// Runs any experiment (built-in or your own) against a sandbox.
    public func run(_ experiment: any Experiment, on id: String, _ parameters: [String: Term] = [:], seed: Int? = nil)
        async throws(SandboxError)
        -> ExperimentResult
    {
        let seed = seed ?? ExperimentRandom.freshSeed()
        let info = try info(id)
        guard info.status == .running else { throw .busy(id, info.status.rawValue) }
        let validated = try ExperimentRegistry.validate(parameters, for: experiment)
        let context = ExperimentContext(
            sandboxID: id, sandboxes: self, parameters: validated, random: ExperimentRandom(seed: seed))
        let start = SystemClock.monotonicSeconds()
        telemetry?.bus.emit(
            EventName.experimentStart, metadata: ["sandbox_id": .string(id), "experiment": .string(experiment.name)])
        var result: ExperimentResult
        do {
            try await experiment.setUp(context)
            result = try await experiment.run(context)
        } catch {
            await experiment.tearDown(context)
            throw error
        }
        await experiment.tearDown(context)
        result.experiment = experiment.name
        result.sandbox = id
        result.parameters = validated
        result.durationMilliseconds = (SystemClock.monotonicSeconds() - start) * 1000
        result.seed = seed
        result.runID = experimentRuns.withLock { runs in
            let number = (runs.last.flatMap { Int($0.runID.dropFirst("run-".count)) } ?? 0) + 1
            var recorded = result
            recorded.runID = "run-\(number)"
            runs.append(recorded)
            if runs.count > 100 { runs.removeFirst(runs.count - 100) }
            return recorded.runID
        }
        telemetry?.bus.emit(
            EventName.experimentStop, measurements: ["duration_ms": result.durationMilliseconds],
            metadata: [
                "sandbox_id": .string(id), "experiment": .string(experiment.name),
                "verdict": .string(result.verdict.passed ? "pass" : "fail"),
            ])
        return result
    }
}
