import Supervision
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One line a program wrote, as kept in its log file.
public struct LogLine: Sendable, Hashable {
    /// When the daemon read it: UTC, ISO 8601 with microseconds, strictly increasing within one log, so it
    /// doubles as a cursor (`process logs --follow` asks for the lines after the last one it printed).
    public var at: String
    /// Which stream it came from.
    public var stream: OutputStream
    /// The line without its newline.
    public var text: String

    /// Creates a line.
    public init(at: String, stream: OutputStream, text: String) {
        self.at = at
        self.stream = stream
        self.text = text
    }
}

/// Standard output or standard error.
public enum OutputStream: String, Sendable, Hashable, CaseIterable {
    /// Standard output, written `out` in the file.
    case stdout
    /// Standard error, written `err` in the file.
    case stderr

    var tag: String { self == .stdout ? "out" : "err" }
}

/// A child's log: timestamped lines from both streams in one file, rotated at `maxBytes` keeping `backups`
/// older files (`NAME.log.1` the newest of them). It lives as long as the child's path, across restarts.
public final class ProgramLog: Sendable {
    /// The current file.
    public let path: String
    private struct State {
        var descriptor: Int32 = -1
        var size = 0
        var lastMicros: Int64 = 0
        var policy = ProgramSpec.LogPolicy()
        var lines = 0
        var splitLines = 0
        var stamp = StampCache()
    }
    private let state = Mutex(State())

    init(path: String) {
        self.path = path
    }

    /// A log that keeps nothing (for probe commands).
    static let discard = ProgramLog(path: "")

    deinit {
        state.withLock { if $0.descriptor >= 0 { close($0.descriptor) } }
    }

    /// Lines written since the daemon started, and lines longer than `LineSplitter.maximumLine` that were
    /// split to stay within the bounded buffer.
    public var counts: (lines: Int, split: Int) { state.withLock { ($0.lines, $0.splitLines) } }

    func use(_ policy: ProgramSpec.LogPolicy) {
        state.withLock { $0.policy = policy }
    }

    /// Appends lines from one read of `stream`, in one write (rotating first whenever the next line would
    /// overflow the file). Errors (a full disk) drop the lines rather than stall the program.
    func append(_ stream: OutputStream, lines: [ArraySlice<UInt8>]) {
        guard !path.isEmpty, !lines.isEmpty else { return }
        state.withLock { state in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(lines.reduce(0) { $0 + $1.count + 33 })
            let tag = stream.tag.utf8
            for text in lines {
                let micros = max(Int64(SystemClock.wallSeconds() * 1e6), state.lastMicros + 1)
                state.lastMicros = micros
                let length = 33 + text.count
                if state.size + buffer.count + length > state.policy.maxBytes && state.size + buffer.count > 0 {
                    write(&buffer, &state)
                    if state.descriptor >= 0 { rotate(&state) }
                }
                ProgramLog.appendTimestamp(micros: micros, to: &buffer, cache: &state.stamp)
                buffer.append(0x20)
                buffer.append(contentsOf: tag)
                buffer.append(0x20)
                buffer.append(contentsOf: text)
                buffer.append(0x0A)
                state.lines += 1
            }
            write(&buffer, &state)
        }
    }

    private func write(_ buffer: inout [UInt8], _ state: inout State) {
        guard !buffer.isEmpty else { return }
        if state.descriptor < 0 { open(&state) }
        if state.descriptor >= 0 {
            var offset = 0
            while offset < buffer.count {
                let written = buffer[offset...].withUnsafeBytes {
                    Glibc.write(state.descriptor, $0.baseAddress, $0.count)
                }
                if written <= 0 { break }
                offset += written
            }
            state.size += offset
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// `2026-12-01T17:00:00.` for the second being written, formatted once per second.
    struct StampCache {
        var second: Int64 = -1
        var prefix: [UInt8] = []
    }

    static func appendTimestamp(micros: Int64, to buffer: inout [UInt8], cache: inout StampCache) {
        let second = micros / 1_000_000
        if second != cache.second {
            cache.second = second
            cache.prefix = Array(timestamp(micros: second * 1_000_000).utf8.prefix(20))
        }
        buffer.append(contentsOf: cache.prefix)
        var fraction = micros % 1_000_000
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { bytes in
            for index in stride(from: 5, through: 0, by: -1) {
                bytes[index] = UInt8(0x30 + fraction % 10)
                fraction /= 10
            }
            buffer.append(contentsOf: bytes)
        }
        buffer.append(0x5A)
    }

    func countSplit() { state.withLock { $0.splitLines += 1 } }

    private func open(_ state: inout State) {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        ProgramLog.makeDirectories(directory)
        state.descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        var info = stat()
        state.size = fstat(state.descriptor, &info) == 0 ? Int(info.st_size) : 0
    }

    private func rotate(_ state: inout State) {
        close(state.descriptor)
        state.descriptor = -1
        let backups = state.policy.backups
        if backups == 0 {
            unlink(path)
        } else {
            unlink("\(path).\(backups)")
            for index in stride(from: backups - 1, through: 1, by: -1) {
                rename("\(path).\(index)", "\(path).\(index + 1)")
            }
            rename(path, "\(path).1")
        }
        state.size = 0
    }

    /// The kept lines, oldest first: those after the cursor `after` (a line's `at`) when given, else the last
    /// `limit`; only lines at or after `since` (an `at` value) and only from `stream` when given.
    ///
    /// Files are read newest first and no further back than needed: timestamps grow across rotations, so
    /// once a file holds a line at or before the cursor (or `since`), older files hold nothing wanted — a
    /// follower polling with its cursor reads the current file alone.
    public func read(after: String? = nil, since: String? = nil, stream: OutputStream? = nil, limit: Int = 1000)
        -> [LogLine]
    {
        let backups = state.withLock { $0.policy.backups }
        let files = [path] + (1...max(backups, 1)).map { "\(path).\($0)" }
        var newestFirst: [[LogLine]] = []
        var kept = 0
        for file in files {
            guard let bytes = ProgramLog.contents(of: file) else { continue }
            var lines: [LogLine] = []
            var reachedBack = false
            for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
                guard let line = ProgramLog.parse(raw) else { continue }
                if let bound = after, line.at <= bound {
                    reachedBack = true
                    continue
                }
                if let bound = since, line.at < bound {
                    reachedBack = true
                    continue
                }
                if let stream, line.stream != stream { continue }
                lines.append(line)
            }
            newestFirst.append(lines)
            kept += lines.count
            if reachedBack || (after == nil && kept >= limit) { break }
        }
        let lines = newestFirst.reversed().flatMap { $0 }
        return after != nil ? Array(lines.prefix(limit)) : Array(lines.suffix(limit))
    }

    static func parse(_ raw: ArraySlice<UInt8>) -> LogLine? {
        // `2026-12-01T17:00:00.123456Z out text`: 27 bytes of time, a space, three of stream, a space.
        guard raw.count >= 31 else { return nil }
        let start = raw.startIndex
        let at = String(decoding: raw[start..<(start + 27)], as: UTF8.self)
        let tag = String(decoding: raw[(start + 28)..<(start + 31)], as: UTF8.self)
        let stream: OutputStream = tag == "err" ? .stderr : .stdout
        let text = raw.count > 32 ? String(decoding: raw[(start + 32)...], as: UTF8.self) : ""
        return LogLine(at: at, stream: stream, text: text)
    }

    static func contents(of file: String) -> [UInt8]? {
        let descriptor = Glibc.open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    /// `2026-12-01T17:00:00.123456Z` for microseconds since 1970.
    public static func timestamp(micros: Int64) -> String {
        var seconds = time_t(micros / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let fraction = String(micros % 1_000_000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + String(repeating: "0", count: 6 - fraction.count) + fraction + "Z"
    }

    static func makeDirectories(_ directory: String) {
        var current = ""
        for component in directory.split(separator: "/") {
            current += "/" + component
            mkdir(current, 0o700)
        }
    }
}

/// Cuts one stream's chunks into lines for a log, bounding what it holds: a line longer than
/// `maximumLine` bytes is written in pieces (and counted), so a program that never prints a newline
/// costs the daemon at most that much memory.
final class LineSplitter: @unchecked Sendable {
    // @unchecked: used only from the watcher thread, which reads the one descriptor it belongs to.
    static let maximumLine = 16 * 1024
    private var pending: [UInt8] = []
    private let stream: OutputStream
    private let log: ProgramLog
    private let observer: (@Sendable (String) -> Void)?

    init(stream: OutputStream, log: ProgramLog, observer: (@Sendable (String) -> Void)?) {
        self.stream = stream
        self.log = log
        self.observer = observer
    }

    func consume(_ chunk: [UInt8]) {
        var lines: [ArraySlice<UInt8>] = []
        if chunk.isEmpty {
            if !pending.isEmpty { lines.append(pending[...]) }
            emit(lines)
            pending = []
            return
        }
        // Whole lines are cut from the chunk itself; only a trailing partial line is kept.
        var source = chunk[...]
        if !pending.isEmpty, let newline = source.firstIndex(of: 0x0A) {
            pending.append(contentsOf: source[..<newline])
            lines.append(pending[...])
            source = source[(newline + 1)...]
            pending = []
        } else if !pending.isEmpty {
            pending.append(contentsOf: source)
            source = source[source.endIndex...]
        }
        var start = source.startIndex
        while let newline = source[start...].firstIndex(of: 0x0A) {
            lines.append(source[start..<newline])
            start = newline + 1
        }
        pending.append(contentsOf: source[start...])
        while pending.count >= LineSplitter.maximumLine {
            lines.append(pending[0..<LineSplitter.maximumLine])
            log.countSplit()
            pending.removeFirst(LineSplitter.maximumLine)
        }
        emit(lines)
    }

    private func emit(_ lines: [ArraySlice<UInt8>]) {
        guard !lines.isEmpty else { return }
        let trimmed = lines.map { $0.last == 0x0D ? $0.dropLast() : $0 }
        log.append(stream, lines: trimmed)
        if let observer {
            for line in trimmed { observer(String(decoding: line, as: UTF8.self)) }
        }
    }
}
