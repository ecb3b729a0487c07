#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the daemon's files live: `$SUPERLEARNER_HOME`, else `$XDG_STATE_HOME/superlearner`, else
/// `~/.local/state/superlearner`; the socket may be moved with `--socket` or `SUPERLEARNER_SOCKET`.
public struct SuperlearnerPaths: Sendable, Hashable {
    /// The state directory (mode 0700).
    public var home: String
    /// The Unix socket (mode 0600).
    public var socket: String

    /// Paths for `home`, with its socket at `socket`.
    public init(home: String, socket: String) {
        self.home = home
        self.socket = socket
    }

    /// The daemon's pid file.
    public var pidFile: String { home + "/daemon.pid" }
    /// The daemon's log.
    public var logFile: String { home + "/daemon.log" }
    /// The state database.
    public var database: String { home + "/state.sqlite" }
    /// The token file for TCP access (mode 0600).
    public var tokenFile: String { home + "/token" }
    /// The folder of program children's logs (`<sandbox>/<child path>.log`).
    public var programLogs: String { home + "/logs" }
    /// The shell's history.
    public var historyFile: String { home + "/history" }

    /// Paths from this process's environment, with an optional explicit socket.
    public static func resolve(socket explicitSocket: String? = nil) -> SuperlearnerPaths {
        resolve(socket: explicitSocket, variable: environmentVariable)
    }

    /// Paths from `environment`, with an optional explicit socket.
    public static func resolve(socket explicitSocket: String? = nil, environment: [String: String])
        -> SuperlearnerPaths
    {
        resolve(socket: explicitSocket) { environment[$0] }
    }

    private static func resolve(socket explicitSocket: String?, variable: (String) -> String?) -> SuperlearnerPaths {
        let home: String
        if let value = variable("SUPERLEARNER_HOME"), !value.isEmpty {
            home = value
        } else if let state = variable("XDG_STATE_HOME"), !state.isEmpty {
            home = state + "/superlearner"
        } else {
            home = (variable("HOME") ?? "/tmp") + "/.local/state/superlearner"
        }
        let socket =
            explicitSocket ?? variable("SUPERLEARNER_SOCKET").flatMap { $0.isEmpty ? nil : $0 } ?? home
            + "/superlearner.sock"
        return SuperlearnerPaths(home: home, socket: socket)
    }

    /// One variable of this process's environment, or nil when it is not set. Every command reads a few
    /// variables on start; copying the whole environment into a dictionary for them cost about 5 % of a short
    /// command's CPU.
    public static func environmentVariable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// This process's environment.
    public static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// Creates the home directory (and parents) with mode 0700, tightening it if it exists.
    public func createHome() throws(ClientError) {
        var path = ""
        for component in home.split(separator: "/", omittingEmptySubsequences: false) {
            path += path.isEmpty && home.hasPrefix("/") ? "/" : (path == "/" ? "" : "/")
            path += component
            if component.isEmpty { continue }
            if mkdir(path, 0o700) != 0 && errno != EEXIST {
                throw .io("cannot create \(path): \(String(cString: strerror(errno)))")
            }
        }
        chmod(home, 0o700)
    }
}
