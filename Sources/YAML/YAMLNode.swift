/// One YAML document as values: scalars already resolved to null, booleans, numbers or strings.
///
/// libyaml (the parser Yams wraps, from Debian's libyaml-dev) reads the text; this module composes its
/// events into nodes and resolves plain scalars by YAML 1.1's rules, with no Foundation: Foundation and
/// ICU were most of the binary's 126 MB and a measurable part of every command's start.
public indirect enum YAMLNode: Sendable, Hashable {
    /// `~`, `null`, `Null`, `NULL` or nothing, written plain.
    case null
    /// `true`/`false`, `yes`/`no`, `on`/`off` (each lower-case, capitalised or upper-case), written plain.
    case bool(Bool)
    /// A plain integer: decimal, `0x` hexadecimal, `0b` binary, `0o` or leading-`0` octal, `_` separators,
    /// or sexagesimal (`1:30` is 90).
    case int(Int)
    /// A plain number with a fraction or an exponent, `.inf`, `-.inf`, `.nan`, or an integer too large
    /// for `Int`.
    case double(Double)
    /// Any other scalar: every quoted or block scalar, and plain text that is none of the above.
    case string(String)
    /// A sequence, in order.
    case sequence([YAMLNode])
    /// A mapping's pairs in the order written. Keys are the scalar text as written (`1`, `yes` and `~`
    /// stay text); duplicates are kept for the caller to judge.
    case mapping([Pair])

    /// One key and its value in a mapping.
    public struct Pair: Sendable, Hashable {
        /// The key's text.
        public var key: String
        /// The value.
        public var value: YAMLNode

        /// A pair.
        public init(key: String, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }
}
