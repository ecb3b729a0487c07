/// The routes that are not an Arsenal operation's own binding (those come from the operation registry):
/// Arsenal's documentation and generic execution, the event stream, metrics, the daemon's control and the
/// dashboard. The daemon serves each of them once; the command line asks for them by these names.
public enum APIRoutes {
    /// The OpenAPI 3.1 document generated from the operation registry (docs/openapi.json is a copy).
    public static let arsenalDocs = Route(.get, "/api/v1/arsenal/docs")
    /// Every operation with its parameter schema, risk and route (`operation list --json`).
    public static let arsenalOperations = Route(.get, "/api/v1/arsenal/operations")
    /// Any operation by name, its parameters from the query and the JSON body (`operation run`).
    public static let executeOperation = Route(.post, "/api/v1/arsenal/operations/{name}/execute")
    /// Server-sent events: `id:` is the telemetry sequence number, `data:` the event as JSON; resume with
    /// `?since=SEQ` or `Last-Event-ID` (the header wins when both are sent, as a reconnecting browser does); a
    /// comment every 15 s keeps the stream awake. Operations that only read are metrics, not events.
    public static let events = Route(.get, "/api/v1/events")
    /// The daemon's pid, version, uptime, socket, port (the bound one), readiness, sandbox and process counts.
    public static let daemonStatus = Route(.get, "/api/v1/daemon")
    /// 200 once every listener (socket and TCP) accepts connections, 503 `starting` before: `server start`
    /// returns only then, and prints the TCP port (the system's pick for `--port 0`).
    public static let daemonReady = Route(.get, "/api/v1/daemon/ready")
    /// A graceful stop: new operations are refused, then every tree stops in order.
    public static let daemonStop = Route(.post, "/api/v1/daemon/stop")
    /// Prometheus text exposition: operations, sandboxes, processes, restarts, escalations, and every HTTP
    /// request by method, route family (`api`, `events`, `metrics`, `daemon`, `dashboard`, `other`) and status.
    public static let metrics = Route(.get, "/metrics")
    /// The web dashboard: trees, processes, sandboxes, operations, events and charts (docs/dashboard.md).
    public static let dashboard = Route(.get, "/")
    /// The web dashboard under its file name.
    public static let dashboardIndex = Route(.get, "/index.html")
    /// The dashboard's script.
    public static let dashboardScript = Route(.get, "/dashboard.js")
    /// The dashboard's style sheet.
    public static let dashboardStyle = Route(.get, "/dashboard.css")
}
