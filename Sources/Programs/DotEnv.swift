/// Reads dotenv text: `KEY=value` lines, `export KEY=value`, `#` comments, blank lines, values in single
/// quotes (literal) or double quotes (with `\n`, `\t`, `\"` and `\\`), and unquoted values with trailing
/// ` # comments` removed.
enum DotEnv {
    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    static func parse(_ text: String) throws(Failure) -> [(String, String)] {
        var result: [(String, String)] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine.trimmingCharacters(" \t\r"))
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = Substring(line.dropFirst(7).trimmingCharacters(" \t")) }
            guard let equals = line.firstIndex(of: "=") else {
                throw Failure(line: offset + 1, message: "expected KEY=value")
            }
            let key = String(line[..<equals].trimmingCharacters(" \t"))
            guard let first = key.first, first == "_" || first.isLetter,
                key.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }), key.allSatisfy(\.isASCII)
            else {
                throw Failure(line: offset + 1, message: "invalid variable name \"\(key)\"")
            }
            var value = Substring(line[line.index(after: equals)...].trimmingCharacters(" \t"))
            if value.hasPrefix("'") {
                guard let close = value.dropFirst().firstIndex(of: "'") else {
                    throw Failure(line: offset + 1, message: "unterminated single quote")
                }
                value = value[value.index(after: value.startIndex)..<close]
            } else if value.hasPrefix("\"") {
                var unescaped = ""
                var escaping = false
                var closed = false
                for character in value.dropFirst() {
                    if escaping {
                        switch character {
                        case "n": unescaped.append("\n")
                        case "t": unescaped.append("\t")
                        default: unescaped.append(character)
                        }
                        escaping = false
                    } else if character == "\\" {
                        escaping = true
                    } else if character == "\"" {
                        closed = true
                        break
                    } else {
                        unescaped.append(character)
                    }
                }
                guard closed else { throw Failure(line: offset + 1, message: "unterminated double quote") }
                value = Substring(unescaped)
            } else if let comment = value.firstRange(of: " #") {
                value = Substring(value[..<comment.lowerBound].trimmingCharacters(" \t"))
            }
            result.append((key, String(value)))
        }
        return result
    }
}

extension StringProtocol {
    func trimmingCharacters(_ set: String) -> String {
        let characters = Set(set)
        guard let first = firstIndex(where: { !characters.contains($0) }) else { return "" }
        let last = lastIndex(where: { !characters.contains($0) })!
        return String(self[first...last])
    }
}
