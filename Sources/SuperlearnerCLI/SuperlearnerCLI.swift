import Arsenal
import ArsenalHTTP
import Sandbox
import SuperlearnerClient
import SuperlearnerDaemon
import Supervision
import Telemetry

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The command line: parse against the command tree, run the command, return the exit code.
public enum SuperlearnerCLI {
    /// The product version.
    public static let version = "0.1.0"

    /// Runs the command line with `arguments` (without the program name).
    ///
    /// On the main actor: commands wait for the daemon with blocking socket calls, which belong on the
    /// main thread of a command-line process, never on Swift's cooperative pool.
    @MainActor
    public static func main(_ arguments: [String]) async -> ExitCode {
        if arguments == ["--version"] || arguments == ["-V"] { return printVersion(json: false) }
        if arguments.first == "__complete" { return await Completion.complete(Array(arguments.dropFirst())) }
        if arguments.first == "__man" { return writeManPages(to: arguments.count > 1 ? arguments[1] : "man") }
        let parsed: ParsedCommand
        do {
            parsed = try Parser.parse(arguments)
        } catch {
            let json = arguments.contains("--json")
            Output(json: json, quiet: false, noColor: true).error(CLIError(exit: .usage, code: "usage", message: error.message))
            if !json { Output.write("Run 'superlearner \((error.path + ["--help"]).joined(separator: " "))' for usage.\n", to: 2) }
            return .usage
        }
        let output = Output(json: parsed.has("json"), quiet: parsed.has("quiet"), noColor: parsed.has("no-color"))
        if parsed.has("help") || parsed.path.isEmpty {
            Output.write(Help.text(for: parsed.spec, path: parsed.path), to: 1)
            return .ok
        }
        let context = CommandContext(parsed: parsed, output: output)
        do {
            try await context.run()
            return .ok
        } catch let error as CLIError {
            output.error(error)
            return error.exit
        } catch {
            output.error(CLIError(exit: .failure, code: "internal_error", message: "\(error)"))
            return .failure
        }
    }

    static let moduleVersions: [(String, String)] = [
        ("Supervision", SupervisionModule.version), ("Telemetry", Telemetry.version),
        ("Sandbox", SandboxManager.version), ("Arsenal", OperationRegistry.version),
        ("ArsenalHTTP", ArsenalHTTPModule.version), ("SuperlearnerDaemon", Daemon.version),
        ("SuperlearnerClient", SuperlearnerClientModule.version), ("SuperlearnerCLI", version),
    ]

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

    static func printVersion(json: Bool) -> ExitCode {
        if json {
            let modules = Dictionary(uniqueKeysWithValues: moduleVersions.map { ($0.0, Term.string($0.1)) })
            Output.write(Term.object(["version": .string(version), "modules": .object(modules)]).prettyJSON() + "\n", to: 1)
        } else {
            var text = "superlearner \(version)\n"
            for (module, moduleVersion) in moduleVersions { text += "  \(module.padded(20)) \(moduleVersion)\n" }
            Output.write(text, to: 1)
        }
        return .ok
    }
}

/// One invocation: its parsed command, its output and its way to the daemon. Runs on the main thread.
@MainActor
struct CommandContext {
    let parsed: ParsedCommand
    let output: Output
    let paths: SuperlearnerPaths
    let timeout: Duration

    init(parsed: ParsedCommand, output: Output) {
        self.parsed = parsed
        self.output = output
        self.paths = SuperlearnerPaths.resolve(socket: parsed.flag("socket"))
        self.timeout = parsed.path == ["wait"] ? .seconds(30) : (parsed.flag("timeout").flatMap(Duration.parse) ?? .seconds(30))
    }

    var client: SuperlearnerClient { SuperlearnerClient(endpoint: .unix(paths.socket), timeout: timeout) }

    func run() async throws {
        switch parsed.path.first {
        case "sandbox": try sandbox()
        case "process": try process()
        case "supervisor": try supervisor()
        case "operation": try operation()
        case "server": try await server()
        case "events": try events()
        case "wait": try wait()
        case "telemetry": try telemetry()
        case "top": try top()
        case "demo": try demo()
        case "shell":
            try? paths.createHome()
            let code = await InteractiveShell.run(history: paths.historyFile)
            if code != .ok { throw CLIError(exit: code, code: "shell", message: "the last command failed") }
        case "completion": Output.write(CompletionScripts.script(for: parsed.argument("SHELL") ?? "") ?? "", to: 1)
        case "version": _ = SuperlearnerCLI.printVersion(json: output.json)
        case "help":
            let words = parsed.values("COMMAND")
            var spec = CommandTree.root
            var path: [String] = []
            for word in words {
                guard let next = spec.subcommand(word) else {
                    throw CLIError(exit: .usage, code: "usage", message: "no command '\((path + [word]).joined(separator: " "))'\(Parser.suggestion(word, spec.subcommands.map(\.name)))")
                }
                spec = next
                path.append(word)
            }
            Output.write(Help.text(for: spec, path: path), to: 1)
        default:
            throw CLIError(exit: .usage, code: "usage", message: "unknown command")
        }
    }

    // MARK: The daemon

    /// Sends a request, starting the daemon first if none answers (unless SUPERLEARNER_NO_AUTOSTART=1 or
    /// `autostart` is false: a live view whose daemon went away says so instead of starting another).
    /// - Returns: the `data` of a successful answer.
    /// - Throws: `CLIError` with the exit code for the API's status, or 5 when no daemon answers.
    @discardableResult
    func api(_ method: String, _ path: String, body: Term? = nil, autostart: Bool = true) throws -> Term {
        do {
            return try request(method, path, body: body, autostart: autostart)
        } catch let error as CLIError where !autostart && error.exit == .unreachable {
            throw CLIError(exit: .unreachable, code: error.code, message: "the daemon went away (\(error.message))")
        }
    }

    private func request(_ method: String, _ path: String, body: Term?, autostart: Bool) throws -> Term {
        let response: ClientResponse
        do {
            response = try client.request(method, path, body: body?.json)
        } catch .unreachable where autostart {
            try self.autostart()
            do {
                response = try client.request(method, path, body: body?.json)
            } catch {
                throw CLIError(exit: .unreachable, code: "unreachable", message: error.description)
            }
        } catch .unreachable(let detail) {
            throw CLIError(exit: .unreachable, code: "unreachable", message: ClientError.unreachable(detail).description)
        } catch .timeout(let detail) {
            throw CLIError(exit: .timedOut, code: "timeout", message: "the daemon did not answer within \(timeout) (\(detail))")
        } catch .interrupted {
            throw CLIError.interrupted
        } catch .closed(let detail) {
            // Stopped or died mid-request: as far as this command knows, there is no daemon now.
            throw CLIError(exit: .unreachable, code: "unreachable", message: ClientError.closed(detail).description)
        } catch {
            throw CLIError(exit: .failure, code: "client_error", message: error.description)
        }
        let term = (try? Term(jsonBytes: response.body)) ?? .null
        guard response.status < 400 else {
            let envelope = term["error"]
            let code = envelope?["code"]?.stringValue ?? "http_\(response.status)"
            throw CLIError(
                exit: ExitCode.forStatus(response.status, code: code), code: code,
                message: envelope?["message"]?.stringValue ?? "the daemon answered \(response.status)",
                field: envelope?["field"]?.stringValue)
        }
        return term["data"] ?? term
    }

    func autostart() throws {
        if String(cString: getenv("SUPERLEARNER_NO_AUTOSTART") ?? strdup("")) == "1" {
            throw CLIError(
                exit: .unreachable, code: "unreachable",
                message: "no daemon answers at \(paths.socket); start one with 'superlearner server start' (autostart is off: SUPERLEARNER_NO_AUTOSTART=1)")
        }
        do {
            let pid = try DaemonLauncher.start(arguments: ["server", "run", "--socket", paths.socket], paths: paths)
            output.note("started the daemon (pid \(pid), socket \(paths.socket))")
        } catch {
            throw CLIError(exit: .unreachable, code: "unreachable", message: "could not start the daemon: \(error)")
        }
    }

    /// Percent-encodes a path segment (a PID, a child path, an id).
    func segment(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// `KEY=VALUE` words as parameters; a VALUE that parses as JSON is used as JSON, otherwise as text.
    func keyValues(_ words: [String]) throws -> [String: Term] {
        var result: [String: Term] = [:]
        for word in words {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                throw CLIError(exit: .usage, code: "usage", message: "expected KEY=VALUE, got '\(word)'")
            }
            let key = String(word[..<equals])
            let text = String(word[word.index(after: equals)...])
            result[key] = CommandContext.value(text)
        }
        return result
    }

    static func value(_ text: String) -> Term {
        if let term = try? Term(json: text) { return term }
        return .string(text)
    }

    /// Reads a file (or standard input for `-`).
    func readInput(_ path: String) throws -> String {
        guard let text = TextFile.read(path) else {
            throw CLIError(exit: .usage, code: "usage", message: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        return text
    }
}
