import SuperlearnerClient
import Supervision

#if canImport(Glibc)
    import Glibc
#endif

/// A home's cluster membership (`cluster.json`): written when a daemon is started with `--etcd`, read when
/// it is started without, so a node that is restarted — by hand, by autostart, after a crash — rejoins its
/// cluster under the same name. `cluster stop` and `cluster leave` remove it.
struct ClusterMembership: Equatable {
    var etcd: String
    var cluster: String
    var node: String?
    var leaseSeconds: Int

    static func file(_ home: String) -> String { home + "/cluster.json" }

    var term: Term {
        [
            "etcd": .string(etcd), "cluster": .string(cluster), "node": node.map(Term.string) ?? .null,
            "lease_seconds": .int(leaseSeconds),
        ]
    }

    static func read(home: String) -> ClusterMembership? {
        guard let text = TextFile.read(file(home)), let term = try? Term(json: text),
            let etcd = term["etcd"]?.stringValue, let cluster = term["cluster"]?.stringValue
        else { return nil }
        return ClusterMembership(
            etcd: etcd, cluster: cluster, node: term["node"]?.stringValue,
            leaseSeconds: term["lease_seconds"]?.intValue ?? 6)
    }

    func write(home: String) throws {
        guard TextFile.write(term.json + "\n", to: Self.file(home)) else {
            throw CLIError(exit: .failure, code: "io", message: "cannot write \(Self.file(home))")
        }
    }

    static func remove(home: String) { unlink(file(home)) }

    /// The flags' membership (remembered in the home), else the home's remembered one, else none.
    static func resolve(_ listeners: ServerCommands.Listeners, home: String) throws -> ClusterMembership? {
        if let ttl = listeners.leaseTTL, !(2...3600).contains(ttl) {
            throw CLIError(exit: .usage, code: "usage", message: "--lease-ttl must be 2 to 3600 seconds, got \(ttl)")
        }
        guard let etcd = listeners.etcd else {
            guard listeners.cluster == nil else {
                throw CLIError(exit: .usage, code: "usage", message: "--cluster needs --etcd URL")
            }
            return read(home: home)
        }
        guard etcd.hasPrefix("http://") else {
            throw CLIError(
                exit: .usage, code: "usage", message: "--etcd must be an http://HOST:PORT URL, got '\(etcd)'")
        }
        let membership = ClusterMembership(
            etcd: etcd, cluster: listeners.cluster ?? "default", node: listeners.nodeName,
            leaseSeconds: listeners.leaseTTL ?? 6)
        try membership.write(home: home)
        return membership
    }
}
