import Foundation
import Supervision
import Testing

/// The shell sessions in the docs, run against the real binary: in every page (README.md, docs/**/*.md)
/// every `console` block is run, its `$ superlearner …` lines in order in one fresh home per page; each must
/// succeed, and the lines printed under it are compared with what the binary prints, with PIDs, times and
/// durations (which differ from run to run) masked on both sides. A block that cannot run on its own says
/// why in an `<!-- not run: … -->` comment on the line before it, and names the test that covers it.
@Suite("The docs' shell sessions run as written")
struct DocsSessionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The pages with at least one `console` block.
    static func pagesWithSessions() -> [String] {
        var pages = ["README.md"]
        if let walker = FileManager.default.enumerator(atPath: root + "/docs") {
            while let file = walker.nextObject() as? String {
                if file.hasSuffix(".md") { pages.append("docs/" + file) }
            }
        }
        return pages.filter { page in
            (try? String(contentsOfFile: root + "/" + page, encoding: .utf8))?.contains("```console") == true
        }.sorted()
    }

    /// The `console` blocks of a Markdown file, but those marked `<!-- not run: … -->`: each command with the
    /// output lines shown under it.
    static func sessions(in file: String) throws -> [(command: [String], output: [String])] {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var steps: [(command: [String], output: [String])] = []
        var inConsole = false
        var inFence = false
        var previous = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            defer { previous = line }
            if line.hasPrefix("```") {
                inFence.toggle()
                inConsole = inFence && line == "```console" && !previous.hasPrefix("<!-- not run:")
                continue
            }
            guard inConsole else { continue }
            if line.hasPrefix("$ superlearner ") {
                steps.append(
                    (Array(line.dropFirst("$ superlearner ".count).split(separator: " ").map(String.init)), []))
            } else if !steps.isEmpty {
                steps[steps.count - 1].output.append(line)
            }
        }
        return steps
    }

    /// A line with what varies between runs replaced: PIDs, clock times, decimal numbers of seconds, seeds
    /// and the restart budget in use.
    static func masked(_ line: String) -> String {
        var result = line
        for (pattern, replacement) in [
            // How much of a restart budget is in use depends on how long ago the last restart was: on a loaded
            // machine a session's steps can be more than the window apart.
            (#"budget \d+ of (\d+) in (\d+) s(, next slot in [0-9.]+ s)?"#, "budget B of $1 in $2 s"),
            (#"<\d+\.\d+\.\d+>"#, "<PID>"), (#"\d{2}:\d{2}:\d{2}\.\d{3}"#, "TIME"), (#"\d+\.\d+ s"#, "N s"),
            (#"\(pid \d+, socket [^)]+\)"#, "(pid N, socket PATH)"), (#"seed \d+"#, "seed N"),
        ] {
            result = result.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return result
    }

    @Test func theSessionsAreFound() {
        let pages = Self.pagesWithSessions()
        for page in ["README.md", "docs/getting-started.md", "docs/concepts.md", "docs/tutorials/ci.md"] {
            #expect(pages.contains(page), "\(page) has a console session")
        }
    }

    @Test(arguments: pagesWithSessions())
    func theSessionRunsAsWritten(file: String) async throws {
        let home = TestHome()
        defer { home.close() }
        let steps = try Self.sessions(in: Self.root + "/" + file)
        for step in steps {
            let result = await home.run(step.command)
            #expect(result.status == 0, "superlearner \(step.command.joined(separator: " ")): \(result.stderr)")
            // Lines shown as `superlearner: …` are what the command says on standard error (the daemon it
            // started, a warning); the rest is standard output.
            let shownOnStderr = step.output.filter { $0.hasPrefix("superlearner: ") }
            let printed = result.stdout.split(separator: "\n").map { Self.masked(String($0)) }
            #expect(
                printed == step.output.filter { !$0.hasPrefix("superlearner: ") }.map(Self.masked),
                "superlearner \(step.command.joined(separator: " ")) printed:\n\(result.stdout)")
            let said = result.stderr.split(separator: "\n").map { Self.masked(String($0)) }
            #expect(
                said == shownOnStderr.map(Self.masked),
                "superlearner \(step.command.joined(separator: " ")) said on stderr:\n\(result.stderr)")
        }
    }
}
