import SuperlearnerClient

/// How a daemon runs: where its files are, what it listens on, what it allows.
public struct DaemonConfiguration: Sendable {
    /// Home, socket, pid, log and database paths.
    public var paths: SuperlearnerPaths
    /// The TCP host to bind, when `port` is set (default loopback).
    public var host: String
    /// The TCP port, if TCP is wanted (for the dashboard and cluster peers).
    public var port: Int?
    /// The bearer token TCP requests must carry (`SUPERLEARNER_TOKEN`); when `nil`, the token file's, created
    /// at first start. Required for a non-loopback host.
    public var token: String?
    /// Whether destructive operations are allowed over the API.
    public var allowDestructive: Bool
    /// Whether only reads are allowed (`--read-only`): every other operation is refused with 403
    /// `read_only`, and the dashboard shows no actions.
    public var readOnly: Bool
    /// Whether the dashboard offers destructive actions (kill, stop, terminate, destroy, experiments); when
    /// `false` the daemon also refuses them to dashboard sessions.
    public var allowDestructiveUI: Bool
    /// The node name.
    public var nodeName: String
    /// The largest request body accepted.
    public var maximumBodyBytes: Int
    /// How long a graceful stop may take before sandboxes are killed.
    public var shutdownTimeout: Duration
    /// Host names TCP requests may address besides the bound host (and loopback's names): the `Host`
    /// header must name one of them.
    public var allowedHosts: [String]
    /// How long a TCP or socket connection may sit without sending a complete request head (and how long
    /// a kept-alive connection may idle) before it is closed.
    public var requestHeadTimeout: Duration
    /// How long a request body may take to arrive.
    public var bodyTimeout: Duration
    /// Connections served at once on each listener; more wait in the kernel's queue.
    public var maximumConnections: Int
    /// Event-stream readers at once; more are refused with 503.
    public var maximumEventSubscribers: Int
    /// The cluster this daemon is a node of, if any.
    public var cluster: ClusterSettings?

    /// How a daemon joins a cluster (`server run --etcd URL`, or the home's `cluster.json`).
    public struct ClusterSettings: Sendable, Equatable {
        /// etcd's client URL (`http://127.0.0.1:2379`).
        public var etcd: String
        /// The cluster's name.
        public var name: String
        /// The lease TTL in seconds.
        public var leaseSeconds: Int

        /// Creates settings.
        public init(etcd: String, name: String = "default", leaseSeconds: Int = 6) {
            self.etcd = etcd
            self.name = name
            self.leaseSeconds = leaseSeconds
        }
    }

    /// Creates a configuration.
    public init(
        paths: SuperlearnerPaths, host: String = "127.0.0.1", port: Int? = nil, token: String? = nil,
        allowDestructive: Bool = true, readOnly: Bool = false, allowDestructiveUI: Bool = false,
        nodeName: String = "superlearner@localhost",
        maximumBodyBytes: Int = 1 << 20, shutdownTimeout: Duration = .seconds(10), allowedHosts: [String] = [],
        requestHeadTimeout: Duration = .seconds(5), bodyTimeout: Duration = .seconds(10), maximumConnections: Int = 512,
        maximumEventSubscribers: Int = 64
    ) {
        self.paths = paths
        self.host = host
        self.port = port
        self.token = token
        self.allowDestructive = allowDestructive
        self.readOnly = readOnly
        self.allowDestructiveUI = allowDestructiveUI
        self.nodeName = nodeName
        self.maximumBodyBytes = maximumBodyBytes
        self.shutdownTimeout = shutdownTimeout
        self.allowedHosts = allowedHosts
        self.requestHeadTimeout = requestHeadTimeout
        self.bodyTimeout = bodyTimeout
        self.maximumConnections = maximumConnections
        self.maximumEventSubscribers = maximumEventSubscribers
    }

    /// Whether `host` is a loopback address.
    public var isLoopback: Bool {
        host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// Why the daemon could not start.
public enum DaemonError: Error, Sendable, CustomStringConvertible {
    /// A daemon already answers on this socket.
    case alreadyRunning(socket: String, pid: String)
    /// A cluster node without TCP, or with an etcd URL that is not one.
    case cluster(String)
    /// A non-loopback TCP bind without a token.
    case tokenRequired(host: String)
    /// The token file is readable by others.
    case insecureTokenFile(String)
    /// A file or directory could not be prepared.
    case io(String)
    /// Something else listens on the TCP address already.
    case addressInUse(host: String, port: Int)

    /// One line saying what to do.
    public var description: String {
        switch self {
        case .alreadyRunning(let socket, let pid):
            "a daemon is already running on \(socket) (pid \(pid)); stop it first with 'superlearner server stop'"
        case .tokenRequired(let host):
            "binding \(host) (not loopback) requires a token chosen for it: set SUPERLEARNER_TOKEN (and put TLS in front; the token travels in every request)"
        case .insecureTokenFile(let path): "the token file \(path) must have mode 0600"
        case .io(let message): message
        case .cluster(let message): message
        case .addressInUse(let host, let port):
            "\(host):\(port) is already in use; choose another --port (0 lets the system pick one)"
        }
    }
}
