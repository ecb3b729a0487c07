/// What a plain (unquoted, untagged) scalar means under YAML 1.1's rules, as Yams resolved them: the same
/// patterns, matched by hand rather than by `NSRegularExpression`.
enum PlainScalar {
    static func resolve(_ text: String) -> YAMLNode {
        if isNull(text) { return .null }
        if let value = bool(text) { return .bool(value) }
        if let value = int(text) { return value }
        if let value = double(text) { return .double(value) }
        return .string(text)
    }

    static func isNull(_ text: String) -> Bool {
        switch text {
        case "", "~", "null", "Null", "NULL": true
        default: false
        }
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": false
        default: nil
        }
    }

    /// `.int`, or `.double` for a decimal integer too large for `Int`; `nil` if the text is no integer.
    static func int(_ text: String) -> YAMLNode? {
        var cursor = Cursor(text)
        let sign = cursor.sign()
        let body = cursor.rest
        guard let first = body.first else { return nil }
        let radix: Int
        let digits: ArraySlice<UInt8>
        if body.starts(with: "0b".utf8), body.count > 2,
            body.dropFirst(2).allSatisfy({ $0 == ._0 || $0 == ._1 || $0 == ._u })
        {
            (radix, digits) = (2, body.dropFirst(2))
        } else if body.starts(with: "0x".utf8), body.count > 2,
            body.dropFirst(2).allSatisfy({ $0.isHexDigit || $0 == ._u })
        {
            (radix, digits) = (16, body.dropFirst(2))
        } else if body.starts(with: "0o".utf8), body.count > 2,
            body.dropFirst(2).allSatisfy({ $0.isOctalDigit || $0 == ._u })
        {
            (radix, digits) = (8, body.dropFirst(2))
        } else if first == ._0, body.count > 1, body.dropFirst().allSatisfy({ $0.isOctalDigit || $0 == ._u }) {
            (radix, digits) = (8, body)
        } else if body.count == 1, first == ._0 {
            return .int(0)
        } else if first.isDigit, first != ._0, body.allSatisfy({ $0.isDigit || $0 == ._u }) {
            (radix, digits) = (10, body)
        } else if first.isDigit, first != ._0, let value = sexagesimal(body, fraction: false) {
            let signed = sign == ._minus ? -value : value
            // Too large for `Int` is a number all the same, like a long decimal (the fuzzer found the trap).
            return Int(exactly: signed).map(YAMLNode.int) ?? .double(signed)
        } else {
            return nil
        }
        let cleaned = String(decoding: digits.filter { $0 != ._u }, as: UTF8.self)
        guard !cleaned.isEmpty else { return nil }
        let signed = (sign == ._minus ? "-" : "") + cleaned
        if let value = Int(signed, radix: radix) { return .int(value) }
        return radix == 10 ? Double(signed).map(YAMLNode.double) : nil
    }

    static func double(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        var cursor = Cursor(text)
        let sign = cursor.sign()
        let body = cursor.rest
        guard let first = body.first else { return nil }
        if first == ._dot {
            // `[-+]?\.[0-9_]+([eE][-+]?[0-9]+)?`: YAML 1.1 wants no sign and a signed exponent here; YAML 1.2
            // and Yams took `-.5` and `.5e3` as numbers, and so do we.
            var rest = Cursor(body.dropFirst())
            guard rest.skip(while: { $0.isDigit || $0 == ._u }) > 0 else { return nil }
            if rest.take(where: { $0 == ._e || $0 == ._E }) {
                _ = rest.take(where: { $0 == ._plus || $0 == ._minus })
                guard rest.skip(while: \.isDigit) > 0 else { return nil }
            }
            guard rest.atEnd else { return nil }
        } else if first.isDigit {
            if body.contains(._colon) {
                guard let value = sexagesimal(body, fraction: true) else { return nil }
                return sign == ._minus ? -value : value
            }
            // `[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?`
            var rest = Cursor(body)
            rest.skip(while: { $0.isDigit || $0 == ._u })
            if rest.take(where: { $0 == ._dot }) { rest.skip(while: { $0.isDigit || $0 == ._u }) }
            if rest.take(where: { $0 == ._e || $0 == ._E }) {
                _ = rest.take(where: { $0 == ._plus || $0 == ._minus })
                guard rest.skip(while: \.isDigit) > 0 else { return nil }
            }
            guard rest.atEnd else { return nil }
        } else {
            return nil
        }
        let cleaned = String(decoding: Array(text.utf8).filter { $0 != ._u }, as: UTF8.self)
        // Swift's parser wants a digit after the point: `1.` and `1.e3` are YAML floats all the same.
        return Double(cleaned) ?? Double(cleaned.replacingFirstBareDot())
    }

    /// `[0-9][0-9_]*(:[0-5]?[0-9])+`, with a trailing `\.[0-9_]*` when `fraction`: base-60 parts. (An integer
    /// must also not start with 0; its caller checks.)
    private static func sexagesimal(_ body: ArraySlice<UInt8>, fraction: Bool) -> Double? {
        var parts = body.split(separator: ._colon, omittingEmptySubsequences: false)
        var tail: Double = 0
        if fraction {
            guard let last = parts.last, let dot = last.firstIndex(of: ._dot) else { return nil }
            let decimals = last[dot...].filter { $0 != ._u }
            guard decimals.dropFirst().allSatisfy(\.isDigit) else { return nil }
            tail = Double("0" + String(decoding: decimals, as: UTF8.self)) ?? 0
            parts[parts.count - 1] = last[..<dot]
        }
        guard parts.count >= 2, let head = parts.first, head.first?.isDigit == true,
            head.allSatisfy({ $0.isDigit || $0 == ._u })
        else { return nil }
        var value = Double(String(decoding: head.filter { $0 != ._u }, as: UTF8.self)) ?? 0
        for part in parts.dropFirst() {
            guard (1...2).contains(part.count), part.allSatisfy(\.isDigit),
                part.count == 1 || part.first! <= UInt8(ascii: "5"),
                let number = Int(String(decoding: part, as: UTF8.self))
            else { return nil }
            value = value * 60 + Double(number)
        }
        return value + tail
    }
}

/// A read position in a scalar's UTF-8.
private struct Cursor {
    var rest: ArraySlice<UInt8>

    init(_ text: String) { rest = ArraySlice(text.utf8) }
    init(_ bytes: ArraySlice<UInt8>) { rest = bytes }

    var atEnd: Bool { rest.isEmpty }

    /// Takes a leading `+` or `-` and returns it.
    mutating func sign() -> UInt8? {
        guard let first = rest.first, first == ._plus || first == ._minus else { return nil }
        rest = rest.dropFirst()
        return first
    }

    mutating func take(where matches: (UInt8) -> Bool) -> Bool {
        guard let first = rest.first, matches(first) else { return false }
        rest = rest.dropFirst()
        return true
    }

    @discardableResult
    mutating func skip(while matches: (UInt8) -> Bool) -> Int {
        let count = rest.prefix(while: matches).count
        rest = rest.dropFirst(count)
        return count
    }
}

extension String {
    /// `1.` → `1.0` and `1.e3` → `1.0e3`: the one spelling YAML takes and Swift's `Double` does not.
    fileprivate func replacingFirstBareDot() -> String {
        var bytes = Array(utf8)
        guard let dot = bytes.firstIndex(of: ._dot), dot + 1 == bytes.count || !bytes[dot + 1].isDigit else {
            return self
        }
        bytes.insert(._0, at: dot + 1)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension UInt8 {
    fileprivate static let _0 = UInt8(ascii: "0")
    fileprivate static let _1 = UInt8(ascii: "1")
    fileprivate static let _u = UInt8(ascii: "_")
    fileprivate static let _dot = UInt8(ascii: ".")
    fileprivate static let _colon = UInt8(ascii: ":")
    fileprivate static let _plus = UInt8(ascii: "+")
    fileprivate static let _minus = UInt8(ascii: "-")
    fileprivate static let _e = UInt8(ascii: "e")
    fileprivate static let _E = UInt8(ascii: "E")

    fileprivate var isDigit: Bool { self >= ._0 && self <= UInt8(ascii: "9") }
    fileprivate var isOctalDigit: Bool { self >= ._0 && self <= UInt8(ascii: "7") }
    fileprivate var isHexDigit: Bool {
        isDigit || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}

extension YAMLNode {
    /// What `text` means when written plain (unquoted, untagged): `.string(text)` only when it reads back as
    /// itself. Writers ask this to know when a string must be quoted.
    public static func plainScalar(_ text: String) -> YAMLNode { PlainScalar.resolve(text) }
}
