import Programs
import Supervision
import YAML

extension SandboxSpec {
    /// The text formats a spec file may use.
    public enum Format: String, Sendable, CaseIterable {
        /// YAML 1.1 (a superset of JSON in practice).
        case yaml
        /// JSON.
        case json

        /// The format a file name implies (`.json` → JSON, `.yaml`/`.yml` → YAML), or `nil`.
        public init?(fileName: String) {
            let lower = fileName.lowercased()
            if lower.hasSuffix(".json") {
                self = .json
            } else if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
                self = .yaml
            } else {
                return nil
            }
        }
    }

    /// Reads a spec from YAML or JSON text; with no format given, text starting with `{` is JSON.
    /// - Throws: `SpecError` naming every offending field, or the parse position for malformed text.
    /// - Parameter base: the spec file's folder: relative paths in program children (`cwd`, `env_file`)
    ///   resolve against it, and it is a program's working directory when the spec names none. Without it,
    ///   such paths must be absolute.
    public static func parse(_ text: String, format: Format? = nil, base: String? = nil) throws(SpecError)
        -> SandboxSpec
    {
        return try SandboxSpec(term: try document(text, format: format), base: base)
    }

    /// YAML or JSON text as a term, with the same limits as a spec file (an alias bomb is refused, not
    /// expanded): for other files written like specs, such as test plans.
    /// - Throws: `SpecError` with the parse position for malformed text.
    public static func document(_ text: String, format: Format? = nil) throws(SpecError) -> Term {
        let chosen = format ?? (text.drop { $0.isWhitespace }.first == "{" ? .json : .yaml)
        let term: Term
        switch chosen {
        case .json:
            do {
                term = try Term(json: text)
            } catch {
                throw SpecError([.init(path: "", message: error.description)])
            }
        case .yaml:
            let node: YAMLNode?
            do {
                node = try YAMLNode.parse(text)
            } catch {
                throw SpecError([.init(path: "", message: "invalid YAML: \(error)")])
            }
            guard let node else { throw SpecError([.init(path: "", message: "the spec is empty")]) }
            var budget = SandboxSpec.maximumNodes
            term = try SandboxSpec.term(from: node, path: "", budget: &budget)
        }
        return term
    }

    /// The most nodes a YAML spec may hold once its aliases are expanded: far more than any real tree, far
    /// fewer than an alias bomb (ten levels of ten aliases make 10¹⁰), which is refused in milliseconds.
    public static let maximumNodes = 20_000

    static func term(from node: YAMLNode, path: String, budget: inout Int) throws(SpecError) -> Term {
        budget -= 1
        guard budget >= 0 else {
            throw SpecError([
                .init(path: "", message: "too many aliases: the document expands past \(maximumNodes) nodes")
            ])
        }
        switch node {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .int(let value): return .int(value)
        case .double(let value): return .double(value)
        case .string(let value): return .string(value)
        case .mapping(let pairs):
            var members: [String: Term] = [:]
            for pair in pairs {
                if members[pair.key] != nil {
                    throw SpecError([.init(path: join(path, pair.key), message: "duplicate key")])
                }
                members[pair.key] = try term(from: pair.value, path: join(path, pair.key), budget: &budget)
            }
            return .object(members)
        case .sequence(let sequence):
            var items: [Term] = []
            for (index, element) in sequence.enumerated() {
                items.append(try term(from: element, path: "\(path)[\(index)]", budget: &budget))
            }
            return .array(items)
        }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Reads a spec from a term (the parsed JSON or YAML document, or an API request's `spec` object).
    /// - Parameter base: the folder relative program paths resolve against (see `parse(_:format:base:)`).
    /// - Throws: `SpecError` listing every offending field.
    public init(term: Term, base: String? = nil) throws(SpecError) {
        var issues: [SpecError.Issue] = []
        var count = 0
        let spec = SandboxSpec.read(term, path: "", depth: 1, base: base, count: &count, issues: &issues)
        if count > SandboxSpec.maximumChildren {
            issues.append(
                .init(
                    path: "children", message: "at most \(SandboxSpec.maximumChildren) children in a tree, got \(count)"
                ))
        }
        guard issues.isEmpty, let spec else { throw SpecError(issues) }
        self = spec
    }

    static let supervisorKeys: Set<String> = ["strategy", "max_restarts", "max_seconds", "auto_shutdown", "children"]
    static let childKeys = Set(["id", "worker", "supervisor", "restart", "shutdown", "args", "significant"])
        .union(programKeys)

    static func read(
        _ term: Term, path: String, depth: Int, base: String?, count: inout Int, issues: inout [SpecError.Issue]
    ) -> SandboxSpec? {
        guard let members = term.objectValue else {
            issues.append(
                .init(path: path, message: "expected a mapping with strategy and children, got \(describe(term))"))
            return nil
        }
        for key in sortedKeys(of: members, where: { !supervisorKeys.contains($0) }) {
            issues.append(
                .init(
                    path: join(path, key),
                    message: "unknown key (expected one of \(supervisorKeys.sorted().joined(separator: ", ")))"))
        }
        var spec = SandboxSpec()
        if let value = members["strategy"] {
            if let text = value.stringValue, let strategy = SupervisorStrategy(rawValue: text) {
                spec.strategy = strategy
            } else {
                issues.append(
                    .init(
                        path: join(path, "strategy"),
                        message: "expected one_for_one, one_for_all or rest_for_one, got \(describe(value))"))
            }
        }
        if let value = members["max_restarts"] {
            if let number = value.intValue, number >= 0 {
                spec.maxRestarts = number
            } else {
                issues.append(
                    .init(
                        path: join(path, "max_restarts"),
                        message: "expected an integer of at least 0, got \(describe(value))"))
            }
        }
        if let value = members["max_seconds"] {
            if let number = value.doubleValue, number > 0 {
                spec.maxSeconds = number
            } else {
                issues.append(
                    .init(
                        path: join(path, "max_seconds"),
                        message: "expected a number greater than 0, got \(describe(value))"))
            }
        }
        if let value = members["auto_shutdown"] {
            if let text = value.stringValue, let mode = AutoShutdown(rawValue: text) {
                spec.autoShutdown = mode
            } else {
                issues.append(
                    .init(
                        path: join(path, "auto_shutdown"),
                        message: "expected never, any_significant or all_significant, got \(describe(value))"))
            }
        }
        if depth > maximumDepth {
            issues.append(.init(path: path, message: "supervisors nest at most \(maximumDepth) deep"))
            return nil
        }
        guard let childrenTerm = members["children"] else {
            issues.append(.init(path: join(path, "children"), message: "required: a list of children"))
            return nil
        }
        guard let items = childrenTerm.arrayValue else {
            issues.append(
                .init(path: join(path, "children"), message: "expected a list, got \(describe(childrenTerm))"))
            return nil
        }
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            count += 1
            let childPath = "\(join(path, "children"))[\(index)]"
            guard
                let child = readChild(item, path: childPath, depth: depth, base: base, count: &count, issues: &issues)
            else {
                continue
            }
            if let first = seen[child.id] {
                issues.append(
                    .init(path: "\(childPath).id", message: "duplicate id \"\(child.id)\" (also children[\(first)])"))
            }
            seen[child.id] = index
            spec.children.append(child)
        }
        if spec.autoShutdown != .never && !spec.children.contains(where: \.significant) {
            issues.append(
                .init(
                    path: join(path, "auto_shutdown"),
                    message: "\(spec.autoShutdown.rawValue) needs at least one significant child"))
        }
        return spec
    }

    static func readChild(
        _ term: Term, path: String, depth: Int, base: String?, count: inout Int, issues: inout [SpecError.Issue]
    ) -> Child? {
        guard let members = term.objectValue else {
            issues.append(
                .init(
                    path: path,
                    message:
                        "expected a mapping with id and one of worker, supervisor, command or shell, got \(describe(term))"
                )
            )
            return nil
        }
        let before = issues.count
        for key in sortedKeys(of: members, where: { !childKeys.contains($0) }) {
            issues.append(
                .init(
                    path: join(path, key),
                    message: "unknown key (expected one of \(childKeys.sorted().joined(separator: ", ")))"))
        }
        var id = ""
        if let value = members["id"] {
            if let text = value.stringValue, SandboxID.isValid(text) {
                id = text
            } else {
                issues.append(
                    .init(path: join(path, "id"), message: "expected \(SandboxID.rule), got \(describe(value))"))
            }
        } else {
            issues.append(.init(path: join(path, "id"), message: "required"))
        }
        var restart = RestartType.permanent
        if let value = members["restart"] {
            if let text = value.stringValue, let parsed = RestartType(rawValue: text) {
                restart = parsed
            } else {
                issues.append(
                    .init(
                        path: join(path, "restart"),
                        message: "expected permanent, transient or temporary, got \(describe(value))"))
            }
        }
        var shutdown: ShutdownPolicy? = nil
        if let value = members["shutdown"] {
            switch value {
            case .string("brutal_kill"): shutdown = .brutalKill
            case .string("infinity"): shutdown = .infinity
            case .int(let ms) where ms >= 0: shutdown = .timeout(.milliseconds(ms))
            default:
                issues.append(
                    .init(
                        path: join(path, "shutdown"),
                        message: "expected milliseconds (0 or more), brutal_kill or infinity, got \(describe(value))"))
            }
        }
        var significant = false
        if let value = members["significant"] {
            if let flag = value.boolValue {
                significant = flag
            } else {
                issues.append(
                    .init(path: join(path, "significant"), message: "expected true or false, got \(describe(value))"))
            }
            if significant && restart == .permanent {
                issues.append(
                    .init(
                        path: join(path, "significant"),
                        message: "a permanent child cannot be significant (use transient or temporary)"))
            }
        }
        var kind: Child.Kind? = nil
        let isProgram = members["command"] != nil || members["shell"] != nil
        let kinds = ["worker", "supervisor", "command", "shell"].filter { members[$0] != nil }
        if kinds.count > 1 && !(kinds == ["command", "shell"]) {
            issues.append(.init(path: path, message: "has \(kinds.joined(separator: " and ")); choose one"))
        } else if kinds.isEmpty {
            issues.append(.init(path: path, message: "needs one of worker, supervisor, command or shell"))
        } else if isProgram {
            if members["args"] != nil {
                issues.append(
                    .init(path: join(path, "args"), message: "args belong to workers; a program takes command"))
            }
            if let program = readProgram(members, path: path, base: base, issues: &issues) {
                kind = .program(program)
            }
        } else {
            for key in sortedKeys(of: members, where: { programKeys.contains($0) }) {
                issues.append(
                    .init(path: join(path, key), message: "belongs to programs (children with command or shell)"))
            }
        }
        switch (members["worker"], members["supervisor"]) {
        case (let worker?, nil) where !isProgram:
            if let name = worker.stringValue, let builtin = BuiltinWorker(rawValue: name) {
                var arguments: [String: Term] = [:]
                if let args = members["args"] {
                    if let object = args.objectValue {
                        arguments = object
                    } else {
                        issues.append(
                            .init(path: join(path, "args"), message: "expected a mapping, got \(describe(args))"))
                    }
                }
                do {
                    _ = try builtin.start(arguments: arguments)
                } catch {
                    issues.append(.init(path: join(join(path, "args"), error.argument), message: error.message))
                }
                kind = .worker(builtin, arguments: arguments)
            } else {
                let names = BuiltinWorker.allCases.map(\.rawValue).joined(separator: ", ")
                issues.append(
                    .init(path: join(path, "worker"), message: "expected one of \(names), got \(describe(worker))"))
            }
        case (nil, let supervisor?) where !isProgram:
            if members["args"] != nil {
                issues.append(.init(path: join(path, "args"), message: "args belong to workers, not supervisors"))
            }
            if let nested = read(
                supervisor, path: join(path, "supervisor"), depth: depth + 1, base: base, count: &count,
                issues: &issues)
            {
                kind = .supervisor(nested)
            }
        default:
            break
        }
        guard issues.count == before, let kind else { return nil }
        return Child(id: id, kind: kind, restart: restart, shutdown: shutdown, significant: significant)
    }

    static func describe(_ term: Term) -> String {
        switch term {
        case .null: "null"
        case .object: "a mapping"
        case .array: "a list"
        default: term.description
        }
    }

    /// The spec as a term in spec-file form (for storage and the API), the inverse of `init(term:)`.
    public var term: Term {
        // Sized for every key it may get, here and below: growing a dictionary rehashes it, and every
        // sandbox in a reply writes its spec this way.
        var members = [String: Term](minimumCapacity: 5)
        members["strategy"] = .string(strategy.rawValue)
        members["max_restarts"] = .int(maxRestarts)
        members["max_seconds"] = maxSeconds.rounded() == maxSeconds ? .int(Int(maxSeconds)) : .double(maxSeconds)
        members["children"] = .array(children.map(\.term))
        if autoShutdown != .never { members["auto_shutdown"] = .string(autoShutdown.rawValue) }
        return .object(members)
    }
}

extension SandboxSpec.Child {
    /// The child in spec-file form.
    public var term: Term {
        var members = [String: Term](minimumCapacity: 6)
        members["id"] = .string(id)
        switch kind {
        case .worker(let worker, let arguments):
            members["worker"] = .string(worker.rawValue)
            if !arguments.isEmpty { members["args"] = .object(arguments) }
        case .supervisor(let nested):
            members["supervisor"] = nested.term
        case .program(let program):
            members.merge(program.members) { first, _ in first }
        }
        if restart != .permanent { members["restart"] = .string(restart.rawValue) }
        if let shutdown {
            switch shutdown {
            case .brutalKill: members["shutdown"] = "brutal_kill"
            case .infinity: members["shutdown"] = "infinity"
            case .timeout(let duration):
                members["shutdown"] = .int(
                    Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000))
            }
        }
        if significant { members["significant"] = true }
        return .object(members)
    }
}

/// The keys of `members` that `matches` picks, in order. Sorted only when there is one: a valid spec has
/// none, and every spec in a reply (one per sandbox in `sandbox list`) is read with these checks.
private func sortedKeys(of members: [String: Term], where matches: (String) -> Bool) -> [String] {
    members.keys.contains(where: matches) ? members.keys.filter(matches).sorted() : []
}
