import Arsenal
import ArsenalHTTP
import HTTPTypes
import Hummingbird
import SuperlearnerAPI
import SuperlearnerClient
import Synchronization

/// The addresses a TCP listener answers to: `Host` must name one of them (against DNS rebinding) and a
/// browser's `Origin`, when sent, must be one of them over http.
final class ListenerNames: Sendable {
    private let hosts: [String]
    private let port = Mutex<Int?>(nil)

    /// `host` as bound, loopback's usual names when it is loopback, and the operator's extra names.
    init(host: String, isLoopback: Bool, extra: [String]) {
        var hosts = [host.lowercased()]
        if isLoopback { hosts += ["127.0.0.1", "localhost", "[::1]"] }
        hosts += extra.map { $0.lowercased() }
        var seen: Set<String> = []
        self.hosts = hosts.filter { seen.insert($0).inserted }
    }

    /// Records the port actually bound (the system's choice for `--port 0`).
    func bound(port: Int) { self.port.withLock { $0 = port } }

    /// Whether `authority` (`host:port`, as in a `Host` header) names this listener.
    func accepts(authority: String) -> Bool {
        guard let port = port.withLock({ $0 }) else { return false }
        let wanted = authority.lowercased()
        return hosts.contains { wanted == "\($0):\(port)" }
    }

    /// Whether `origin` (`http://host:port`) is this listener's own.
    func accepts(origin: String) -> Bool {
        let lowered = origin.lowercased()
        guard lowered.hasPrefix("http://") else { return false }
        return accepts(authority: String(lowered.dropFirst("http://".count)))
    }
}

/// Refuses, before anything else, a TCP request whose `Host` is not the listener's (403 `forbidden_host`,
/// against DNS rebinding) or whose `Origin` is another site's (403 `forbidden_origin`, against cross-site
/// requests). No CORS headers are ever sent, so a foreign page cannot read an answer either.
struct BrowserGuard: RouteMiddleware {
    let names: ListenerNames

    func handle(_ request: Request, family: String?, next: @Sendable (Request) async -> Response) async -> Response {
        guard let authority = request.head.authority, names.accepts(authority: authority) else {
            return refusal(
                .forbidden, "forbidden_host",
                "the Host header must name the address this daemon listens on (see 'server run --allow-host')",
                status: .forbidden)
        }
        if let origin = request.headers[.origin], !names.accepts(origin: origin) {
            return refusal(
                .forbidden, "forbidden_origin", "requests from another site's pages are refused", status: .forbidden)
        }
        return await next(request)
    }
}

/// Every TCP request carries the token, as `Authorization: Bearer <token>` (the client, cluster peers,
/// scripts) or as the dashboard's session cookie, which the login URL `/?token=<token>` sets once before
/// redirecting to `/` without the token. A request authenticated by cookie that changes state must also
/// carry `X-Superlearner-Request`, a header no cross-site form or simple request can set. Operations run
/// for a session are the dashboard's: their events say `origin: dashboard`, and destructive ones are refused
/// unless the daemon allows the dashboard them (`--allow-destructive-ui`).
struct TokenAuthentication: RouteMiddleware {
    /// The header the dashboard adds to state-changing requests.
    static let requestHeader = HTTPField.Name("X-Superlearner-Request")!

    let token: String
    let sessions: SessionStore
    /// Whether dashboard sessions may run destructive operations.
    let allowsDestructive: Bool

    func handle(_ request: Request, family: String?, next: @Sendable (Request) async -> Response) async -> Response {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            AccessToken.matches(header.dropFirst("Bearer ".count), token)
        {
            return await next(request)
        }
        if family == "dashboard", let presented = Self.loginToken(in: request) {
            guard AccessToken.matches(presented, token) else {
                return refusal(
                    .unauthorized, "unauthorized", "the login token is not this daemon's", status: .unauthorized)
            }
            // The token leaves the address bar at once: the session cookie carries the login from here.
            var headers = HTTPFields()
            headers[.location] = "/"
            headers[.setCookie] = SessionStore.cookie(sessions.open())
            headers[.cacheControl] = "no-store"
            return Response(status: .seeOther, headers: headers)
        }
        let session = request.headers[values: .cookie].lazy.compactMap(SessionStore.id(inCookieHeader:)).first
        guard let session, sessions.isValid(session) else {
            return refusal(
                .unauthorized, "unauthorized",
                "a token is required on TCP: send 'Authorization: Bearer <token>' (the token is in the daemon's home) or open the login URL 'superlearner server start' printed",
                status: .unauthorized)
        }
        if request.method != .get && request.method != .head && request.headers[Self.requestHeader] == nil {
            return refusal(
                .forbidden, "request_header_required",
                "a state-changing request from the dashboard must carry the X-Superlearner-Request header",
                status: .forbidden)
        }
        return await OperationCaller.$current.withValue(
            OperationCaller(origin: "dashboard", allowsDestructive: allowsDestructive)
        ) {
            await next(request)
        }
    }

    /// The `token` query parameter of a login URL.
    static func loginToken(in request: Request) -> Substring? {
        guard let query = request.uri.query else { return nil }
        for pair in query.split(separator: "&") where pair.hasPrefix("token=") { return pair.dropFirst("token=".count) }
        return nil
    }
}

/// Bodies are JSON or nothing: a request whose body is declared as anything else is refused with 415
/// before it is read (a browser's simple cross-site request can only send text/plain, form or multipart).
struct JSONBodiesOnly: RouteMiddleware {
    func handle(_ request: Request, family: String?, next: @Sendable (Request) async -> Response) async -> Response {
        let hasBody =
            request.headers[.transferEncoding] != nil || (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0
        if let type = request.headers[.contentType],
            hasBody || request.method == .post || request.method == .put
                || request.method == .patch, !Self.isJSON(type)
        {
            return refusal(
                .badRequest, "unsupported_media_type", "request bodies must be application/json, not \(type)",
                status: .unsupportedMediaType)
        }
        return await next(request)
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType =
            contentType.split(separator: ";").first.map { String($0).trimmingWhitespace().lowercased() } ?? ""
        return mediaType == "application/json"
    }
}

/// An error envelope with an explicit status.
func refusal(_ kind: OperationError.Kind, _ code: String, _ message: String, status: HTTPResponse.Status) -> Response {
    var error = APIError(OperationError(kind, code: code, message))
    error.status = status
    return error.response
}
