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
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value):
            out +=
                value.isFinite
                ? (value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) + ".0" : "\(value)") : "null"
        case .string(let value): Term.writeQuoted(value, to: &out)
        case .pid(let pid): Term.writeQuoted(pid.description, to: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                Term.writeQuoted(key, to: &out)
                out += ":"
                members[key]!.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeQuoted(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
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
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
