import CSuperlearner

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the runtime asks glibc's allocator to behave, set once when the first runtime starts.
///
/// A process is a few small allocations (its cell, mailbox, task frame) made on one scheduler thread and
/// freed on another. With glibc's defaults every burst of spawns grows a thread arena a little and every
/// burst of exits trims it back with `madvise`/`brk`, so `perf` showed spawn+exit spending most of its time
/// in the kernel. Growing in large steps and trimming only very large free tops (BEAM keeps its own carriers
/// for the same reason) removes that churn. Set `GLIBC_TUNABLES` to choose other values; then the runtime
/// leaves the allocator alone.
package enum AllocatorTuning {
    /// Bytes added beyond each request when an arena grows.
    static let topPad: Int32 = 64 << 20
    /// Free memory at an arena's top kept rather than returned to the kernel.
    static let trimThreshold: Int32 = 256 << 20
    /// Requests at least this large get their own mapping.
    static let mmapThreshold: Int32 = 4 << 20

    /// Whether the tuning was applied (false when the user set `GLIBC_TUNABLES`, or off glibc).
    static let applied: Bool = {
        guard getenv("GLIBC_TUNABLES") == nil else { return false }
        return sl_tune_allocator(topPad, trimThreshold, mmapThreshold) == 1
    }()

    /// Gives the kernel back the free pages the tuning keeps (`malloc_trim`), so a long-running process's
    /// RSS follows what it uses rather than its busiest moment. Does nothing when the tuning is not applied:
    /// with `GLIBC_TUNABLES` set, glibc trims by the user's rules.
    /// - Returns: whether any memory went back.
    @discardableResult
    package static func releaseFreeMemory() -> Bool {
        applied && sl_release_free_memory() == 1
    }
}
