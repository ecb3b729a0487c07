import CSuperlearner
import Foundation
import Testing

@testable import Playwriter

#if canImport(Glibc)
    import Glibc
#endif

/// `maximumBrowsers`: places for browsers kept as `flock`s on files, so that they are counted across
/// processes and freed when a holder dies however it dies.
@Suite("Playwriter: a limit on browsers running at once")
struct BrowserSlotTests {
    /// Another process holding one slot's lock, as another test run's browser would.
    final class Holder: @unchecked Sendable {
        // @unchecked: `reaped` is only touched by the test that owns the holder, one call at a time.
        let pid: pid_t
        let log: String

        init(_ slot: String) async throws {
            log = slot + ".holder"
            let script =
                "import fcntl, time; f = open('\(slot)', 'a'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(120)"
            let arguments = ["python3", "-c", script]
            var argv = arguments.map { strdup($0) } + [nil]
            var environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                for pointer in argv { free(pointer) }
                for pointer in environment { free(pointer) }
            }
            pid = sl_spawn("/usr/bin/python3", &argv, &environment, "/", nil, log, nil, 1)
            try #require(pid > 0)
            for _ in 0..<600 {
                if (try? String(contentsOfFile: log, encoding: .utf8))?.contains("held") == true { return }
                try await Task.sleep(for: .milliseconds(25))
            }
            Issue.record("the holder never took \(slot)")
        }

        private var reaped = false

        /// `kill -9`: the kernel drops its lock. Once only: a reaped PID may already name another process.
        func kill() {
            guard !reaped else { return }
            reaped = true
            Glibc.kill(pid, SIGKILL)
            _ = sl_wait(pid)
        }
    }

    static func folder() throws -> String {
        var template = Array((NSTemporaryDirectory() + "slots-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(cString: try #require(made))
    }

    @Test func aSlotHeldByAnotherProcessIsWaitedForAndFreedWhenItsHolderDies() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let holder = try await Holder(folder + "/slot-0")
        defer { holder.kill() }

        // One place, taken elsewhere: the wait ends in a timeout that names the setting.
        await #expect {
            _ = try await BrowserSlot.acquire(limit: 1, in: folder, patience: .milliseconds(300))
        } throws: { error in
            guard let error = error as? PlaywriterError else { return false }
            return error.code == .timeout && error.message.contains("PLAYWRITER_MAX_BROWSERS")
                && error.message.contains(folder)
        }
        // Two places: the free one is taken at once.
        let second = try await BrowserSlot.acquire(limit: 2, in: folder, patience: .zero)
        #expect(second.path == folder + "/slot-1")
        second.release()

        // A wait in progress ends when the holder is killed, not before.
        let clock = ContinuousClock()
        let waiting = Task {
            let slot = try await BrowserSlot.acquire(limit: 1, in: folder, patience: .seconds(60))
            return (slot, clock.now)
        }
        try await Task.sleep(for: .milliseconds(500))
        let killed = clock.now
        holder.kill()
        let (slot, acquired) = try await waiting.value
        #expect(slot.path == folder + "/slot-0")
        #expect(acquired > killed, "taken \(killed - acquired) before its holder died")

        // Held here, it is taken for everyone else, this process included; given back, it is free. (Not
        // necessarily at once: a process another test forks at that moment shares the lock until it execs.)
        await #expect(throws: PlaywriterError.self) {
            _ = try await BrowserSlot.acquire(limit: 1, in: folder, patience: .milliseconds(100))
        }
        slot.release()
        try await BrowserSlot.acquire(limit: 1, in: folder, patience: .seconds(10)).release()
    }

    @Test func aBadLimitOrAnUnsafeFolderIsRefusedWithWhatIsWrong() async throws {
        #expect(throws: PlaywriterError.self) { try BrowserOptions(maximumBrowsers: 0).browserLimit() }
        #expect(try BrowserOptions(maximumBrowsers: 3).browserLimit() == 3)
        #expect(throws: PlaywriterError.self) { try BrowserOptions(commandTimeout: .zero).commandLimit() }
        #expect(try BrowserOptions(commandTimeout: .seconds(90)).commandLimit() == .seconds(90))
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }

        func refusal(limit: Int = 1, in folder: String) async -> String? {
            do {
                try await BrowserSlot.acquire(limit: limit, in: folder, patience: .zero).release()
                return nil
            } catch let error as PlaywriterError where error.code == .invalidArgument {
                return error.message
            } catch {
                return "unexpected: \(error)"
            }
        }
        #expect(await refusal(limit: 0, in: folder)?.contains("at least 1") == true)
        chmod(folder, 0o777)
        #expect(await refusal(in: folder)?.contains("others can write") == true)
        chmod(folder, 0o700)
        #expect(await refusal(in: folder) == nil)
        try "x".write(toFile: folder + "/file", atomically: true, encoding: .utf8)
        #expect(await refusal(in: folder + "/file")?.contains("is not a folder") == true)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: folder)
        #expect(await refusal(in: folder + "/link")?.contains("is not a folder") == true)
    }

    @Test(.timeLimit(.minutes(3)))
    func aBrowserPastTheLimitStartsOnlyWhenAPlaceIsFreeAndGivesItBack() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let holder = try await Holder(folder + "/slot-0")
        defer { holder.kill() }
        let options = BrowserOptions(maximumBrowsers: 1, slotFolder: folder)
        let clock = ContinuousClock()
        let launched = Task {
            try await Playwriter.withBrowser(options) { browser in
                (clock.now, browser.slotWait, try await browser.newPage().title())
            }
        }
        try await Task.sleep(for: .seconds(1))
        let killed = clock.now
        holder.kill()
        let (ran, slotWait, _) = try await launched.value
        #expect(ran > killed, "the body ran \(killed - ran) before the place was free")
        #expect(slotWait > .zero)
        // Closed, the browser has given its place back (a process forked elsewhere in the test run may
        // share the lock for a moment, until it execs).
        try await BrowserSlot.acquire(limit: 1, in: folder, patience: .seconds(10)).release()
    }
}
