import NIOCore
import NIOHTTP1
import NIOPosix
import Supervision

/// JSON over HTTP/1.1 to chromedriver on loopback: one request per connection, each with a deadline.
struct WebDriverConnection: Sendable {
    let port: Int
    let timeout: Duration

    /// The W3C answer: the status and the JSON body's `value`.
    struct Answer {
        var status: Int
        var value: Term
    }

    func send(_ method: HTTPMethod, _ path: String, _ body: Term? = nil, timeout: Duration? = nil)
        async throws(PlaywriterError) -> Answer
    {
        let limit = timeout ?? self.timeout
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await connect()
        } catch {
            throw PlaywriterError(.driverFailed, "\(method) \(path): cannot connect to chromedriver: \(error)")
        }
        // Whatever ends the wait — the answer, the deadline, the caller's cancellation — the connection is
        // closed, so the exchange cannot outlive it.
        let outcome: Result<Answer?, any Error> = await withTaskCancellationHandler {
            do {
                return .success(
                    try await withThrowingTaskGroup(of: Answer?.self) { group in
                        group.addTask { try await self.exchange(channel, method, path, body) }
                        group.addTask {
                            try await Task.sleep(for: limit)
                            return nil
                        }
                        let first = try await group.next() ?? nil
                        channel.channel.close(promise: nil)
                        group.cancelAll()
                        return first
                    })
            } catch {
                channel.channel.close(promise: nil)
                return .failure(error)
            }
        } onCancel: {
            channel.channel.close(promise: nil)
        }
        switch outcome {
        case .success(let answer?): return answer
        case .success(nil):
            throw PlaywriterError(.timeout, "chromedriver did not answer \(method) \(path) within \(limit)")
        case .failure(let error as PlaywriterError): throw error
        case .failure(let error): throw PlaywriterError(.driverFailed, "\(method) \(path): \(error)")
        }
    }

    private func connect() async throws -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel)
                }
            }
    }

    private func exchange(
        _ channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>, _ method: HTTPMethod,
        _ path: String, _ body: Term?
    ) async throws -> Answer {
        let payload = body.map { ByteBuffer(string: $0.json) }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "127.0.0.1:\(port)")
        headers.add(name: "Connection", value: "close")
        if let payload {
            headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            headers.add(name: "Content-Length", value: String(payload.readableBytes))
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(
                .head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
            if let payload { try await outbound.write(.body(.byteBuffer(payload))) }
            try await outbound.write(.end(nil))
            var status = 0
            var received = ByteBuffer()
            loop: for try await part in inbound {
                switch part {
                case .head(let head): status = Int(head.status.code)
                case .body(var chunk): received.writeBuffer(&chunk)
                case .end: break loop
                }
            }
            let text = received.readString(length: received.readableBytes) ?? ""
            let value = (try? Term(json: text))?["value"] ?? .null
            return Answer(status: status, value: value)
        }
    }
}
