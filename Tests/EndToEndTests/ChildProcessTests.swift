import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The harness's bounded wait: a command that hangs is killed at the limit and reported, so one hang fails its
/// test instead of stalling the whole run until CI's limit.
@Suite struct ChildProcessTests {
    @Test func aChildThatOutlivesTheLimitIsKilledAndReaped() throws {
        let child = try ChildProcess("/bin/sleep", ["30"], environment: [:], output: "/dev/null")
        #expect(child.exitStatus(within: .milliseconds(200)) == nil)
        #expect(kill(child.pid, 0) == -1, "killed and reaped, not left as a zombie")
    }

    @Test func exitCodesAndSignalsAreReportedAsTheShellDoes() throws {
        let exits = try ChildProcess("/bin/sh", ["-c", "exit 3"], environment: [:], output: "/dev/null")
        #expect(exits.exitStatus(within: .seconds(60)) == 3)
        let signalled = try ChildProcess("/bin/sh", ["-c", "kill -TERM $$"], environment: [:], output: "/dev/null")
        #expect(signalled.exitStatus(within: .seconds(60)) == 128 + SIGTERM)
    }
}
