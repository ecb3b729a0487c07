import Hummingbird
import NIOCore
import NIOHTTP1
import NIOPosix

/// The API's way to the store: one HTTP/1.1 request per connection over loopback, with NIO's async channel.
struct StoreClient: Sendable {
    let port: Int

    /// The store's answer as the API's answer; 503 when the store cannot be reached (it is being restarted).
    func forward(_ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil) async throws -> Response {
        do {
            let (status, answer) = try await send(method, path, body: body)
            return Response(
                status: .init(code: Int(status.code)), headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: answer))
        } catch {
            return Response(
                status: .serviceUnavailable,
                body: .init(byteBuffer: ByteBuffer(string: "store unreachable: try again in a moment\n")))
        }
    }

    /// Sends one request to the store and collects its whole answer.
    func send(_ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil) async throws -> (
        status: HTTPResponseStatus, body: ByteBuffer
    ) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
            head.headers.add(name: "host", value: "127.0.0.1:\(port)")
            head.headers.add(name: "content-length", value: "\(body?.readableBytes ?? 0)")
            head.headers.add(name: "connection", value: "close")
            try await outbound.write(.head(head))
            if let body { try await outbound.write(.body(.byteBuffer(body))) }
            try await outbound.write(.end(nil))
            var status = HTTPResponseStatus.badGateway
            var answer = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let head): status = head.status
                case .body(var chunk): answer.writeBuffer(&chunk)
                case .end: return (status, answer)
                }
            }
            throw StoreUnreachable()
        }
    }
}

struct StoreUnreachable: Error {}
