import Supervision
import Synchronization

/// The type of an operation parameter.
public enum ParameterType: String, Sendable, Hashable, CaseIterable {
    /// Text.
    case string
    /// A whole number (strings of digits are accepted, for query and path values).
    case integer
    /// Any number.
    case number
    /// `true` or `false` (also the strings `"true"` and `"false"`).
    case boolean
    /// A JSON array.
    case array
    /// A JSON object.
    case object
    /// A process: a PID (`<0.12.0>`), a supervision path (`demo/counter_1`) or a registered name.
    case pid
    /// A duration: milliseconds as a number, or text such as `500ms`, `5s`, `2m`, `1h`.
    case duration
    /// A child path relative to a sandbox (`counter_1`, `jobs/tick`): a non-empty string.
    case path
    /// Any JSON value.
    case any
}

/// Where a parameter travels in the REST binding.
public enum ParameterLocation: String, Sendable, Hashable {
    /// In the URL path (`/processes/{pid}`).
    case path
    /// In the query string (GET and DELETE).
    case query
    /// In the JSON request body (POST, PUT, PATCH).
    case body
}

/// One parameter of an operation or an experiment, with the rules validation applies: the one schema type
/// behind Arsenal's operations, the sandbox experiments, the OpenAPI document and the CLI's completion.
public struct Parameter: Sendable, Hashable {
    /// The parameter's name (snake_case).
    public var name: String
    /// Its type.
    public var type: ParameterType
    /// What it means.
    public var summary: String
    /// Whether it must be present.
    public var required: Bool
    /// The value used when it is absent.
    public var defaultValue: Term?
    /// The only values accepted, if restricted.
    public var allowed: [Term]?
    /// The smallest value (numbers) or length (strings, arrays).
    public var minimum: Double?
    /// The largest value (numbers) or length (strings, arrays).
    public var maximum: Double?
    /// A regular expression the whole string must match.
    public var pattern: String?
    /// Where it travels over REST; `nil` lets the binding decide (path if named in it, else query or body).
    public var location: ParameterLocation?

    /// Creates a parameter.
    public init(
        _ name: String, _ type: ParameterType, _ summary: String, required: Bool = false,
        default defaultValue: Term? = nil,
        allowed: [Term]? = nil, minimum: Double? = nil, maximum: Double? = nil, pattern: String? = nil,
        location: ParameterLocation? = nil
    ) {
        self.name = name
        self.type = type
        self.summary = summary
        self.required = required
        self.defaultValue = defaultValue
        self.allowed = allowed
        self.minimum = minimum
        self.maximum = maximum
        self.pattern = pattern
        self.location = location
    }

    /// Checks and normalises one value: strings that spell numbers or booleans become them, durations
    /// become milliseconds. Returns the problem as a sentence instead of throwing, so every field can be
    /// reported at once.
    func check(_ value: Term) -> Result<Term, FieldError> {
        func failure(_ message: String) -> Result<Term, FieldError> {
            .failure(FieldError(field: name, message: message))
        }
        var normalized = value
        switch type {
        case .string:
            guard case .string(let text) = value else {
                return failure("expected a string, got \(Parameter.describe(value))")
            }
            let length = Double(text.count)
            if let minimum, length < minimum { return failure("must be at least \(Int(minimum)) characters") }
            if let maximum, length > maximum { return failure("must be at most \(Int(maximum)) characters") }
            if let pattern, !Parameter.matches(text, pattern) { return failure("must match \(pattern), got \(value)") }
        case .integer:
            let number: Int? =
                switch value {
                case .int(let number): number
                case .double(let number) where number.rounded() == number && abs(number) < 9e15: Int(number)
                case .string(let text): Int(text)
                default: nil
                }
            guard let number else { return failure("expected an integer, got \(Parameter.describe(value))") }
            if let minimum, Double(number) < minimum {
                return failure("must be at least \(Parameter.format(minimum)), got \(number)")
            }
            if let maximum, Double(number) > maximum {
                return failure("must be at most \(Parameter.format(maximum)), got \(number)")
            }
            normalized = .int(number)
        case .number:
            let number: Double? =
                switch value {
                case .int(let number): Double(number)
                case .double(let number): number
                case .string(let text): Double(text)
                default: nil
                }
            guard let number, number.isFinite else {
                return failure("expected a number, got \(Parameter.describe(value))")
            }
            if let minimum, number < minimum {
                return failure("must be at least \(Parameter.format(minimum)), got \(Parameter.format(number))")
            }
            if let maximum, number > maximum {
                return failure("must be at most \(Parameter.format(maximum)), got \(Parameter.format(number))")
            }
            normalized = value.intValue.map(Term.int) ?? .double(number)
        case .boolean:
            switch value {
            case .bool: break
            case .string("true"): normalized = true
            case .string("false"): normalized = false
            default: return failure("expected true or false, got \(Parameter.describe(value))")
            }
        case .array:
            guard let items = value.arrayValue else {
                return failure("expected an array, got \(Parameter.describe(value))")
            }
            if let minimum, Double(items.count) < minimum { return failure("must have at least \(Int(minimum)) items") }
            if let maximum, Double(items.count) > maximum { return failure("must have at most \(Int(maximum)) items") }
        case .object:
            guard value.objectValue != nil else {
                return failure("expected an object, got \(Parameter.describe(value))")
            }
        case .pid:
            guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= 512 else {
                if case .pid(let pid) = value { return .success(.string(pid.description)) }
                return failure(
                    "expected a PID (<0.12.0>), a path or a registered name, got \(Parameter.describe(value))")
            }
            _ = text
        case .duration:
            guard let milliseconds = Parameter.milliseconds(value) else {
                return failure(
                    "expected a duration such as 500ms, 5s or 2m (or milliseconds), got \(Parameter.describe(value))")
            }
            if let minimum, Double(milliseconds) < minimum {
                return failure("must be at least \(Parameter.format(minimum)) ms")
            }
            if let maximum, Double(milliseconds) > maximum {
                return failure("must be at most \(Parameter.format(maximum)) ms")
            }
            normalized = .int(milliseconds)
        case .path:
            guard case .string(let text) = value, !text.isEmpty else {
                return failure("expected a non-empty path, got \(Parameter.describe(value))")
            }
        case .any:
            break
        }
        if let allowed, !allowed.contains(normalized) {
            let choices = allowed.map { $0.stringValue ?? $0.description }.joined(separator: ", ")
            return failure(
                "expected one of \(choices), got \(value.stringValue.map { "\"\($0)\"" } ?? value.description)")
        }
        return .success(normalized)
    }

    /// Milliseconds from a number or text like `500ms`, `1.5s`, `2m`, `1h` (`DurationText`'s grammar);
    /// `nil` if it is neither.
    public static func milliseconds(_ value: Term) -> Int? {
        if let number = value.intValue, number >= 0 { return number }
        guard let text = value.stringValue else { return nil }
        return DurationText.milliseconds(text)
    }

    /// Checks `input` against `parameters`: every failing field is reported, unknown fields are rejected,
    /// defaults are filled in and values normalised.
    /// - Returns: the validated values.
    /// - Throws: `InvalidParameters` with every field that failed.
    public static func validate(_ input: [String: Term], against parameters: [Parameter]) throws(InvalidParameters)
        -> [String: Term]
    {
        var errors: [FieldError] = []
        var output = [String: Term](minimumCapacity: parameters.count)
        // Every request is validated: no copy of the keys unless one is unknown.
        if input.keys.contains(where: { key in !parameters.contains { $0.name == key } }) {
            let accepted = parameters.map(\.name).joined(separator: ", ")
            for key in input.keys.sorted() where !parameters.contains(where: { $0.name == key }) {
                errors.append(
                    FieldError(
                        field: key, message: "unknown parameter (accepted: \(accepted.isEmpty ? "none" : accepted))"))
            }
        }
        // By index, so no parameter is copied (each copy retained its name, summary, default and pattern), and
        // from a small input by a scan of its few keys rather than a hash of each parameter's name.
        for index in parameters.indices {
            let name = parameters[index].name
            let given = input.count <= 8 ? input.first(where: { $0.key == name })?.value : input[name]
            guard let value = given, value != .null else {
                if parameters[index].required {
                    errors.append(FieldError(field: name, message: "is required"))
                } else if let defaultValue = parameters[index].defaultValue {
                    output[name] = defaultValue
                }
                continue
            }
            switch parameters[index].check(value) {
            case .success(let normalized): output[name] = normalized
            case .failure(let error): errors.append(error)
            }
        }
        guard errors.isEmpty else { throw InvalidParameters(fields: errors) }
        return output
    }

    /// Whether the whole of `text` matches `pattern`. Compiling a `Regex` costs about 60 µs and matching with
    /// a compiled one about 1 µs, and a sandbox id is checked on every request that names one: each pattern
    /// is compiled once. `Regex<AnyRegexOutput>` is not `Sendable`, so it is only used under the lock.
    static func matches(_ text: String, _ pattern: String) -> Bool {
        compiledPatterns.withLock { compiled in
            let regex: Regex<AnyRegexOutput>?
            if let cached = compiled.regexes[pattern] {
                regex = cached
            } else {
                regex = try? Regex(pattern)
                compiled.compilations[pattern, default: 0] += 1
                // Patterns come from operation and experiment definitions, so there are few; the cap is a guard.
                if compiled.regexes.count < 256 { compiled.regexes[pattern] = regex }
            }
            guard let regex else { return false }
            return (try? regex.wholeMatch(in: text)) != nil
        }
    }

    /// How many times `pattern` has been compiled in this process (for the test that it is compiled once).
    static func compilations(of pattern: String) -> Int {
        compiledPatterns.withLock { $0.compilations[pattern] ?? 0 }
    }

    /// A number as the docs and messages print it: whole numbers without a fraction.
    package static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 9e15 ? String(Int(number)) : String(number)
    }

    static func describe(_ value: Term) -> String {
        switch value {
        case .null: "null"
        case .object: "an object"
        case .array: "an array"
        case .string(let text): "\"\(text)\""
        default: value.description
        }
    }
}

/// The patterns of `Parameter.matches`, compiled, by their source (`nil`: the pattern does not compile), and
/// how often each was compiled.
private let compiledPatterns = Mutex<(regexes: [String: Regex<AnyRegexOutput>?], compilations: [String: Int])>(
    ([:], [:]))

/// One field that failed validation.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The parameter's name (or a path into it, such as `spec.children[1].restart`).
    public var field: String
    /// What was wrong.
    public var message: String

    /// Creates a field error.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`.
    public var description: String { "\(field): \(message)" }

    /// `{"field", "message"}`.
    public var term: Term { ["field": .string(field), "message": .string(message)] }
}

/// Parameters that failed their schema: every failing field, in the order the schema lists them (unknown
/// names first).
public struct InvalidParameters: Error, Sendable, Hashable {
    /// Each field and what was wrong with it.
    public var fields: [FieldError]

    /// Creates the error.
    public init(fields: [FieldError]) {
        self.fields = fields
    }
}
