import FuzzSupport
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// Bytes through the JSON decoder the API reads bodies with: it returns a value or throws, never traps, and
/// a value it returns encodes and decodes to itself.
func fuzzJSONBody(_ bytes: UnsafeRawBufferPointer) {
    guard let term = try? Term(jsonBytes: Array(bytes)) else { return }
    guard let again = try? Term(json: term.json), again == term || term.hasNaN else {
        fatalError("\(term) did not survive a round trip through its own JSON")
    }
}

extension Term {
    /// NaN is never equal to itself, so a value holding one cannot compare equal after a round trip.
    var hasNaN: Bool {
        switch self {
        case .double(let value): value.isNaN
        case .array(let items): items.contains { $0.hasNaN }
        case .object(let members): members.values.contains { $0.hasNaN }
        default: false
        }
    }
}

/// Under `make fuzz` libFuzzer drives the target; otherwise the inputs named on the command line replay.
@main enum FuzzJSONBodyMain {
    static func main() {
        #if FUZZING
            runFuzzer { data, count in
                fuzzJSONBody(UnsafeRawBufferPointer(start: data, count: count))
                return 0
            }
        #else
            exit(replay(Array(CommandLine.arguments.dropFirst()), through: fuzzJSONBody))
        #endif
    }
}
