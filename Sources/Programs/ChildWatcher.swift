import CSuperlearner
import Supervision
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One thread that learns of every program's exit (a pidfd per program, never polling) and reads every
/// program's output, through one epoll set.
///
/// Handlers run on the watcher thread and must be short: they hand a message to a process or append a line
/// to a log file. The thread never blocks on a program: pipes are non-blocking and read as they fill.
final class ChildWatcher: Sendable {
    static let shared = ChildWatcher()

    enum Watch {
        /// The pidfd became readable: the program exited (it is a zombie until reaped).
        case exit(descriptor: Int32, handler: @Sendable () -> Void)
        /// Output arrived; an empty chunk means end of file.
        case output(descriptor: Int32, handler: @Sendable ([UInt8]) -> Void)
    }

    private let epoll: Int32
    private let watches = Mutex<[UInt64: Watch]>([:])
    private let nextKey = Atomic<UInt64>(1)

    private init() {
        epoll = sl_epoll_create()
        precondition(epoll >= 0, "epoll_create1 failed: errno \(errno)")
        startThread(named: "sl-programs") { [self] in self.run() }
    }

    /// Calls `handler` once when the process behind `pidfd` exits.
    func onExit(of pidfd: Int32, _ handler: @escaping @Sendable () -> Void) {
        add(pidfd, .exit(descriptor: pidfd, handler: handler))
    }

    /// Calls `handler` with each chunk read from `descriptor` (made non-blocking), then once with an empty
    /// chunk at end of file, after which the descriptor is closed.
    func onOutput(of descriptor: Int32, _ handler: @escaping @Sendable ([UInt8]) -> Void) {
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        add(descriptor, .output(descriptor: descriptor, handler: handler))
    }

    private func add(_ descriptor: Int32, _ watch: Watch) {
        let key = nextKey.wrappingAdd(1, ordering: .relaxed).oldValue
        watches.withLock { $0[key] = watch }
        if sl_epoll_add(epoll, descriptor, key) != 0 {
            // Not watchable (should not happen for a pidfd or a pipe): report it at once rather than never.
            watches.withLock { _ = $0.removeValue(forKey: key) }
            switch watch {
            case .exit(_, let handler): handler()
            case .output(let fd, let handler):
                close(fd)
                handler([])
            }
        }
    }

    private func run() {
        var keys = [UInt64](repeating: 0, count: 64)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = keys.withUnsafeMutableBufferPointer { sl_epoll_wait(epoll, $0.baseAddress, 64, -1) }
            guard count > 0 else { continue }
            for index in 0..<Int(count) {
                let key = keys[index]
                guard let watch = watches.withLock({ $0[key] }) else { continue }
                switch watch {
                case .exit(let descriptor, let handler):
                    // Level-triggered: stop watching before the owner reaps and closes the descriptor.
                    _ = sl_epoll_remove(epoll, descriptor)
                    watches.withLock { _ = $0.removeValue(forKey: key) }
                    handler()
                case .output(let descriptor, let handler):
                    let read = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                    if read > 0 {
                        handler(Array(buffer[0..<read]))
                    } else if read == 0 || (errno != EAGAIN && errno != EINTR) {
                        _ = sl_epoll_remove(epoll, descriptor)
                        watches.withLock { _ = $0.removeValue(forKey: key) }
                        close(descriptor)
                        handler([])
                    }
                }
            }
        }
    }
}
