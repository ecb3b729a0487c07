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

    /// Hashes the three parts as two words: PIDs key every link set and monitor table.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(number)
        hasher.combine(UInt64(node) << 32 | UInt64(serial))
    }

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
        // By bytes: every operation naming a process by PID parses one, and splitting into substrings and
        // parsing each generically cost more than the lookup it leads to.
        var fields: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var field = 0
        var digits = 0
        var bracketed = false
        var closed = false
        var index = 0
        for byte in text.utf8 {
            defer { index += 1 }
            if closed { return nil }
            switch byte {
            case UInt8(ascii: "<") where index == 0:
                bracketed = true
            case UInt8(ascii: ">") where bracketed:
                closed = true
            case UInt8(ascii: "."):
                guard digits > 0, field < 2 else { return nil }
                field += 1
                digits = 0
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let value = UInt64(byte &- UInt8(ascii: "0"))
                let (times10, overflow) = PID.field(field, of: fields).multipliedReportingOverflow(by: 10)
                let (sum, carry) = times10.addingReportingOverflow(value)
                guard !overflow, !carry else { return nil }
                PID.setField(field, of: &fields, to: sum)
                digits += 1
            default:
                return nil
            }
        }
        guard field == 2, digits > 0, bracketed == closed, fields.0 <= UInt32.max, fields.2 <= UInt32.max else {
            return nil
        }
        self.init(node: UInt32(fields.0), number: fields.1, serial: UInt32(fields.2))
    }

    private static func field(_ index: Int, of fields: (UInt64, UInt64, UInt64)) -> UInt64 {
        switch index {
        case 0: fields.0
        case 1: fields.1
        default: fields.2
        }
    }

    private static func setField(_ index: Int, of fields: inout (UInt64, UInt64, UInt64), to value: UInt64) {
        switch index {
        case 0: fields.0 = value
        case 1: fields.1 = value
        default: fields.2 = value
        }
    }

    /// `<node.number.serial>`.
    public var description: String { "<\(node).\(number).\(serial)>" }

    /// Orders by node, then serial, then number, so processes list in spawn order.
    public static func < (lhs: PID, rhs: PID) -> Bool {
        (lhs.node, lhs.serial, lhs.number) < (rhs.node, rhs.serial, rhs.number)
    }
}
