/// A dynamically typed value: what processes send each other, what servers are called with and reply, and
/// what a state inspection returns.
///
/// Erlang messages are untyped terms; so are ours, which is what lets a message typed at a shell prompt or
/// sent over the REST API reach any process. The shape is JSON's plus PIDs.
public enum Term: Hashable, Sendable {
    /// JSON `null`.
    case null
    /// A boolean.
    case bool(Bool)
    /// An integer.
    case int(Int)
    /// A floating-point number.
    case double(Double)
    /// A string; also plays the part of Erlang's atoms (`"increment"`).
    case string(String)
    /// A process identifier.
    case pid(PID)
    /// An ordered list.
    case array([Term])
    /// A map from strings to terms.
    case object([String: Term])
}

extension Term {
    /// The string, if this is a `.string`.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, if this is an `.int` (or a `.double` with an integral value).
    public var intValue: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9e18: return Int(value)
        default: return nil
        }
    }

    /// The number as a `Double`, if this is an `.int` or a `.double`.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// The boolean, if this is a `.bool`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The PID, if this is a `.pid` (or a string that parses as one).
    public var pidValue: PID? {
        switch self {
        case .pid(let pid): return pid
        case .string(let text): return PID(parsing: text)
        default: return nil
        }
    }

    /// The elements, if this is an `.array`.
    public var arrayValue: [Term]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members, if this is an `.object`.
    public var objectValue: [String: Term]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> Term? {
        objectValue?[key]
    }

    /// Reads a request in the shapes the built-in workers accept: `"name"`, `["name", content]`, or
    /// `{"message": "name", "content": …}`.
    public var command: (name: String, content: Term?)? {
        switch self {
        case .string(let name):
            return (name, nil)
        case .array(let items):
            guard let name = items.first?.stringValue else { return nil }
            return (name, items.count == 2 ? items[1] : (items.count > 2 ? .array(Array(items.dropFirst())) : nil))
        case .object(let members):
            guard let name = members["message"]?.stringValue ?? members["type"]?.stringValue else { return nil }
            return (name, members["content"])
        default:
            return nil
        }
    }
}

extension Term: CustomStringConvertible {
    /// Compact JSON (PIDs as strings), with object keys sorted so output is stable.
    public var description: String { String(decoding: jsonUTF8, as: UTF8.self) }

    /// `description` as UTF-8 bytes, written as bytes: what a response body needs, without building a
    /// `String` scalar by scalar first (that was an eighth of the daemon's CPU under load).
    public var jsonUTF8: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        write(to: &out)
        return out
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): Term.writeDecimal(value, to: &out)
        case .double(let value):
            if !value.isFinite {
                out.append(contentsOf: "null".utf8)
            } else if value.rounded() == value && abs(value) < 1e15 {
                Term.writeDecimal(Int(value), to: &out)
                out.append(contentsOf: ".0".utf8)
            } else {
                var text = value.description
                text.withUTF8 { out.append(contentsOf: $0) }
            }
        case .string(let value): Term.writeQuoted(value, to: &out)
        case .pid(let pid): Term.writeQuoted(pid.description, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // Sorted as pairs: sorting the keys and looking each up again hashed every key a second time.
            var first = true
            for member in members.sorted(by: { $0.key < $1.key }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Term.writeQuoted(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeQuoted(_ value: String, to out: inout String) {
        var bytes: [UInt8] = []
        writeQuoted(value, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// `value` as a JSON string. Bytes of multi-byte characters pass through (JSON is UTF-8); only `"`, `\`
    /// and control characters are escaped, so a string with none of them is copied whole.
    static func writeQuoted(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        // Through the contiguous bytes, so the common case is one scan and one copy of a buffer (the
        // `UTF8View` paths went element by element).
        let copied = value.withUTF8 { bytes in
            guard !bytes.contains(where: needsEscape) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if !copied {
            for byte in value.utf8 {
                guard needsEscape(byte) else {
                    out.append(byte)
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: #"\u00"#.utf8)
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0xF)])
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `value` in decimal, digit by digit into `out` (no intermediate `String`).
    static func writeDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // The magnitude as unsigned, so that Int.min has one too.
        var rest = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes for at most 19 digits, written backwards
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            out.append(contentsOf: buffer[(24 - count)..<24])
        }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }
}

extension Term: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    /// `null`.
    public init(nilLiteral: ()) { self = .null }
    /// A boolean term.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer term.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A floating-point term.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A string term.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array term.
    public init(arrayLiteral elements: Term...) { self = .array(elements) }
    /// An object term; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, Term)...) {
        // Sized once and filled in place: `Dictionary(_:uniquingKeysWith:)` went through its generic merge
        // and grew the table as it went, and every object in a response is built this way.
        var members = [String: Term](minimumCapacity: elements.count)
        for (key, value) in elements { members[key] = value }
        self = .object(members)
    }
}
