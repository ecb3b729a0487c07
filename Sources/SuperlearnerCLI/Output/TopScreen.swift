import CSuperlearner
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// The terminal while `top` runs: the alternate screen with the cursor hidden, keys read one at a time
/// without echo, Ctrl-C, SIGTERM and SIGHUP as a readable descriptor; `close()` puts everything back.
final class TopScreen {
    private var original = termios()
    private let ownsKeyboard: Bool
    private let interrupt: Int32

    enum Key {
        case quit
        case sort(String)
    }

    init() {
        interrupt = sl_interrupt_install()
        ownsKeyboard = isatty(0) == 1 && tcgetattr(0, &original) == 0
        if ownsKeyboard {
            var raw = original
            raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
            tcsetattr(0, TCSANOW, &raw)
        }
        Output.write("\u{1B}[?1049h\u{1B}[?25l", to: 1)
    }

    func close() {
        Output.write("\u{1B}[?25h\u{1B}[?1049l", to: 1)
        if ownsKeyboard { tcsetattr(0, TCSANOW, &original) }
    }

    var size: (rows: Int, columns: Int) {
        var rows: Int32 = 24
        var columns: Int32 = 80
        _ = sl_terminal_size(1, &rows, &columns)
        return (Int(rows), Int(columns))
    }

    /// Draws `lines` from the top left, each cut to `columns` and cleared to its end, then clears below.
    func draw(_ lines: [String], columns: Int) {
        let text = lines.map { TopScreen.fit($0, columns) + "\u{1B}[K" }.joined(separator: "\n")
        Output.write("\u{1B}[H" + text + "\u{1B}[J", to: 1)
    }

    /// Waits up to `interval` for a key that means something, or Ctrl-C.
    func waitForKey(upTo interval: Duration) -> Key? {
        let deadline = ContinuousClock.now + interval
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            let milliseconds = Int32(
                clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            var descriptors = [
                pollfd(fd: ownsKeyboard ? 0 : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&descriptors, 2, milliseconds) > 0 else { continue }
            if descriptors[1].revents != 0 {
                _ = sl_interrupt_take()
                return .quit
            }
            var bytes = [UInt8](repeating: 0, count: 16)
            let count = read(0, &bytes, bytes.count)
            guard count > 0 else { return .quit }  // the terminal went away
            for byte in bytes.prefix(count) {
                switch byte {
                case UInt8(ascii: "q"), UInt8(ascii: "Q"): return .quit
                case UInt8(ascii: "m"): return .sort("mailbox")
                case UInt8(ascii: "s"): return .sort("messages")
                case UInt8(ascii: "r"): return .sort("restarts")
                case UInt8(ascii: "p"): return .sort("pid")
                case UInt8(ascii: "y"): return .sort("memory")
                default: continue
                }
            }
        }
    }

    /// `line` cut to `columns` visible characters; colour escapes pass through without counting.
    static func fit(_ line: String, _ columns: Int) -> String {
        var out = ""
        var visible = 0
        var inEscape = false
        for character in line {
            if inEscape {
                out.append(character)
                if character.isLetter { inEscape = false }
                continue
            }
            if character == "\u{1B}" {
                inEscape = true
                out.append(character)
                continue
            }
            guard visible < columns else { return out + "\u{1B}[0m" }
            out.append(character)
            visible += 1
        }
        return out
    }
}
