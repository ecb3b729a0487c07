import Arsenal
import HTTPTypes
import Hummingbird
import NIOCore
import Supervision

/// Every error the API returns, in the one JSON envelope `{"error": {"code", "message", …}}`.
///
/// It conforms to Hummingbird's `HTTPResponseError`, so errors thrown anywhere in a handler — ours or the
/// framework's, once converted by `APIError.from(_:)` — leave the server in the same shape.
public struct APIError: HTTPResponseError, Sendable {
    /// The operation error carrying the kind, code, message and field.
    public var error: OperationError
    /// Extra response headers (`Allow` on a 405).
    public var headers: HTTPFields
    /// The status sent: the kind's, unless a framework status (413) or 405 says otherwise.
    public var status: HTTPResponse.Status

    /// Wraps an operation error, with the status of its kind.
    public init(_ error: OperationError, headers: HTTPFields = [:]) {
        self.error = error
        self.headers = headers
        self.status = error.kind.httpStatus
    }

    /// The JSON envelope.
    public func response(from request: Request, context: some RequestContext) throws -> Response { response }

    /// The JSON envelope with the status and headers.
    public var response: Response { jsonResponse(error.term, status: status, extraHeaders: headers) }

    /// Any error as an API error: ours pass through, Hummingbird's `HTTPError` keeps its status (413 for
    /// a body over the limit), anything else is a 500 that names itself as internal.
    public static func from(_ error: any Error) -> APIError {
        if let api = error as? APIError { return api }
        if let operation = error as? OperationError { return APIError(operation) }
        if let http = error as? any HTTPResponseError {
            let code = http.status.code
            let kind: OperationError.Kind =
                switch code {
                case 404: .notFound
                case 408: .timeout
                case 400..<500: .badRequest
                default: .failed
                }
            var operationError = OperationError(
                kind, code: code == 413 ? "payload_too_large" : "http_\(code)",
                code == 413 ? "the request body is over the size limit" : (http.status.reasonPhrase))
            operationError.details = .int(code)
            var api = APIError(operationError)
            api.status = http.status
            return api
        }
        return APIError(OperationError(.failed, code: "internal_error", "internal error: \(error)"))
    }

    /// 405 with the `Allow` header.
    static func methodNotAllowed(_ allowed: [String]) -> APIError {
        var headers = HTTPFields()
        headers[.allow] = allowed.joined(separator: ", ")
        var error = APIError(
            OperationError(
                .badRequest, code: "method_not_allowed",
                "method not allowed here; use \(allowed.joined(separator: " or "))"),
            headers: headers)
        error.status = .methodNotAllowed
        return error
    }

    /// 400 `bad_request`: `message` says what was wrong with the request, `field` names the parameter.
    public static func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(OperationError(.badRequest, code: "bad_request", message, field: field))
    }

    /// 408 `body_timeout`: the request's body did not arrive within `timeout` (either listener).
    public static func bodyTimeout(_ timeout: Duration) -> APIError {
        APIError(OperationError(.timeout, code: "body_timeout", "the request body did not arrive within \(timeout)"))
    }
}

extension OperationError.Kind {
    /// The HTTP status for this kind of failure (DESIGN §5): the one mapping from kinds to statuses.
    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .timeout: .requestTimeout
        case .conflict: .conflict
        case .validation: .unprocessableContent
        case .unavailable: .serviceUnavailable
        case .failed: .internalServerError
        }
    }
}

/// A JSON response with the given status.
public func jsonResponse(_ term: Term, status: HTTPResponse.Status = .ok, extraHeaders: HTTPFields = [:]) -> Response {
    var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
    headers.append(contentsOf: extraHeaders)
    var body = term.jsonUTF8
    body.append(UInt8(ascii: "\n"))
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
}
