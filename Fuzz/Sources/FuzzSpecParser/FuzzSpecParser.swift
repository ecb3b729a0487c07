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

#if FUZZING
    /// libFuzzer's entry point: one input per call.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzerTestOneInput(_ data: UnsafeRawPointer, _ count: Int) -> Int32 {
        fuzzSpecParser(UnsafeRawBufferPointer(start: data, count: count))
        return 0
    }
#else
    @main enum ReplaySpecParser {
        static func main() { exit(replay(Array(CommandLine.arguments.dropFirst()), through: fuzzSpecParser)) }
    }
#endif
