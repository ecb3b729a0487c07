/// A value with one JSON shape that both sides of the API share: the daemon encodes it with `term`, a
/// client decodes the same shape with `init(term:)`, so neither reads the other's dictionaries by key.
public protocol TermConvertible: Sendable {
    /// The value in its API shape.
    var term: Term { get }
    /// Reads the API shape back.
    /// - Throws: `TermDecodingError` naming the field that is missing or of the wrong type.
    init(term: Term) throws(TermDecodingError)
}

/// A reply that does not have the shape its type expects: which field, and what was expected there.
public struct TermDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field's path (`spec.children[1].id`; empty for the value itself).
    public var path: String
    /// What was expected there (`a string`, `an integer`, …).
    public var expected: String

    /// Creates the error.
    public init(path: String, expected: String) {
        self.path = path
        self.expected = expected
    }

    /// `path: expected …`.
    public var description: String { path.isEmpty ? "expected \(expected)" : "\(path): expected \(expected)" }
}

/// Reads the fields of one object, naming each field in its errors.
public struct TermFields: Sendable {
    let members: [String: Term]
    let path: String

    /// The object `term`, at `path` within the whole reply.
    public init(_ term: Term, path: String = "") throws(TermDecodingError) {
        guard let members = term.objectValue else { throw TermDecodingError(path: path, expected: "an object") }
        self.members = members
        self.path = path
    }

    func field(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    private func read<T>(_ key: String, _ expected: String, _ convert: (Term) -> T?) throws(TermDecodingError) -> T {
        guard let value = members[key], let converted = convert(value) else {
            throw TermDecodingError(path: field(key), expected: expected)
        }
        return converted
    }

    private func readOptional<T>(_ key: String, _ expected: String, _ convert: (Term) -> T?) throws(TermDecodingError)
        -> T?
    {
        guard let value = members[key], value != .null else { return nil }
        guard let converted = convert(value) else { throw TermDecodingError(path: field(key), expected: expected) }
        return converted
    }

    /// A required string.
    public func string(_ key: String) throws(TermDecodingError) -> String { try read(key, "a string", \.stringValue) }
    /// A string, or `nil` when absent or null.
    public func optionalString(_ key: String) throws(TermDecodingError) -> String? {
        try readOptional(key, "a string", \.stringValue)
    }
    /// A required integer.
    public func int(_ key: String) throws(TermDecodingError) -> Int { try read(key, "an integer", \.intValue) }
    /// A required number.
    public func double(_ key: String) throws(TermDecodingError) -> Double { try read(key, "a number", \.doubleValue) }
    /// A required PID (`<0.12.0>`).
    public func pid(_ key: String) throws(TermDecodingError) -> PID { try read(key, "a PID", \.pidValue) }
    /// A PID (`<0.12.0>`), or `nil` when absent or null.
    public func optionalPID(_ key: String) throws(TermDecodingError) -> PID? {
        try readOptional(key, "a PID", \.pidValue)
    }
    /// A required object, as its members.
    public func object(_ key: String) throws(TermDecodingError) -> [String: Term] {
        try read(key, "an object", \.objectValue)
    }
    /// A required value of any type.
    public func value(_ key: String) throws(TermDecodingError) -> Term { try read(key, "a value") { $0 } }
    /// A raw-representable enum from its string.
    public func `enum`<T: RawRepresentable>(_ key: String, _ type: T.Type = T.self) throws(TermDecodingError) -> T
    where T.RawValue == String {
        try read(key, "one of its known values", { $0.stringValue.flatMap(T.init(rawValue:)) })
    }
    /// A nested value of its own type.
    public func decode<T: TermConvertible>(_ key: String, as type: T.Type = T.self) throws(TermDecodingError) -> T {
        guard let value = members[key] else { throw TermDecodingError(path: field(key), expected: "a value") }
        do {
            return try T(term: value)
        } catch {
            throw TermDecodingError(
                path: error.path.isEmpty ? field(key) : field(key) + "." + error.path, expected: error.expected)
        }
    }
    /// An array of values of their own type (absent or null reads as empty).
    public func decodeArray<T: TermConvertible>(_ key: String, of type: T.Type = T.self) throws(TermDecodingError)
        -> [T]
    {
        guard let value = members[key], value != .null else { return [] }
        guard let items = value.arrayValue else { throw TermDecodingError(path: field(key), expected: "an array") }
        var result: [T] = []
        for (index, item) in items.enumerated() {
            do {
                result.append(try T(term: item))
            } catch {
                let here = "\(field(key))[\(index)]"
                throw TermDecodingError(
                    path: error.path.isEmpty ? here : here + "." + error.path, expected: error.expected)
            }
        }
        return result
    }
}

extension Array: TermConvertible where Element: TermConvertible {
    /// The elements' shapes, in order.
    public var term: Term { .array(map(\.term)) }

    /// Reads every element.
    ///
    /// Inlinable so that a reader of one concrete type (the command line's reply of sandboxes) gets a
    /// specialised copy: the generic one asked the runtime for `Array<Element>`'s metadata and appended
    /// through witness tables, a twentieth of `sandbox list`'s instructions.
    @inlinable
    public init(term: Term) throws(TermDecodingError) {
        guard let items = term.arrayValue else { throw TermDecodingError(path: "", expected: "an array") }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do {
                result.append(try Element(term: item))
            } catch {
                throw TermDecodingError(
                    path: "[\(index)]" + (error.path.isEmpty ? "" : "." + error.path), expected: error.expected)
            }
        }
        self = result
    }
}
