import HTTPTypes
import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A response's head and chunks in HTTP/1.1's wire form (RFC 9112), written straight into a buffer: what
/// the socket's connections send.
enum HTTP1Response {
    /// Writes the status line and header fields of `head`, then `Date`, `Server` and the body's framing:
    /// `Content-Length: bodyLength` when the length is known, chunked transfer coding when it is `nil`.
    static func writeHead(_ head: HTTPResponse, bodyLength: Int?, to buffer: inout ByteBuffer) {
        let code = head.status.code
        buffer.writeStaticString("HTTP/1.1 ")
        writeDecimal(code, to: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        // A status made from its code alone has no phrase; NIO knows the standard ones.
        let phrase = head.status.reasonPhrase
        buffer.writeString(phrase.isEmpty ? HTTPResponseStatus(statusCode: code).reasonPhrase : phrase)
        buffer.writeStaticString("\r\n")
        var framed = false
        for field in head.headerFields {
            switch field.name {
            case .date, .server: continue
            case .contentLength, .transferEncoding: framed = true
            default: break
            }
            buffer.writeString(field.name.rawName)
            buffer.writeStaticString(": ")
            buffer.writeString(field.value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Date: ")
        buffer.writeString(HTTPDate.now())
        buffer.writeStaticString("\r\nServer: superlearner\r\n")
        // RFC 9110 §8.6: no Content-Length on a 1xx, 204 or 304 answer, which never has a body.
        let bodiless = code < 200 || code == 204 || code == 304
        if !framed && !bodiless {
            if let bodyLength {
                buffer.writeStaticString("Content-Length: ")
                writeDecimal(bodyLength, to: &buffer)
                buffer.writeStaticString("\r\n")
            } else {
                buffer.writeStaticString("Transfer-Encoding: chunked\r\n")
            }
        }
        buffer.writeStaticString("\r\n")
    }

    /// Writes `data` as one chunk of a chunked body; `data` must not be empty (an empty chunk ends a body).
    static func writeChunk(_ data: ByteBuffer, to buffer: inout ByteBuffer) {
        buffer.writeString(String(data.readableBytes, radix: 16))
        buffer.writeStaticString("\r\n")
        buffer.writeImmutableBuffer(data)
        buffer.writeStaticString("\r\n")
    }

    /// The chunk that ends a chunked body, without trailers.
    static let lastChunk: StaticString = "0\r\n\r\n"

    private static func writeDecimal(_ value: Int, to buffer: inout ByteBuffer) {
        if value < 10 {
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(value))
        } else {
            buffer.writeString(String(value))
        }
    }
}

/// The `Date` header's value: RFC 9110's IMF-fixdate, to the second.
enum HTTPDate {
    /// The last second formatted and its text: every answer carries the header, and formatting it took more
    /// instructions than finding most routes.
    private static let last = Mutex<(second: time_t, text: String)>((-1, ""))

    static func now() -> String {
        let second = time(nil)
        if let text = last.withLock({ $0.second == second ? $0.text : nil }) { return text }
        let text = format(second)
        last.withLock { $0 = (second, text) }
        return text
    }

    private static func format(_ second: time_t) -> String {
        var seconds = second
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 40)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
