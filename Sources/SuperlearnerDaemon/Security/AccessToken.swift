import SuperlearnerClient

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The secret every TCP request must present: 32 random bytes as hex, created at the daemon's first
/// start in the 0600 token file of its home (`SUPERLEARNER_TOKEN` overrides it). Clients on the same
/// account read the file; anyone else cannot.
public enum AccessToken {
    /// A new token from the system's cryptographic random source.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String(
            (0..<32).flatMap { _ -> [Character] in
                let byte = UInt8.random(in: 0...255, using: &generator)
                return [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            })
    }

    /// The token in `path`, creating the file (0600, atomically) with a new token when there is none.
    /// - Throws: `DaemonError.insecureTokenFile` when the file can be read by others, `.io` when it cannot
    ///   be written.
    public static func loadOrCreate(at path: String) throws(DaemonError) -> String {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & 0o077 == 0 else { throw .insecureTokenFile(path) }
            if let token = TextFile.read(path)?.trimmingWhitespace(), !token.isEmpty { return token }
        }
        let token = generate()
        let temporary = path + ".new"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw .io("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array((token + "\n").utf8)
        let written = write(descriptor, bytes, bytes.count)
        fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .io("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return token
    }

    /// Compares a presented secret with the expected one in time that depends only on their lengths, so
    /// the comparison does not tell an attacker how many leading characters were right.
    static func matches(_ presented: some StringProtocol, _ expected: String) -> Bool {
        let lhs = Array(presented.utf8)
        let rhs = Array(expected.utf8)
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            difference |= (index < lhs.count ? lhs[index] : 0) ^ (index < rhs.count ? rhs[index] : 0)
        }
        return difference == 0
    }
}
