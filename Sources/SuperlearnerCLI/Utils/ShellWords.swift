/// Splits a command line into words as a POSIX shell would, without running one: white space separates,
/// single quotes keep everything literally, double quotes keep white space (with `\"`, `\\`, `\$` and
/// `` \` `` escaped), and a backslash outside quotes escapes the next character. No expansion of any kind.
enum ShellWords {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func split(_ line: String) throws(Failure) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            switch character {
            case " ", "\t", "\n":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case "'":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "'" {
                        closed = true
                        break
                    }
                    current.append(next)
                }
                if !closed { throw Failure(description: "unterminated single quote") }
            case "\"":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "\"" {
                        closed = true
                        break
                    }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { break }
                        if !"\"\\$`".contains(escaped) { current.append("\\") }
                        current.append(escaped)
                    } else {
                        current.append(next)
                    }
                }
                if !closed { throw Failure(description: "unterminated double quote") }
            case "\\":
                inWord = true
                guard let escaped = iterator.next() else { throw Failure(description: "a trailing backslash") }
                current.append(escaped)
            default:
                inWord = true
                current.append(character)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
