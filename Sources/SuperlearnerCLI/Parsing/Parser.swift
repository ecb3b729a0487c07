import Supervision

/// A command line that parsed: which command, its positional values and its flags.
struct ParsedCommand: Sendable {
    /// The command words after `superlearner` (`["sandbox", "create"]`).
    var path: [String]
    /// The command's spec.
    var spec: CommandSpec
    /// Positional values by argument name (variadic ones hold several).
    var arguments: [String: [String]]
    /// Flag values by long name (switches hold `"true"`).
    var flags: [String: [String]]

    /// Read through `CommandInput`, which checks every name against the command's declaration.
}

/// A command line that did not parse: one clear line, exit code 2.
struct UsageError: Error, Sendable, CustomStringConvertible {
    /// The line.
    var message: String
    /// The command the error is about, for a pointer to its help.
    var path: [String]
    /// `message`.
    var description: String { message }
}

/// Parses words against the command tree.
enum Parser {
    /// Parses `words` (without the program name).
    /// - Throws: `UsageError` naming the unknown word (with a suggestion), the missing argument or the bad value.
    static func parse(_ words: [String], tree: CommandSpec = CommandTree.root) throws(UsageError) -> ParsedCommand {
        var spec = tree
        var path: [String] = []
        var positionals: [String] = []
        var flags: [String: [String]] = [:]
        var index = 0
        var onlyPositionals = false
        while index < words.count {
            let word = words[index]
            index += 1
            if !onlyPositionals && word == "--" {
                onlyPositionals = true
                continue
            }
            if !onlyPositionals && word.hasPrefix("-") && word != "-" && !isNegativeNumber(word) {
                let known = spec.flags + CommandTree.globalFlags
                if word.hasPrefix("--") {
                    var name = String(word.dropFirst(2))
                    var inline: String? = nil
                    if let equals = name.firstIndex(of: "=") {
                        inline = String(name[name.index(after: equals)...])
                        name = String(name[..<equals])
                    }
                    guard let flag = known.first(where: { $0.long == name }) else {
                        throw unknownFlag("--\(name)", known.map { "--" + $0.long }, path: path)
                    }
                    let value = try flagValue(flag, inline: inline, words: words, index: &index, path: path)
                    try record(flag, value, into: &flags, path: path)
                } else {
                    let letters = Array(word.dropFirst())
                    for (position, letter) in letters.enumerated() {
                        guard let flag = known.first(where: { $0.short == letter }) else {
                            throw unknownFlag("-\(letter)", known.compactMap { $0.short.map { "-\($0)" } }, path: path)
                        }
                        var inline: String? = nil
                        if flag.value != nil && position < letters.count - 1 {
                            inline = String(letters[(position + 1)...])
                        }
                        let value = try flagValue(flag, inline: inline, words: words, index: &index, path: path)
                        try record(flag, value, into: &flags, path: path)
                        if inline != nil { break }
                    }
                }
                continue
            }
            if positionals.isEmpty && spec.hasSubcommands {
                if let next = spec.subcommand(word) {
                    spec = next
                    path.append(word)
                    continue
                }
                if spec.arguments.isEmpty {
                    let names = spec.subcommands.filter { !$0.hidden }.map(\.name)
                    let place = path.isEmpty ? "command" : "\(path.joined(separator: " ")) command"
                    throw UsageError(message: "unknown \(place) '\(word)'\(suggestion(word, names))", path: path)
                }
            }
            positionals.append(word)
        }
        if flags["help"] != nil { return ParsedCommand(path: path, spec: spec, arguments: [:], flags: flags) }
        if spec.hasSubcommands && spec.arguments.isEmpty && path.count > 0 && spec.command == nil {
            let names = spec.subcommands.filter { !$0.hidden }.map(\.name).joined(separator: ", ")
            throw UsageError(message: "'\(path.joined(separator: " "))' needs a command: \(names)", path: path)
        }
        var arguments: [String: [String]] = [:]
        var remaining = positionals[...]
        for argument in spec.arguments {
            if argument.variadic {
                arguments[argument.name] = Array(remaining)
                remaining = []
                break
            }
            guard let value = remaining.first else {
                if argument.optional { continue }
                throw UsageError(
                    message: "missing \(argument.name) (\(argument.summary)); usage: \(Help.usage(spec, path: path))",
                    path: path)
            }
            try check(value, against: argument.kind, name: argument.name, path: path)
            arguments[argument.name] = [value]
            remaining = remaining.dropFirst()
        }
        if let extra = remaining.first {
            throw UsageError(
                message: "unexpected argument '\(extra)'; usage: \(Help.usage(spec, path: path))", path: path)
        }
        return ParsedCommand(path: path, spec: spec, arguments: arguments, flags: flags)
    }

    static func isNegativeNumber(_ word: String) -> Bool {
        word.count > 1 && word.dropFirst().allSatisfy { $0.isNumber || $0 == "." }
    }

    static func flagValue(_ flag: FlagSpec, inline: String?, words: [String], index: inout Int, path: [String])
        throws(UsageError) -> String
    {
        guard let kind = flag.value else {
            if inline != nil { throw UsageError(message: "--\(flag.long) takes no value", path: path) }
            return "true"
        }
        let value: String
        if let inline {
            value = inline
        } else {
            guard index < words.count else {
                throw UsageError(message: "--\(flag.long) needs a value (\(flag.placeholder))", path: path)
            }
            value = words[index]
            index += 1
        }
        try check(value, against: kind, name: "--\(flag.long)", path: path)
        return value
    }

    static func record(_ flag: FlagSpec, _ value: String, into flags: inout [String: [String]], path: [String])
        throws(UsageError)
    {
        if flags[flag.long] != nil && !flag.repeatable && flag.value != nil {
            throw UsageError(message: "--\(flag.long) is given twice", path: path)
        }
        flags[flag.long, default: []].append(value)
    }

    /// Checks a value against its kind.
    static func check(_ value: String, against kind: ValueKind, name: String, path: [String]) throws(UsageError) {
        switch kind {
        case .integer:
            guard Int(value) != nil else {
                throw UsageError(message: "\(name) must be an integer, got '\(value)'", path: path)
            }
        case .duration:
            guard Duration.parse(value) != nil else {
                throw UsageError(
                    message: "\(name) must be a duration such as 500ms, 5s or 2m, got '\(value)'", path: path)
            }
        case .choice(let choices):
            guard choices.contains(value) else {
                throw UsageError(
                    message:
                        "\(name) must be one of \(choices.joined(separator: ", ")), got '\(value)'\(suggestion(value, choices))",
                    path: path)
            }
        case .string, .file, .json:
            break
        }
    }

    static func unknownFlag(_ flag: String, _ known: [String], path: [String]) -> UsageError {
        UsageError(message: "unknown flag '\(flag)'\(suggestion(flag, known))", path: path)
    }

    /// `; did you mean 'x'?` for the closest candidate within an edit distance of 2 (or a prefix match).
    static func suggestion(_ word: String, _ candidates: [String]) -> String {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        if let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) {
            return "; did you mean '\(best.0)'?"
        }
        if let prefixed = candidates.first(where: { $0.hasPrefix(word) && !word.isEmpty }) {
            return "; did you mean '\(prefixed)'?"
        }
        return ""
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension Duration {
    /// `500ms`, `1.5s`, `2m`, `1h`, or a number of milliseconds (`DurationText`'s grammar).
    static func parse(_ text: String) -> Duration? { DurationText.duration(text) }

    /// Whole milliseconds.
    var wholeMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
