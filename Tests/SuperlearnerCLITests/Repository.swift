import Foundation
import Testing

/// The checkout the tests run in, for the tests that read or regenerate its committed docs.
enum Repository {
    /// The checkout's root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().standardizedFileURL

    /// Whether this run rewrites the generated docs instead of checking them (`make docs` sets
    /// SUPERLEARNER_WRITE_DOCS).
    static var writesDocs: Bool { ProcessInfo.processInfo.environment["SUPERLEARNER_WRITE_DOCS"] != nil }

    /// The Markdown files under `folder`, relative to the root (`docs/tutorials/ci.md`), build folders skipped.
    static func markdownFiles(under folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path) else {
            return []
        }
        var files: [String] = []
        while let file = walker.nextObject() as? String {
            if file.hasPrefix(".build") || file.contains("/.build") {
                walker.skipDescendants()
                continue
            }
            if file.hasSuffix(".md") { files.append(folder + "/" + file) }
        }
        return files.sorted()
    }

    /// Checks that the part of `page` between the marker comments `begin` and `end` is `generated`, or, when
    /// writing docs, puts it there.
    static func expectGeneratedSection(
        of page: String, between begin: String, and end: String, is generated: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let url = root.appendingPathComponent(page)
        let text = try String(contentsOf: url, encoding: .utf8)
        let start = try #require(text.range(of: begin), "\(page) has \(begin)", sourceLocation: sourceLocation)
        let stop = try #require(text.range(of: end), "\(page) has \(end)", sourceLocation: sourceLocation)
        let section = "\n" + generated + "\n"
        if writesDocs {
            try (text[..<start.upperBound] + section + text[stop.lowerBound...])
                .write(to: url, atomically: true, encoding: .utf8)
            return
        }
        #expect(
            String(text[start.upperBound..<stop.lowerBound]) == section,
            "\(page)'s generated section \(begin) is stale: run make docs", sourceLocation: sourceLocation)
    }
}
