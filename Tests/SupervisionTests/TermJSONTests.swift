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

    @Test func stringsWithAndWithoutEscapesReadTheSameAndBadUTF8IsRefused() throws {
        #expect(
            try Term(json: #"["plain", "é 日本 🎉", "a\nb", "\u00e9\ud83c\udf89", ""]"#)
                == ["plain", "é 日本 🎉", "a\nb", "é🎉", ""])
        // Invalid UTF-8 is refused whether or not the string has escapes, at the same offset as before.
        let bare: [UInt8] = Array(#"[""#.utf8) + [0xC3, 0x28] + Array(#""]"#.utf8)
        let escaped: [UInt8] = Array(#"["\n"#.utf8) + [0xFF] + Array(#""]"#.utf8)
        #expect(throws: JSONError(offset: 5, message: "invalid UTF-8 in a string")) { try Term(jsonBytes: bare) }
        #expect(throws: JSONError.self) { try Term(jsonBytes: escaped) }
        #expect(throws: JSONError.self) { try Term(json: #"["unterminated"#) }
    }

    @Test func objectsKeepTheirOwnMembersAndARepeatedKeyItsLastValue() throws {
        let term = try Term(json: #"{"a": 1, "inner": {"a": 2, "b": {"c": 3}}, "a": 4, "after": [{"d": 5}, {}]}"#)
        #expect(term == ["a": 4, "inner": ["a": 2, "b": ["c": 3]], "after": [["d": 5], [:]]])
        // An error inside a nested object leaves nothing behind for the next document.
        #expect(throws: JSONError.self) { try Term(json: #"{"a": {"b": tru}}"#) }
        #expect(try Term(json: #"{"z": 1}"#) == ["z": 1])
    }

    @Test func integersAreWrittenInDecimalToTheirExtremes() throws {
        for value in [0, 7, -7, 10, 1_000_000, -123_456_789, Int.max, Int.min] {
            #expect(Term.int(value).json == String(value))
        }
        let term: Term = ["n": .int(Int.min), "m": [42, -1]]
        #expect(term.json == #"{"m":[42,-1],"n":-9223372036854775808}"#)
    }
}
