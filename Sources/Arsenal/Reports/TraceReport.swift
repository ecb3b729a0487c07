import Supervision

/// A message trace as `trace_process`, `get_trace` and `stop_trace` report it.
public struct TraceReport: TermConvertible, Hashable {
    /// One thing the traced process went through.
    public struct Event: TermConvertible, Hashable {
        /// `received` or `exited`.
        public var kind: TraceRecord.Kind
        /// The message, or the exit reason, as text.
        public var detail: String
        /// When, in seconds since 1970.
        public var at: Double

        /// `kind`, `detail`, `at`.
        public var term: Term { ["kind": .string(kind.rawValue), "detail": .string(detail), "at": .double(at)] }

        /// Reads the shape back.
        public init(term: Term) throws(TermDecodingError) {
            let fields = try TermFields(term)
            kind = try fields.enum("kind")
            detail = try fields.string("detail")
            at = try fields.double("at")
        }

        init(_ record: TraceRecord) {
            kind = record.kind
            detail = record.detail
            at = record.at
        }
    }

    /// The trace's id (`trace-1`).
    public var id: String
    /// The traced process.
    public var pid: PID
    /// The target as given (a PID, a path or a name).
    public var target: String
    /// Whether it still records.
    public var active: Bool
    /// It stops after this many events.
    public var maxEvents: Int
    /// When it started, in seconds since 1970.
    public var startedAt: Double
    /// What it recorded, oldest first.
    public var events: [Event]

    /// `id`, `pid`, `target`, `active`, `max_events`, `started_at`, `events`.
    public var term: Term {
        [
            "id": .string(id), "pid": .pid(pid), "target": .string(target), "active": .bool(active),
            "max_events": .int(maxEvents), "started_at": .double(startedAt), "events": events.term,
        ]
    }

    /// Reads the shape back.
    public init(term: Term) throws(TermDecodingError) {
        let fields = try TermFields(term)
        id = try fields.string("id")
        pid = try fields.pid("pid")
        target = try fields.string("target")
        guard let active = try fields.value("active").boolValue else {
            throw TermDecodingError(path: "active", expected: "true or false")
        }
        self.active = active
        maxEvents = try fields.int("max_events")
        startedAt = try fields.double("started_at")
        events = try fields.decodeArray("events")
    }

    init(id: String, pid: PID, target: String, active: Bool, maxEvents: Int, startedAt: Double, events: [TraceRecord]) {
        self.id = id
        self.pid = pid
        self.target = target
        self.active = active
        self.maxEvents = maxEvents
        self.startedAt = startedAt
        self.events = events.map(Event.init)
    }
}
