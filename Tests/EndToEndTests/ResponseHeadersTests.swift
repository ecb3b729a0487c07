import Testing

@testable import SuperlearnerClient

@Suite struct ResponseHeadersTests {
    @Test func aHeaderIsFoundByItsLowerCaseNameAndTheLastOneWins() {
        var headers = ResponseHeaders()
        headers.append(name: "content-type", value: "text/plain")
        headers.append(name: "set-cookie", value: "a=1")
        headers.append(name: "set-cookie", value: "b=2")
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["set-cookie"] == "b=2")
        #expect(headers["content-length"] == nil)
    }
}

@Suite struct StatusLineTests {
    @Test(arguments: [
        ("HTTP/1.1 200 OK", 200), ("HTTP/1.0 404 Not Found", 404), ("HTTP/1.1 503", 503),
        ("HTTP/1.1 201 Created with spaces", 201),
    ])
    func theCodeOfAStatusLineIsRead(line: String, code: Int) {
        #expect(SuperlearnerClient.status(ofStatusLine: line) == code)
    }

    @Test(arguments: [
        "", "HTTP/2 200 OK", "HTTP/1.1", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 2x0 OK", "SSH-2.0 OpenSSH",
    ])
    func aLineThatIsNoHTTPStatusLineIsRefused(line: String) {
        #expect(SuperlearnerClient.status(ofStatusLine: line) == nil)
    }
}
