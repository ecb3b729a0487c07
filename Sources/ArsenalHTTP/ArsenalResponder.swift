import Arsenal
import HTTPTypes
import Hummingbird
import NIOCore
import SuperlearnerAPI
import Supervision

/// The REST API of DESIGN §5 over an operation registry: one route table holding every operation's
/// binding, Arsenal's documentation and generic execution, plus whatever routes the host adds; middleware
/// around every request; the JSON envelope for data and errors.
///
/// It knows nothing of sockets or daemons; the daemon adds its own routes and middleware and serves it.
///
/// ```swift
/// var api = ArsenalResponder(registry: .builtin(), context: context)
/// api.add(APIRoutes.daemonStatus, family: "daemon") { _, _ in jsonResponse(["data": status]) }
/// let response = await api.respond(to: request)
/// ```
public struct ArsenalResponder: Sendable {
    /// The operations.
    public let registry: OperationRegistry
    /// What they act on.
    public let context: OperationContext
    /// Every route served.
    public private(set) var routes: RouteTable
    /// Run around every request, outermost first (request metrics, authentication).
    public var middleware: [any RouteMiddleware] = []
    /// The largest request body accepted; larger ones get 413.
    public let maximumBodyBytes: Int
    /// How long a request body may take to arrive; a slower one gets 408.
    public let bodyTimeout: Duration

    /// Creates the responder with Arsenal's routes: every operation's REST binding, the docs, the list of
    /// operations and generic execution.
    public init(
        registry: OperationRegistry, context: OperationContext, maximumBodyBytes: Int = 1 << 20,
        bodyTimeout: Duration = .seconds(10)
    ) {
        self.registry = registry
        self.context = context
        self.maximumBodyBytes = maximumBodyBytes
        self.bodyTimeout = bodyTimeout
        self.routes = RouteTable()
        let api = self
        routes.add(APIRoutes.arsenalDocs, family: "api") { _, _ in
            jsonResponse(OpenAPIDocument.generate(from: registry))
        }
        routes.add(APIRoutes.arsenalOperations, family: "api") { _, _ in
            jsonResponse(["data": .array(registry.all.map(\.descriptor))])
        }
        routes.add(APIRoutes.executeOperation, family: "api") { request, route in
            // The operation's name is the route's own; its parameters are the query and the body.
            let parameters = try await api.parameters(of: request, path: [:])
            let name = route.pathParameters["name"] ?? ""
            return jsonResponse(["data": try await registry.execute(name, parameters, context: context)])
        }
        for operation in registry.all {
            guard let rest = operation.rest else { continue }
            routes.add(rest.route, family: "api") { request, route in
                let parameters = try await api.parameters(of: request, path: route.pathParameters)
                let result = try await registry.execute(operation, parameters, context: context)
                return jsonResponse(["data": result], status: .init(code: rest.successStatus))
            }
        }
    }

    /// Adds a route of the host's own.
    public mutating func add(_ route: Route, family: String, _ handler: @escaping RouteTable.Handler) {
        routes.add(route, family: family, handler)
    }

    /// Answers any request: the matching route's handler inside the middleware; 404 for an unknown path,
    /// 405 with `Allow` for a known path and another method; every error in the JSON envelope.
    /// `closeConnection` closes the connection the request came on (see `RouteContext`).
    public func respond(
        to request: Request,
        closeConnection: @escaping @Sendable (_ after: Duration) -> (@Sendable () -> Void) = { _ in {} }
    ) async -> Response {
        let match = routes.match(method: request.method.rawValue, path: request.uri.path)
        let family: String? =
            switch match {
            case .route(let entry, _): entry.family
            case .methodNotAllowed(_, let family): family
            case .notFound: nil
            }
        var next: @Sendable (Request) async -> Response = { request in
            do {
                switch match {
                case .route(let entry, let pathParameters):
                    return try await entry.handler(
                        request,
                        RouteTable.RouteContext(pathParameters: pathParameters, closeConnection: closeConnection))
                case .methodNotAllowed(let allowed, _):
                    throw APIError.methodNotAllowed(allowed)
                case .notFound:
                    throw APIError(
                        OperationError(
                            .notFound, code: "route_not_found",
                            "no route \(request.method.rawValue) \(request.uri.path)"))
                }
            } catch {
                return APIError.from(error).response
            }
        }
        for layer in middleware.reversed() {
            let inner = next
            next = { request in await layer.handle(request, family: family, next: inner) }
        }
        return await next(request)
    }

    /// The one rule for a request's parameters, on every route: the path's `{name}` segments, the query
    /// string and the JSON object body together; a name given in two of them with different values is a
    /// 400 naming it.
    public func parameters(of request: Request, path: [String: String]) async throws -> [String: Term] {
        var parameters = try query(request)
        for (key, value) in try await body(request) {
            if let existing = parameters[key], existing != value {
                throw APIError.badRequest("parameter \(key) is given in both the query and the body", field: key)
            }
            parameters[key] = value
        }
        for (key, value) in path {
            if let existing = parameters[key], existing != .string(value) {
                throw APIError.badRequest("parameter \(key) is part of the path; do not give it again", field: key)
            }
            parameters[key] = .string(value)
        }
        return parameters
    }

    /// Query parameters, percent-decoded; values stay strings (schemas convert them).
    func query(_ request: Request) throws -> [String: Term] {
        guard let raw = request.uri.query, !raw.isEmpty else { return [:] }
        var result: [String: Term] = [:]
        for pair in raw.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = percentDecode(parts[0], plusAsSpace: true),
                let value = percentDecode(parts.count > 1 ? parts[1] : "", plusAsSpace: true)
            else { throw APIError.badRequest("malformed query string") }
            if result[key] != nil { throw APIError.badRequest("query parameter \(key) is repeated", field: key) }
            result[key] = .string(value)
        }
        return result
    }

    /// The JSON object body, if any: at most `maximumBodyBytes` (413), within `bodyTimeout` (408), declared
    /// as `application/json` (415).
    func body(_ request: Request) async throws -> [String: Term] {
        // A request that declares no body (no Content-Length, or 0, and no Transfer-Encoding: HTTP/1.1 §6.3)
        // has none: most GETs and DELETEs. Skipping the collection spares two child tasks and a timer, which
        // were most of a trivial request's cost.
        if request.headers[.transferEncoding] == nil,
            request.headers[.contentLength].map({ $0 == "0" }) ?? true
        {
            return [:]
        }
        let limit = maximumBodyBytes
        let timeout = bodyTimeout
        let collected: ByteBuffer? = try await withThrowingTimeout(timeout) {
            var request = request
            return try await request.collectBody(upTo: limit)
        }
        guard let buffer = collected else { throw APIError.bodyTimeout(timeout) }
        guard buffer.readableBytes > 0 else { return [:] }
        let bytes = Array(buffer.readableBytesView)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        guard request.headers[.contentType] != nil else {
            var error = APIError(
                OperationError(
                    .badRequest, code: "unsupported_media_type", "a request body must be sent as application/json"))
            error.status = .unsupportedMediaType
            throw error
        }
        let term: Term
        do {
            term = try Term(jsonBytes: bytes)
        } catch {
            throw APIError.badRequest("malformed JSON body: \(error)")
        }
        guard let object = term.objectValue else {
            throw APIError.badRequest("the JSON body must be an object of parameters")
        }
        return object
    }
}

/// Work done around every request, such as counting it or checking its credentials.
public protocol RouteMiddleware: Sendable {
    /// Answers `request`, usually by calling `next`; `family` is the bounded label of the routes its path
    /// matched (whatever the method), `nil` when no route has that path.
    func handle(_ request: Request, family: String?, next: @Sendable (Request) async -> Response) async -> Response
}
