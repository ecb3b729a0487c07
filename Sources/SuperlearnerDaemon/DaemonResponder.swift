import AsyncAlgorithms
import CoreMetrics
import Arsenal
import ArsenalHTTP
import HTTPTypes
import Hummingbird
import NIOCore
import Supervision
import Telemetry

/// Everything the daemon serves: the Arsenal API, the event stream, Prometheus metrics, the daemon's own
/// status and stop, and the dashboard. One responder for both listeners; on TCP it checks the token.
struct DaemonResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let arsenal: ArsenalResponder
    let status: DaemonStatus
    /// When set, every request must carry `Authorization: Bearer <token>`.
    let requiredToken: String?
    let allowDestructiveUI: Bool

    /// Serves one request and counts it: `superlearner_http_requests_total` by method, route family and
    /// status, and `superlearner_http_request_duration_seconds` by route family (to the response head; an
    /// event stream's body goes on after it).
    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let family = DaemonResponder.routeFamily(request.uri.path)
        let metrics = arsenal.context.telemetry.metrics
        func record(_ status: Int) {
            let elapsed = ContinuousClock.now - started
            metrics.counter("superlearner_http_requests_total", [("method", request.method.rawValue), ("route", family), ("status", String(status))])
                .increment()
            metrics.timer("superlearner_http_request_duration_seconds", [("route", family)]).recordNanoseconds(
                elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        do {
            let response = try await serve(request, context: context)
            record(response.status.code)
            return response
        } catch {
            record((error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }

    /// A bounded label for a path: PIDs and ids in paths must not make one time series each.
    static func routeFamily(_ path: String) -> String {
        switch path {
        case "/metrics": "metrics"
        case "/api/v1/events": "events"
        case "/api/v1/daemon", "/api/v1/daemon/ready", "/api/v1/daemon/stop": "daemon"
        case "/", "/index.html": "dashboard"
        default: path.hasPrefix("/api/") ? "api" : "other"
        }
    }

    private func serve(_ request: Request, context: Context) async throws -> Response {
        if let requiredToken {
            let presented = request.headers[.authorization]
            guard presented == "Bearer \(requiredToken)" else {
                return jsonResponseTerm(
                    OperationError(.badRequest, code: "unauthorized", "a bearer token is required on TCP").term, status: .unauthorized)
            }
        }
        let path = request.uri.path
        let method = request.method
        switch path {
        case "/metrics":
            guard method == .get else { return methodNotAllowed("GET") }
            arsenal.context.telemetry.sample(arsenal.context.runtime)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: arsenal.context.telemetry.export(.prometheus))))
        case "/api/v1/events":
            guard method == .get else { return methodNotAllowed("GET") }
            return try events(request)
        case "/api/v1/daemon":
            guard method == .get else { return methodNotAllowed("GET") }
            return jsonResponseTerm(["data": status.term])
        case "/api/v1/daemon/ready":
            // 200 once every listener accepts connections, 503 before: what `server start` waits for.
            guard method == .get else { return methodNotAllowed("GET") }
            guard status.daemon.isReady else {
                return jsonResponseTerm(OperationError(.unavailable, code: "starting", "the daemon is still starting its listeners").term, status: .serviceUnavailable)
            }
            return jsonResponseTerm(["data": ["ready": true, "port": status.term["port"] ?? .null]])
        case "/api/v1/daemon/stop":
            guard method == .post else { return methodNotAllowed("POST") }
            // Graceful shutdown lets in-flight requests (this one) finish, so the caller still gets its answer
            // and then waits for the socket to close.
            await status.daemon.stop()
            return jsonResponseTerm(["data": ["stopping": true, "pid": status.term["pid"] ?? .null]], status: .accepted)
        case "/", "/index.html":
            guard method == .get else { return methodNotAllowed("GET") }
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: Dashboard.html(allowDestructive: allowDestructiveUI))))
        default:
            if let response = await arsenal.respond(to: request) { return response }
            return jsonResponseTerm(OperationError(.notFound, code: "route_not_found", "no route \(method.rawValue) \(path)").term, status: .notFound)
        }
    }

    func methodNotAllowed(_ allowed: String) -> Response {
        var response = jsonResponseTerm(
            OperationError(.badRequest, code: "method_not_allowed", "method not allowed here; use \(allowed)").term, status: .methodNotAllowed)
        response.headers[.allow] = allowed
        return response
    }

    /// Server-sent events: `id:` is the telemetry sequence number, `data:` the event as JSON. Resumes after
    /// `?since=SEQ` or the `Last-Event-ID` header; a comment every 15 s keeps proxies and clients awake.
    func events(_ request: Request) throws -> Response {
        var since: UInt64? = nil
        if let query = request.uri.query {
            for pair in query.split(separator: "&") where pair.hasPrefix("since=") {
                guard let value = UInt64(pair.dropFirst("since=".count)) else {
                    return jsonResponseTerm(
                        OperationError(.badRequest, code: "bad_request", "since must be a sequence number", field: "since").term,
                        status: .badRequest)
                }
                since = value
            }
        }
        if since == nil, let header = request.headers[HTTPField.Name("Last-Event-ID")!] {
            guard let value = UInt64(header) else {
                return jsonResponseTerm(
                    OperationError(.badRequest, code: "bad_request", "Last-Event-ID must be a sequence number").term, status: .badRequest)
            }
            since = value
        }
        let bus = arsenal.context.telemetry.bus
        let stream = bus.stream(since: since)
        let beats = AsyncTimerSequence(interval: .seconds(15), clock: .continuous)
        let merged = merge(stream.map { Optional($0) }, beats.map { _ in TelemetryEvent?.none })
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                // Say something at once, so a client knows the stream is open even before the first event.
                try await writer.write(ByteBuffer(string: ": superlearner events\n\n"))
                for await item in merged {
                    if let event = item {
                        try await writer.write(ByteBuffer(string: "id: \(event.sequence)\ndata: \(event.term.json)\n\n"))
                    } else {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
                try await writer.finish(nil)
            })
    }
}

func jsonResponseTerm(_ term: Term, status: HTTPResponse.Status = .ok) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: term.json + "\n")))
}
