import Supervision
import Testing

@testable import Schema

/// Validating a parameter with a pattern (a sandbox id, on every request that names one) must not compile
/// the pattern each time: compiling a `Regex` costs about 60 µs, matching a compiled one about 1 µs
/// (Benchmarks/compare-with-beam prints the layer's cost). Counted, not timed: a time or a ratio of times
/// is at the mercy of whatever else the machine runs.
@Suite("Validation cost")
struct ValidationCostTests {
    @Test func aPatternIsCompiledOnceHoweverManyValidationsUseIt() throws {
        // A pattern no other test uses, so the count is this test's alone.
        let pattern = "[A-Za-z0-9_-]{1,64}(-validation-cost)?"
        let parameters = [Parameter("sandbox_id", .string, "the id", required: true, pattern: pattern)]
        for index in 0..<500 {
            _ = try Parameter.validate(["sandbox_id": .string("demo-\(index)")], against: parameters)
        }
        #expect(Parameter.compilations(of: pattern) == 1)
        #expect(throws: InvalidParameters.self) {
            try Parameter.validate(["sandbox_id": "no spaces"], against: parameters)
        }
        #expect(Parameter.compilations(of: pattern) == 1, "a failing match does not compile it again")
    }
}
