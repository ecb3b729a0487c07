import SuperlearnerAPI
import Testing

/// A route template read segment by segment: what the daemon matches and the client fills.
@Suite struct RouteTemplateTests {
    @Test func segmentsAreTheLiteralsAndParametersBetweenSlashes() {
        let route = Route(.get, "/api//v1/processes/{pid}/info/")
        #expect(
            route.segments == [
                .literal("api"), .literal("v1"), .literal("processes"), .parameter("pid"), .literal("info"),
            ])
        #expect(route.pathParameters == ["pid"])
        #expect(Route(.get, "/").segments.isEmpty)
        #expect(Route(.get, "/{a}/{b}").pathParameters == ["a", "b"])
    }

    @Test func aPathFillsEachParameterAsOneEncodedSegment() {
        let route = Route(.post, "/api/v1/processes/{pid}/kill")
        #expect(route.path(["pid": "demo/counter 1"]) == "/api/v1/processes/demo%2Fcounter%201/kill")
        #expect(Route(.get, "/").path() == "/")
        #expect(
            Route(.get, "/api/v1/sandboxes").path(query: [("limit", "5"), ("after", "a b")])
                == "/api/v1/sandboxes?limit=5&after=a%20b")
    }
}
