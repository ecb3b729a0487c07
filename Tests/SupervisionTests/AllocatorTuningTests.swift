import Testing

@testable import Supervision

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct AllocatorTuningTests {
    /// Resident anonymous memory in KiB, from /proc/self/status.
    private func residentAnonymousKiB() throws -> Int {
        let file = try #require(fopen("/proc/self/status", "r"))
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, 256, file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("RssAnon:") {
                return Int(text.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
            }
        }
        Issue.record("no RssAnon in /proc/self/status")
        return 0
    }

    /// With the runtime's tuning, freed memory stays resident for the next burst; the daemon's periodic
    /// release must give it back, or its RSS only ratchets up (what `make soak` showed).
    @Test func releasingFreeMemoryGivesTheKernelBackWhatTheTuningKeeps() throws {
        #if canImport(Glibc)
            try #require(AllocatorTuning.applied, "GLIBC_TUNABLES is set: the runtime leaves the allocator alone")
            // 64 MiB in blocks small enough to come from an arena rather than their own mappings.
            var blocks: [UnsafeMutableRawPointer] = []
            for _ in 0..<(64 << 10) {
                let block = try #require(malloc(1024))
                memset(block, 1, 1024)
                blocks.append(block)
            }
            let allocated = try residentAnonymousKiB()
            for block in blocks.reversed() { free(block) }
            let kept = try residentAnonymousKiB()
            #expect(kept > allocated - 32 << 10, "the tuning keeps freed memory resident (\(allocated) → \(kept) KiB)")
            #expect(AllocatorTuning.releaseFreeMemory())
            let released = try residentAnonymousKiB()
            #expect(released < kept - 32 << 10, "released \(kept - released) KiB of 64 MiB freed")
        #endif
    }
}
