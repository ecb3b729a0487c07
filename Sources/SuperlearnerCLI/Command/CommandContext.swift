import Arsenal
import SuperlearnerAPI
import SuperlearnerClient
import SuperlearnerDaemon
import Supervision

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One invocation's surroundings: its output and its way to the daemon. Runs on the main thread.
@MainActor
struct CommandContext {
    let output: Output
    let paths: SuperlearnerPaths
    /// How long a request to the daemon may take (`--timeout`, default 30 s).
    let timeout: Duration
    /// Whether a command may start a daemon when none answers (not for `--node`: a node's daemon is the
    /// cluster's to start).
    var autostartAllowed = true

    var client: SuperlearnerClient { SuperlearnerClient(endpoint: .unix(paths.socket), timeout: timeout) }

    // MARK: The daemon

    /// Runs an Arsenal operation through its own REST route (see `DaemonOperation.request`).
    /// - Returns: the `data` of a successful answer.
    /// - Throws: `CLIError` with the exit code for the API's status, or 5 when no daemon answers.
    @discardableResult
    func call(_ operation: DaemonOperation, _ parameters: [String: Term] = [:], autostart: Bool = true) throws -> Term {
        let request = operation.request(parameters)
        return try call(request.route, path: request.path, body: request.body, autostart: autostart)
    }

    /// Runs an Arsenal operation and reads its reply as the model the daemon encoded it from.
    /// - Returns: the reply as sent (what `--json` prints) and as `T` (what a person is shown).
    /// - Throws: `CLIError` as `call` does, or exit 1 naming the field when the reply is not a `T`.
    func call<T: TermConvertible>(
        _ operation: DaemonOperation, _ parameters: [String: Term] = [:], as type: T.Type
    ) throws -> (data: Term, value: T) {
        let data = try call(operation, parameters)
        return (data, try Self.decode(data, as: type, from: operation.rawValue))
    }

    /// `data` as a `T`, or a one-line error naming the field the daemon's reply got wrong.
    static func decode<T: TermConvertible>(_ data: Term, as type: T.Type, from source: String) throws -> T {
        do {
            return try T(term: data)
        } catch {
            throw CLIError(
                exit: .failure, code: "bad_reply",
                message: "the daemon's reply to \(source) is not what this version reads: \(error)")
        }
    }

    /// Sends a request to `route` (at `path` when given), starting the daemon first if none answers
    /// (unless SUPERLEARNER_NO_AUTOSTART=1 or `autostart` is false: a live view whose daemon went away says
    /// so instead of starting another).
    /// - Returns: the `data` of a successful answer.
    /// - Throws: `CLIError` with the exit code for the API's status, or 5 when no daemon answers.
    @discardableResult
    func call(_ route: Route, path: String? = nil, body: Term? = nil, autostart: Bool = true) throws -> Term {
        do {
            return try request(route, path: path ?? route.path(), body: body, autostart: autostart)
        } catch let error as CLIError where !autostart && error.exit == .unreachable {
            throw CLIError(exit: .unreachable, code: error.code, message: "the daemon went away (\(error.message))")
        }
    }

    private func request(_ route: Route, path: String, body: Term?, autostart: Bool) throws -> Term {
        let response: ClientResponse
        do {
            response = try client.request(route, path: path, body: body?.json)
        } catch .unreachable where autostart {
            try self.autostart()
            do {
                response = try client.request(route, path: path, body: body?.json)
            } catch {
                throw CLIError(exit: .unreachable, code: "unreachable", message: error.description)
            }
        } catch .unreachable(let detail) {
            throw CLIError(
                exit: .unreachable, code: "unreachable", message: ClientError.unreachable(detail).description)
        } catch .timeout(let detail) {
            throw CLIError(
                exit: .timedOut, code: "timeout", message: "the daemon did not answer within \(timeout) (\(detail))")
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
        guard autostartAllowed else {
            throw CLIError(
                exit: .unreachable, code: "unreachable",
                message: "no daemon answers at \(paths.socket): that node is down (see 'superlearner cluster status')")
        }
        if SuperlearnerPaths.environmentVariable("SUPERLEARNER_NO_AUTOSTART") == "1" {
            throw CLIError(
                exit: .unreachable, code: "unreachable",
                message:
                    "no daemon answers at \(paths.socket); start one with 'superlearner server start' (autostart is off: SUPERLEARNER_NO_AUTOSTART=1)"
            )
        }
        do {
            let pid = try DaemonLauncher.start(arguments: ["server", "run", "--socket", paths.socket], paths: paths)
            output.note("started the daemon (pid \(pid), socket \(paths.socket))")
        } catch {
            throw CLIError(exit: .unreachable, code: "unreachable", message: "could not start the daemon: \(error)")
        }
    }

    // MARK: Input

    /// `KEY=VALUE` words as parameters; a VALUE that parses as JSON is used as JSON, otherwise as text.
    static func keyValues(_ words: [String]) throws -> [String: Term] {
        var result: [String: Term] = [:]
        for word in words {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                throw CLIError(exit: .usage, code: "usage", message: "expected KEY=VALUE, got '\(word)'")
            }
            let key = String(word[..<equals])
            let text = String(word[word.index(after: equals)...])
            result[key] = value(text)
        }
        return result
    }

    /// A word as JSON when it parses as JSON, otherwise as text.
    static func value(_ text: String) -> Term {
        if let term = try? Term(json: text) { return term }
        return .string(text)
    }

    /// Reads a file (or standard input for `-`), of at most 1 MiB: what the daemon would accept as a body.
    static func readInput(_ path: String) throws -> String {
        guard let text = TextFile.read(path, limit: TextFile.maximumInputBytes) else {
            let source = path == "-" ? "standard input" : path
            let reason = errno == EFBIG ? "it is larger than 1 MiB" : String(cString: strerror(errno))
            throw CLIError(exit: .usage, code: "usage", message: "cannot read \(source): \(reason)")
        }
        return text
    }
}
