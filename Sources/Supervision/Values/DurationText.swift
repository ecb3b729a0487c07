/// The one grammar for durations written as text, everywhere superlearner reads one (command-line flags,
/// operation parameters): `500ms`, `1.5s`, `2m`, `1h`, or a bare number of milliseconds.
public enum DurationText {
    /// Whole milliseconds in `text` (surrounding white space ignored); `nil` when it is not a duration,
    /// is negative, or is too large to count in milliseconds.
    public static func milliseconds(_ text: String) -> Int? {
        var slice = Substring(text)
        while slice.first?.isWhitespace == true { slice = slice.dropFirst() }
        while slice.last?.isWhitespace == true { slice = slice.dropLast() }
        guard !slice.isEmpty else { return nil }
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, factor) in units where slice.hasSuffix(suffix) {
            if let amount = Double(slice.dropLast(suffix.count)), amount >= 0, amount.isFinite, amount * factor < 9e15 {
                return Int((amount * factor).rounded())
            }
            if suffix == "ms" { return nil }
        }
        if let amount = Int(slice), amount >= 0 { return amount }
        return nil
    }

    /// `text` as a `Duration`, by the same grammar.
    public static func duration(_ text: String) -> Duration? {
        milliseconds(text).map { .milliseconds($0) }
    }
}
