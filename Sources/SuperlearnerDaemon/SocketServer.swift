import Arsenal
import ArsenalHTTP
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Supervision
import Synchronization

/// The command line's Unix socket: NIO's HTTP/1 parser and our `SocketConnectionHandler` on one event loop.
///
/// Every command opens a connection for one request. Hummingbird serves a connection through NIO's async
/// channel, whose generic machinery ran about 200 metadata lookups per request unspecialised: a 404 took
/// 512,000 instructions in the daemon. Here NIO parses the request, the handler collects it on the loop, and
/// only the responder runs as a task (a child of this service, so graceful shutdown reaches it, and on the
/// loop, by the service's executor preference); the answer goes back as bytes (`HTTP1Response`). The TCP
/// listener stays on Hummingbird.
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
                    // NIO's parser, then one handler of ours for the rest of HTTP/1.1: pipelining, errors,
                    // deadlines and writing answers as bytes. NIO's server helpers (pipelining, error
                    // handling, the HTTPTypes codec and the response encoder) each looked at every part of
                    // every answer again, a sixth of a trivial request's instructions.
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idle))
                    try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try pipeline.addHandler(
                        SocketConnectionHandler(
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

    /// Runs the responder and writes its response on the request's connection.
    static func answer(_ socketRequest: SocketRequest, with responder: DaemonResponder) async {
        let channel = socketRequest.channel
        var response = await responder.respond(to: socketRequest.request, channel: channel)
        let closes = !socketRequest.keepAlive || response.headers[.connection]?.lowercased() == "close"
        if closes { response.headers[.connection] = "close" }
        do {
            if response.body.contentLength != nil {
                // A body of known length (every answer but the event stream) goes out with its head: one
                // buffer, one write, not awaited (the handler closes the connection after it if asked).
                let collected = CollectingBodyWriter()
                try await response.body.write(collected)
                var bytes = channel.allocator.buffer(capacity: 256 + collected.buffer.readableBytes)
                HTTP1Response.writeHead(response.head, bodyLength: collected.buffer.readableBytes, to: &bytes)
                bytes.writeImmutableBuffer(collected.buffer)
                channel.writeAndFlush(SocketResponsePart.whole(bytes, close: closes), promise: nil)
            } else {
                // A stream is written chunk by chunk, each awaited, so a slow reader holds it back.
                var head = channel.allocator.buffer(capacity: 256)
                HTTP1Response.writeHead(response.head, bodyLength: nil, to: &head)
                try await channel.writeAndFlush(SocketResponsePart.chunk(head)).get()
                try await response.body.write(ChunkedBodyWriter(channel: channel, closes: closes))
            }
        } catch {
            channel.close(promise: nil)
        }
    }
}

/// Gathers a body of known length into one buffer, to be written with its head.
final class CollectingBodyWriter: ResponseBodyWriter {
    private(set) var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        if self.buffer.readableBytes == 0 {
            self.buffer = buffer
        } else {
            var buffer = buffer
            self.buffer.writeBuffer(&buffer)
        }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// Writes a streamed response body as HTTP/1.1 chunks, each write flushed and awaited (a slow reader holds
/// the writer back instead of filling memory).
struct ChunkedBodyWriter: ResponseBodyWriter {
    let channel: any Channel
    /// Whether the connection closes after the last chunk.
    let closes: Bool

    mutating func write(_ buffer: ByteBuffer) async throws {
        guard buffer.readableBytes > 0 else { return }  // an empty chunk would end the body
        var chunk = channel.allocator.buffer(capacity: buffer.readableBytes + 12)
        HTTP1Response.writeChunk(buffer, to: &chunk)
        try await channel.writeAndFlush(SocketResponsePart.chunk(chunk)).get()
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await channel.writeAndFlush(SocketResponsePart.lastChunk(close: closes)).get()
    }
}
