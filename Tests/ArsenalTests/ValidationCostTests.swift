import Schema
import Supervision
import Testing

/// Validating a parameter with a pattern (a sandbox id, on every request that names one) must not compile
/// the pattern each time: compiling a `Regex` costs about 60 µs, matching a compiled one about 1 µs. Measured
/// as a ratio in one run against a parameter without a pattern, never as a time: in a debug build, compiling
/// each time made it 24 times slower, a compiled pattern 2 times.
@Suite("Validation cost")
struct ValidationCostTests {
    static func seconds(_ parameters: [Parameter], _ input: [String: Term], rounds: Int) throws -> Double {
        let started = ContinuousClock.now
        for _ in 0..<rounds { _ = try Parameter.validate(input, against: parameters) }
        return (ContinuousClock.now - started) / .seconds(1)
    }

    @Test func aPatternIsNotCompiledOnEveryValidation() throws {
        let withPattern = [Parameter("sandbox_id", .string, "the id", required: true, pattern: "[A-Za-z0-9_-]{1,64}")]
        let plain = [Parameter("count", .integer, "a count", required: true, minimum: 0)]
        _ = try Self.seconds(withPattern, ["sandbox_id": "demo"], rounds: 100)
        _ = try Self.seconds(plain, ["count": 3], rounds: 100)
        // The best of three rounds each, so that one round slowed by the rest of the suite does not decide.
        let patterned = try (0..<3).map { _ in try Self.seconds(withPattern, ["sandbox_id": "demo-7"], rounds: 2000) }
            .min()!
        let unpatterned = try (0..<3).map { _ in try Self.seconds(plain, ["count": 3], rounds: 2000) }.min()!
        #expect(patterned < unpatterned * 8, "a patterned parameter took \(patterned / unpatterned)× a plain one")
        #expect(throws: InvalidParameters.self) {
            try Parameter.validate(["sandbox_id": "no spaces"], against: withPattern)
        }
    }
}
