import Arsenal
import ArsenalHTTP
import AsyncAlgorithms
import CoreMetrics
import HTTPTypes
import Hummingbird
import NIOCore
import SuperlearnerAPI
import Supervision
import Telemetry

/// Everything the daemon serves, from one route table: the Arsenal API plus the daemon's own routes (event
/// stream, Prometheus metrics, status, readiness, stop, dashboard). Request metrics and, on TCP, the
/// bearer token are middleware around every route.
struct DaemonResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let api: ArsenalResponder

    /// The API with the daemon's routes added; `requiredToken` guards every request when set (TCP).
    init(arsenal: ArsenalResponder, status: DaemonStatus, requiredToken: String?, allowDestructiveUI: Bool) {
        var api = arsenal
        let telemetry = arsenal.context.telemetry
        let runtime = arsenal.context.runtime
        api.add(APIRoutes.metrics, family: "metrics") { _, _ in
            telemetry.sample(runtime)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: telemetry.export(.prometheus))))
        }
        api.add(APIRoutes.events, family: "events") { request, _ in
            try DaemonResponder.events(request, bus: telemetry.bus)
        }
        api.add(APIRoutes.daemonStatus, family: "daemon") { _, _ in jsonResponse(["data": status.term]) }
        api.add(APIRoutes.daemonReady, family: "daemon") { _, _ in
            // 200 once every listener accepts connections, 503 before: what `server start` waits for.
            guard status.daemon.isReady else {
                throw OperationError(.unavailable, code: "starting", "the daemon is still starting its listeners")
            }
            return jsonResponse(["data": ["ready": true, "port": status.term["port"] ?? .null]])
        }
        api.add(APIRoutes.daemonStop, family: "daemon") { _, _ in
            // Graceful shutdown lets in-flight requests (this one) finish, so the caller still gets its answer
            // and then waits for the socket to close.
            await status.daemon.stop()
            return jsonResponse(["data": ["stopping": true, "pid": status.term["pid"] ?? .null]], status: .accepted)
        }
        for route in [APIRoutes.dashboard, APIRoutes.dashboardIndex] {
            api.add(route, family: "dashboard") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                    body: ResponseBody(
                        byteBuffer: ByteBuffer(string: Dashboard.html(allowDestructive: allowDestructiveUI))))
            }
        }
        api.middleware = [RequestMetrics(metrics: telemetry.metrics)]
        if let requiredToken { api.middleware.append(BearerToken(token: requiredToken)) }
        self.api = api
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        await api.respond(to: request)
    }

    /// Server-sent events: `id:` is the telemetry sequence number, `data:` the event as JSON. Resumes after
    /// `?since=SEQ` or the `Last-Event-ID` header; a comment every 15 s keeps proxies and clients awake.
    static func events(_ request: Request, bus: EventBus) throws -> Response {
        var since: UInt64? = nil
        if let query = request.uri.query {
            for pair in query.split(separator: "&") where pair.hasPrefix("since=") {
                guard let value = UInt64(pair.dropFirst("since=".count)) else {
                    throw OperationError(
                        .badRequest, code: "bad_request", "since must be a sequence number", field: "since")
                }
                since = value
            }
        }
        if since == nil, let header = request.headers[HTTPField.Name("Last-Event-ID")!] {
            guard let value = UInt64(header) else {
                throw OperationError(.badRequest, code: "bad_request", "Last-Event-ID must be a sequence number")
            }
            since = value
        }
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
                        try await writer.write(
                            ByteBuffer(string: "id: \(event.sequence)\ndata: \(event.term.json)\n\n"))
                    } else {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
                try await writer.finish(nil)
            })
    }
}

/// Counts every request: `superlearner_http_requests_total` by method, route family and status, and
/// `superlearner_http_request_duration_seconds` by route family (to the response head; an event stream's
/// body goes on after it). The family is the matched route's, so PIDs and ids in paths never make one time
/// series each.
struct RequestMetrics: RouteMiddleware {
    let metrics: Metrics

    func handle(_ request: Request, family: String?, next: @Sendable (Request) async -> Response) async -> Response {
        let started = ContinuousClock.now
        let response = await next(request)
        let family = family ?? (request.uri.path.hasPrefix("/api/") ? "api" : "other")
        let elapsed = ContinuousClock.now - started
        metrics.counter(
            "superlearner_http_requests_total",
            [("method", request.method.rawValue), ("route", family), ("status", String(response.status.code))]
        ).increment()
        metrics.timer("superlearner_http_request_duration_seconds", [("route", family)]).recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return response
    }
}

/// Refuses any request without `Authorization: Bearer <token>` (401), before routing.
struct BearerToken: RouteMiddleware {
    let token: String

    func handle(_ request: Request, family: String?, next: @Sendable (Request) async -> Response) async -> Response {
        guard request.headers[.authorization] == "Bearer \(token)" else {
            var error = APIError(OperationError(.badRequest, code: "unauthorized", "a bearer token is required on TCP"))
            error.status = .unauthorized
            return error.response
        }
        return await next(request)
    }
}
