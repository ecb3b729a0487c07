import Arsenal
import HTTPTypes
import Hummingbird
import NIOCore
import Supervision

/// The REST API of DESIGN §5 over an operation registry: the route table, the Arsenal documentation and
/// generic execution, with the JSON envelope for data and errors.
///
/// It knows nothing of sockets or daemons; the daemon serves it on its listeners and adds its own routes.
public struct ArsenalResponder: Sendable {
    /// The operations.
    public let registry: OperationRegistry
    /// What they act on.
    public let context: OperationContext
    /// The route table built from the registry.
    public let routes: RouteTable
    /// The largest request body accepted; larger ones get 413.
    public let maximumBodyBytes: Int

    /// Creates the responder.
    public init(registry: OperationRegistry, context: OperationContext, maximumBodyBytes: Int = 1 << 20) {
        self.registry = registry
        self.context = context
        self.routes = RouteTable(registry: registry)
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Answers an `/api/v1/…` request, or returns `nil` for paths it does not own.
    public func respond(to request: Request) async -> Response? {
        let rawPath = request.uri.path
        guard rawPath.hasPrefix("/api/v1/") || rawPath == "/api/v1" else { return nil }
        do {
            return try await handle(request, rawPath: rawPath)
        } catch {
            let api = APIError.from(error)
            return jsonResponse(api.error.term, status: api.sentStatus, extraHeaders: api.headers)
        }
    }

    func handle(_ request: Request, rawPath: String) async throws -> Response {
        let method = request.method.rawValue
        if rawPath == "/api/v1/arsenal/docs" {
            guard method == "GET" else { throw methodNotAllowed(["GET"]) }
            return jsonResponse(OpenAPIDocument.generate(from: registry))
        }
        if rawPath == "/api/v1/arsenal/operations" {
            guard method == "GET" else { throw methodNotAllowed(["GET"]) }
            return jsonResponse(["data": .array(registry.all.map(\.descriptor))])
        }
        let segments = rawPath.split(separator: "/")
        if segments.count == 6, segments[2] == "arsenal", segments[3] == "operations", segments[5] == "execute" {
            guard method == "POST" else { throw methodNotAllowed(["POST"]) }
            guard let name = percentDecode(segments[4]) else { throw badRequest("malformed operation name in the path") }
            var parameters = try query(request)
            for (key, value) in try await body(request) { parameters[key] = value }
            let result = try await registry.execute(name, parameters, context: context)
            return jsonResponse(["data": result])
        }
        switch routes.match(method: method, path: rawPath) {
        case .notFound:
            throw APIError(OperationError(.notFound, code: "route_not_found", "no route \(method) \(rawPath)"))
        case .methodNotAllowed(let allowed):
            throw methodNotAllowed(allowed)
        case .operation(let name, let successStatus, let pathParameters):
            var parameters = try query(request)
            for (key, value) in try await body(request) {
                if let existing = parameters[key], existing != value {
                    throw badRequest("parameter \(key) is given in both the query and the body", field: key)
                }
                parameters[key] = value
            }
            for (key, value) in pathParameters {
                if let existing = parameters[key], existing != .string(value) {
                    throw badRequest("parameter \(key) is part of the path; do not give it again", field: key)
                }
                parameters[key] = .string(value)
            }
            let result = try await registry.execute(name, parameters, context: context)
            return jsonResponse(["data": result], status: .init(code: successStatus))
        }
    }

    func methodNotAllowed(_ allowed: [String]) -> APIError {
        var headers = HTTPFields()
        headers[.allow] = allowed.joined(separator: ", ")
        return APIError(
            OperationError(.badRequest, code: "method_not_allowed", "method not allowed here; use \(allowed.joined(separator: " or "))"),
            headers: headers
        ).with(status: 405)
    }

    func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(OperationError(.badRequest, code: "bad_request", message, field: field))
    }

    /// Query parameters, percent-decoded; values stay strings (schemas convert them).
    func query(_ request: Request) throws -> [String: Term] {
        guard let raw = request.uri.query, !raw.isEmpty else { return [:] }
        var result: [String: Term] = [:]
        for pair in raw.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = percentDecode(parts[0], plusAsSpace: true),
                let value = percentDecode(parts.count > 1 ? parts[1] : "", plusAsSpace: true)
            else { throw badRequest("malformed query string") }
            if result[key] != nil { throw badRequest("query parameter \(key) is repeated", field: key) }
            result[key] = .string(value)
        }
        return result
    }

    /// The JSON object body, if any.
    func body(_ request: Request) async throws -> [String: Term] {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBodyBytes)
        guard buffer.readableBytes > 0 else { return [:] }
        let bytes = Array(buffer.readableBytesView)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        let term: Term
        do {
            term = try Term(jsonBytes: bytes)
        } catch {
            throw badRequest("malformed JSON body: \(error)")
        }
        guard let object = term.objectValue else { throw badRequest("the JSON body must be an object of parameters") }
        return object
    }
}

extension APIError {
    func with(status: Int) -> APIError {
        var copy = self
        copy.overrideStatus = status
        return copy
    }
}
