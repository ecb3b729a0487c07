import Arsenal
import ArsenalHTTP
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOPosix
import ServiceLifecycle
import Supervision
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The command line's Unix socket, served by NIO's own HTTP/1 handlers on one event loop.
///
/// Every command opens a connection for one request. Hummingbird serves a connection through NIO's async
/// channel, whose generic machinery ran about 200 metadata lookups per request unspecialised: a 404 took
/// 512,000 instructions in the daemon. Here NIO parses the request and writes the answer on the loop, and
/// only the responder runs as a task (a child of this service, so graceful shutdown reaches it, and on the
/// loop, by the service's executor preference). The TCP listener stays on Hummingbird.
struct SocketServer: Service {
    let path: String
    let loop: any EventLoop
    let responder: DaemonResponder
    let maximumConnections: Int
    let maximumBodyBytes: Int
    /// How long a connection may stay silent between requests or inside a head.
    let idleTimeout: Duration
    /// How long a request may take from its head to its end.
    let bodyTimeout: Duration
    let logger: Logger
    let onRunning: @Sendable () -> Void

    func run() async throws {
        let quiescing = ServerQuiescingHelper(group: loop)
        let (requests, intake) = AsyncStream<SocketRequest>.makeStream()
        let cap = ConnectionCap(maximumConnections, listener: "socket", logger: logger)
        let maximumBodyBytes = maximumBodyBytes
        let idle = TimeAmount(idleTimeout)
        let bodyTimeout = bodyTimeout
        let server = try await ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AvailableConnectionsChannelHandler(delegate: cap))
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idle))
                    try pipeline.addHandler(
                        SocketRequestHandler(
                            intake: intake, maximumBodyBytes: maximumBodyBytes, bodyTimeout: bodyTimeout))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        onRunning()
        // The intake ends when every connection has closed after a graceful shutdown, or at once when the
        // listener closes without one (an error).
        let closed = loop.makePromise(of: Void.self)
        closed.futureResult.whenComplete { _ in intake.finish() }
        let shuttingDown = Atomic<Bool>(false)
        server.closeFuture.whenComplete { _ in
            if !shuttingDown.load(ordering: .acquiring) { intake.finish() }
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await request in requests {
                    group.addTask { await Self.answer(request, with: responder) }
                }
            }
        } onGracefulShutdown: {
            shuttingDown.store(true, ordering: .releasing)
            quiescing.initiateShutdown(promise: closed)
        }
        // Without a shutdown (the listener failed, or the group was cancelled) no one else fulfils the promise,
        // and NIO traps on a promise dropped unfulfilled.
        if !shuttingDown.load(ordering: .acquiring) { closed.succeed() }
        try? await server.close()
    }

    /// Adds the headers every answer on the socket carries: `Date` and `Server`.
    static func stamp(_ headers: inout HTTPFields) {
        headers[.date] = HTTPDate.now()
        headers[.server] = "superlearner"
    }

    /// Runs the responder and writes its response on the request's connection.
    static func answer(_ socketRequest: SocketRequest, with responder: DaemonResponder) async {
        let channel = socketRequest.channel
        var response = await responder.respond(to: socketRequest.request, channel: channel)
        stamp(&response.headers)
        let closes =
            socketRequest.request.headers[.connection]?.lowercased() == "close"
            || response.headers[.connection]?.lowercased() == "close"
        do {
            // A body of known length (every answer but the event stream) goes out with its head in one flush,
            // awaited once; a stream is flushed write by write, each awaited, so a slow reader holds it back.
            channel.write(HTTPResponsePart.head(response.head), promise: nil)
            if response.body.contentLength != nil {
                let collected = CollectingBodyWriter()
                try await response.body.write(collected)
                if collected.buffer.readableBytes > 0 {
                    channel.write(HTTPResponsePart.body(collected.buffer), promise: nil)
                }
                try await channel.writeAndFlush(HTTPResponsePart.end(nil)).get()
            } else {
                channel.flush()
                try await response.body.write(ChannelBodyWriter(channel: channel))
            }
            if closes { try await channel.close() }
        } catch {
            channel.close(promise: nil)
        }
    }
}

/// One whole request read from the socket, and the connection to answer on.
struct SocketRequest: Sendable {
    let request: Request
    let channel: any Channel
}

/// Gathers a body of known length into one buffer, to be written with its head.
final class CollectingBodyWriter: ResponseBodyWriter {
    private(set) var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// Writes a response body to a connection, each write flushed and awaited (a slow reader holds the writer
/// back instead of filling memory).
struct ChannelBodyWriter: ResponseBodyWriter {
    let channel: any Channel

    mutating func write(_ buffer: ByteBuffer) async throws {
        try await channel.writeAndFlush(HTTPResponsePart.body(buffer)).get()
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await channel.writeAndFlush(HTTPResponsePart.end(trailingHeaders)).get()
    }
}

/// Collects a request (head, body up to one byte past the limit, so the responder can refuse it) and hands
/// it on; closes a connection idle between requests, and answers 408 and closes one whose request has not
/// ended `bodyTimeout` after its head (a body that never finishes).
final class SocketRequestHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let intake: AsyncStream<SocketRequest>.Continuation
    private let maximumBodyBytes: Int
    private let bodyTimeout: Duration
    private var deadline: Scheduled<Void>?
    private var head: HTTPRequest?
    private var body = ByteBuffer()
    private var answering = false

    init(intake: AsyncStream<SocketRequest>.Continuation, maximumBodyBytes: Int, bodyTimeout: Duration) {
        self.intake = intake
        self.maximumBodyBytes = maximumBodyBytes
        self.bodyTimeout = bodyTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let channel = context.channel
            deadline = context.eventLoop.scheduleTask(in: TimeAmount(bodyTimeout)) {
                handler.value.refuseSlowBody(on: channel)
            }
        case .body(var part):
            let room = maximumBodyBytes + 1 - body.readableBytes
            if room > 0, let slice = part.readSlice(length: min(room, part.readableBytes)) {
                body.writeImmutableBuffer(slice)
            }
        case .end:
            deadline?.cancel()
            deadline = nil
            guard let head else { return }
            self.head = nil
            answering = true
            let request = Request(head: head, body: RequestBody(buffer: body))
            body = ByteBuffer()
            if case .terminated = intake.yield(SocketRequest(request: request, channel: context.channel)) {
                context.close(promise: nil)
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { answering = false }
        context.write(data, promise: promise)
    }

    /// Answers 408 `body_timeout` in the API's error envelope (as the TCP listener does) and closes; the rest
    /// of the request, should it come meanwhile, is not answered.
    private func refuseSlowBody(on channel: any Channel) {
        head = nil
        let error = APIError.bodyTimeout(bodyTimeout)
        var body = error.error.term.jsonUTF8
        body.append(UInt8(ascii: "\n"))
        var response = HTTPResponse(status: error.status)
        response.headerFields[.contentType] = "application/json; charset=utf-8"
        response.headerFields[.contentLength] = String(body.count)
        response.headerFields[.connection] = "close"
        SocketServer.stamp(&response.headerFields)
        channel.write(HTTPResponsePart.head(response), promise: nil)
        channel.write(HTTPResponsePart.body(ByteBuffer(bytes: body)), promise: nil)
        channel.writeAndFlush(HTTPResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            // Idle while an answer streams (the event stream) is the reader waiting, not a dead connection.
            if !answering || head != nil { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// The `Date` header's value: RFC 9110's IMF-fixdate, to the second.
enum HTTPDate {
    static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 40)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
