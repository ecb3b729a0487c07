import Foundation
import Testing

@testable import SuperlearnerCLI

/// Every `superlearner …` command shown in the README, the docs (tutorials included) and the examples'
/// READMEs parses against the command tree: a renamed command, a removed flag or a bad value in a page fails
/// here. The console sessions that can run on their own are also run, with their output compared, by
/// EndToEndTests' DocsSessionTests.
@Suite("Every command line in the docs parses")
struct DocsCommandLineTests {
    static let root = Repository.root

    /// README.md, docs/**/*.md and Examples/*/README.md.
    static func pages() -> [String] {
        ["README.md"] + Repository.markdownFiles(under: "docs") + Repository.markdownFiles(under: "Examples")
    }

    /// The command lines of a page's `sh`, `bash` and `console` blocks (in a console block only the `$ `
    /// lines), with their line numbers.
    static func commandLines(in page: String) throws -> [(line: Int, text: String)] {
        let text = try String(contentsOf: root.appendingPathComponent(page), encoding: .utf8)
        var lines: [(Int, String)] = []
        var block: String? = nil
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") {
                block = block == nil ? String(line.dropFirst(3)) : nil
                continue
            }
            switch block {
            case "sh", "bash": lines.append((number + 1, String(line)))
            case "console" where line.hasPrefix("$ "): lines.append((number + 1, String(line.dropFirst(2))))
            default: break
            }
        }
        return lines
    }

    /// The words of each `superlearner` invocation in a shell line: after the word `superlearner` (also
    /// inside `<(` or `$(`), up to a shell operator or a comment.
    static func invocations(in line: String) -> [[String]] {
        guard let words = try? ShellWords.split(line) else { return [] }
        let operators: Set<String> = ["|", "||", "&&", ";", ">", ">>", "<", "2>", "2>&1", "&"]
        var result: [[String]] = []
        var current: [String]? = nil
        for word in words {
            if word.hasPrefix("#") || operators.contains(word) {
                if let done = current { result.append(done) }
                current = nil
                if word.hasPrefix("#") { break }
                continue
            }
            if current != nil {
                let closes = word.hasSuffix(")") && !word.contains("(")
                current!.append(closes ? String(word.dropLast()) : word)
                if closes {
                    result.append(current!)
                    current = nil
                }
            } else if word == "superlearner" || word == "<(superlearner" || word == "$(superlearner" {
                current = []
            }
        }
        if let done = current { result.append(done) }
        return result
    }

    @Test func everyShownCommandParses() throws {
        var checked = 0
        var failures: [String] = []
        for page in Self.pages() {
            for (number, line) in try Self.commandLines(in: page) {
                for words in Self.invocations(in: line) {
                    checked += 1
                    do {
                        _ = try Parser.parse(words)
                    } catch {
                        failures.append("\(page):\(number): superlearner \(words.joined(separator: " ")): \(error)")
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(checked > 80, "found \(checked) command lines")
    }

    @Test func theExtractorFindsInvocationsInsidePipesAndSubstitutions() {
        #expect(
            Self.invocations(in: "source <(superlearner completion bash)    # this session")
                == [["completion", "bash"]])
        #expect(
            Self.invocations(in: "superlearner sandbox export demo --format dot | dot -Tsvg > demo.svg")
                == [["sandbox", "export", "demo", "--format", "dot"]])
        #expect(Self.invocations(in: "superlearner sandbox status web || exit 1") == [["sandbox", "status", "web"]])
        #expect(Self.invocations(in: "man superlearner-sandbox").isEmpty)
        #expect(throws: UsageError.self) { try Parser.parse(["sandbox", "create", "x", "--no-such-flag"]) }
    }
}
