/// The routes that are not an Arsenal operation's own binding (those come from the operation registry):
/// Arsenal's documentation and generic execution, the event stream, metrics, the daemon's control and the
/// dashboard. The daemon serves each of them once; the command line asks for them by these names.
public enum APIRoutes {
    /// The OpenAPI document generated from the registry.
    public static let arsenalDocs = Route(.get, "/api/v1/arsenal/docs")
    /// Every operation with its schema.
    public static let arsenalOperations = Route(.get, "/api/v1/arsenal/operations")
    /// Any operation by name, its parameters from the query and the body.
    public static let executeOperation = Route(.post, "/api/v1/arsenal/operations/{name}/execute")
    /// Server-sent telemetry events; `?since=SEQ` or `Last-Event-ID` resumes.
    public static let events = Route(.get, "/api/v1/events")
    /// The daemon's pid, uptime, version, socket, port and counts.
    public static let daemonStatus = Route(.get, "/api/v1/daemon")
    /// 200 once every listener accepts connections, 503 before.
    public static let daemonReady = Route(.get, "/api/v1/daemon/ready")
    /// A graceful stop.
    public static let daemonStop = Route(.post, "/api/v1/daemon/stop")
    /// Prometheus text exposition.
    public static let metrics = Route(.get, "/metrics")
    /// The web dashboard.
    public static let dashboard = Route(.get, "/")
    /// The web dashboard under its file name.
    public static let dashboardIndex = Route(.get, "/index.html")
    /// The dashboard's script.
    public static let dashboardScript = Route(.get, "/dashboard.js")
    /// The dashboard's style sheet.
    public static let dashboardStyle = Route(.get, "/dashboard.css")
}
