import Testing

@testable import Supervision

@Suite struct TermJSONTests {
    /// JSON cannot carry infinity: a number too large for a Double is refused, never turned into a value
    /// that comes back as null (the FuzzJSONBody fuzzer found `1e309` doing that).
    @Test func numbersADoubleCannotHoldAreRefused() throws {
        #expect(throws: JSONError.self) { try Term(json: "[1e309]") }
        #expect(throws: JSONError.self) { try Term(json: "-1e400") }
        let kept = try Term(json: "[1, -0.0, 1.5e308, \"x\", {\"\": null}]")
        #expect(try Term(json: kept.json) == kept, "every value the decoder takes survives its own JSON")
    }

    @Test func stringsAreEscapedOnlyWhereJSONRequiresIt() throws {
        let text = "quote \" backslash \\ tab \t line \n return \r bell \u{07} é 日本 🎉 del \u{7F}"
        let term: Term = ["k\"ey": .string(text), "plain": "just text"]
        #expect(
            term.json
                == #"{"k\"ey":"quote \" backslash \\ tab \t line \n return \r bell \u0007 é 日本 🎉 del \#u{7F}","plain":"just text"}"#
        )
        #expect(try Term(json: term.json) == term)
        #expect(term.jsonUTF8 == Array(term.json.utf8))
    }
}
