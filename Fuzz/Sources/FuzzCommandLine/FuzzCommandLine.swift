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

/// Under `make fuzz` libFuzzer drives the target; otherwise the inputs named on the command line replay.
@main enum FuzzCommandLineMain {
    static func main() {
        #if FUZZING
            runFuzzer { data, count in
                fuzzCommandLine(UnsafeRawBufferPointer(start: data, count: count))
                return 0
            }
        #else
            exit(replay(Array(CommandLine.arguments.dropFirst()), through: fuzzCommandLine))
        #endif
    }
}
