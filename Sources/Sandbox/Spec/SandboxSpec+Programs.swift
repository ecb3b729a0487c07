import Programs
import Supervision

/// Reading and writing the program fields of a child (`command:` or `shell:`), with every problem reported
/// at its field path like the rest of a spec.
extension SandboxSpec {
    static let programKeys: Set<String> = [
        "command", "shell", "cwd", "env", "env_file", "stop_signal", "backoff", "ready", "liveness", "exit_codes",
        "limits", "logs",
    ]

    /// Reads a program child's fields; relative paths resolve against `base` (the spec file's folder), and
    /// without one must be absolute.
    static func readProgram(_ members: [String: Term], path: String, base: String?, issues: inout [SpecError.Issue])
        -> ProgramSpec?
    {
        let before = issues.count
        func fail(_ key: String, _ message: String) { issues.append(.init(path: join(path, key), message: message)) }
        var spec = ProgramSpec(command: [])
        switch (members["command"], members["shell"]) {
        case (let command?, nil):
            if let items = command.arrayValue, !items.isEmpty, items.allSatisfy({ $0.stringValue != nil }),
                let first = items.first?.stringValue, !first.isEmpty, items.count <= 4096
            {
                spec.command = items.compactMap(\.stringValue)
            } else {
                fail(
                    "command",
                    "expected a non-empty list of strings (the argument vector; for a shell line use shell:), got \(describe(command))"
                )
            }
        case (nil, let shell?):
            if let line = shell.stringValue, !line.isEmpty {
                spec.command = ["/bin/sh", "-c", line]
            } else {
                fail("shell", "expected a command line for /bin/sh -c, got \(describe(shell))")
            }
        case (.some, .some):
            issues.append(.init(path: path, message: "has both command and shell; choose one"))
        case (nil, nil):
            break
        }
        if spec.command.contains(where: { $0.utf8.contains(0) }) {
            fail("command", "arguments cannot contain NUL bytes")
        }
        func absolute(_ value: String, key: String) -> String? {
            if value.hasPrefix("/") { return value }
            guard let base else {
                fail(
                    key,
                    "expected an absolute path, got \"\(value)\" (a spec file's relative paths resolve against its folder)"
                )
                return nil
            }
            return value == "." ? base : "\(base)/\(value)"
        }
        if let value = members["cwd"] {
            if let text = value.stringValue, !text.isEmpty {
                spec.directory = absolute(text, key: "cwd")
            } else {
                fail("cwd", "expected a folder, got \(describe(value))")
            }
        } else {
            spec.directory = base
        }
        if let value = members["env"] {
            if let object = value.objectValue {
                for (key, item) in object.sorted(by: { $0.key < $1.key }) {
                    let valid = !key.isEmpty && !key.contains("=") && !key.utf8.contains(0)
                    switch item {
                    case .string(let text) where valid: spec.environment[key] = text
                    case .int(let number) where valid: spec.environment[key] = String(number)
                    case .double(let number) where valid: spec.environment[key] = String(number)
                    case .bool(let flag) where valid: spec.environment[key] = flag ? "true" : "false"
                    default:
                        fail("env.\(key)", valid ? "expected a string, got \(describe(item))" : "invalid variable name")
                    }
                }
            } else {
                fail("env", "expected a mapping of names to strings, got \(describe(value))")
            }
        }
        if let value = members["env_file"] {
            let items = value.arrayValue ?? [value]
            for (index, item) in items.enumerated() {
                guard var text = item.stringValue, !text.isEmpty, text != "-" else {
                    fail(
                        "env_file[\(index)]", "expected a file (prefix - when it may be missing), got \(describe(item))"
                    )
                    continue
                }
                let optional = text.hasPrefix("-")
                if optional { text.removeFirst() }
                if let file = absolute(text, key: "env_file[\(index)]") {
                    spec.environmentFiles.append(.init(path: file, optional: optional))
                }
            }
        }
        if let value = members["stop_signal"] {
            let name = value.stringValue.map { $0.hasPrefix("SIG") ? String($0.dropFirst(3)) : $0 }
            if let name, let signal = Signal(rawValue: name.uppercased()) {
                spec.stopSignal = signal
            } else {
                fail(
                    "stop_signal",
                    "expected one of \(Signal.allCases.map(\.rawValue).joined(separator: ", ")), got \(describe(value))"
                )
            }
        }
        if let value = members["backoff"] {
            spec.backoff = readBackoff(value, path: join(path, "backoff"), issues: &issues)
        }
        if let value = members["ready"] {
            let probePath = join(path, "ready")
            if let object = value.objectValue {
                let timeout = readDuration(
                    object["timeout"], path: join(probePath, "timeout"), default: .seconds(10), issues: &issues)
                if let probe = readProbe(
                    object, extra: ["timeout"], path: probePath, allowLogLine: true, issues: &issues)
                {
                    spec.ready = .init(probe: probe, timeout: timeout)
                }
            } else {
                issues.append(
                    .init(
                        path: probePath,
                        message: "expected a mapping with one of tcp, http, exec or log_line, got \(describe(value))"))
            }
        }
        if let value = members["liveness"] {
            let probePath = join(path, "liveness")
            if let object = value.objectValue {
                let every = readDuration(
                    object["every"], path: join(probePath, "every"), default: .seconds(5), issues: &issues)
                let timeout = readDuration(
                    object["timeout"], path: join(probePath, "timeout"), default: .seconds(2), issues: &issues)
                var failures = 3
                if let count = object["failures"] {
                    if let number = count.intValue, (1...1000).contains(number) {
                        failures = number
                    } else {
                        issues.append(
                            .init(
                                path: join(probePath, "failures"),
                                message: "expected an integer from 1 to 1000, got \(describe(count))"))
                    }
                }
                if every < .milliseconds(100) {
                    issues.append(.init(path: join(probePath, "every"), message: "expected at least 100ms"))
                }
                if let probe = readProbe(
                    object, extra: ["every", "failures", "timeout"], path: probePath, allowLogLine: false,
                    issues: &issues)
                {
                    spec.liveness = .init(probe: probe, every: every, failures: failures, timeout: timeout)
                }
            } else {
                issues.append(
                    .init(
                        path: probePath,
                        message: "expected a mapping with one of tcp, http or exec, got \(describe(value))"))
            }
        }
        if let value = members["exit_codes"] {
            let codesPath = join(path, "exit_codes")
            if let object = value.objectValue {
                for key in object.keys.sorted() where key != "normal" && key != "no_restart" {
                    issues.append(
                        .init(path: join(codesPath, key), message: "unknown key (expected normal, no_restart)"))
                }
                func codes(_ key: String) -> Set<Int32>? {
                    guard let item = object[key] else { return nil }
                    let list = item.arrayValue ?? [item]
                    let numbers = list.compactMap { $0.intValue.flatMap { (0...255).contains($0) ? Int32($0) : nil } }
                    guard numbers.count == list.count else {
                        issues.append(
                            .init(
                                path: join(codesPath, key),
                                message: "expected exit codes from 0 to 255, got \(describe(item))"))
                        return nil
                    }
                    return Set(numbers)
                }
                if let normal = codes("normal") { spec.exitCodes.normal = normal }
                if let noRestart = codes("no_restart") { spec.exitCodes.noRestart = noRestart }
            } else {
                issues.append(
                    .init(
                        path: codesPath,
                        message: "expected a mapping with normal and no_restart, got \(describe(value))"))
            }
        }
        if let value = members["limits"] {
            let limitsPath = join(path, "limits")
            if let object = value.objectValue {
                for key in object.keys.sorted() where !["nofile", "memory", "cpu_seconds"].contains(key) {
                    issues.append(
                        .init(
                            path: join(limitsPath, key), message: "unknown key (expected cpu_seconds, memory, nofile)"))
                }
                if let item = object["nofile"] {
                    if let number = item.intValue, (1...1_048_576).contains(number) {
                        spec.limits.openFiles = number
                    } else {
                        issues.append(
                            .init(
                                path: join(limitsPath, "nofile"),
                                message: "expected an integer from 1 to 1048576, got \(describe(item))"))
                    }
                }
                if let item = object["memory"] {
                    if let bytes = readSize(item), bytes >= 1 << 20 {
                        spec.limits.memoryBytes = bytes
                    } else {
                        issues.append(
                            .init(
                                path: join(limitsPath, "memory"),
                                message:
                                    "expected a size of at least 1MiB (bytes, or with KiB, MiB, GiB), got \(describe(item))"
                            ))
                    }
                }
                if let item = object["cpu_seconds"] {
                    if let number = item.intValue, number >= 1 {
                        spec.limits.cpuSeconds = number
                    } else {
                        issues.append(
                            .init(
                                path: join(limitsPath, "cpu_seconds"),
                                message: "expected an integer of at least 1, got \(describe(item))"))
                    }
                }
            } else {
                issues.append(
                    .init(
                        path: limitsPath,
                        message: "expected a mapping with nofile, memory or cpu_seconds, got \(describe(value))"))
            }
        }
        if let value = members["logs"] {
            let logsPath = join(path, "logs")
            if let object = value.objectValue {
                for key in object.keys.sorted() where key != "max_bytes" && key != "backups" {
                    issues.append(
                        .init(path: join(logsPath, key), message: "unknown key (expected backups, max_bytes)"))
                }
                if let item = object["max_bytes"] {
                    if let bytes = readSize(item), bytes >= 4096 {
                        spec.logs.maxBytes = bytes
                    } else {
                        issues.append(
                            .init(
                                path: join(logsPath, "max_bytes"),
                                message:
                                    "expected a size of at least 4096 bytes (or with KiB, MiB, GiB), got \(describe(item))"
                            ))
                    }
                }
                if let item = object["backups"] {
                    if let number = item.intValue, (0...100).contains(number) {
                        spec.logs.backups = number
                    } else {
                        issues.append(
                            .init(
                                path: join(logsPath, "backups"),
                                message: "expected an integer from 0 to 100, got \(describe(item))"))
                    }
                }
            } else {
                issues.append(
                    .init(
                        path: logsPath, message: "expected a mapping with max_bytes and backups, got \(describe(value))"
                    ))
            }
        }
        return issues.count == before ? spec : nil
    }

    static func readDuration(_ value: Term?, path: String, default fallback: Duration, issues: inout [SpecError.Issue])
        -> Duration
    {
        guard let value else { return fallback }
        let milliseconds: Int?
        switch value {
        case .int(let number) where number >= 0: milliseconds = number
        case .string(let text): milliseconds = DurationText.milliseconds(text)
        default: milliseconds = nil
        }
        guard let milliseconds, milliseconds <= 86_400_000 else {
            issues.append(
                .init(
                    path: path,
                    message: "expected a duration such as 500ms, 2s or 1m (at most 24h), got \(describe(value))"))
            return fallback
        }
        return .milliseconds(milliseconds)
    }

    static func readBackoff(_ value: Term, path: String, issues: inout [SpecError.Issue]) -> ProgramSpec.Backoff? {
        guard let object = value.objectValue else {
            issues.append(
                .init(
                    path: path,
                    message:
                        "expected a mapping with initial, max, multiplier, jitter, reset_after, got \(describe(value))")
            )
            return nil
        }
        let keys: Set<String> = ["initial", "max", "multiplier", "jitter", "reset_after"]
        for key in object.keys.sorted() where !keys.contains(key) {
            issues.append(
                .init(path: join(path, key), message: "unknown key (expected \(keys.sorted().joined(separator: ", ")))")
            )
        }
        var backoff = ProgramSpec.Backoff()
        backoff.initial = readDuration(
            object["initial"], path: join(path, "initial"), default: backoff.initial, issues: &issues)
        backoff.maximum = readDuration(
            object["max"], path: join(path, "max"), default: backoff.maximum, issues: &issues)
        backoff.resetAfter = readDuration(
            object["reset_after"], path: join(path, "reset_after"), default: backoff.resetAfter, issues: &issues)
        if let item = object["multiplier"] {
            if let number = item.doubleValue, number >= 1, number <= 100 {
                backoff.multiplier = number
            } else {
                issues.append(
                    .init(
                        path: join(path, "multiplier"),
                        message: "expected a number from 1 to 100, got \(describe(item))"))
            }
        }
        if let item = object["jitter"] {
            if let number = item.doubleValue, number >= 0, number <= 1 {
                backoff.jitter = number
            } else {
                issues.append(
                    .init(path: join(path, "jitter"), message: "expected a fraction from 0 to 1, got \(describe(item))")
                )
            }
        }
        if backoff.maximum < backoff.initial {
            issues.append(.init(path: join(path, "max"), message: "must be at least initial"))
        }
        return backoff
    }

    static func readProbe(
        _ object: [String: Term], extra: Set<String>, path: String, allowLogLine: Bool, issues: inout [SpecError.Issue]
    ) -> ProgramSpec.Probe? {
        let kinds = allowLogLine ? ["tcp", "http", "exec", "log_line"] : ["tcp", "http", "exec"]
        let allowed = Set(kinds).union(extra).union(["status"])
        for key in object.keys.sorted() where !allowed.contains(key) {
            issues.append(
                .init(
                    path: join(path, key),
                    message: "unknown key (expected one of \(allowed.sorted().joined(separator: ", ")))"))
        }
        let given = kinds.filter { object[$0] != nil }
        guard given.count == 1, let kind = given.first, let value = object[kind] else {
            issues.append(.init(path: path, message: "expected exactly one of \(kinds.joined(separator: ", "))"))
            return nil
        }
        let at = join(path, kind)
        if object["status"] != nil && kind != "http" {
            issues.append(.init(path: join(path, "status"), message: "status belongs to http probes"))
        }
        switch kind {
        case "tcp":
            if let text = value.stringValue, let colon = text.lastIndex(of: ":"),
                let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port),
                ProgramSpec.Probe.tcpHostIsValid(String(text[..<colon]))
            {
                return .tcp(host: String(text[..<colon]), port: port)
            }
            issues.append(
                .init(path: at, message: "expected HOST:PORT with an IPv4 address or localhost, got \(describe(value))")
            )
        case "http":
            var status = 200
            if let item = object["status"] {
                if let number = item.intValue, (100...599).contains(number) {
                    status = number
                } else {
                    issues.append(
                        .init(
                            path: join(path, "status"),
                            message: "expected an HTTP status from 100 to 599, got \(describe(item))"))
                }
            }
            if let url = value.stringValue, ProgramSpec.Probe.httpURLIsValid(url) {
                return .http(url: url, status: status)
            }
            issues.append(
                .init(
                    path: at,
                    message:
                        "expected http://HOST[:PORT]/PATH with an IPv4 address or localhost, got \(describe(value))"))
        case "exec":
            if let items = value.arrayValue, !items.isEmpty,
                items.allSatisfy({ ($0.stringValue ?? "").isEmpty == false })
            {
                return .exec(items.compactMap(\.stringValue))
            }
            issues.append(.init(path: at, message: "expected a non-empty list of strings, got \(describe(value))"))
        default:
            if let pattern = value.stringValue, !pattern.isEmpty {
                if let problem = ProgramSpec.Probe.patternProblem(pattern) {
                    issues.append(.init(path: at, message: "invalid regular expression: \(problem)"))
                } else {
                    return .logLine(pattern)
                }
            } else {
                issues.append(.init(path: at, message: "expected a regular expression, got \(describe(value))"))
            }
        }
        return nil
    }

    /// Bytes in `4096`, `"512KiB"`, `"10MiB"`, `"1GiB"` (also KB/MB/GB as powers of 1000).
    static func readSize(_ value: Term) -> Int? {
        if let number = value.intValue { return number >= 0 ? number : nil }
        guard let text = value.stringValue else { return nil }
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000),
            ("GB", 1_000_000_000),
            ("B", 1),
        ]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let amount = Double(text.dropLast(suffix.count).filter { $0 != " " }), amount >= 0, amount < 1e12
            else { return nil }
            return Int(amount * Double(factor))
        }
        return Int(text)
    }
}

extension ProgramSpec {
    /// The program's fields in spec-file form (merged into its child's mapping).
    var members: [String: Term] {
        var members: [String: Term] = [:]
        if command.count == 3 && command[0] == "/bin/sh" && command[1] == "-c" {
            members["shell"] = .string(command[2])
        } else {
            members["command"] = .array(command.map(Term.string))
        }
        if let directory { members["cwd"] = .string(directory) }
        if !environment.isEmpty { members["env"] = .object(environment.mapValues(Term.string)) }
        if !environmentFiles.isEmpty {
            members["env_file"] = .array(environmentFiles.map { .string(($0.optional ? "-" : "") + $0.path) })
        }
        if stopSignal != .term { members["stop_signal"] = .string(stopSignal.rawValue) }
        if let backoff {
            members["backoff"] = .object([
                "initial": .string(Self.text(backoff.initial)), "max": .string(Self.text(backoff.maximum)),
                "multiplier": .double(backoff.multiplier), "jitter": .double(backoff.jitter),
                "reset_after": .string(Self.text(backoff.resetAfter)),
            ])
        }
        if let ready {
            var object = Self.members(of: ready.probe)
            object["timeout"] = .string(Self.text(ready.timeout))
            members["ready"] = .object(object)
        }
        if let liveness {
            var object = Self.members(of: liveness.probe)
            object["every"] = .string(Self.text(liveness.every))
            object["failures"] = .int(liveness.failures)
            object["timeout"] = .string(Self.text(liveness.timeout))
            members["liveness"] = .object(object)
        }
        if exitCodes != ExitCodes() {
            members["exit_codes"] = .object([
                "normal": .array(exitCodes.normal.sorted().map { .int(Int($0)) }),
                "no_restart": .array(exitCodes.noRestart.sorted().map { .int(Int($0)) }),
            ])
        }
        var limitMembers: [String: Term] = [:]
        if let files = limits.openFiles { limitMembers["nofile"] = .int(files) }
        if let bytes = limits.memoryBytes { limitMembers["memory"] = .int(bytes) }
        if let seconds = limits.cpuSeconds { limitMembers["cpu_seconds"] = .int(seconds) }
        if !limitMembers.isEmpty { members["limits"] = .object(limitMembers) }
        if logs != LogPolicy() {
            members["logs"] = .object(["max_bytes": .int(logs.maxBytes), "backups": .int(logs.backups)])
        }
        return members
    }

    static func members(of probe: Probe) -> [String: Term] {
        switch probe {
        case .tcp(let host, let port): ["tcp": .string("\(host):\(port)")]
        case .http(let url, let status): ["http": .string(url), "status": .int(status)]
        case .exec(let command): ["exec": .array(command.map(Term.string))]
        case .logLine(let pattern): ["log_line": .string(pattern)]
        }
    }

    static func text(_ duration: Duration) -> String {
        "\(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)ms"
    }
}
