import FuzzSupport

@testable import SuperlearnerCLI

#if canImport(Glibc)
    import Glibc
#endif

/// Words (the input split at NUL bytes) through the command-line parser: it parses or throws a usage
/// error, never traps; and a command it parses builds from its input without reading an undeclared name.
func fuzzCommandLine(_ bytes: UnsafeRawBufferPointer) {
    let words = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    guard let parsed = try? Parser.parse(words) else { return }
    if let command = parsed.spec.command {
        let input = CommandInput(parsed)
        _ = command.init(input)
        precondition(input.undeclared.isEmpty, "\(words) read \(input.undeclared)")
    }
}

#if FUZZING
    /// libFuzzer's entry point: one input per call.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzerTestOneInput(_ data: UnsafeRawPointer, _ count: Int) -> Int32 {
        fuzzCommandLine(UnsafeRawBufferPointer(start: data, count: count))
        return 0
    }
#else
    @main enum ReplayCommandLine {
        static func main() { exit(replay(Array(CommandLine.arguments.dropFirst()), through: fuzzCommandLine)) }
    }
#endif
