import Arsenal
import Sandbox
import Schema
import SuperlearnerAPI
import SuperlearnerClient
import Supervision

/// The hidden `superlearner __complete WORD…`: one candidate per line for the last word, from the command
/// tree and, for live names, from the daemon when one answers (never starting one).
@MainActor
enum Completion {
    static func complete(_ words: [String]) async -> ExitCode {
        for candidate in candidates(words) { Output.write(candidate + "\n", to: 1) }
        return .ok
    }

    static func candidates(_ words: [String]) -> [String] {
        // A word opened with a quote ('<0.2 — PIDs need one, < is a redirection) is matched without it;
        // bash, zsh and fish all close the quote themselves around what comes back.
        var current = words.last ?? ""
        if let first = current.first, first == "'" || first == "\"" { current.removeFirst() }
        if words.count > 1 && words.first == "help" { return helpTopics(Array(words.dropFirst().dropLast()), current) }
        let before = Array(words.dropLast())
        var spec = CommandTree.root
        var positionals: [String] = []
        var pendingFlag: FlagSpec? = nil
        var socket: String? = nil
        for word in before {
            if let flag = pendingFlag {
                if flag.long == "socket" { socket = word }
                pendingFlag = nil
                continue
            }
            if word.hasPrefix("--") {
                let name = String(word.dropFirst(2).prefix { $0 != "=" })
                if let flag = (spec.flags + CommandTree.globalFlags).first(where: { $0.long == name }),
                    flag.value != nil, !word.contains("=")
                {
                    pendingFlag = flag
                }
                continue
            }
            if word.hasPrefix("-") && word.count == 2 {
                if let flag = (spec.flags + CommandTree.globalFlags).first(where: { $0.short == word.last }),
                    flag.value != nil
                {
                    pendingFlag = flag
                }
                continue
            }
            if positionals.isEmpty, let next = spec.subcommand(word) {
                spec = next
                continue
            }
            positionals.append(word)
        }
        let paths = SuperlearnerPaths.resolve(socket: socket)
        let live = LiveNames(socket: paths.socket)
        if let flag = pendingFlag {
            if flag.completion == .file { return [filesDirective] }
            return filter(
                values(
                    for: flag.value, source: flag.completion, positionals: positionals, current: current, live: live),
                current)
        }
        if current.hasPrefix("-") {
            return filter((spec.flags + CommandTree.globalFlags).map { "--" + $0.long }, current)
        }
        if positionals.isEmpty && spec.hasSubcommands {
            return filter(spec.subcommands.filter { !$0.hidden }.map(\.name), current)
        }
        guard !spec.arguments.isEmpty else { return [] }
        let index = min(positionals.count, spec.arguments.count - 1)
        let argument = spec.arguments[index]
        if positionals.count >= spec.arguments.count && !argument.variadic { return [] }
        if argument.completion == .file { return [filesDirective] }
        return filter(
            values(
                for: argument.kind, source: argument.completion, positionals: positionals, current: current, live: live),
            current)
    }

    /// `help WORD…`: the nouns, then their verbs, as far as the words typed so far go.
    static func helpTopics(_ path: [String], _ current: String) -> [String] {
        var spec = CommandTree.root
        for word in path {
            guard let next = spec.subcommand(word) else { return [] }
            spec = next
        }
        return filter(spec.subcommands.filter { !$0.hidden }.map(\.name), current)
    }

    /// The line that tells the shell scripts to complete file names themselves.
    static let filesDirective = ":files"

    static func filter(_ values: [String], _ prefix: String) -> [String] {
        values.filter { $0.hasPrefix(prefix) }
    }

    /// Every value the word being completed (`current`) could take; the caller keeps those it starts.
    static func values(
        for kind: ValueKind?, source: CompletionSource, positionals: [String], current: String, live: LiveNames
    ) -> [String] {
        switch source {
        case .choice, .template, .experiment:
            if case .choice(let choices)? = kind { return choices }
            return source == .template ? SandboxTemplate.names : ExperimentRegistry.names
        case .operation:
            return OperationRegistry.builtin().all.map(\.name)
        case .operationParameter:
            guard let name = positionals.first, let operation = OperationRegistry.builtin().operation(named: name)
            else { return [] }
            if let equals = current.firstIndex(of: "=") {
                let key = String(current[..<equals])
                guard let parameter = operation.parameters.first(where: { $0.name == key }) else { return [] }
                let typed = String(current[current.index(after: equals)...])
                return values(of: parameter, in: operation, typed: typed, live: live).map { key + "=" + $0 }
            }
            let given = Set(positionals.dropFirst().compactMap { $0.split(separator: "=").first.map(String.init) })
            return operation.parameters.filter { !given.contains($0.name) }.map { $0.name + "=" }
        case .sandbox:
            return live.sandboxes()
        case .process, .supervisor:
            return live.processes(supervisorsOnly: source == .supervisor, pids: LiveNames.PIDStyle(typed: current))
        case .keyValue:
            guard let id = positionals.first else { return [] }
            return live.configKeys(id).map { $0 + "=" }
        case .file, .none:
            return []
        }
    }

    /// The values one operation parameter could take: its allowed values, booleans, live processes for
    /// PIDs (supervisors for supervisor operations), live sandbox ids for the parameters that name one.
    static func values(of parameter: Parameter, in operation: any Operation, typed: String, live: LiveNames) -> [String]
    {
        if let allowed = parameter.allowed { return allowed.compactMap(\.stringValue) }
        switch parameter.type {
        case .boolean:
            return ["true", "false"]
        case .pid:
            return live.processes(
                supervisorsOnly: operation.category == .supervisor, pids: LiveNames.PIDStyle(typed: typed))
        default:
            return ["sandbox", "sandbox_id"].contains(parameter.name) ? live.sandboxes() : []
        }
    }
}

/// Live names from the daemon, with a short deadline; nothing when no daemon answers.
struct LiveNames {
    let client: SuperlearnerClient

    init(socket: String) {
        client = SuperlearnerClient(endpoint: .unix(socket), timeout: .seconds(1))
    }

    func get(_ operation: DaemonOperation, _ parameters: [String: Term] = [:]) -> Term? {
        let request = operation.request(parameters)
        guard let response = try? client.request(request.route, path: request.path, body: request.body?.json),
            response.status == 200
        else { return nil }
        return (try? Term(jsonBytes: response.body))?["data"]
    }

    func sandboxes() -> [String] {
        get(.listSandboxes)?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    /// How PIDs are offered: not at all (paths and names read better), as `<0.2.0>` once the word starts
    /// with `<`, or bare (`0.2.0`, which needs no quotes in a shell) once it starts with a digit.
    enum PIDStyle {
        case none, bracketed, bare

        init(typed: String) {
            if typed.hasPrefix("<") {
                self = .bracketed
            } else if typed.first?.isNumber == true {
                self = .bare
            } else {
                self = .none
            }
        }
    }

    /// Paths and registered names (a PID for a process with neither), with or instead of PIDs as asked.
    func processes(supervisorsOnly: Bool, pids: PIDStyle) -> [String] {
        let rows = get(.listProcesses, ["limit": 2000])?.arrayValue ?? []
        return rows.filter { !supervisorsOnly || $0["kind"] == "supervisor" }.flatMap { row -> [String] in
            let pid = row["pid"]?.stringValue
            if pids == .bracketed { return pid.map { [$0] } ?? [] }
            var names: [String] = []
            if let path = row["path"]?.stringValue { names.append(path) }
            if let name = row["name"]?.stringValue { names.append(name) }
            if names.isEmpty, let pid { names.append(pid) }
            // Ids may start with a digit too, so bare PIDs join the names rather than replace them.
            if pids == .bare, let pid { names.append(String(pid.dropFirst().dropLast())) }
            return names
        }
    }

    func configKeys(_ id: String) -> [String] {
        get(.getSandboxConfig, ["sandbox_id": .string(id)])?.objectValue?.keys.sorted() ?? []
    }
}
