import Arsenal
import ArsenalHTTP
import AsyncAlgorithms
import CoreMetrics
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import SuperlearnerAPI
import Supervision
import Synchronization
import Telemetry

/// Everything the daemon serves, from one route table: the Arsenal API plus the daemon's own routes (event
/// stream, Prometheus metrics, status, readiness, stop, dashboard). Request metrics and the listener's
/// guards (on TCP: Host and Origin, the token, JSON bodies) are middleware around every route.
struct DaemonResponder: HTTPResponder {
    typealias Context = DaemonRequestContext

    let api: ArsenalResponder

    /// The API with the daemon's routes added and `guards` (outermost first) inside the request metrics.
    init(
        arsenal: ArsenalResponder, status: DaemonStatus, events: EventStream, guards: [any RouteMiddleware],
        dashboard: Dashboard
    ) {
        var api = arsenal
        let telemetry = arsenal.context.telemetry
        let runtime = arsenal.context.runtime
        api.add(APIRoutes.metrics, family: "metrics") { _, _ in
            telemetry.sample(runtime)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: telemetry.export(.prometheus))))
        }
        api.add(APIRoutes.events, family: "events") { request, route in
            try events.respond(to: request, closeConnection: route.closeConnection)
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
        let assets: [(Route, String, String)] = [
            (APIRoutes.dashboard, "text/html; charset=utf-8", dashboard.html),
            (APIRoutes.dashboardIndex, "text/html; charset=utf-8", dashboard.html),
            (APIRoutes.dashboardScript, "text/javascript; charset=utf-8", Dashboard.script),
            (APIRoutes.dashboardStyle, "text/css; charset=utf-8", Dashboard.style),
        ]
        for (route, type, text) in assets {
            let body = ByteBuffer(string: text)
            api.add(route, family: "dashboard") { _, _ in
                Response(
                    status: .ok,
                    headers: [
                        .contentType: type, .cacheControl: "no-store",
                        // The page runs only its own script and talks only to this daemon; no other site may
                        // frame it (clickjacking the action buttons).
                        HTTPField.Name("Content-Security-Policy")!: Dashboard.contentSecurityPolicy,
                        HTTPField.Name("X-Frame-Options")!: "DENY",
                        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                        HTTPField.Name("Referrer-Policy")!: "no-referrer",
                    ],
                    body: ResponseBody(byteBuffer: body))
            }
        }
        api.middleware = [RequestMetrics(metrics: telemetry.metrics)] + guards
        self.api = api
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        await respond(to: request, channel: context.channel)
    }

    /// The response to `request`, which came on `channel` (closed if a stream's reader stops reading).
    func respond(to request: Request, channel: any Channel) async -> Response {
        await api.respond(to: request) { delay in
            let scheduled = channel.eventLoop.scheduleTask(in: TimeAmount(delay)) { channel.close(promise: nil) }
            return { scheduled.cancel() }
        }
    }
}

/// A request context that knows its connection, so a stream whose reader stopped reading can be closed.
struct DaemonRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// The event stream (`GET /api/v1/events`): server-sent events, `id:` the telemetry sequence number and
/// `data:` the event as JSON, resumed after `?since=SEQ` or `Last-Event-ID`, a comment every 15 s to keep
/// proxies and clients awake. Each reader has a bounded queue: one that falls `queueCapacity` events
/// behind gets `: lagged, resume with Last-Event-ID` as its last line, and its connection is closed if
/// even that cannot be written within `lagGrace`. At most `maximumSubscribers` read at once (503 after).
final class EventStream: Sendable {
    let bus: EventBus
    let maximumSubscribers: Int
    let queueCapacity: Int
    let lagGrace: Duration
    /// Readers following now.
    let active = Atomic<Int>(0)

    init(bus: EventBus, maximumSubscribers: Int, queueCapacity: Int = 256, lagGrace: Duration = .seconds(2)) {
        self.bus = bus
        self.maximumSubscribers = maximumSubscribers
        self.queueCapacity = queueCapacity
        self.lagGrace = lagGrace
    }

    /// The comment a reader gets before it is cut off for falling behind.
    static let laggedComment = ": lagged, resume with Last-Event-ID\n\n"

    func respond(
        to request: Request, closeConnection: @escaping @Sendable (Duration) -> (@Sendable () -> Void)
    ) throws -> Response {
        let since = try Self.resumePoint(request)
        let count = active.add(1, ordering: .relaxed).newValue
        let slot = Slot(self)
        guard count <= maximumSubscribers else {
            throw OperationError(
                .unavailable, code: "too_many_subscribers",
                "\(maximumSubscribers) readers already follow the event stream; try again later")
        }
        // If the reader stops reading, the final comment cannot get through either: close the connection
        // after a grace period unless the stream has ended by then.
        let cancelClose = Mutex<(@Sendable () -> Void)?>(nil)
        let grace = lagGrace
        let subscription = bus.subscribe(since: since, capacity: queueCapacity) {
            let cancel = closeConnection(grace)
            cancelClose.withLock { $0 = cancel }
        }
        let beats = AsyncTimerSequence(interval: .seconds(15), clock: .continuous)
        // A stopping daemon ends its streams at once: a dashboard left open must not hold the stop up.
        let (stops, stopper) = AsyncStream<Tick>.makeStream()
        let merged = merge(subscription.batches(limit: 128).map { Tick.batch($0) }, beats.map { _ in Tick.beat }, stops)
        return Response(
            status: .ok,
            // One stream per connection: once it ends (lagged or the daemon stopping) the connection closes too.
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .connection: "close"],
            body: ResponseBody { writer in
                defer {
                    subscription.cancel()
                    cancelClose.withLock { $0 }?()
                    _ = slot
                }
                // Say something at once, so a client knows the stream is open even before the first event.
                try await writer.write(ByteBuffer(string: ": superlearner events\n\n"))
                try await withGracefulShutdownHandler {
                    // `merge` can deadlock when its consumer runs on a serial executor such as the socket's
                    // event loop (apple/swift-async-algorithms#430): the stream waits on the global pool.
                    try await withTaskExecutorPreference(globalConcurrentExecutor) {
                        try await Self.forward(merged, to: &writer)
                    }
                } onGracefulShutdown: {
                    stopper.yield(.stop)
                }
                try await writer.finish(nil)
            })
    }

    /// What the stream's loop wakes up for.
    enum Tick: Sendable {
        case batch([EventSubscription.Item])
        case beat
        case stop
    }

    /// Writes batches of events (and keep-alive comments) until the reader lags, the daemon stops or the
    /// subscription ends.
    static func forward<Ticks: AsyncSequence>(_ merged: Ticks, to writer: inout any ResponseBodyWriter) async throws
    where Ticks.Element == Tick {
        loop: for try await tick in merged {
            let batch: [EventSubscription.Item]
            switch tick {
            case .stop: break loop
            case .beat:
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                continue
            case .batch(let items): batch = items
            }
            // One write per batch of ready events, not one per event.
            var frames = ""
            var lagged = false
            for item in batch {
                switch item {
                case .event(let event): frames += "id: \(event.sequence)\ndata: \(event.term.json)\n\n"
                case .lagged: lagged = true
                }
            }
            if lagged { frames += Self.laggedComment }
            try await writer.write(ByteBuffer(string: frames))
            if lagged { break loop }
        }
    }

    /// `Last-Event-ID`, else `?since=SEQ`, else the whole kept history. The header wins: a browser's
    /// `EventSource` reconnects to the URL it was opened with (its `since` included) and adds the header
    /// with the last event it got, which is the later point.
    static func resumePoint(_ request: Request) throws -> UInt64? {
        if let header = request.headers[HTTPField.Name("Last-Event-ID")!] {
            guard let value = UInt64(header) else {
                throw OperationError(.badRequest, code: "bad_request", "Last-Event-ID must be a sequence number")
            }
            return value
        }
        if let query = request.uri.query {
            for pair in query.split(separator: "&") where pair.hasPrefix("since=") {
                guard let value = UInt64(pair.dropFirst("since=".count)) else {
                    throw OperationError(
                        .badRequest, code: "bad_request", "since must be a sequence number", field: "since")
                }
                return value
            }
        }
        return nil
    }

    /// Gives a reader's place back when its response is done with (or was never sent).
    final class Slot: Sendable {
        let stream: EventStream
        init(_ stream: EventStream) { self.stream = stream }
        deinit { stream.active.subtract(1, ordering: .relaxed) }
    }
}

/// Counts every request: `superlearner_http_requests_total` by method, route family and status, and
/// `superlearner_http_request_duration_seconds` by route family (to the response head; an event stream's
/// body goes on after it). The family is the matched route's, so PIDs and ids in paths never make one time
/// series each.
struct RequestMetrics: RouteMiddleware {
    let metrics: Metrics
    /// Each series' counter and timer, found by its labels without writing out a key string per request.
    private let series = SeriesTable()

    private final class SeriesTable: Sendable {
        let handles = Mutex<[Series: (requests: CoreMetrics.Counter, duration: CoreMetrics.Timer)]>([:])
    }

    /// The labels of one series; their number is bounded (methods × families × statuses).
    private struct Series: Hashable {
        let method: HTTPRequest.Method
        let family: String
        let status: Int
    }

    init(metrics: Metrics) { self.metrics = metrics }

    func handle(_ request: Request, family: String?, next: @Sendable (Request) async -> Response) async -> Response {
        let started = ContinuousClock.now
        let response = await next(request)
        let family = family ?? (request.uri.path.hasPrefix("/api/") ? "api" : "other")
        let elapsed = ContinuousClock.now - started
        let key = Series(method: request.method, family: family, status: response.status.code)
        let handles =
            series.handles.withLock { $0[key] }
            ?? {
                let made = (
                    requests: metrics.counter(
                        "superlearner_http_requests_total",
                        [("method", request.method.rawValue), ("route", family), ("status", String(key.status))]),
                    duration: metrics.timer("superlearner_http_request_duration_seconds", [("route", family)])
                )
                series.handles.withLock { $0[key] = made }
                return made
            }()
        handles.requests.increment()
        handles.duration.recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return response
    }
}
