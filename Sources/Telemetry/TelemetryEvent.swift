import Supervision

/// One telemetry event: a name, when it happened, numbers measured and context about it.
///
/// Sequence numbers increase by one per event on a bus and are never reused, so a consumer that saw
/// event N can ask for everything after N (the daemon's event stream resumes this way).
public struct TelemetryEvent: TermConvertible, Hashable {
    /// Position on the bus, starting at 1.
    public var sequence: UInt64
    /// Dotted name, such as `arsenal.operation.stop` or `runtime.supervisor.restart`.
    public var name: String
    /// Wall-clock seconds since 1970.
    public var time: Double
    /// Numbers, such as `duration_ms`.
    public var measurements: [String: Double]
    /// Context, such as the operation name, the sandbox id or the PID.
    public var metadata: [String: Term] {
        get { context.terms }
        set { context = .terms(newValue) }
    }

    /// What `metadata` is built from. The runtime's events (a process's spawn and exit above all: four of each
    /// per sandbox created and destroyed) keep the runtime's own record, and most are never read: their
    /// dictionary is built only when someone reads it.
    enum Context: Sendable {
        case terms([String: Term])
        case runtime(RuntimeEvent)

        var terms: [String: Term] {
            switch self {
            case .terms(let terms): terms
            case .runtime(let event): event.telemetryMetadata ?? [:]
            }
        }
    }

    var context: Context

    /// Creates an event.
    public init(sequence: UInt64, name: String, time: Double, measurements: [String: Double], metadata: [String: Term])
    {
        self.init(sequence: sequence, name: name, time: time, measurements: measurements, context: .terms(metadata))
    }

    init(sequence: UInt64, name: String, time: Double, measurements: [String: Double], context: Context) {
        self.sequence = sequence
        self.name = name
        self.time = time
        self.measurements = measurements
        self.context = context
    }

    /// Events are equal when every field is, metadata compared as read (however it is kept).
    public static func == (lhs: TelemetryEvent, rhs: TelemetryEvent) -> Bool {
        lhs.sequence == rhs.sequence && lhs.name == rhs.name && lhs.time == rhs.time
            && lhs.measurements == rhs.measurements && lhs.metadata == rhs.metadata
    }

    /// Hashes every field, metadata as read, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(sequence)
        hasher.combine(name)
        hasher.combine(time)
        hasher.combine(measurements)
        hasher.combine(metadata)
    }

    /// `{"seq", "name", "time", "measurements", "metadata"}`, the shape the REST API and `--json` print.
    public var term: Term {
        [
            "seq": .int(Int(sequence)),
            "name": .string(name),
            "time": .double(time),
            "measurements": .object(measurements.mapValues { .double($0) }),
            "metadata": .object(metadata),
        ]
    }

    /// Reads the API shape back (an event from the stream or the history).
    public init(term: Term) throws(TermDecodingError) {
        let fields = try TermFields(term)
        let sequence = try fields.int("seq")
        guard sequence >= 0 else { throw TermDecodingError(path: "seq", expected: "a sequence number") }
        var measurements: [String: Double] = [:]
        for (key, value) in try fields.object("measurements") {
            guard let number = value.doubleValue else {
                throw TermDecodingError(path: "measurements.\(key)", expected: "a number")
            }
            measurements[key] = number
        }
        self.init(
            sequence: UInt64(sequence), name: try fields.string("name"), time: try fields.double("time"),
            measurements: measurements, metadata: try fields.object("metadata"))
    }
}
