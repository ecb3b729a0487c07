/// Why a text is not one YAML document this module reads, and where.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line the problem is on, counting from 1.
    public var line: Int
    /// The column the problem is at, counting from 1.
    public var column: Int
    /// What is wrong, in libyaml's words or ours.
    public var message: String

    /// An error at a position.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line L, column C: message`.
    public var description: String { "line \(line), column \(column): \(message)" }
}
