import Foundation
import Testing

/// The docs as a web of pages: docs/README.md reaches every page of docs/ (through the tutorials' index
/// too), and no relative link in README.md, docs/ or the examples' READMEs points at a file that is not there.
@Suite("The docs' links")
struct DocsLinkTests {
    static let root = Repository.root

    /// The relative link targets of a Markdown file (no scheme, no pure anchors), resolved against its folder.
    static func links(in page: URL) throws -> [URL] {
        let text = try String(contentsOf: page, encoding: .utf8)
        let regex = try NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        let matches = regex.matches(in: text, range: NSRange(text.startIndex..., in: text))
        return matches.compactMap { match in
            guard let range = Range(match.range(at: 1), in: text) else { return nil }
            let target = String(text[range])
            if target.contains("://") || target.hasPrefix("#") || target.hasPrefix("mailto:") { return nil }
            let file = target.split(separator: "#", maxSplits: 1).first.map(String.init) ?? target
            return URL(fileURLWithPath: file, relativeTo: page.deletingLastPathComponent()).standardizedFileURL
        }
    }

    static func markdownFiles(under folder: String) -> [URL] {
        Repository.markdownFiles(under: folder).map { root.appendingPathComponent($0).standardizedFileURL }
    }

    @Test func theIndexReachesEveryPage() throws {
        var seen: Set<String> = []
        var queue = [Self.root.appendingPathComponent("docs/README.md").standardizedFileURL]
        while let page = queue.popLast() {
            guard seen.insert(page.path).inserted, page.pathExtension == "md",
                FileManager.default.fileExists(atPath: page.path)
            else { continue }
            queue += try Self.links(in: page)
        }
        let pages = Self.markdownFiles(under: "docs")
        #expect(pages.count > 20)
        for page in pages {
            #expect(seen.contains(page.path), "docs/README.md does not reach \(page.path)")
        }
    }

    @Test func everyRelativeLinkPointsAtAFile() throws {
        let pages =
            [Self.root.appendingPathComponent("README.md")] + Self.markdownFiles(under: "docs")
            + Self.markdownFiles(under: "Examples")
        var broken: [String] = []
        for page in pages {
            for target in try Self.links(in: page) where !FileManager.default.fileExists(atPath: target.path) {
                broken.append("\(page.path): \(target.path)")
            }
        }
        #expect(broken.isEmpty, "\(broken.joined(separator: "\n"))")
    }
}
