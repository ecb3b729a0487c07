import Testing
import YAML

@Suite("YAML: libyaml's events composed into values, YAML 1.1's plain scalars")
struct YAMLNodeTests {
    /// The value of `v` in `v: TEXT`.
    private func value(_ text: String) throws -> YAMLNode? {
        guard case .mapping(let pairs)? = try YAMLNode.parse("v: \(text)\n") else { return nil }
        return pairs.first?.value
    }

    @Test(arguments: [
        ("~", YAMLNode.null), ("null", .null), ("NULL", .null), ("", .null),
        ("yes", .bool(true)), ("On", .bool(true)), ("TRUE", .bool(true)), ("no", .bool(false)), ("OFF", .bool(false)),
        ("42", .int(42)), ("-7", .int(-7)), ("1_000", .int(1000)), ("0x1F", .int(31)), ("0b101", .int(5)),
        ("0o17", .int(15)), ("017", .int(15)), ("0", .int(0)), ("1:30", .int(90)), ("-1:30:45", .int(-5445)),
        ("9223372036854775807", .int(.max)), ("-9223372036854775808", .int(.min)),
        ("99999999999999999999", .double(1e20)),
        ("99999999999999999999:30", .double(Double("99999999999999999999")! * 60 + 30)),
        ("1.5", .double(1.5)), ("1e3", .double(1000)), ("1.", .double(1)), ("1.e3", .double(1000)),
        (".5", .double(0.5)), ("-.5", .double(-0.5)), (".5e3", .double(500)), ("08", .double(8)),
        ("1:30.5", .double(90.5)), (".inf", .double(.infinity)), ("-.Inf", .double(-.infinity)),
        ("hello", .string("hello")), ("tRue", .string("tRue")), ("1:60", .string("1:60")),
        ("2001-12-14", .string("2001-12-14")), ("nan", .string("nan")), ("_1", .string("_1")),
        ("'yes'", .string("yes")), ("\"12\"", .string("12")), ("'~'", .string("~")),
        ("!!str 12", .string("12")), ("!!int '12'", .int(12)), ("!!float 1", .double(1)), ("!!bool 'yes'", .bool(true)),
    ])
    func plainScalarsResolveByYAML11AndQuotedOnesStayText(text: String, expected: YAMLNode) throws {
        #expect(try value(text) == expected)
    }

    @Test func nanIsANumber() throws {
        guard case .double(let value)? = try value(".NaN") else {
            Issue.record(".NaN did not resolve to a double")
            return
        }
        #expect(value.isNaN)
    }

    @Test func blockScalarsAndNestingComposeInOrder() throws {
        let text = "b: |\n  two\n  lines\na: [1, {c: d}]\n"
        #expect(
            try YAMLNode.parse(text)
                == .mapping([
                    .init(key: "b", value: .string("two\nlines\n")),
                    .init(key: "a", value: .sequence([.int(1), .mapping([.init(key: "c", value: .string("d"))])])),
                ]))
    }

    @Test func keysAreTheirTextAndDuplicatesAreKeptForTheCaller() throws {
        #expect(
            try YAMLNode.parse("1: a\n~: b\nyes: c\n1: d\n")
                == .mapping([
                    .init(key: "1", value: .string("a")), .init(key: "~", value: .string("b")),
                    .init(key: "yes", value: .string("c")), .init(key: "1", value: .string("d")),
                ]))
    }

    @Test func aliasesShareTheirAnchorsNode() throws {
        #expect(
            try YAMLNode.parse("- &x {a: 1}\n- *x\n")
                == .sequence([.mapping([.init(key: "a", value: .int(1))])].repeated(2)))
    }

    @Test func aTextWithNoDocumentIsNil() throws {
        #expect(try YAMLNode.parse("") == nil)
        #expect(try YAMLNode.parse("# nothing but a comment\n\n") == nil)
    }

    @Test(arguments: [
        (
            "a: [unclosed\n", 2,
            "did not find expected ',' or ']' (while parsing a flow sequence started at line 1, column 4)"
        ),
        ("a: 1\n---\nb: 2\n", 2, "expected a single document, found a second one"),
        ("a: 1\nb: *nope\n", 2, "alias *nope names no anchor defined before it"),
        ("a: &x [1, *x]\n", 1, "alias *x names no anchor defined before it"),
        ("? [a]\n: b\n", 1, "a mapping key must be a scalar"),
        ("a: !custom b\n", 1, "unsupported tag !custom"),
        ("a: !!int x\n", 1, "'x' is not a valid !!int"),
        ("\ta: 1\n", 1, "found character that cannot start any token"),
    ])
    func malformedTextSaysWhatAndWhere(text: String, line: Int, message: String) {
        #expect(throws: YAMLError.self) { try YAMLNode.parse(text) }
        do {
            _ = try YAMLNode.parse(text)
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func nestingIsLimitedWithoutRunningOutOfStack() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: YAMLError(line: 1, column: YAMLNode.maximumDepth + 1, message: "nested deeper than 256 levels"))
        {
            try YAMLNode.parse(deep)
        }
        let fine =
            String(repeating: "[", count: YAMLNode.maximumDepth) + String(repeating: "]", count: YAMLNode.maximumDepth)
        #expect(try YAMLNode.parse(fine) != nil)
    }

    @Test func aliasesCannotNestPastTheLimitEither() throws {
        // Each anchor nests the one before it 100 levels deeper: three are 300 levels.
        let wrap = { (inner: String) in String(repeating: "[", count: 99) + inner + String(repeating: "]", count: 99) }
        let text = "- &a \(wrap("1"))\n- &b \(wrap("*a"))\n- &c \(wrap("*b"))\n"
        #expect(throws: YAMLError.self) { try YAMLNode.parse(text) }
        do {
            _ = try YAMLNode.parse(text)
        } catch {
            #expect(error.message.contains("alias *b nests the document deeper than 256 levels"), "\(error)")
        }
    }
}

extension Array {
    fileprivate func repeated(_ times: Int) -> [Element] { Array((0..<times).flatMap { _ in self }) }
}
