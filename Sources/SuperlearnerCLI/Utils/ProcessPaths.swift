import CSuperlearner
import SuperlearnerClient

#if canImport(Glibc)
    import Glibc
#endif

/// Folders as the command line sees them.
enum ProcessPaths {
    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The absolute folder holding `file` (the current directory for `-`, stdin).
    static func folder(of file: String) -> String {
        let cwd = currentDirectory()
        guard file != "-" else { return cwd }
        let absolute = file.hasPrefix("/") ? file : "\(cwd)/\(file)"
        guard let slash = absolute.lastIndex(of: "/") else { return cwd }
        let folder = String(absolute[..<slash])
        return folder.isEmpty ? "/" : folder
    }
}

extension ProcessPaths {
    /// This binary's own path.
    static func executable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return count > 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : CommandLine.arguments[0]
    }

    /// This process's environment as `KEY=value` entries.
    static func environment() -> [String] {
        var entries: [String] = []
        var entry = sl_environ()
        while let pointer = entry?.pointee {
            entries.append(String(cString: pointer))
            entry = entry?.successor()
        }
        return entries
    }

    /// Runs this binary with `home` as its home and waits: environment entries starting with any of
    /// `dropping` are left out, `adding` are added (with `NO_COLOR=1`), `input` is its standard input.
    /// - Returns: its standard output.
    /// - Throws: `CLIError` (code `errorCode`) with its standard error when it exits non-zero.
    static func runSelf(
        _ arguments: [String], home: String, dropping: [String], adding: [String] = [], input: String? = nil,
        errorCode: String
    ) throws -> String {
        let executable = executable()
        var environment = environment().filter { entry in !dropping.contains { entry.hasPrefix($0) } }
        environment += ["SUPERLEARNER_HOME=\(home)", "NO_COLOR=1"] + adding
        makeFolders(home)
        let inputPath = home + "/.self-input"
        if let input { _ = write(Array(input.utf8), to: inputPath) }
        let out = home + "/.self-out", err = home + "/.self-err"
        unlink(out)
        unlink(err)
        defer {
            unlink(out)
            unlink(err)
            unlink(inputPath)
        }
        var argv = ([executable] + arguments).map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        let pid = sl_spawn(executable, &argv, &envp, nil, input == nil ? nil : inputPath, out, err, 0)
        guard pid > 0 else { throw CLIError(exit: .failure, code: "spawn", message: "cannot run \(executable)") }
        let status = sl_wait(pid)
        guard status == 0 else {
            throw CLIError(
                exit: .failure, code: errorCode,
                message:
                    "superlearner \(arguments.joined(separator: " ")): \(TextFile.read(err)?.trimmingWhitespace() ?? "exit \(status)")"
            )
        }
        return TextFile.read(out) ?? ""
    }

    /// Creates `folder` and its parents.
    static func makeFolders(_ folder: String) {
        var current = folder.hasPrefix("/") ? "" : "."
        for component in folder.split(separator: "/") {
            current += "/" + component
            mkdir(current, 0o755)
        }
    }

    /// Writes `bytes` to `path`, replacing it; whether it worked.
    static func write(_ bytes: [UInt8], to path: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Removes `path` and everything under it (symbolic links are removed, not followed).
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR, let directory = opendir(path) {
            var names: [String] = []
            while let item = readdir(directory) {
                let name = withUnsafeBytes(of: item.pointee.d_name) {
                    String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            for name in names { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
