#if canImport(Glibc)
    import Glibc
#endif

/// One of a fixed number of places for a running browser, shared by every process of the user on this
/// machine: the slots are files `slot-0` … `slot-(N-1)` in one folder, and a slot is held by an exclusive
/// `flock` on its file.
///
/// A lock rather than a count in a file because the kernel drops it when its holder dies, however it
/// dies: a `kill -9`ed test run leaves no slot taken. The descriptor is close-on-exec, so chromedriver and
/// chromium never inherit (and outlive us holding) the lock.
final class BrowserSlot: Sendable {
    /// The slot's file.
    let path: String
    /// How long the wait for it took.
    let waited: Duration
    private let descriptor: Int32

    private init(path: String, descriptor: Int32, waited: Duration) {
        self.path = path
        self.descriptor = descriptor
        self.waited = waited
    }

    /// The folder used when none is given: private to the user, under `$TMPDIR` (else `/tmp`).
    static var defaultFolder: String {
        let temporary = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return temporary + "/playwriter-slots-\(getuid())"
    }

    /// Waits for one of `limit` slots in `folder`, polling (a blocking `flock` would hold a thread of the
    /// cooperative pool); throws `timeout` after `patience`, and `CancellationError` when the task is
    /// cancelled.
    static func acquire(limit: Int, in folder: String, patience: Duration) async throws -> BrowserSlot {
        guard limit > 0 else {
            throw PlaywriterError(.invalidArgument, "the browser limit must be at least 1, not \(limit)")
        }
        try prepare(folder)
        let clock = ContinuousClock()
        let started = clock.now
        while true {
            for index in 0..<limit {
                let path = "\(folder)/slot-\(index)"
                let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
                guard descriptor >= 0 else {
                    throw PlaywriterError(
                        .invalidArgument, "cannot open the browser slot \(path): \(String(cString: strerror(errno)))")
                }
                if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                    return BrowserSlot(path: path, descriptor: descriptor, waited: clock.now - started)
                }
                close(descriptor)
            }
            if clock.now - started >= patience {
                throw PlaywriterError(
                    .timeout,
                    "all \(limit) browser slots in \(folder) stayed taken for \(patience) (PLAYWRITER_MAX_BROWSERS)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Creates the folder, private to the user, and refuses one that another user owns or others can write
    /// (it could hold links planted to make us open their files).
    private static func prepare(_ folder: String) throws(PlaywriterError) {
        if mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw PlaywriterError(
                .invalidArgument, "cannot create the browser slot folder \(folder): \(String(cString: strerror(errno)))"
            )
        }
        var status = stat()
        guard lstat(folder, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            throw PlaywriterError(.invalidArgument, "the browser slot folder \(folder) is not a folder")
        }
        guard status.st_uid == getuid(), status.st_mode & 0o022 == 0 else {
            throw PlaywriterError(
                .invalidArgument,
                "the browser slot folder \(folder) belongs to another user or others can write to it")
        }
    }

    /// Gives the slot back. Called once, when the browser has closed.
    func release() {
        close(descriptor)
    }
}
