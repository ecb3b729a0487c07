import Foundation
import Testing

/// docs/daemon.md's table of the routes that are not an operation's own is generated from APIRoutes.swift:
/// each `Route(.method, "path")` with its `///` comment (SUPERLEARNER_WRITE_DOCS=1, which `make docs` sets,
/// rewrites it). Every operation's route is in docs/operations.md and docs/openapi.json, from the registry.
@Suite("docs/daemon.md's routes match APIRoutes")
struct RouteReferenceTests {

    /// Each route of APIRoutes.swift in its order: `METHOD path` and its doc comment as one line.
    static func routes() throws -> [(route: String, summary: String)] {
        let source = try String(
            contentsOf: Repository.root.appendingPathComponent("Sources/SuperlearnerAPI/APIRoutes.swift"),
            encoding: .utf8)
        var routes: [(String, String)] = []
        var comment: [String] = []
        let declaration = try NSRegularExpression(pattern: #"Route\(\.([a-z]+), "([^"]+)"\)"#)
        for line in source.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("///") {
                comment.append(String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces))
                continue
            }
            let range = NSRange(line.startIndex..., in: line)
            if let match = declaration.firstMatch(in: line, range: range),
                let method = Range(match.range(at: 1), in: line), let path = Range(match.range(at: 2), in: line)
            {
                routes.append(("\(line[method].uppercased()) \(line[path])", comment.joined(separator: " ")))
            }
            comment = []
        }
        return routes
    }

    @Test func theTableIsGeneratedFromAPIRoutes() throws {
        let routes = try Self.routes()
        #expect(routes.count >= 10)
        #expect(routes.allSatisfy { !$0.summary.isEmpty }, "every route in APIRoutes has a doc comment")
        let table =
            (["| route | what |", "|---|---|"]
            + routes.map { "| `\($0.route)` | \($0.summary.replacingOccurrences(of: "|", with: "\\|")) |" })
            .joined(separator: "\n")
        try Repository.expectGeneratedSection(
            of: "docs/daemon.md", between: "<!-- routes: generated from APIRoutes -->", and: "<!-- end routes -->",
            is: table)
    }
}
