import Hummingbird
import SuperlearnerAPI

/// Every route a server answers, registered once: method + path template → handler.
///
/// Operation routes come from the registry (`ArsenalResponder`), the daemon adds its own (events, metrics,
/// control, dashboard) to the same table. Paths are matched on raw, still-encoded segments, so a `{pid}`
/// segment may carry an encoded path (`demo%2Fcounter_1`); each captured segment is percent-decoded
/// afterwards. A literal segment wins over a parameter in the same place (`…/cluster/health` before
/// `…/{x}`).
public struct RouteTable: Sendable {
    /// Answers one matched request.
    public typealias Handler = @Sendable (_ request: Request, _ route: RouteContext) async throws -> Response

    /// What a handler knows besides the request: the decoded `{name}` segments of its path, and the
    /// connection the request came on.
    public struct RouteContext: Sendable {
        /// The decoded `{name}` segments.
        public var pathParameters: [String: String]
        /// Closes the connection the request came on after a delay, for a stream whose reader has stopped
        /// reading (where no further write can get through to say so); returns what cancels the close.
        public var closeConnection: @Sendable (_ after: Duration) -> (@Sendable () -> Void)

        /// Creates the context.
        public init(
            pathParameters: [String: String] = [:],
            closeConnection: @escaping @Sendable (_ after: Duration) -> (@Sendable () -> Void) = { _ in {} }
        ) {
            self.pathParameters = pathParameters
            self.closeConnection = closeConnection
        }
    }

    /// A registered route.
    public struct Entry: Sendable {
        /// The method and template.
        public let route: Route
        /// A bounded label for request metrics (`api`, `events`, `daemon`, …): never a path.
        public let family: String
        let segments: [Route.Segment]
        let handler: Handler
        var literalCount: Int { segments.filter { if case .literal = $0 { true } else { false } }.count }
    }

    /// What a lookup found.
    public enum Match: Sendable {
        /// A route, with its decoded path parameters.
        case route(Entry, pathParameters: [String: String])
        /// The path exists, but not for this method; the allowed methods and the path's family.
        case methodNotAllowed([String], family: String)
        /// No such path.
        case notFound
    }

    /// The routes, most literal segments first.
    public private(set) var entries: [Entry] = []
    /// Routes without parameters by their path as registered (`/api/v1/sandboxes`), each with its method:
    /// most requests name one exactly, and finding it here spares splitting the path and trying every
    /// template (a fifteenth of a trivial request's instructions).
    private var literalRoutes: [String: [Entry]] = [:]

    /// An empty table.
    public init() {}

    /// Registers `handler` for `route`.
    ///
    /// Registering the same method and template twice is a programming error.
    public mutating func add(_ route: Route, family: String, _ handler: @escaping Handler) {
        precondition(!entries.contains { $0.route == route }, "\(route) is registered twice")
        let entry = Entry(route: route, family: family, segments: route.segments, handler: handler)
        let index = entries.firstIndex { $0.literalCount < entry.literalCount } ?? entries.endIndex
        entries.insert(entry, at: index)
        if entry.literalCount == entry.segments.count {
            let path =
                "/"
                + entry.segments.map { if case .literal(let text) = $0 { text } else { "" } }
                .joined(separator: "/")
            literalRoutes[path, default: []].append(entry)
        }
    }

    /// Finds the route for `method` and the raw (encoded) `path`.
    public func match(method: String, path: String) -> Match {
        // A path written as registered, for this method, is that route: nothing could match it with more
        // literal segments. Any other case (another method, a parameter, a doubled slash) takes the long way.
        if let entry = literalRoutes[path]?.first(where: { $0.route.method.rawValue == method }) {
            return .route(entry, pathParameters: [:])
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var allowed: Set<String> = []
        var family = ""
        for entry in entries where entry.segments.count == parts.count {
            guard let captured = Self.capture(entry.segments, parts) else { continue }
            if entry.route.method.rawValue == method { return .route(entry, pathParameters: captured) }
            allowed.insert(entry.route.method.rawValue)
            family = entry.family
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed.sorted(), family: family)
    }

    private static func capture(_ segments: [Route.Segment], _ parts: [Substring]) -> [String: String]? {
        var captured: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal):
                guard literal == part else { return nil }
            case .parameter(let name):
                guard let decoded = percentDecode(part), !decoded.isEmpty else { return nil }
                captured[name] = decoded
            }
        }
        return captured
    }
}
