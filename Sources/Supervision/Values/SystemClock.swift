import CSuperlearner

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The two clocks superlearner reads, in one place: wall-clock time for timestamps people read (event
/// times, creation dates) and monotonic time for everything measured or waited on.
public enum SystemClock {
    /// Seconds since 1970 (CLOCK_REALTIME): for timestamps, never for measuring.
    public static func wallSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Monotonic nanoseconds (CLOCK_MONOTONIC): the clock every runtime deadline is measured on.
    @inline(__always)
    public static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Monotonic seconds, for durations reported as numbers.
    public static func monotonicSeconds() -> Double {
        Double(SystemClock.monotonicNanoseconds()) / 1e9
    }
}
