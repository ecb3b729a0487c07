/// A JSON text could not be read as a `Term`.
public struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The byte offset where reading failed.
    public var offset: Int
    /// What was wrong there.
    public var message: String
    /// `invalid JSON at byte N: message`.
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

extension Term {
    /// Parses JSON text into a term. Objects become `.object`, integral numbers without a fraction or
    /// exponent become `.int`, other numbers `.double`. PIDs stay strings (use `pidValue` to read them).
    /// - Throws: `JSONError` with the byte offset of the first problem.
    public init(json text: String) throws(JSONError) {
        var parser = JSONParser(bytes: Array(text.utf8))
        self = try parser.parseDocument()
    }

    /// Parses JSON from bytes.
    public init(jsonBytes bytes: [UInt8]) throws(JSONError) {
        var parser = JSONParser(bytes: bytes)
        self = try parser.parseDocument()
    }

    /// Compact JSON text with sorted keys; the same as `description`.
    public var json: String { description }

    /// Indented JSON text with sorted keys, for people.
    public func prettyJSON(indent: String = "  ") -> String {
        var out = ""
        writePretty(to: &out, level: 0, indent: indent)
        return out
    }

    private func writePretty(to out: inout String, level: Int, indent: String) {
        let pad = String(repeating: indent, count: level + 1)
        let closing = String(repeating: indent, count: level)
        switch self {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad
                item.writePretty(to: &out, level: level + 1, indent: indent)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += closing + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            let keys = members.keys.sorted()
            for (index, key) in keys.enumerated() {
                out += pad
                Term.writeQuoted(key, to: &out)
                out += ": "
                members[key]!.writePretty(to: &out, level: level + 1, indent: indent)
                out += index == keys.count - 1 ? "\n" : ",\n"
            }
            out += closing + "}"
        default:
            out += description
        }
    }
}

/// A strict RFC 8259 reader (with a nesting limit, so hostile input cannot exhaust the stack).
struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    static let maxDepth = 128
    /// The members of the objects being read, innermost last. An object's members gather here and go into
    /// a dictionary sized once at its end, instead of one that grows and rehashes as they arrive; the
    /// array's room is reused by every object of the document.
    var pendingMembers: [(key: String, value: Term)] = []

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // Room for the members of a few levels of objects at once, so the array is allocated once, not grown.
        pendingMembers.reserveCapacity(32)
    }

    mutating func parseDocument() throws(JSONError) -> Term {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw fail("unexpected text after the value") }
        return value
    }

    func fail(_ message: String) -> JSONError { JSONError(offset: index, message: message) }

    mutating func skipWhitespace() {
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
        {
            index += 1
        }
    }

    mutating func parseValue() throws(JSONError) -> Term {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    mutating func expect(_ word: String) throws(JSONError) {
        for byte in word.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw fail("expected \(word)") }
            index += 1
        }
    }

    mutating func parseObject() throws(JSONError) -> Term {
        depth += 1
        defer { depth -= 1 }
        if depth > JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth)") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object([:])
        }
        let base = pendingMembers.count
        defer { pendingMembers.removeSubrange(base...) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            pendingMembers.append((key, value))
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                // A repeated key keeps its last value, as before.
                var members = [String: Term](minimumCapacity: pendingMembers.count - base)
                for member in pendingMembers[base...] { members[member.key] = member.value }
                return .object(members)
            }
            throw fail("expected ',' or '}'")
        }
    }

    mutating func parseArray() throws(JSONError) -> Term {
        depth += 1
        defer { depth -= 1 }
        if depth > JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth)") }
        index += 1
        var items: [Term] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            throw fail("expected ',' or ']'")
        }
    }

    /// A string without escapes (nearly every key and value) becomes a `String` straight from the input's
    /// bytes; one with escapes is unescaped into a buffer first. A JSON response of 50 sandboxes spent most
    /// of its parse allocating, filling and freeing a buffer per string.
    mutating func parseString() throws(JSONError) -> String {
        index += 1
        let start = index
        var high: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let end = index
                index += 1
                // Only ASCII seen: nothing to validate.
                if high < 0x80 { return String(decoding: bytes[start..<end], as: UTF8.self) }
                guard let string = String(validating: bytes[start..<end], as: UTF8.self) else {
                    throw fail("invalid UTF-8 in a string")
                }
                return string
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            if byte < 0x20 { throw fail("control character in a string") }
            high |= byte
            index += 1
        }
        throw fail("unterminated string")
    }

    /// The rest of a string that has escapes, from `start` (just after its opening quote); `index` is at
    /// its first backslash.
    private mutating func parseEscapedString(from start: Int) throws(JSONError) -> String {
        var runStart = start
        var raw: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                raw.append(contentsOf: bytes[runStart..<index])
                index += 1
                break
            }
            if byte < 0x20 { throw fail("control character in a string") }
            if byte == UInt8(ascii: "\\") {
                raw.append(contentsOf: bytes[runStart..<index])
                index += 1
                guard index < bytes.count else { throw fail("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): raw.append(0x22)
                case UInt8(ascii: "\\"): raw.append(0x5C)
                case UInt8(ascii: "/"): raw.append(0x2F)
                case UInt8(ascii: "b"): raw.append(0x08)
                case UInt8(ascii: "f"): raw.append(0x0C)
                case UInt8(ascii: "n"): raw.append(0x0A)
                case UInt8(ascii: "r"): raw.append(0x0D)
                case UInt8(ascii: "t"): raw.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw fail("unpaired surrogate") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid low surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid unicode escape") }
                    raw.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw fail("invalid escape")
                }
                runStart = index
                continue
            }
            index += 1
        }
        guard let string = String(validating: raw, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
        return string
    }

    mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("short unicode escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    mutating func parseNumber() throws(JSONError) -> Term {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw fail("expected a digit")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                throw fail("expected a digit after '.'")
            }
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                throw fail("expected a digit in the exponent")
            }
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let value = Int(text) { return .int(value) }
        // 1e309 parses as infinity, which JSON cannot carry back out (it would come back as null): refused,
        // like any number a Double cannot hold. (Found by the FuzzJSONBody fuzzer.)
        guard let value = Double(text), value.isFinite else {
            throw JSONError(offset: start, message: "number out of range")
        }
        return .double(value)
    }
}
