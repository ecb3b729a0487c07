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
