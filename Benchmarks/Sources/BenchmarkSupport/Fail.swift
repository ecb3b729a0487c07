#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Prints `message` as one line on standard error and exits with `code`: a benchmark tool that cannot go on
/// says why instead of trapping.
public func fail(_ message: String, code: Int32 = 1) -> Never {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(code)
}
