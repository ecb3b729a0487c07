import Testing

@testable import SuperlearnerCLI

/// `sandbox create --command` splits its text as a shell would, without running one.
@Suite("Shell words")
struct ShellWordsTests {
    @Test(arguments: [
        ("python3 -m http.server 8000", ["python3", "-m", "http.server", "8000"]),
        ("  sh  -c   'echo $HOME; exit 3'  ", ["sh", "-c", "echo $HOME; exit 3"]),
        (#"printf "a \"quoted\" \$word\n""#, ["printf", #"a "quoted" $word\n"#]),
        (#"a\ b c''d """#, ["a b", "cd", ""]),
    ])
    func wordsSplitLikeAShell(line: String, expected: [String]) throws {
        #expect(try ShellWords.split(line) == expected)
    }

    @Test(arguments: ["echo 'open", "echo \"open", "echo trailing\\"])
    func unterminatedQuotesAreRefused(line: String) {
        #expect(throws: ShellWords.Failure.self) { try ShellWords.split(line) }
    }
}
