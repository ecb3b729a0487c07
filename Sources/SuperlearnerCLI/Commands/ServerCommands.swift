import Logging
import SuperlearnerClient
import SuperlearnerDaemon
import Supervision

#if canImport(Glibc)
import Glibc
#endif

extension CommandContext {
    func server() async throws {
        switch parsed.path.count > 1 ? parsed.path[1] : "" {
        case "run":
            try await runDaemon()
        case "start":
            if client.isReachable() {
                let status = try daemonStatus()
                output.data(status) { "the daemon is already running (pid \(status["pid"]?.plain ?? "?"), socket \(paths.socket))" }
                return
            }
            var arguments = ["server", "run", "--socket", paths.socket]
            if let port = parsed.flag("port") { arguments += ["--port", port] }
            if let host = parsed.flag("host") { arguments += ["--host", host] }
            if parsed.has("allow-destructive-ui") { arguments.append("--allow-destructive-ui") }
            if parsed.has("read-only") { arguments.append("--read-only") }
            let pid: Int32
            do {
                pid = try DaemonLauncher.start(arguments: arguments, paths: paths)
            } catch {
                throw CLIError(exit: .failure, code: "start_failed", message: "could not start the daemon: \(error)")
            }
            // The port the daemon bound (the system's choice for --port 0), from the daemon itself.
            let port = parsed.flag("port") == nil ? nil : (try? api("GET", "/api/v1/daemon"))?["port"]?.intValue
            let started: Term = [
                "pid": .int(Int(pid)), "socket": .string(paths.socket), "log": .string(paths.logFile), "port": port.map(Term.int) ?? .null,
            ]
            output.data(started) {
                "started the daemon (pid \(pid), socket \(paths.socket)\(port.map { ", tcp \(parsed.flag("host") ?? "127.0.0.1"):\($0)" } ?? ""))"
            }
        case "stop":
            guard client.isReachable() else {
                throw CLIError(exit: .unreachable, code: "unreachable", message: "no daemon answers at \(paths.socket)")
            }
            let answer = try api("POST", "/api/v1/daemon/stop")
            let deadline = ContinuousClock.now + .seconds(30)
            while client.isReachable() {
                guard ContinuousClock.now < deadline else {
                    throw CLIError(exit: .timedOut, code: "timeout", message: "the daemon is still answering after 30 s")
                }
                usleep(20_000)
            }
            output.data(["stopped": true, "pid": answer["pid"] ?? .null]) { "stopped the daemon (pid \(answer["pid"]?.plain ?? "?"))" }
        case "status":
            guard client.isReachable() else {
                throw CLIError(exit: .unreachable, code: "unreachable", message: "no daemon answers at \(paths.socket)")
            }
            let status = try daemonStatus()
            output.data(status) {
                [
                    "running     pid \(status["pid"]?.plain ?? "?"), version \(status["version"]?.plain ?? "?")",
                    "uptime      \(Int(status["uptime_seconds"]?.doubleValue ?? 0)) s",
                    "socket      \(status["socket"]?.plain ?? "")",
                    "port        \(status["port"]?.plain ?? "-")",
                    "sandboxes   \(status["sandboxes"]?.plain ?? "0")",
                    "processes   \(status["processes"]?.plain ?? "0")",
                ].joined(separator: "\n")
            }
        case "logs":
            let count = parsed.flag("lines").flatMap { Int($0) } ?? 50
            guard let file = fopen(paths.logFile, "r") else {
                throw CLIError(exit: .notFound, code: "not_found", message: "no log at \(paths.logFile)")
            }
            defer { fclose(file) }
            var lines: [String] = []
            var buffer = [CChar](repeating: 0, count: 65536)
            while fgets(&buffer, Int32(buffer.count), file) != nil {
                lines.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                if lines.count > count { lines.removeFirst() }
            }
            output.data(.array(lines.map { .string(String($0.dropLast($0.hasSuffix("\n") ? 1 : 0))) })) { lines.joined() }
        default:
            throw CLIError(exit: .usage, code: "usage", message: "unknown server command")
        }
    }

    /// `GET /api/v1/daemon` without autostart.
    func daemonStatus() throws -> Term {
        do {
            let response = try client.request("GET", "/api/v1/daemon")
            return (try? Term(jsonBytes: response.body))?["data"] ?? .null
        } catch {
            throw CLIError(exit: .unreachable, code: "unreachable", message: error.description)
        }
    }

    func runDaemon() async throws {
        let port = parsed.flag("port").flatMap { Int($0) }
        if let port, !(0...65535).contains(port) {
            throw CLIError(exit: .usage, code: "usage", message: "--port must be 0 to 65535, got \(port)")
        }
        let environment = SuperlearnerPaths.currentEnvironment()
        let configuration = DaemonConfiguration(
            paths: paths, host: parsed.flag("host") ?? "127.0.0.1", port: port, token: environment["SUPERLEARNER_TOKEN"],
            allowDestructive: !parsed.has("read-only"), allowDestructiveUI: parsed.has("allow-destructive-ui"),
            nodeName: environment["SUPERLEARNER_NODE"] ?? "superlearner@localhost")
        var logger = Logger(label: "superlearner.daemon")
        logger.logLevel = Logger.Level(rawValue: environment["SUPERLEARNER_LOG_LEVEL"] ?? "info") ?? .info
        do {
            try await Daemon(configuration: configuration, logger: logger).run()
        } catch let error as DaemonError {
            switch error {
            case .alreadyRunning: throw CLIError(exit: .conflict, code: "already_running", message: error.description)
            case .tokenRequired, .insecureTokenFile: throw CLIError(exit: .usage, code: "token_required", message: error.description)
            case .io: throw CLIError(exit: .failure, code: "io_error", message: error.description)
            case .addressInUse: throw CLIError(exit: .conflict, code: "address_in_use", message: error.description)
            }
        }
    }
}
