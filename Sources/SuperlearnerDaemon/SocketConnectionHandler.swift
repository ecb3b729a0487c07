import Arsenal
import ArsenalHTTP
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import Supervision

/// One whole request read from the socket, and the connection to answer on.
struct SocketRequest: Sendable {
    let request: Request
    let channel: any Channel
    /// Whether the client keeps the connection after the answer (HTTP/1.1 unless `Connection: close`;
    /// HTTP/1.0 only with `Connection: keep-alive`).
    let keepAlive: Bool
}

/// What an answer hands its connection, already in HTTP/1.1's wire form (`HTTP1Response`).
enum SocketResponsePart: Sendable {
    /// A whole response, head and body; the connection closes after it when `close` is set.
    case whole(ByteBuffer, close: Bool)
    /// The head of a chunked response, or one of its chunks.
    case chunk(ByteBuffer)
    /// The chunk that ends a chunked response; the connection closes after it when `close` is set.
    case lastChunk(close: Bool)
}

/// HTTP/1.1 on one socket connection, after NIO's parser: collects each request (head, and body up to one
/// byte past the limit, so the responder can refuse it) and hands it on; answers pipelined requests one at
/// a time, in order, reading no more while one is answered; closes a connection idle between requests;
/// answers 408 and closes one whose request has not ended `bodyTimeout` after its head; answers 400 and
/// closes one that does not speak HTTP; on a graceful stop, closes each connection once its answer is out.
final class SocketConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = SocketResponsePart
    typealias OutboundOut = ByteBuffer

    private let intake: AsyncStream<SocketRequest>.Continuation
    private let maximumBodyBytes: Int
    private let bodyTimeout: Duration
    /// The request being read, and its body so far.
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var deadline: Scheduled<Void>?
    /// Whole requests read while another is answered, in order.
    private var waiting = CircularBuffer<SocketRequest>()
    /// A request has been handed on and its answer is not all written yet.
    private var answering = false
    /// A read the channel asked for while answering, made once the answer is out.
    private var readPending = false
    /// The server is stopping: close once the current answer is out.
    private var quiescing = false
    /// An error answer (408, 400) to send once the current answer is out; nothing more is read or answered.
    private var refusal: ByteBuffer?

    init(intake: AsyncStream<SocketRequest>.Continuation, maximumBodyBytes: Int, bodyTimeout: Duration) {
        self.intake = intake
        self.maximumBodyBytes = maximumBodyBytes
        self.bodyTimeout = bodyTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refusal == nil else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            // A request that declares no body (HTTP/1.1 §6.3: no Content-Length, or 0, and no
            // Transfer-Encoding) ends with its head, so it needs no deadline: arming and cancelling one was
            // a fiftieth of a GET's instructions.
            let headers = head.headers
            guard headers.contains(name: "transfer-encoding") || (headers.first(name: "content-length") ?? "0") != "0"
            else { return }
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(in: TimeAmount(bodyTimeout)) {
                handler.value.refuse(APIError.bodyTimeout(handler.value.bodyTimeout), context: boundContext.value)
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
            let request: HTTPRequest
            do {
                request = try HTTPRequest(head, secure: false, splitCookie: false)
            } catch {
                refuse(APIError.badRequest("malformed request head: \(error)"), context: context)
                return
            }
            let whole = SocketRequest(
                request: Request(head: request, body: RequestBody(buffer: body)), channel: context.channel,
                keepAlive: head.isKeepAlive)
            body = ByteBuffer()
            if answering {
                waiting.append(whole)
            } else {
                hand(whole, context: context)
            }
        }
    }

    private func hand(_ request: SocketRequest, context: ChannelHandlerContext) {
        answering = true
        if case .terminated = intake.yield(request) {
            context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        // Reading on while an answer is pending would only queue requests: the client waits for each
        // answer anyway, and a client that does not read its answers should not fill our memory.
        if answering {
            readPending = true
        } else {
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .whole(let bytes, let close):
            context.writeAndFlush(wrapOutboundOut(bytes), promise: promise)
            answered(context: context, close: close)
        case .chunk(let bytes):
            context.writeAndFlush(wrapOutboundOut(bytes), promise: promise)
        case .lastChunk(let close):
            var bytes = context.channel.allocator.buffer(capacity: 5)
            bytes.writeStaticString(HTTP1Response.lastChunk)
            context.writeAndFlush(wrapOutboundOut(bytes), promise: promise)
            answered(context: context, close: close)
        }
    }

    /// The current answer is all written: close, refuse, hand on the next request, or read on.
    private func answered(context: ChannelHandlerContext, close: Bool) {
        answering = false
        if let refusal {
            send(refusal, thenCloseIn: context)
        } else if close || quiescing {
            waiting.removeAll()
            send(nil, thenCloseIn: context)
        } else if let next = waiting.popFirst() {
            hand(next, context: context)
        } else if readPending {
            readPending = false
            context.read()
        }
    }

    /// Answers `error` in the API's envelope and closes, once any answer in progress is out; the rest of the
    /// connection's input is not read.
    private func refuse(_ error: APIError, context: ChannelHandlerContext) {
        guard refusal == nil else { return }
        head = nil
        waiting.removeAll()
        var body = error.error.term.jsonUTF8
        body.append(UInt8(ascii: "\n"))
        var response = HTTPResponse(status: error.status)
        response.headerFields[.contentType] = "application/json; charset=utf-8"
        response.headerFields[.connection] = "close"
        var bytes = context.channel.allocator.buffer(capacity: 256 + body.count)
        HTTP1Response.writeHead(response, bodyLength: body.count, to: &bytes)
        bytes.writeBytes(body)
        refusal = bytes
        if !answering { send(bytes, thenCloseIn: context) }
    }

    /// Writes `bytes`, if any, and closes the connection once everything before them is written.
    private func send(_ bytes: ByteBuffer?, thenCloseIn context: ChannelHandlerContext) {
        let channel = context.channel
        if let bytes {
            context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in channel.close(promise: nil) }
        } else {
            // A write already queued (the answer just handed down) completes before this empty flush does.
            context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            refuse(APIError.badRequest("malformed HTTP request: \(error)"), context: context)
        } else {
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        waiting.removeAll()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is IdleStateHandler.IdleStateEvent:
            // Idle while an answer streams (the event stream) is the reader waiting, not a dead connection.
            if !answering || head != nil { context.close(promise: nil) }
        case is ChannelShouldQuiesceEvent:
            // Between requests: close now. Otherwise the request being read or answered gets its answer first.
            if answering || head != nil {
                quiescing = true
            } else {
                context.close(promise: nil)
            }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }
}
