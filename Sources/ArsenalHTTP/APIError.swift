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

    /// Wraps an operation error.
    public init(_ error: OperationError, headers: HTTPFields = [:]) {
        self.error = error
        self.headers = headers
    }

    /// The HTTP status of the error.
    public var status: HTTPResponse.Status { .init(code: error.status) }

    /// The JSON envelope.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        jsonResponse(error.term, status: status, extraHeaders: headers)
    }

    /// Any error as an API error: ours pass through, Hummingbird's `HTTPError` keeps its status (413 for
    /// a body over the limit), anything else is a 500 that names itself as internal.
    public static func from(_ error: any Error) -> APIError {
        if let api = error as? APIError { return api }
        if let operation = error as? OperationError { return APIError(operation) }
        if let http = error as? any HTTPResponseError {
            let code = http.status.code
            let kind: OperationError.Kind =
                switch code {
                case 413: .badRequest
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
            api.overrideStatus = code
            return api
        }
        return APIError(OperationError(.failed, code: "internal_error", "internal error: \(error)"))
    }

    var overrideStatus: Int? = nil
}

extension APIError {
    /// The status actually sent (a framework status such as 413 is kept as it is).
    var sentStatus: HTTPResponse.Status { .init(code: overrideStatus ?? error.status) }
}

/// A JSON response with the given status.
func jsonResponse(_ term: Term, status: HTTPResponse.Status = .ok, extraHeaders: HTTPFields = [:]) -> Response {
    var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
    headers.append(contentsOf: extraHeaders)
    var text = term.json
    text += "\n"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}
