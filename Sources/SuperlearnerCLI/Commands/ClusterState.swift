import SuperlearnerClient
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// A local cluster started by `cluster start`, as `$SUPERLEARNER_HOME/cluster/<name>/state.json` records
/// it: its etcd (pid, URL, data folder) and its nodes' homes. Node 1's home is the home itself, so plain
/// commands talk to the cluster; the others live under `cluster/<name>/nodes/`.
struct ClusterState {
    struct Node {
        var name: String
        var home: String
    }

    var name: String
    var etcdURL: String
    var etcdPID: Int32
    var etcdData: String
    var leaseSeconds: Int
    var nodes: [Node]

    static func folder(home: String, name: String) -> String { home + "/cluster/" + name }
    static func file(home: String, name: String) -> String { folder(home: home, name: name) + "/state.json" }

    var term: Term {
        [
            "name": .string(name),
            "etcd": ["url": .string(etcdURL), "pid": .int(Int(etcdPID)), "data": .string(etcdData)],
            "lease_seconds": .int(leaseSeconds),
            "nodes": .array(nodes.map { ["name": .string($0.name), "home": .string($0.home)] }),
        ]
    }

    static func read(home: String, name: String) -> ClusterState? {
        guard let text = TextFile.read(file(home: home, name: name)), let term = try? Term(json: text),
            let url = term["etcd"]?["url"]?.stringValue
        else { return nil }
        return ClusterState(
            name: name, etcdURL: url, etcdPID: Int32(term["etcd"]?["pid"]?.intValue ?? 0),
            etcdData: term["etcd"]?["data"]?.stringValue ?? "", leaseSeconds: term["lease_seconds"]?.intValue ?? 6,
            nodes: (term["nodes"]?.arrayValue ?? []).compactMap { node in
                guard let name = node["name"]?.stringValue, let home = node["home"]?.stringValue else { return nil }
                return Node(name: name, home: home)
            })
    }

    /// Every cluster recorded in `home`.
    static func all(home: String) -> [ClusterState] {
        guard let directory = opendir(home + "/cluster") else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted().compactMap { read(home: home, name: $0) }
    }

    func write(home: String) throws {
        ProcessPaths.makeFolders(Self.folder(home: home, name: name))
        guard TextFile.write(term.json + "\n", to: Self.file(home: home, name: name)) else {
            throw CLIError(exit: .failure, code: "io", message: "cannot write \(Self.file(home: home, name: name))")
        }
    }

    /// The paths of node `name` of a cluster recorded in `home`.
    static func paths(ofNode name: String, home: String) throws -> SuperlearnerPaths {
        for cluster in all(home: home) {
            if let node = cluster.nodes.first(where: { $0.name == name }) {
                return SuperlearnerPaths(home: node.home, socket: node.home + "/superlearner.sock")
            }
        }
        let known = all(home: home).flatMap { $0.nodes.map(\.name) }
        throw CLIError(
            exit: .notFound, code: "node_not_found",
            message: known.isEmpty
                ? "no cluster was started from \(home); start one with 'superlearner cluster start 3'"
                : "no node \"\(name)\" in the clusters started from \(home) (nodes: \(known.joined(separator: ", ")))")
    }

    /// Whether etcd's process is alive.
    var etcdIsRunning: Bool { etcdPID > 0 && kill(etcdPID, 0) == 0 }
}
