import SuperlearnerClient
import Supervision

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The command line: parse against the command tree, run the command, return the exit code.
public enum SuperlearnerCLI {
    /// Runs the command line with `arguments` (without the program name).
    ///
    /// On the main actor: commands wait for the daemon with blocking socket calls, which belong on the
    /// main thread of a command-line process, never on Swift's cooperative pool.
    @MainActor
    public static func main(_ arguments: [String]) async -> ExitCode {
        if arguments == ["--version"] || arguments == ["-V"] { return VersionCommand.print(json: false) }
        if arguments.first == "__complete" { return await Completion.complete(Array(arguments.dropFirst())) }
        if arguments.first == "__man" { return writeManPages(to: arguments.count > 1 ? arguments[1] : "man") }
        let early = earlySocket(arguments)
        if let early { EarlyConnection.open(unixSocket: early, sending: earlyRequest(arguments)) }
        defer { if let early { EarlyConnection.discard(unixSocket: early) } }
        let parsed: ParsedCommand
        do {
            parsed = try Parser.parse(arguments)
        } catch {
            let json = arguments.contains("--json")
            Output(json: json, quiet: false, noColor: true).error(
                CLIError(exit: .usage, code: "usage", message: error.message))
            if !json {
                Output.write(
                    "Run 'superlearner \((error.path + ["--help"]).joined(separator: " "))' for usage.\n", to: 2)
            }
            return .usage
        }
        let input = CommandInput(parsed)
        let output = Output(json: input.has("json"), quiet: input.has("quiet"), noColor: input.has("no-color"))
        guard !input.has("help"), let type = parsed.spec.command else {
            Output.write(Help.text(for: parsed.spec, path: parsed.path), to: 1)
            return .ok
        }
        // A command with its own --timeout (wait) means something else by it than the request timeout.
        let ownsTimeout = parsed.spec.flags.contains { $0.long == "timeout" }
        var paths = SuperlearnerPaths.resolve(socket: input.flag("socket"))
        var autostart = true
        if let node = input.flag("node") {
            do {
                paths = try ClusterState.paths(ofNode: node, home: paths.home)
            } catch let error as CLIError {
                output.error(error)
                return error.exit
            } catch {
                return .failure
            }
            // A node's daemon carries its cluster's settings; starting a bare one in its place would not.
            autostart = false
        }
        var context = CommandContext(
            output: output, paths: paths,
            timeout: ownsTimeout ? .seconds(30) : input.duration("timeout") ?? .seconds(30))
        context.autostartAllowed = autostart
        do {
            let command = type.init(input)
            guard input.undeclared.isEmpty else {
                throw CLIError(
                    exit: .failure, code: "internal_error",
                    message:
                        "'\(parsed.path.joined(separator: " "))' reads what it does not declare: \(input.undeclared.joined(separator: ", "))"
                )
            }
            try await command.run(context)
            return .ok
        } catch let error as CLIError {
            output.error(error)
            return error.exit
        } catch {
            output.error(CLIError(exit: .failure, code: "internal_error", message: "\(error)"))
            return .failure
        }
    }

    /// The socket to connect to before `arguments` are parsed (see `EarlyConnection`): for the commands that
    /// ask the daemon, unless they only ask for help or talk to a cluster node (whose socket the parse finds).
    /// A switch on the first word, not a table: this runs before anything else in every command.
    static func earlySocket(_ arguments: [String]) -> String? {
        guard arguments.count > 1 else { return nil }
        switch arguments[0] {
        case "sandbox", "process", "supervisor", "events", "wait", "why", "telemetry", "top": break
        case "operation" where arguments[1] == "run": break
        default: return nil
        }
        var explicit: String? = nil
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "-h" || argument == "--help" || argument == "--node" || argument.hasPrefix("--node=") {
                return nil
            }
            if argument == "--socket" {
                guard index + 1 < arguments.count else { return nil }
                explicit = arguments[index + 1]
            } else if argument.hasPrefix("--socket=") {
                explicit = String(argument.dropFirst("--socket=".count))
            }
            index += 1
        }
        return SuperlearnerPaths.resolve(socket: explicit).socket
    }

    /// The read to send with the early connection, before the parse (see `EarlyConnection`): the path of
    /// the `GET` the command is sure to make. Only a noun's `list` typed with nothing but output flags
    /// qualifies: any other word may change the request, and a wrong guess costs the daemon an answer nobody
    /// reads (the command then asks again on a connection of its own).
    static func earlyRequest(_ arguments: [String]) -> String? {
        var words: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--json", "--quiet", "-q", "--no-color": break
            case "--socket": index += 1
            default: if !argument.hasPrefix("--socket=") { words.append(argument) }
            }
            index += 1
        }
        guard words.count == 2, words[1] == "list" else { return nil }
        // Written out, not looked up among the operations (that lookup was most of this function's cost);
        // `EarlySocketTests` keeps each equal to its operation's path.
        switch words[0] {
        case "sandbox": return "/api/v1/sandboxes"
        case "process": return "/api/v1/processes"
        default: return nil
        }
    }

    /// Hidden `superlearner __man DIR`: writes every generated man page into DIR (what `make man` runs).
    static func writeManPages(to directory: String) -> ExitCode {
        mkdir(directory, 0o755)
        for (name, text) in ManPages.all() {
            guard let file = fopen(directory + "/" + name, "w") else {
                Output.write("superlearner: cannot write \(directory)/\(name)\n", to: 2)
                return .failure
            }
            let bytes = Array(text.utf8)
            fwrite(bytes, 1, bytes.count, file)
            fclose(file)
        }
        return .ok
    }
}
