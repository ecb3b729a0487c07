import FuzzSupport
import Sandbox

#if canImport(Glibc)
    import Glibc
#endif

/// Spec text, as YAML and as JSON, through the spec parser: it returns a spec or throws, never traps, and a
/// spec it returns converts back to spec-file form.
func fuzzSpecParser(_ bytes: UnsafeRawBufferPointer) {
    let text = String(decoding: bytes, as: UTF8.self)
    for format in [SandboxSpec.Format.yaml, .json] {
        if let spec = try? SandboxSpec.parse(text, format: format) { _ = spec.term }
    }
}

/// Under `make fuzz` libFuzzer drives the target; otherwise the inputs named on the command line replay.
@main enum FuzzSpecParserMain {
    static func main() {
        #if FUZZING
            runFuzzer { data, count in
                fuzzSpecParser(UnsafeRawBufferPointer(start: data, count: count))
                return 0
            }
        #else
            exit(replay(Array(CommandLine.arguments.dropFirst()), through: fuzzSpecParser))
        #endif
    }
}
