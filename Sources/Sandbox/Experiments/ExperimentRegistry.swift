import Schema
import Supervision
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
    public func runExperiment(_ id: String, _ name: String, _ parameters: [String: Term] = [:])
        async throws(SandboxError)
        -> ExperimentResult
    {
        guard let experiment = ExperimentRegistry.named(name) else { throw .unknownExperiment(name) }
        return try await run(experiment, on: id, parameters)
    }

    /// Runs any experiment (built-in or your own) against a sandbox.
    public func run(_ experiment: any Experiment, on id: String, _ parameters: [String: Term] = [:])
        async throws(SandboxError)
        -> ExperimentResult
    {
        let info = try info(id)
        guard info.status == .running else { throw .busy(id, info.status.rawValue) }
        let validated = try ExperimentRegistry.validate(parameters, for: experiment)
        let context = ExperimentContext(sandboxID: id, sandboxes: self, parameters: validated)
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
        telemetry?.bus.emit(
            EventName.experimentStop, measurements: ["duration_ms": result.durationMilliseconds],
            metadata: [
                "sandbox_id": .string(id), "experiment": .string(experiment.name),
                "verdict": .string(result.verdict.passed ? "pass" : "fail"),
            ])
        return result
    }
}
