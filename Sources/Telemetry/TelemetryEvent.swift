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
    public var metadata: [String: Term]

    /// Creates an event.
    public init(sequence: UInt64, name: String, time: Double, measurements: [String: Double], metadata: [String: Term])
    {
        self.sequence = sequence
        self.name = name
        self.time = time
        self.measurements = measurements
        self.metadata = metadata
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
