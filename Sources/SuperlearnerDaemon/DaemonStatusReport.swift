import Supervision

/// The daemon as `GET /api/v1/daemon` reports it: what `server status`, `server start` and `top` read.
public struct DaemonStatusReport: TermConvertible, Hashable {
    /// The daemon's process id.
    public var pid: Int
    /// The package version it runs.
    public var version: String
    /// The runtime's node name.
    public var node: String
    /// The Unix socket it listens on.
    public var socket: String
    /// Its home folder.
    public var home: String
    /// The TCP host, when it listens on TCP.
    public var host: String?
    /// The TCP port actually bound, when it listens on TCP.
    public var port: Int?
    /// Whether every listener is up.
    public var ready: Bool
    /// When it started, in seconds since 1970.
    public var startedAt: Double
    /// Seconds since it started.
    public var uptimeSeconds: Double
    /// Sandboxes it hosts.
    public var sandboxes: Int
    /// Processes alive in its runtime.
    public var processes: Int

    /// The API shape.
    public var term: Term {
        [
            "pid": .int(pid), "version": .string(version), "node": .string(node), "socket": .string(socket),
            "home": .string(home), "host": host.map(Term.string) ?? .null, "port": port.map(Term.int) ?? .null,
            "ready": .bool(ready), "started_at": .double(startedAt), "uptime_seconds": .double(uptimeSeconds),
            "sandboxes": .int(sandboxes), "processes": .int(processes),
        ]
    }

    /// Reads the shape back.
    public init(term: Term) throws(TermDecodingError) {
        let fields = try TermFields(term)
        pid = try fields.int("pid")
        version = try fields.string("version")
        node = try fields.string("node")
        socket = try fields.string("socket")
        home = try fields.string("home")
        host = try fields.optionalString("host")
        port = try fields.value("port").intValue
        ready = try fields.value("ready").boolValue ?? false
        startedAt = try fields.double("started_at")
        uptimeSeconds = try fields.double("uptime_seconds")
        sandboxes = try fields.int("sandboxes")
        processes = try fields.int("processes")
    }

    init(
        pid: Int, version: String, node: String, socket: String, home: String, host: String?, port: Int?, ready: Bool,
        startedAt: Double, uptimeSeconds: Double, sandboxes: Int, processes: Int
    ) {
        self.pid = pid
        self.version = version
        self.node = node
        self.socket = socket
        self.home = home
        self.host = host
        self.port = port
        self.ready = ready
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.sandboxes = sandboxes
        self.processes = processes
    }
}
