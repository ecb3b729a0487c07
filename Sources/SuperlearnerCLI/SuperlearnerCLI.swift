import Arsenal
import ArsenalHTTP
import Sandbox
import SuperlearnerClient
import SuperlearnerDaemon
import Supervision
import Telemetry

/// The command-line entry point. Until the full command tree lands (issue 5), it offers `--version`, `help`
/// and the runtime `demo`.
public enum SuperlearnerCLI {
    /// The product version.
    public static let version = "0.1.0"

    /// Exit codes of the command-line contract (DESIGN §6).
    public enum ExitCode: Int32, Sendable {
        /// Success.
        case ok = 0
        /// The operation failed.
        case failure = 1
        /// Usage or validation error.
        case usage = 2
        /// Not found.
        case notFound = 3
        /// Conflict.
        case conflict = 4
        /// Daemon unreachable.
        case unreachable = 5
        /// Timed out.
        case timedOut = 6
    }

    /// Runs the command line with `arguments` (without the program name) and returns the exit code.
    public static func main(_ arguments: [String]) async -> ExitCode {
        switch arguments.first {
        case "--version", "version":
            print("superlearner \(version)")
            for (module, moduleVersion) in moduleVersions { print("  \(module) \(moduleVersion)") }
            return .ok
        case "demo":
            await RuntimeDemo.run()
            return .ok
        case nil, "help", "--help", "-h":
            print(usage)
            return .ok
        case let other?:
            printError("superlearner: unknown command '\(other)'; run 'superlearner help'")
            return .usage
        }
    }

    static let moduleVersions: [(String, String)] = [
        ("Supervision", SupervisionModule.version), ("Telemetry", Telemetry.version),
        ("Sandbox", SandboxManager.version), ("Arsenal", OperationRegistry.version),
        ("ArsenalHTTP", ArsenalHTTPModule.version), ("SuperlearnerDaemon", SuperlearnerDaemonModule.version),
        ("SuperlearnerClient", SuperlearnerClientModule.version),
    ]

    static let usage = """
        superlearner — build, watch and break supervision trees

        Usage:
          superlearner demo        a narrated tour of the supervision runtime
          superlearner --version   versions of every module
          superlearner help        this text

        Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 not found, 4 conflict,
                    5 daemon unreachable, 6 timed out.
        """
}

func printError(_ line: String) {
    var standardError = StandardError()
    print(line, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        fputsStandardError(string)
    }
}
