import SuperlearnerClient
import Supervision

/// A key and its value as etcd keeps them.
public struct EtcdKeyValue: Sendable, Hashable {
    /// The key.
    public var key: String
    /// The value's text.
    public var value: String
    /// The revision that created the key (since its last deletion): the fencing token of an owner key.
    public var createRevision: Int
    /// The revision of its last change.
    public var modRevision: Int
    /// The lease it is attached to, if any (as etcd's decimal string).
    public var lease: String?

    init?(_ term: Term) {
        guard let keyText = term["key"]?.stringValue, let key = Base64.decode(keyText) else { return nil }
        self.key = String(decoding: key, as: UTF8.self)
        self.value = String(decoding: term["value"]?.stringValue.flatMap(Base64.decode) ?? [], as: UTF8.self)
        // int64s arrive as JSON strings, and zero values are left out.
        createRevision = EtcdClient.integer(term["create_revision"]) ?? 0
        modRevision = EtcdClient.integer(term["mod_revision"]) ?? 0
        let lease = term["lease"]?.stringValue ?? term["lease"].flatMap { EtcdClient.integer($0) }.map(String.init)
        self.lease = lease == "0" ? nil : lease
    }

    /// Creates a key-value (for tests and callers building state).
    public init(key: String, value: String, createRevision: Int, modRevision: Int, lease: String?) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.lease = lease
    }
}

/// One change seen by a watch.
public enum EtcdWatchEvent: Sendable, Hashable {
    /// A key was created or changed.
    case put(EtcdKeyValue)
    /// A key was deleted (by a request or by its lease expiring); only the key and revision are known.
    case delete(key: String, revision: Int)
}

/// What went wrong talking to etcd.
public struct EtcdError: Error, Sendable, CustomStringConvertible {
    /// Said in one line, with the endpoint.
    public var description: String
    /// Whether etcd could not be reached at all (as opposed to answering with an error).
    public var unreachable: Bool
}

/// etcd 3.4's JSON gateway (`/v3/…`) over plain HTTP/1.1: leases, keys, transactions and watches — the
/// primitives membership and ownership rest on. Every call runs on a thread of its own, never on Swift's
/// cooperative pool; int64s (lease ids, revisions) are kept as they come, as strings, since they exceed what
/// a JSON double holds.
///
/// ```swift
/// let etcd = EtcdClient(host: "127.0.0.1", port: 2379)
/// let lease = try await etcd.grantLease(seconds: 6)
/// let claimed = try await etcd.createIfAbsent("sl/c/sandboxes/a/owner", value: "{}", lease: lease.id)
/// ```
public struct EtcdClient: Sendable {
    /// The gateway's address.
    public let host: String
    /// Its port.
    public let port: Int
    /// How long a unary call may take.
    public var timeout: Duration

    /// A client for the gateway at `host:port`.
    public init(host: String, port: Int, timeout: Duration = .seconds(3)) {
        self.host = host
        self.port = port
        self.timeout = timeout
    }

    /// A client for a URL such as `http://127.0.0.1:2379`, or `nil` when it is not one.
    public init?(url: String, timeout: Duration = .seconds(3)) {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count).split(separator: "/").first ?? ""
        let parts = rest.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
        self.init(host: String(parts[0]), port: port, timeout: timeout)
    }

    /// `http://host:port`.
    public var url: String { "http://\(host):\(port)" }

    var client: SuperlearnerClient {
        SuperlearnerClient(endpoint: .tcp(host: host, port: port, token: nil), timeout: timeout)
    }

    static func integer(_ term: Term?) -> Int? {
        switch term {
        case .string(let text)?: Int(text)
        case .int(let value)?: value
        case .double(let value)?: Int(value)
        default: nil
        }
    }

    /// POSTs `body` to `/v3/<path>` and returns the answer; an HTTP error or an in-band error throws.
    func call(_ path: String, _ body: Term) async throws(EtcdError) -> Term {
        let response: ClientResponse
        do {
            response = try await client.send("POST", "/v3/" + path, body: body.json)
        } catch {
            throw EtcdError(description: "etcd at \(url): \(error.description)", unreachable: true)
        }
        let answer = (try? Term(json: response.text)) ?? .null
        guard response.status == 200, answer["error"] == nil else {
            let message = answer["message"]?.stringValue ?? answer["error"]?.stringValue ?? response.text
            throw EtcdError(
                description: "etcd at \(url) answered \(response.status) to \(path): \(message)", unreachable: false)
        }
        return answer
    }

    // MARK: Health

    /// Whether etcd reports itself healthy (`GET /health`).
    public func isHealthy() async -> Bool {
        guard let response = try? await client.send("GET", "/health") else { return false }
        return (try? Term(json: response.text))?["health"] == "true"
    }

    /// The maintenance status: version, database size, leader, raft term.
    public func status() async throws(EtcdError) -> Term { try await call("maintenance/status", [:]) }

    /// The etcd cluster's members.
    public func members() async throws(EtcdError) -> [Term] {
        try await call("cluster/member/list", [:])["members"]?.arrayValue ?? []
    }

    // MARK: Leases

    /// A lease of about `seconds` (etcd may grant more); its id and granted TTL.
    public func grantLease(seconds: Int) async throws(EtcdError) -> (id: String, ttl: Int) {
        let answer = try await call("lease/grant", ["TTL": .int(seconds)])
        guard let id = answer["ID"]?.stringValue ?? Self.integer(answer["ID"]).map(String.init) else {
            throw EtcdError(description: "etcd at \(url) granted a lease without an id", unreachable: false)
        }
        return (id, Self.integer(answer["TTL"]) ?? seconds)
    }

    /// Renews `lease`; its TTL, or `nil` when the lease is gone (etcd then omits the TTL).
    public func keepAlive(_ lease: String) async throws(EtcdError) -> Int? {
        let answer = try await call("lease/keepalive", ["ID": .string(lease)])
        guard let ttl = Self.integer(answer["result"]?["TTL"]), ttl > 0 else { return nil }
        return ttl
    }

    /// Seconds left on `lease`; `nil` when it is gone.
    public func timeToLive(_ lease: String) async throws(EtcdError) -> Int? {
        let answer = try await call("lease/timetolive", ["ID": .string(lease)])
        guard let ttl = Self.integer(answer["TTL"]), ttl >= 0 else { return nil }
        return ttl
    }

    /// Ends `lease` now: every key attached to it is deleted at once.
    public func revoke(_ lease: String) async throws(EtcdError) {
        _ = try await call("lease/revoke", ["ID": .string(lease)])
    }

    // MARK: Keys

    static func rangeEnd(ofPrefix prefix: String) -> String {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return Base64.encode(bytes)
            }
            bytes.removeLast()
        }
        return Base64.encode([0])
    }

    /// Every key under `prefix`, with the store's revision at the time of the read.
    public func range(prefix: String) async throws(EtcdError) -> (revision: Int, values: [EtcdKeyValue]) {
        let answer = try await call(
            "kv/range", ["key": .string(Base64.encode(prefix)), "range_end": .string(Self.rangeEnd(ofPrefix: prefix))])
        return (
            Self.integer(answer["header"]?["revision"]) ?? 0,
            (answer["kvs"]?.arrayValue ?? []).compactMap(EtcdKeyValue.init)
        )
    }

    /// The value at `key`, if any.
    public func get(_ key: String) async throws(EtcdError) -> EtcdKeyValue? {
        let answer = try await call("kv/range", ["key": .string(Base64.encode(key))])
        return (answer["kvs"]?.arrayValue ?? []).compactMap(EtcdKeyValue.init).first
    }

    /// Writes `value` at `key`, attached to `lease` when given; the revision of the write.
    @discardableResult
    public func put(_ key: String, _ value: String, lease: String? = nil) async throws(EtcdError) -> Int {
        var body: [String: Term] = ["key": .string(Base64.encode(key)), "value": .string(Base64.encode(value))]
        if let lease { body["lease"] = .string(lease) }
        return Self.integer(try await call("kv/put", .object(body))["header"]?["revision"]) ?? 0
    }

    /// Deletes `key` (or every key under it, with `prefix`); how many were deleted.
    @discardableResult
    public func delete(_ key: String, prefix: Bool = false) async throws(EtcdError) -> Int {
        var body: [String: Term] = ["key": .string(Base64.encode(key))]
        if prefix { body["range_end"] = .string(Self.rangeEnd(ofPrefix: key)) }
        return Self.integer(try await call("kv/deleterange", .object(body))["deleted"]) ?? 0
    }

    /// Creates `key` with `value` under `lease` only if it does not exist (one transaction comparing its
    /// create revision with 0). The revision that created it — the fencing token — when this call did;
    /// `nil` when the key already existed.
    public func createIfAbsent(_ key: String, value: String, lease: String?) async throws(EtcdError) -> Int? {
        let encoded = Term.string(Base64.encode(key))
        var put: [String: Term] = ["key": encoded, "value": .string(Base64.encode(value))]
        if let lease { put["lease"] = .string(lease) }
        let answer = try await call(
            "kv/txn",
            [
                "compare": [["key": encoded, "target": "CREATE", "create_revision": "0"]],
                "success": [["request_put": .object(put)]],
            ])
        guard answer["succeeded"] == .bool(true) else { return nil }
        return Self.integer(answer["header"]?["revision"])
    }

    /// Writes `value` at `key` only while `guardKey`'s create revision is `token` (a fenced write: an owner
    /// that has been replaced cannot change what its successor reads); whether it did.
    public func put(_ key: String, _ value: String, ifKey guardKey: String, wasCreatedAt token: Int)
        async throws(EtcdError) -> Bool
    {
        let answer = try await call(
            "kv/txn",
            [
                "compare": [
                    [
                        "key": .string(Base64.encode(guardKey)), "target": "CREATE",
                        "create_revision": .string(String(token)),
                    ]
                ],
                "success": [
                    ["request_put": ["key": .string(Base64.encode(key)), "value": .string(Base64.encode(value))]]
                ],
            ])
        return answer["succeeded"] == .bool(true)
    }

    /// Deletes `key` only while its create revision is `token` (an owner giving up what it still owns, not
    /// a successor's key); whether it did.
    @discardableResult
    public func delete(_ key: String, ifCreatedAt token: Int) async throws(EtcdError) -> Bool {
        let encoded = Term.string(Base64.encode(key))
        let answer = try await call(
            "kv/txn",
            [
                "compare": [["key": encoded, "target": "CREATE", "create_revision": .string(String(token))]],
                "success": [["request_delete_range": ["key": encoded]]],
            ])
        return answer["succeeded"] == .bool(true)
    }

    // MARK: Watch

    /// Watches every key under `prefix` from `revision` on, blocking the calling thread: `onEvents` gets each
    /// batch with the revision it brings the reader to, until it returns `false`, `deadline` passes or the
    /// stream ends. A watch from a compacted revision ends with `.compacted`: read again, then watch again.
    public func watch(
        prefix: String, from revision: Int, until deadline: ContinuousClock.Instant,
        _ onEvents: ([EtcdWatchEvent], Int) -> Bool
    ) -> WatchEnd {
        let request: Term = [
            "create_request": [
                "key": .string(Base64.encode(prefix)), "range_end": .string(Self.rangeEnd(ofPrefix: prefix)),
                "start_revision": .string(String(revision)),
            ]
        ]
        var pending: [UInt8] = []
        var end = WatchEnd.deadline
        do {
            let (status, _) = try client.stream("POST", "/v3/watch", body: request.json, until: deadline) { bytes in
                pending += bytes
                // One JSON object per line; a read may hold part of one, or several.
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    guard let message = try? Term(json: line) else { continue }
                    let result = message["result"] ?? .null
                    if message["error"] != nil {
                        end = .failed("etcd watch error: \(message["error"]?.json ?? "")")
                        return false
                    }
                    if result["canceled"] == .bool(true) {
                        end =
                            Self.integer(result["compact_revision"]).map { .compacted($0) }
                            ?? .failed("etcd cancelled the watch: \(result["cancel_reason"]?.stringValue ?? "")")
                        return false
                    }
                    let events = (result["events"]?.arrayValue ?? []).compactMap { event -> EtcdWatchEvent? in
                        guard let kv = event["kv"] else { return nil }
                        if event["type"] == "DELETE" {
                            guard let key = kv["key"]?.stringValue.flatMap(Base64.decode) else { return nil }
                            return .delete(
                                key: String(decoding: key, as: UTF8.self),
                                revision: Self.integer(kv["mod_revision"]) ?? 0)
                        }
                        return EtcdKeyValue(kv).map(EtcdWatchEvent.put)
                    }
                    let reached = Self.integer(result["header"]?["revision"]) ?? revision
                    if !events.isEmpty, !onEvents(events, reached) {
                        end = .stopped
                        return false
                    }
                }
                return true
            }
            if status != 200 { return .failed("etcd at \(url) answered \(status) to a watch") }
        } catch {
            return .failed("etcd at \(url): \(error.description)")
        }
        return end
    }

    /// Why a watch returned.
    public enum WatchEnd: Sendable, Equatable {
        /// Its deadline passed: watch again from the last revision seen.
        case deadline
        /// The caller asked it to stop.
        case stopped
        /// The revision asked for was compacted away (the oldest kept is given): read again, then watch.
        case compacted(Int)
        /// It could not be kept up.
        case failed(String)
    }
}
