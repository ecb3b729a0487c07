/// An HTTP response's headers in the order they arrived, looked up by lower-case name.
///
/// Two arrays rather than a `[String: String]`: a short command reads a handful of headers once, and the
/// first `Dictionary<String, String>` in a process makes the Swift runtime scan every protocol conformance
/// in the binary to build its metadata, which `perf` put at 5 % of `sandbox list`'s CPU.
public struct ResponseHeaders: Sendable {
    private var names: [String] = []
    private var values: [String] = []

    /// No headers.
    public init() {}

    /// Adds a header; `name` must already be lower-cased.
    mutating func append(name: String, value: String) {
        names.append(name)
        values.append(value)
    }

    /// The value of the last header named `name` (lower-case), or `nil`.
    public subscript(name: String) -> String? {
        names.lastIndex(of: name).map { values[$0] }
    }
}
