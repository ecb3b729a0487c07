/// The one rule for sandbox and child ids: 1 to 64 letters, digits, `_` or `-` (`^[A-Za-z0-9_-]{1,64}$`).
///
/// The spec parser, the sandbox manager, Arsenal's schemas and the command line's help all read it here.
public enum SandboxID {
    /// The rule as a regular expression, for schemas.
    public static let pattern = "[A-Za-z0-9_-]{1,64}"
    /// The rule in words, for messages and help.
    public static let rule = "1 to 64 letters, digits, _ or -"

    /// Whether `text` follows the rule.
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy {
                ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 || $0 == 45
            }
    }
}
