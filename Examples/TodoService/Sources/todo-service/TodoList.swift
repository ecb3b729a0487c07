import Hummingbird
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The list, in memory and in a file of one item per line. `add` returns once the line is on disk.
actor TodoList {
    private var items: [String]
    private let path: String

    private init(items: [String], path: String) {
        self.items = items
        self.path = path
    }

    /// The list kept in `path` (an empty one when the file does not exist yet). Files are read and written
    /// on NIO's thread pool, never on the tasks serving requests.
    static func load(from path: String) async throws -> TodoList {
        let text = try await NIOThreadPool.singleton.runIfActive { () throws -> String in
            guard let file = fopen(path, "r") else { return "" }
            defer { fclose(file) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = fread(&chunk, 1, chunk.count, file)
                if count == 0 { break }
                bytes += chunk[0..<count]
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return TodoList(items: text.split(separator: "\n").map(String.init), path: path)
    }

    var count: Int { items.count }

    /// One line per item, numbered from 1.
    func text() -> String {
        items.isEmpty ? "(nothing to do)\n" : items.enumerated().map { "\($0.offset + 1). \($0.element)\n" }.joined()
    }

    /// Appends `item` to the file and syncs it, then to the list; returns its number.
    func add(_ item: String) async throws -> Int {
        let path = self.path
        try await NIOThreadPool.singleton.runIfActive {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw StoreError.cannotWrite(path, errno) }
            defer { close(fd) }
            let line = Array((item + "\n").utf8)
            guard write(fd, line, line.count) == line.count, fsync(fd) == 0 else {
                throw StoreError.cannotWrite(path, errno)
            }
        }
        items.append(item)
        return items.count
    }
}

enum StoreError: Error, CustomStringConvertible {
    case cannotWrite(String, Int32)

    var description: String {
        switch self {
        case .cannotWrite(let path, let code): "cannot write \(path): \(String(cString: strerror(code)))"
        }
    }
}
