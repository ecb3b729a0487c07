#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole small text files, read and written with stdio: the pid file, the token file, spec files and
/// `--params @file`. One place for the daemon and the command line, neither of which links Foundation
/// for this.
package enum TextFile {
    /// The most a spec or parameter file (or standard input) may hold: the daemon takes no larger body.
    package static let maximumInputBytes = 1 << 20

    /// The file at `path` as UTF-8 text (`-` reads standard input to its end), at most `limit` bytes; `nil`,
    /// with `errno` set, when it cannot be opened (`EFBIG` when it is larger than `limit`).
    package static func read(_ path: String, limit: Int = Int.max) -> String? {
        let file: UnsafeMutablePointer<FILE>? = path == "-" ? fdopen(dup(0), "r") : fopen(path, "r")
        guard let file else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > limit {
                errno = EFBIG
                return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Replaces the file at `path` with `text`; whether all of it was written.
    package static func write(_ text: String, to path: String) -> Bool {
        guard let file = fopen(path, "w") else { return false }
        let bytes = Array(text.utf8)
        let written = fwrite(bytes, 1, bytes.count, file)
        return fclose(file) == 0 && written == bytes.count
    }
}

extension String {
    /// Without the whitespace (and newlines) at either end.
    package func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice = slice.dropFirst() }
        while slice.last?.isWhitespace == true { slice = slice.dropLast() }
        return String(slice)
    }
}
