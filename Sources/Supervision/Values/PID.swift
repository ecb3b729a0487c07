/// The identity of a process, printed the way BEAM prints it: `<0.42.0>`.
///
/// A PID is a plain value: holding one keeps nothing alive, and a PID of a process that has exited stays
/// valid as a name (sends to it are dropped, monitors on it report `noproc`). The three numbers are the
/// node, the process number within the node, and a serial that distinguishes runtimes in one OS process.
public struct PID: Hashable, Sendable, Comparable, CustomStringConvertible {
    // Stored number-first so that the value packs into 16 bytes (it rides inside every message).
    /// The process number, unique within a runtime and never reused.
    public let number: UInt64
    /// The node the process lives on; `0` is the local node.
    public let node: UInt32
    /// The serial of the runtime that created the process.
    public let serial: UInt32

    /// Creates a PID from its three parts.
    public init(node: UInt32 = 0, number: UInt64, serial: UInt32 = 0) {
        self.node = node
        self.number = number
        self.serial = serial
    }

    /// Parses `<0.42.0>` or `0.42.0`; returns `nil` for anything else.
    ///
    /// ```swift
    /// PID(parsing: "<0.42.0>")?.number  // 42
    /// ```
    public init?(parsing text: some StringProtocol) {
        var body = Substring(text)
        if body.hasPrefix("<") && body.hasSuffix(">") {
            body = body.dropFirst().dropLast()
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let node = UInt32(parts[0]),
            let number = UInt64(parts[1]),
            let serial = UInt32(parts[2])
        else { return nil }
        self.init(node: node, number: number, serial: serial)
    }

    /// `<node.number.serial>`.
    public var description: String { "<\(node).\(number).\(serial)>" }

    /// Orders by node, then serial, then number, so processes list in spawn order.
    public static func < (lhs: PID, rhs: PID) -> Bool {
        (lhs.node, lhs.serial, lhs.number) < (rhs.node, rhs.serial, rhs.number)
    }
}
